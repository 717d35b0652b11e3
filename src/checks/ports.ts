/**
 * What the check needs from AWS, as narrow interfaces. src/aws implements them over the SDK;
 * tests hand in fakes. A look-up that fails or is denied comes back as `Lookup.unknown`, never as
 * an exception, so one denied API turns into CHECK_INCOMPLETE instead of aborting the run.
 */
import type {
  ClusterFacts,
  GroupMetrics,
  Lookup,
  ScheduleFacts,
  ScheduleGroupFacts,
  ScheduleRef,
  ScheduleScope,
  TaskDefinitionFacts,
} from './model.ts';

export interface ScheduleListing extends ScheduleRef {
  state: 'ENABLED' | 'DISABLED';
  /** ListSchedules already returns each target's ARN (for ECS, the cluster ARN). */
  targetArn: string;
  /** Moves on every write; lets a reader reuse a definition it already holds. */
  lastModificationDate?: Date;
}

export type ScheduleFilter = ScheduleScope;

export interface SchedulerPort {
  /** All schedule groups with their tags; throws LookupError when denied. */
  listGroups(): Promise<ScheduleGroupFacts[]>;
  /** All pages; throws LookupError when denied. */
  listSchedules(filter: ScheduleFilter): Promise<ScheduleListing[]>;
  getSchedule(ref: { group: string; name: string; arn?: string; lastModificationDate?: Date }): Promise<Lookup<ScheduleFacts>>;
  /**
   * Optional batch steps of a definition cache around the per-schedule getSchedule calls: load what it
   * holds for these listings before them, persist what getSchedule read after them. Neither throws: a
   * cache that fails costs GetSchedule calls, never the check.
   */
  prefetchDefinitions?(listings: readonly ScheduleListing[]): Promise<void>;
  saveDefinitions?(): Promise<void>;
}

export interface EcsTaskSeen {
  taskArn: string;
  createdAt: Date;
  taskDefinitionArn: string;
  group?: string;
  startedBy?: string;
}

export interface EcsPort {
  /** Batches of 100 ARNs per DescribeClusters; a missing cluster is `missing` (failures[] MISSING). */
  describeClusters(arns: readonly string[]): Promise<Map<string, Lookup<ClusterFacts>>>;
  describeTaskDefinition(arn: string): Promise<Lookup<TaskDefinitionFacts>>;
  /** Running and recently stopped tasks (ECS keeps stopped ones for about an hour). */
  tasksStartedBy(clusterArn: string, startedBy: string): Promise<Lookup<EcsTaskSeen[]>>;
}

export interface IamPort {
  getRole(roleArn: string): Promise<Lookup<{ arn: string }>>;
}

export interface LambdaPort {
  getFunction(functionArn: string): Promise<Lookup<{ arn: string }>>;
}

export interface QueuePort {
  getQueue(queueArn: string): Promise<Lookup<{ arn: string }>>;
}

export interface MetricsPort {
  /** Sums of the AWS/Scheduler metrics per ScheduleGroup over the window, in as few calls as possible. */
  schedulerGroupMetrics(groups: readonly string[], window: { start: Date; end: Date }): Promise<Map<string, Lookup<GroupMetrics>>>;
}

/** The run ledger as the check reads it (src/ledger implements it over DynamoDB or memory). */
export interface LedgerPort {
  lastRuns(keys: readonly { group: string; name: string }[]): Promise<Map<string, { runAt: Date }>>;
  /** Since when the ledger has been recording; runs before that are unknown, not missing. */
  coversSince(): Promise<Date | undefined>;
}

export interface CheckPorts {
  scheduler: SchedulerPort;
  ecs: EcsPort;
  iam: IamPort;
  lambda: LambdaPort;
  queues: QueuePort;
  metrics: MetricsPort;
  /** Absent when no ledger table is deployed; evidence then comes from ECS. */
  ledger?: LedgerPort;
}
