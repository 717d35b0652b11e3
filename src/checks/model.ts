/**
 * The snapshot a check evaluates: everything collected from AWS for one run, as plain data.
 * Adapters in src/aws produce it; rules in src/checks read it and do no I/O.
 */
import type { ChangeTargets } from './change-scope.ts';

export const TargetKind = { ecs: 'ecs', lambda: 'lambda', sqs: 'sqs', sns: 'sns', other: 'other' } as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

export interface ScheduleRef {
  group: string;
  name: string;
  arn: string;
}

export interface EcsTargetParameters {
  taskDefinitionArn: string;
  launchType?: string;
  taskCount?: number;
  /** EcsParameters.Group: when set, the run ledger attributes runs by it exactly. */
  group?: string;
  capacityProviders?: string[];
}

export interface ScheduleTarget {
  kind: TargetKind;
  arn: string;
  roleArn: string;
  deadLetterArn?: string;
  retryPolicy?: { maximumEventAgeInSeconds?: number; maximumRetryAttempts?: number };
  ecs?: EcsTargetParameters;
}

export interface ScheduleFacts extends ScheduleRef {
  state: 'ENABLED' | 'DISABLED';
  expression: string;
  timezone: string;
  startDate?: Date;
  endDate?: Date;
  creationDate?: Date;
  lastModificationDate?: Date;
  /** FlexibleTimeWindow.MaximumWindowInMinutes when Mode is FLEXIBLE, else 0. */
  flexibleWindowMinutes: number;
  target: ScheduleTarget;
}

export interface ScheduleGroupFacts {
  name: string;
  arn: string;
  state?: string;
  tags: Record<string, string>;
  /** Set when the tags could not be read: market-critical marking is then unknown for the group. */
  tagsFailure?: LookupFailure;
}

/** The outcome of one look-up: found, absent (a fact), or unknown (the API failed or was denied). */
export type Lookup<T> =
  | { status: 'found'; value: T }
  | { status: 'missing'; reason: string }
  | { status: 'unknown'; failure: LookupFailure };

export interface LookupFailure {
  /** The IAM action the call needs, e.g. `ecs:DescribeClusters`. */
  action: string;
  /** The AWS error name, e.g. `AccessDeniedException`, or `NetworkingError`. */
  errorName: string;
  message: string;
}

export interface ClusterFacts {
  arn: string;
  name: string;
  status: string;
}

export interface TaskDefinitionFacts {
  arn: string;
  family: string;
  status: string;
}

export interface GroupMetrics {
  invocationAttempts: number;
  targetErrors: number;
  dropped: number;
  sentToDeadLetter: number;
}

export const EvidenceSource = { ledger: 'ledger', ecs: 'ecs', none: 'none' } as const;
export type EvidenceSource = (typeof EvidenceSource)[keyof typeof EvidenceSource];

/** What the target side says about when a schedule last ran. */
export type RunEvidence =
  | { source: 'ledger'; lastRunAt?: Date; runsSince: Date[]; coversSince: Date }
  | { source: 'ecs'; lastRunAt?: Date; runsSince: Date[]; coversSince: Date }
  | {
      source: 'none';
      reason: string;
      /** Set when evidence was sought but the look-up failed (e.g. ecs:ListTasks denied): CHECK_INCOMPLETE names the schedule. */
      failure?: LookupFailure;
    };

export interface Snapshot {
  collectedAt: Date;
  region: string;
  /** The filter the schedules were listed with; absent means every schedule in the region. */
  scope?: ScheduleScope;
  /**
   * Set for a change-driven check: only the schedules this change can affect were listed, so run-level
   * rules must not read the snapshot as the whole region (no SCOPE_EMPTY, no group metrics).
   */
  change?: ChangeTargets;
  groups: ScheduleGroupFacts[];
  schedules: ScheduleFacts[];
  /** Schedules listed but whose details could not be read. */
  unreadable: { ref: ScheduleRef; failure: LookupFailure }[];
  clusters: Map<string, Lookup<ClusterFacts>>;
  taskDefinitions: Map<string, Lookup<TaskDefinitionFacts>>;
  roles: Map<string, Lookup<{ arn: string }>>;
  functions: Map<string, Lookup<{ arn: string }>>;
  queues: Map<string, Lookup<{ arn: string }>>;
  metrics: { window: { start: Date; end: Date }; byGroup: Map<string, Lookup<GroupMetrics>> };
  evidence: Map<string, RunEvidence>;
  /** Failures that are not tied to one look-up (e.g. listing groups was denied). */
  failures: LookupFailure[];
}

/** Which schedules a check covers (ports.ts calls it ScheduleFilter). */
export interface ScheduleScope {
  group?: string;
  namePrefix?: string;
  state?: 'ENABLED' | 'DISABLED';
}

export function scheduleId(ref: { group: string; name: string }): string {
  return `${ref.group}/${ref.name}`;
}
