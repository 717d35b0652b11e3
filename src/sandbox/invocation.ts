/**
 * One invocation of one schedule, the way EventBridge Scheduler performs it: assume the execution
 * role, call the target, retry per RetryPolicy (simulated back to back, no waiting), then dead-letter
 * or drop what still fails, metering every step as AWS/Scheduler metrics at the virtual invocation
 * time. Every ECS task started is reported to the run ledger through the ECS event handler.
 */
import { randomUUID } from 'node:crypto';
import type { RunLedger, ScheduleIdentity, TaskStateChangeDeps, TaskStateChangeResult } from '../ledger/index.ts';
import type { AdvanceSummary } from './advance-summary.ts';
import { deadLetterMessage, ExhaustedRetryCondition } from './dead-letter.ts';
import type { DueInvocation } from './due-invocations.ts';
import { runTaskRequestFor, taskOverridesFromInput, taskStateChangeEvent } from './ecs-invocation.ts';
import type { FirerPorts, ResourceStatus, StartedTask, TargetError, TargetResult } from './firer-ports.ts';
import { DEFAULT_RETRY_POLICY, targetKindOf, TargetKind, type ScheduleDefinition } from './schedule-model.ts';
import { SchedulerMetric, type SchedulerMetricBuffer } from './scheduler-metrics.ts';
import { classifyTargetError, ErrorClass, isThrottlingError } from './target-errors.ts';

export const InvocationOutcome = {
  succeeded: 'succeeded',
  deadLettered: 'dead-lettered',
  dropped: 'dropped',
  deadLetterFailed: 'dead-letter-failed',
  unsupported: 'unsupported',
} as const;
export type InvocationOutcome = (typeof InvocationOutcome)[keyof typeof InvocationOutcome];

export interface InvocationRecord {
  scheduleArn: string;
  group: string;
  name: string;
  targetKind: TargetKind;
  targetArn: string;
  scheduledTime: Date;
  invokeAt: Date;
  attempts: number;
  outcome: InvocationOutcome;
  /** The last error, when the invocation did not succeed. */
  error?: TargetError;
  taskArns: string[];
  /** What happened to the schedule's Input: ECS overrides, ignored (ECS, not override-shaped), or the payload. */
  input?: { value: string; usedAs: 'overrides' | 'ignored' | 'payload' };
}

/** Look-ups shared by all invocations of one advance (a change between advances takes effect). */
export interface TargetChecks {
  role(arn: string): Promise<boolean>;
  cluster(arn: string): Promise<ResourceStatus>;
  taskDefinition(arn: string): Promise<ResourceStatus>;
}

export interface InvocationContext {
  ports: FirerPorts;
  checks: TargetChecks;
  metrics: SchedulerMetricBuffer;
  summary: AdvanceSummary;
  /** ECS schedules as the ledger handler needs them, to attribute each task to its schedule. */
  identities: () => ScheduleIdentity[];
  ledger: RunLedger | undefined;
  handleTaskStateChange: (event: unknown, deps: TaskStateChangeDeps) => Promise<TaskStateChangeResult>;
  account: string;
  region: string;
  log: (message: string, data?: Record<string, unknown>) => void;
}

export async function invoke(due: DueInvocation, ctx: InvocationContext): Promise<InvocationRecord> {
  const { schedule, invokeAt } = due;
  const { metrics, summary } = ctx;
  const group = schedule.group;
  const kind = targetKindOf(schedule.target.arn);
  const record: InvocationRecord = {
    scheduleArn: schedule.arn,
    group,
    name: schedule.name,
    targetKind: kind,
    targetArn: schedule.target.arn,
    scheduledTime: due.scheduledTime,
    invokeAt,
    attempts: 0,
    outcome: InvocationOutcome.succeeded,
    taskArns: [],
    ...(schedule.target.input !== undefined ? { input: { value: schedule.target.input, usedAs: inputUse(kind, schedule.target.input) } } : {}),
  };
  if (kind === TargetKind.unsupported) {
    // A sandbox limitation (universal targets, Step Functions, ...), not a schedule fault: not metered.
    record.outcome = InvocationOutcome.unsupported;
    ctx.log('target not supported by the sandbox; not invoked', { schedule: `${group}/${schedule.name}`, target: schedule.target.arn });
    return record;
  }

  const policy = schedule.target.retryPolicy ?? DEFAULT_RETRY_POLICY;
  let lastError: TargetError | undefined;
  // Retries are simulated back to back at invokeAt, so the event never ages past
  // MaximumEventAgeInSeconds here: only the attempt count can end them.
  let exhausted: ExhaustedRetryCondition | undefined;
  for (;;) {
    record.attempts++;
    summary.attempts++;
    metrics.add(SchedulerMetric.InvocationAttemptCount, group, invokeAt);
    const result = await attemptOnce(schedule, kind, invokeAt, ctx);
    if (result.ok) {
      lastError = undefined;
      await recordSuccess(record, result.value, invokeAt, ctx);
      break;
    }
    lastError = result.error;
    summary.errorsByCode[lastError.code] = (summary.errorsByCode[lastError.code] ?? 0) + 1;
    metrics.add(SchedulerMetric.TargetErrorCount, group, invokeAt);
    if (isThrottlingError(lastError)) metrics.add(SchedulerMetric.TargetErrorThrottledCount, group, invokeAt);
    if (classifyTargetError(lastError) === ErrorClass.permanent) break;
    if (record.attempts > policy.maximumRetryAttempts) {
      exhausted = ExhaustedRetryCondition.maximumRetryAttempts;
      break;
    }
  }
  if (lastError === undefined) return record;

  record.error = lastError;
  summary.failed++;
  const dlq = schedule.target.deadLetterArn;
  if (dlq === undefined) {
    record.outcome = InvocationOutcome.dropped;
    summary.dropped++;
    metrics.add(SchedulerMetric.InvocationDroppedCount, group, invokeAt);
    return record;
  }
  const message = deadLetterMessage({
    scheduleArn: schedule.arn,
    targetArn: schedule.target.arn,
    scheduledTime: due.scheduledTime,
    attempts: record.attempts,
    error: lastError,
    executionId: randomUUID(),
    ...(exhausted !== undefined ? { exhausted } : {}),
    ...(schedule.target.input !== undefined ? { input: schedule.target.input } : {}),
  });
  const sent = await ctx.ports.targets.sendMessage(dlq, message.body, { attributes: message.attributes });
  if (sent.ok) {
    record.outcome = InvocationOutcome.deadLettered;
    summary.deadLettered++;
    metrics.add(SchedulerMetric.InvocationsSentToDeadLetterCount, group, invokeAt);
  } else {
    record.outcome = InvocationOutcome.deadLetterFailed;
    summary.deadLetterFailures++;
    metrics.add(SchedulerMetric.InvocationsFailedToBeSentToDeadLetterCount, group, invokeAt);
    ctx.log('dead-letter queue rejected the message', { schedule: `${group}/${schedule.name}`, queue: dlq, error: sent.error.code });
  }
  return record;
}

