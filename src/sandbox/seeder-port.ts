/**
 * What the seeder needs from AWS (src/sandbox/aws/seeder-api.ts implements it over the SDK): create
 * calls only, each returning the ARN it made.
 */
import type { ScheduleSpec } from './schedule-model.ts';

export interface TaskDefinitionSpec {
  family: string;
  cpu: string;
  memory: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  containers: { name: string; image: string; memory: number; cpu?: number; command?: string[]; environment?: Record<string, string> }[];
}

export interface SeederPort {
  accountId(): Promise<string>;
  createRole(role: { name: string; trustService: string; actions: readonly string[] }): Promise<string>;
  createCluster(cluster: { name: string; tags?: Record<string, string> }): Promise<string>;
  deleteCluster(name: string): Promise<void>;
  /** Returns the ARN with its revision. */
  registerTaskDefinition(td: TaskDefinitionSpec): Promise<string>;
  deregisterTaskDefinition(arn: string): Promise<void>;
  createFunction(fn: { name: string; roleArn: string; runtime: string; handler: string; description?: string; zip: Uint8Array }): Promise<string>;
  createQueue(name: string): Promise<{ url: string; arn: string }>;
  createTopic(name: string): Promise<string>;
  /** Subscribes a queue to a topic with raw message delivery. */
  subscribeQueue(topicArn: string, queueArn: string): Promise<void>;
  createScheduleGroup(name: string, tags: Record<string, string>): Promise<string>;
  createSchedule(spec: ScheduleSpec): Promise<string>;
  ensureRunLedgerTable(tableName: string): Promise<void>;
  /** Default VPC subnets and security groups that RunTask accepts (the sandbox's, looked up live). */
  defaultVpc(): Promise<{ subnetIds: string[]; securityGroupIds: string[] }>;
}
