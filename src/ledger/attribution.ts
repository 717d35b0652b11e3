/**
 * Which schedule started an ECS task? Pure: the caller supplies the task's facts and the known schedules.
 *
 * EventBridge Scheduler marks every task it starts with `startedBy = "chronos-schedule/<name>"`, but ECS
 * caps `startedBy` at 36 characters, so only the first 19 characters of the schedule name survive. Two
 * schedules whose names share those 19 characters (`market-data-ingest-equities` and
 * `market-data-ingest-options`) produce the same startedBy, and so do equally named schedules in two
 * groups. startedBy alone therefore cannot prove which schedule ran; we also require the task-definition
 * family to match, and when that still leaves two schedules we refuse to guess: crediting the wrong
 * schedule would hide the one that silently stopped running. `EcsParameters.Group` is the unambiguous
 * identity and wins when it points at exactly one schedule.
 */

export interface ScheduleIdentity {
  group: string;
  name: string;
  arn?: string;
  /** The schedule's `EcsParameters.Group`, if set; ECS copies it onto every task the schedule starts. */
  ecsGroup?: string;
  /** The schedule's `EcsParameters.TaskDefinitionArn` (with or without a revision). */
  taskDefinitionArn?: string;
}

export interface ContainerExit {
  name: string;
  exitCode?: number;
  reason?: string;
}

export interface TaskFacts {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group?: string;
  startedBy?: string;
  createdAt: Date;
  lastStatus: string;
  stoppedReason?: string;
  stopCode?: string;
  containers?: readonly ContainerExit[];
}

export const UnattributedReason = {
  notScheduler: 'not started by EventBridge Scheduler',
  ambiguous: 'ambiguous',
  noSchedule: 'no schedule matches startedBy',
  familyMismatch: 'task definition family does not match',
} as const;
export type UnattributedReason = (typeof UnattributedReason)[keyof typeof UnattributedReason];

export type Attribution =
  | { kind: 'attributed'; schedule: ScheduleIdentity; by: 'group' | 'startedBy' }
  | { kind: 'unattributed'; reason: UnattributedReason; candidates: ScheduleIdentity[] };

export const SCHEDULER_STARTED_BY_PREFIX = 'chronos-schedule/';

/** ECS rejects a longer startedBy; EventBridge Scheduler truncates rather than fails. */
export const ECS_STARTED_BY_MAX_LENGTH = 36;

/** The startedBy value EventBridge Scheduler sets on tasks started by the schedule `scheduleName`. */
export function startedByFor(scheduleName: string): string {
  return `${SCHEDULER_STARTED_BY_PREFIX}${scheduleName}`.slice(0, ECS_STARTED_BY_MAX_LENGTH);
}

/**
 * 'arn:aws:ecs:us-west-2:123:task-definition/telemetry:7' → 'telemetry'; 'telemetry:7' → 'telemetry';
 * an ARN or family without a revision (a schedule may point at "latest") → the family as is.
 */
export function taskDefinitionFamily(arnOrFamilyRevision: string): string {
  const slash = arnOrFamilyRevision.lastIndexOf('/');
  const familyRevision = arnOrFamilyRevision.startsWith('arn:') && slash >= 0 ? arnOrFamilyRevision.slice(slash + 1) : arnOrFamilyRevision;
  const colon = familyRevision.lastIndexOf(':');
  return colon >= 0 && /^\d+$/.test(familyRevision.slice(colon + 1)) ? familyRevision.slice(0, colon) : familyRevision;
}

export function attributeTask(task: TaskFacts, schedules: readonly ScheduleIdentity[]): Attribution {
  // Scheduler always sets startedBy. A task without it was started by a person, a service or another
  // tool, even if it carries a schedule's group, and must not count as proof that the schedule ran.
  if (task.startedBy === undefined || !task.startedBy.startsWith(SCHEDULER_STARTED_BY_PREFIX)) {
    return { kind: 'unattributed', reason: UnattributedReason.notScheduler, candidates: [] };
  }

  let pool: readonly ScheduleIdentity[] = schedules;
  if (task.group !== undefined) {
    const byGroup = schedules.filter((s) => s.ecsGroup === task.group);
    if (byGroup.length === 1) return { kind: 'attributed', schedule: byGroup[0]!, by: 'group' };
    // Several schedules share the group: break the tie among them only. No schedule claims it: ECS
    // stamps a schedule's ecsGroup on each of its tasks, so a schedule whose ecsGroup differs did not
    // start this task (this is what separates colliding names when only one of them sets a group).
    pool = byGroup.length > 1 ? byGroup : schedules.filter((s) => s.ecsGroup === undefined);
  }

  const byStartedBy = pool.filter((s) => startedByFor(s.name) === task.startedBy);
  if (byStartedBy.length === 0) return { kind: 'unattributed', reason: UnattributedReason.noSchedule, candidates: [] };

  const family = taskDefinitionFamily(task.taskDefinitionArn);
  const byFamily = byStartedBy.filter((s) => s.taskDefinitionArn !== undefined && taskDefinitionFamily(s.taskDefinitionArn) === family);
  if (byFamily.length === 1) return { kind: 'attributed', schedule: byFamily[0]!, by: 'startedBy' };
  if (byFamily.length > 1) return { kind: 'unattributed', reason: UnattributedReason.ambiguous, candidates: byFamily };
  return { kind: 'unattributed', reason: UnattributedReason.familyMismatch, candidates: byStartedBy };
}
