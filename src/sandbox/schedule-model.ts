/**
 * EventBridge Scheduler schedules as plain data, the way the seeder writes them and the firer reads
 * them back (src/sandbox/aws/scheduler-api.ts maps these to and from the SDK shapes).
 */

export interface RetryPolicyModel {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
}

export interface AwsVpcModel {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp?: 'ENABLED' | 'DISABLED';
}

export interface CapacityProviderModel {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

export interface EcsParametersModel {
  taskDefinitionArn: string;
  taskCount?: number;
  launchType?: 'EC2' | 'FARGATE' | 'EXTERNAL';
  capacityProviderStrategy?: CapacityProviderModel[];
  platformVersion?: string;
  network?: AwsVpcModel;
  /** EcsParameters.Group: copied onto every task the schedule starts. */
  group?: string;
  tags?: Record<string, string>;
  enableEcsManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  propagateTags?: 'TASK_DEFINITION';
  referenceId?: string;
}

export interface ScheduleTargetModel {
  arn: string;
  roleArn: string;
  input?: string;
  /** Absent when the API returned none; the firer then applies AWS's default (185 retries, 24 h). */
  retryPolicy?: RetryPolicyModel;
  deadLetterArn?: string;
  ecs?: EcsParametersModel;
  sqsMessageGroupId?: string;
  eventBridge?: { detailType: string; source: string };
}

export type FlexibleWindowModel = { mode: 'OFF' } | { mode: 'FLEXIBLE'; maximumWindowInMinutes: number };

/** What CreateSchedule takes. */
export interface ScheduleSpec {
  group: string;
  name: string;
  description?: string;
  expression: string;
  timezone?: string;
  state: 'ENABLED' | 'DISABLED';
  startDate?: Date;
  endDate?: Date;
  flexibleWindow: FlexibleWindowModel;
  actionAfterCompletion?: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  target: ScheduleTargetModel;
}

/** What GetSchedule returns. */
export interface ScheduleDefinition extends ScheduleSpec {
  arn: string;
  timezone: string;
  creationDate: Date;
  lastModificationDate: Date;
}

/** What ListSchedules returns per schedule: enough to decide whether a cached definition is stale. */
export interface ScheduleSummaryModel {
  group: string;
  name: string;
  arn: string;
  state: 'ENABLED' | 'DISABLED';
  targetArn: string;
  lastModificationDate?: Date;
}

/** AWS's default when a schedule has no RetryPolicy (CreateSchedule documentation). */
export const DEFAULT_RETRY_POLICY: RetryPolicyModel = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

export const TargetKind = { ecs: 'ecs', lambda: 'lambda', sqs: 'sqs', sns: 'sns', eventbridge: 'eventbridge', unsupported: 'unsupported' } as const;
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** Which templated target an ARN names (Scheduler decides the API call from the target ARN). */
export function targetKindOf(arn: string): TargetKind {
  const [prefix, , service, , , ...resourceParts] = arn.split(':');
  const resource = resourceParts.join(':');
  if (prefix !== 'arn') return TargetKind.unsupported;
  if (service === 'ecs' && resource.startsWith('cluster/')) return TargetKind.ecs;
  if (service === 'lambda' && resource.startsWith('function:')) return TargetKind.lambda;
  if (service === 'sqs') return TargetKind.sqs;
  if (service === 'sns') return TargetKind.sns;
  if (service === 'events' && resource.startsWith('event-bus/')) return TargetKind.eventbridge;
  return TargetKind.unsupported;
}
