/**
 * EventBridge Scheduler for the pipeline: two schedule groups (market-critical and 24x7, as in the
 * sandbox scenarios: Scheduler tags groups, not schedules), one schedule per job, a dead-letter
 * queue, and the execution role the schedules share.
 *
 * What the 2026-01-29 incident taught, enforced here: the target is the cluster resource's `arn`
 * output, never a typed string; each schedule has an explicit retry policy and a dead-letter queue;
 * each run carries `group = schedule:<name>` so the run ledger credits exactly the schedule that
 * started it (startedBy is cut to 36 characters and collides between dispatcher and dispatcher-tiny).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ScheduledJob } from '../jobs.ts';
import { scheduleDeadLetterQueue } from '../dead-letter.ts';
import { assumedBy, everyRevision, policyDocument } from '../iam/policy.ts';

export const MARKET_CRITICAL_TAG = 'ops:market-critical';

export interface ScheduledTask {
  job: ScheduledJob;
  taskDefinition: aws.ecs.TaskDefinition;
}

export interface PipelineSchedulesArgs {
  namePrefix: string;
  accountId: pulumi.Input<string>;
  cluster: aws.ecs.Cluster;
  tasks: readonly ScheduledTask[];
  /** Job names that go to the market-critical group. */
  marketCriticalJobs: readonly string[];
  /** The only roles a schedule may hand to ECS. */
  executionRole: aws.iam.Role;
  taskRole: aws.iam.Role;
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
  assignPublicIp: boolean;
}

export interface ScheduleGroupInfo {
  group: aws.scheduler.ScheduleGroup;
  name: string;
  marketCritical: boolean;
}

/** What the ledger writes as `group` on every task a schedule starts. */
export function ecsGroupFor(scheduleName: string): string {
  return `schedule:${scheduleName}`;
}

export class PipelineSchedules extends pulumi.ComponentResource {
  readonly groups: readonly ScheduleGroupInfo[];
  readonly schedules: ReadonlyMap<string, aws.scheduler.Schedule>;
  readonly scheduleNames: string[];
  readonly role: aws.iam.Role;
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: PipelineSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:pipeline:PipelineSchedules', name, {}, opts);
    const parent = { parent: this };

    const market = this.group(`${name}-market-group`, `${args.namePrefix}-market`, true);
    const always = this.group(`${name}-24x7-group`, args.namePrefix, false);
    this.groups = [market, always];

    this.deadLetterQueue = scheduleDeadLetterQueue(`${name}-dlq`, `${args.namePrefix}-scheduler-dlq`, parent);

    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: assumedBy('scheduler.amazonaws.com', args.accountId), description: 'EventBridge Scheduler: run the pipeline jobs' },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: this.role.id,
        policy: policyDocument([
          {
            Sid: 'RunPipelineTasks',
            Effect: 'Allow',
            Action: ['ecs:RunTask'],
            // Every revision of these families, and only on the pipeline cluster.
            Resource: args.tasks.map((task) => everyRevision(task.taskDefinition.arnWithoutRevision)),
            Condition: { ArnEquals: { 'ecs:cluster': args.cluster.arn } },
          },
          {
            Sid: 'PassTaskRoles',
            Effect: 'Allow',
            Action: ['iam:PassRole'],
            Resource: [args.executionRole.arn, args.taskRole.arn],
            Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          },
          { Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [this.deadLetterQueue.arn] },
        ]),
      },
      parent,
    );

    const critical = new Set(args.marketCriticalJobs);
    const schedules = new Map<string, aws.scheduler.Schedule>();
    for (const { job, taskDefinition } of args.tasks) {
      const scheduleName = `${args.namePrefix}-${job.name}`;
      const home = critical.has(job.name) ? market : always;
      schedules.set(
        job.name,
        new aws.scheduler.Schedule(
          `${name}-${job.name}`,
          {
            name: scheduleName,
            groupName: home.group.name,
            description: job.description,
            state: 'ENABLED',
            scheduleExpression: job.expression,
            scheduleExpressionTimezone: job.timezone,
            flexibleTimeWindow:
              job.flexibleWindowMinutes === undefined ? { mode: 'OFF' } : { mode: 'FLEXIBLE', maximumWindowInMinutes: job.flexibleWindowMinutes },
            target: {
              arn: args.cluster.arn,
              roleArn: this.role.arn,
              retryPolicy: { ...job.retry },
              deadLetterConfig: { arn: this.deadLetterQueue.arn },
              ecsParameters: {
                taskDefinitionArn: taskDefinition.arn,
                launchType: 'FARGATE',
                platformVersion: 'LATEST',
                taskCount: 1,
                group: ecsGroupFor(scheduleName),
                networkConfiguration: {
                  subnets: [...args.subnetIds],
                  securityGroups: [...args.securityGroupIds],
                  assignPublicIp: args.assignPublicIp,
                },
              },
            },
          },
          // A schedule that fires before its role may run the task fails its first invocations.
          { parent: this, dependsOn: [rolePolicy] },
        ),
      );
    }
    this.schedules = schedules;
    this.scheduleNames = args.tasks.map(({ job }) => `${args.namePrefix}-${job.name}`);
    this.registerOutputs({ scheduleNames: this.scheduleNames });
  }

  private group(resourceName: string, groupName: string, marketCritical: boolean): ScheduleGroupInfo {
    const group = new aws.scheduler.ScheduleGroup(
      resourceName,
      { name: groupName, tags: { [MARKET_CRITICAL_TAG]: String(marketCritical) } },
      { parent: this },
    );
    return { group, name: groupName, marketCritical };
  }
}
