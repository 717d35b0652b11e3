/**
 * Turns one ECS "Task State Change" event into a run-ledger write. In AWS an EventBridge rule on
 * `aws.ecs` invokes a Lambda that calls this; the sandbox's schedule firer calls it directly with
 * synthetic events on a virtual clock. So every time here comes from the event, never the wall clock.
 */
import * as z from 'zod';
import { UserError } from '../errors.ts';
import { attributeTask, UnattributedReason, type Attribution, type ScheduleIdentity, type TaskFacts } from './attribution.ts';
import type { RunLedger, ScheduleKey } from './run-ledger.ts';

export { createScheduleDirectory, type ScheduleDirectory, type ScheduleDirectoryOptions } from './schedule-directory.ts';

export const ECS_EVENT_SOURCE = 'aws.ecs';
export const TASK_STATE_CHANGE_DETAIL_TYPE = 'ECS Task State Change';

const isoInstant = z.iso.datetime({ offset: true });

// Real events carry many more fields (attachments, overrides, cpu, ...): loose objects keep them valid.
export const taskStateChangeEventSchema = z.looseObject({
  source: z.literal(ECS_EVENT_SOURCE),
  'detail-type': z.literal(TASK_STATE_CHANGE_DETAIL_TYPE),
  time: isoInstant,
  detail: z.looseObject({
    taskArn: z.string().min(1),
    clusterArn: z.string().min(1),
    taskDefinitionArn: z.string().min(1),
    group: z.string().optional(),
    startedBy: z.string().optional(),
    createdAt: isoInstant,
    lastStatus: z.string().min(1),
    desiredStatus: z.string().optional(),
    stoppedReason: z.string().optional(),
    stopCode: z.string().optional(),
    containers: z
      .array(z.looseObject({ name: z.string(), exitCode: z.number().int().optional(), reason: z.string().optional() }))
      .optional(),
  }),
});
export type TaskStateChangeEvent = z.infer<typeof taskStateChangeEventSchema>;

const envelopeSchema = z.looseObject({ source: z.string(), 'detail-type': z.string() });

export const TaskStateChangeOutcome = {
  recorded: 'recorded',
  duplicate: 'duplicate',
  older: 'older',
  unattributed: 'unattributed',
  ignored: 'ignored',
} as const;
export type TaskStateChangeOutcome = (typeof TaskStateChangeOutcome)[keyof typeof TaskStateChangeOutcome];

export interface TaskStateChangeResult {
  outcome: TaskStateChangeOutcome;
  schedule?: ScheduleKey;
  reason?: string;
}

export interface TaskStateChangeDeps {
  schedules: () => Promise<readonly ScheduleIdentity[]> | readonly ScheduleIdentity[];
  /**
   * Lists schedules afresh; called at most once per event, when no known schedule claims a task that
   * EventBridge Scheduler started (the schedule may be newer than the cached list). See ScheduleDirectory.
   */
  refreshSchedules?: () => Promise<readonly ScheduleIdentity[]> | readonly ScheduleIdentity[];
  ledger: RunLedger;
  /** Receives exactly one structured entry per event. */
  log?: (entry: Record<string, unknown>) => void;
}

export async function handleTaskStateChange(event: unknown, deps: TaskStateChangeDeps): Promise<TaskStateChangeResult> {
  const log = deps.log ?? (() => {});
  const envelope = envelopeSchema.safeParse(event);
  if (envelope.success && (envelope.data.source !== ECS_EVENT_SOURCE || envelope.data['detail-type'] !== TASK_STATE_CHANGE_DETAIL_TYPE)) {
    log({ msg: 'task-state-change', outcome: 'ignored', source: envelope.data.source, detailType: envelope.data['detail-type'] });
    return { outcome: 'ignored', reason: `not an ${ECS_EVENT_SOURCE} "${TASK_STATE_CHANGE_DETAIL_TYPE}" event` };
  }
  const parsed = taskStateChangeEventSchema.safeParse(event);
  if (!parsed.success) {
    const error = invalidEvent(parsed.error);
    log({ msg: 'task-state-change', outcome: 'invalid', error: error.message });
    throw error;
  }

  const { detail, time } = parsed.data;
  const task = taskFacts(detail);
  const base = { msg: 'task-state-change', eventTime: time, taskArn: task.taskArn, lastStatus: task.lastStatus, runAt: detail.createdAt };

  let attribution = attributeTask(task, await deps.schedules());
  let refreshed = false;
  if (attribution.kind === 'unattributed' && deps.refreshSchedules !== undefined && mayBeNewSchedule(attribution)) {
    attribution = attributeTask(task, await deps.refreshSchedules());
    refreshed = true;
  }

  switch (attribution.kind) {
    case 'unattributed': {
      log({
        ...base,
        outcome: 'unattributed',
        reason: attribution.reason,
        startedBy: task.startedBy,
        group: task.group,
        candidates: attribution.candidates.map((s) => `${s.group}/${s.name}`),
        refreshedSchedules: refreshed,
      });
      return { outcome: 'unattributed', reason: attribution.reason };
    }
    case 'attributed': {
      const schedule = { group: attribution.schedule.group, name: attribution.schedule.name };
      const outcome = await deps.ledger.recordRun({
        schedule,
        taskArn: task.taskArn,
        clusterArn: task.clusterArn,
        taskDefinitionArn: task.taskDefinitionArn,
        runAt: task.createdAt,
        lastStatus: task.lastStatus,
        attributedBy: attribution.by,
        ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
      });
      log({ ...base, outcome, schedule: `${schedule.group}/${schedule.name}`, attributedBy: attribution.by });
      return { outcome, schedule };
    }
  }
}

/** Refreshing helps only when the task came from the Scheduler and nothing (yet) matched it. */
function mayBeNewSchedule(attribution: Extract<Attribution, { kind: 'unattributed' }>): boolean {
  switch (attribution.reason) {
    case UnattributedReason.noSchedule:
    case UnattributedReason.familyMismatch:
      return true;
    case UnattributedReason.notScheduler:
    case UnattributedReason.ambiguous:
      return false;
  }
}

function taskFacts(detail: TaskStateChangeEvent['detail']): TaskFacts {
  return {
    taskArn: detail.taskArn,
    clusterArn: detail.clusterArn,
    taskDefinitionArn: detail.taskDefinitionArn,
    ...(detail.group !== undefined ? { group: detail.group } : {}),
    ...(detail.startedBy !== undefined ? { startedBy: detail.startedBy } : {}),
    createdAt: new Date(detail.createdAt),
    lastStatus: detail.lastStatus,
    ...(detail.stoppedReason !== undefined ? { stoppedReason: detail.stoppedReason } : {}),
    ...(detail.stopCode !== undefined ? { stopCode: detail.stopCode } : {}),
    ...(detail.containers !== undefined
      ? {
          containers: detail.containers.map((c) => ({
            name: c.name,
            ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
            ...(c.reason !== undefined ? { reason: c.reason } : {}),
          })),
        }
      : {}),
  };
}

function invalidEvent(error: z.ZodError): UserError {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(event)' : issue.path.map(String).join('.');
  return new UserError(
    'INVALID_EVENT',
    `Invalid ECS Task State Change event: ${field}: ${issue?.message ?? 'invalid'}.`,
    `Send the EventBridge event unchanged (no input transformer); "${field}" must be present and well-formed.`,
    { cause: error },
  );
}
