/**
 * What the schedule firer needs from AWS, as narrow interfaces. src/sandbox/aws/*.ts implements them
 * over the SDK (against moto, LocalStack or a test account); unit tests hand in fakes.
 *
 * Target calls return their failure as data (`TargetError`), because a failed invocation is the
 * normal, metered outcome of a broken schedule, not an exception. Anything else (moto down, a bug)
 * throws.
 */
import type { AwsVpcModel, CapacityProviderModel, ScheduleDefinition, ScheduleSummaryModel } from './schedule-model.ts';

export interface TargetError {
  /** The service's error code, e.g. ClusterNotFoundException, AccessDeniedException. */
  code: string;
  message: string;
  /** HTTP status of the failed call, when there was one (drives retryable vs permanent). */
  httpStatus?: number;
}

export type TargetResult<T> = { ok: true; value: T } | { ok: false; error: TargetError };

export interface SchedulePort {
  listSummaries(): Promise<ScheduleSummaryModel[]>;
  /** Undefined when the schedule was deleted in between. */
  get(group: string, name: string): Promise<ScheduleDefinition | undefined>;
  delete(group: string, name: string): Promise<void>;
}

export interface RunTaskRequest {
  cluster: string;
  taskDefinition: string;
  count: number;
  launchType?: 'EC2' | 'FARGATE' | 'EXTERNAL';
  capacityProviderStrategy?: CapacityProviderModel[];
  platformVersion?: string;
  network?: AwsVpcModel;
  group?: string;
  startedBy: string;
  tags?: Record<string, string>;
  enableEcsManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  propagateTags?: 'TASK_DEFINITION';
  referenceId?: string;
  /** ECS TaskOverride, taken from the schedule's Input when it has that shape. */
  overrides?: Record<string, unknown>;
}

export interface StartedTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  launchType?: string;
  group?: string;
  startedBy?: string;
  platformVersion?: string;
  availabilityZone?: string;
  containers: { containerArn?: string; name?: string; lastStatus?: string }[];
}

export interface RunTaskOutput {
  tasks: StartedTask[];
  failures: { arn?: string; reason?: string; detail?: string }[];
}

/** ECS's own status words; MISSING when DescribeX reports the resource as absent. */
export type ResourceStatus = 'ACTIVE' | 'INACTIVE' | 'MISSING' | (string & {});

export interface TargetPort {
  /** Does the execution role exist? (Scheduler assumes it before every invocation.) */
  roleExists(roleArn: string): Promise<boolean>;
  clusterStatus(clusterArn: string): Promise<ResourceStatus>;
  taskDefinitionStatus(taskDefinitionArn: string): Promise<ResourceStatus>;
  runTask(request: RunTaskRequest): Promise<TargetResult<RunTaskOutput>>;
  /** moto cannot invoke Lambda without Docker; existence is what the sandbox can prove. */
  getFunction(functionArn: string): Promise<TargetResult<{ functionArn: string }>>;
  sendMessage(queueArn: string, body: string, options?: { attributes?: Record<string, string>; messageGroupId?: string }): Promise<TargetResult<{ messageId: string }>>;
  publish(topicArn: string, message: string): Promise<TargetResult<{ messageId: string }>>;
  putEvent(busArn: string, entry: { source: string; detailType: string; detail: string; time: Date }): Promise<TargetResult<{ eventId: string }>>;
}

export interface MetricDatumModel {
  metricName: string;
  dimensions: Record<string, string>;
  timestamp: Date;
  value: number;
  unit: 'Count';
}

export interface MetricPort {
  /** One PutMetricData call; the caller keeps each call within CloudWatch's 1,000-datum limit. */
  putMetricData(namespace: string, datums: readonly MetricDatumModel[]): Promise<void>;
}

export interface FirerPorts {
  schedules: SchedulePort;
  targets: TargetPort;
  metrics: MetricPort;
}