/** One attempt: what Scheduler does for one delivery. Resolves to the ECS tasks started (none for other targets). */
async function attemptOnce(schedule: ScheduleDefinition, kind: TargetKind, invokeAt: Date, ctx: InvocationContext): Promise<TargetResult<StartedTask[]>> {
  const target = schedule.target;
  const targets = ctx.ports.targets;
  if (!(await ctx.checks.role(target.roleArn))) {
    return fail('AccessDeniedException', `EventBridge Scheduler could not assume the execution role ${target.roleArn || '(none)'}.`, 403);
  }
  switch (kind) {
    case TargetKind.ecs: {
      // moto runs tasks on INACTIVE clusters and task definitions; ECS refuses both, so we do.
      if ((await ctx.checks.cluster(target.arn)) === 'INACTIVE') return fail('ClusterNotFoundException', 'The referenced cluster was inactive.', 400);
      const request = runTaskRequestFor(schedule);
      if ((await ctx.checks.taskDefinition(request.taskDefinition)) === 'INACTIVE') {
        return fail('ClientException', `TaskDefinition is inactive: ${request.taskDefinition}`, 400);
      }
      const result = await targets.runTask(request);
      if (!result.ok) return result;
      if (result.value.tasks.length === 0) {
        const failure = result.value.failures[0];
        return fail('ECS.RunTaskFailure', failure ? `${failure.reason ?? 'failure'} ${failure.arn ?? ''}`.trim() : 'RunTask started no task.', 400);
      }
      return { ok: true, value: result.value.tasks };
    }
    case TargetKind.lambda:
      return noTasks(await targets.getFunction(target.arn));
    case TargetKind.sqs:
      return noTasks(await targets.sendMessage(target.arn, target.input ?? '', target.sqsMessageGroupId ? { messageGroupId: target.sqsMessageGroupId } : {}));
    case TargetKind.sns:
      return noTasks(await targets.publish(target.arn, target.input ?? ''));
    case TargetKind.eventbridge:
      return noTasks(
        await targets.putEvent(target.arn, {
          source: target.eventBridge?.source ?? 'aws.scheduler',
          detailType: target.eventBridge?.detailType ?? 'Scheduled Event',
          detail: target.input ?? '{}',
          time: invokeAt,
        }),
      );
    case TargetKind.unsupported:
      return fail('UnsupportedTarget', `The sandbox cannot invoke ${target.arn}.`, 400);
  }
}

async function recordSuccess(record: InvocationRecord, tasks: StartedTask[], invokeAt: Date, ctx: InvocationContext): Promise<void> {
  const { summary } = ctx;
  summary.succeeded++;
  if (record.targetKind === TargetKind.lambda) summary.lambdaInvocations++;
  for (const task of tasks) {
    record.taskArns.push(task.taskArn);
    summary.tasksStarted++;
    if (ctx.ledger === undefined) continue;
    // The event carries the invocation's virtual time, as ECS would have (moto's own stamps agree only when its clock is bound).
    const event = taskStateChangeEvent(task, { account: ctx.account, region: ctx.region, createdAt: invokeAt });
    const result = await ctx.handleTaskStateChange(event, { schedules: ctx.identities, ledger: ctx.ledger });
    summary.ledger[result.outcome] = (summary.ledger[result.outcome] ?? 0) + 1;
  }
}

function noTasks<T>(result: TargetResult<T>): TargetResult<StartedTask[]> {
  return result.ok ? { ok: true, value: [] } : result;
}

function fail(code: string, message: string, httpStatus: number): TargetResult<never> {
  return { ok: false, error: { code, message, httpStatus } };
}

function inputUse(kind: TargetKind, input: string): 'overrides' | 'ignored' | 'payload' {
  if (kind !== TargetKind.ecs) return 'payload';
  return taskOverridesFromInput(input) ? 'overrides' : 'ignored';
}
