/**
 * A schedule that invokes one Lambda function from its own schedule group: the group, a dead-letter
 * queue, and an execution role that may invoke that function only (and send to that queue).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { scheduleDeadLetterQueue } from '../dead-letter.ts';
import { assumedBy, policyDocument } from '../iam/policy.ts';
import { MARKET_CRITICAL_TAG } from './pipeline-schedules.ts';

export interface LambdaScheduleArgs {
  accountId: pulumi.Input<string>;
  groupName: string;
  scheduleName: string;
  description: string;
  expression: string;
  functionArn: pulumi.Input<string>;
  deadLetterQueueName: string;
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
}

export class LambdaSchedule extends pulumi.ComponentResource {
  readonly group: aws.scheduler.ScheduleGroup;
  readonly schedule: aws.scheduler.Schedule;
  readonly role: aws.iam.Role;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: LambdaScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:schedule:LambdaSchedule', name, {}, opts);
    const parent = { parent: this };
    this.group = new aws.scheduler.ScheduleGroup(`${name}-group`, { name: args.groupName, tags: { [MARKET_CRITICAL_TAG]: 'false' } }, parent);
    this.deadLetterQueue = scheduleDeadLetterQueue(`${name}-dlq`, args.deadLetterQueueName, parent);
    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: assumedBy('scheduler.amazonaws.com', args.accountId), description: `EventBridge Scheduler: ${args.description}` },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: policyDocument([
          { Sid: 'InvokeFunction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [args.functionArn] },
          { Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [this.deadLetterQueue.arn] },
        ]),
      },
      parent,
    );
    this.schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: args.scheduleName,
        groupName: this.group.name,
        description: args.description,
        state: 'ENABLED',
        scheduleExpression: args.expression,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: args.functionArn,
          roleArn: this.role.arn,
          retryPolicy: { ...args.retry },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
      },
      // A schedule that fires before its role may invoke the function fails its first invocations.
      { parent: this, dependsOn: [policy] },
    );
    this.registerOutputs({ scheduleName: this.schedule.name });
  }
}
