/**
 * Change-driven checks: an EventBridge rule on the default bus for CloudTrail's record of the API calls
 * that can break a schedule between two 5-minute runs (CreateSchedule, UpdateSchedule, DeleteCluster,
 * DeregisterTaskDefinition, DeleteTaskDefinitions; the pattern is src/checks/change-event.ts's, the
 * same one the sandbox uses), delivering to the healthcheck Lambda, which checks only what the change
 * can affect.
 *
 * CloudTrail delivers "AWS API Call via CloudTrail" events to the default bus of the region where the
 * call was made, and only while a trail with logging is enabled in the account (EventBridge user guide,
 * "AWS service events delivered via AWS CloudTrail"). This stack creates no trail: most accounts
 * have an organization or account trail; without one, the rule matches nothing and the 5-minute run
 * alone finds the fault.
 *
 * The target retries briefly and keeps what it could not deliver in its own dead-letter queue: a
 * change older than a few minutes has been seen by a 5-minute run anyway.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { changeEventPattern } from '../src/checks/change-event.ts';
import { allowEventBridgeRules, deadLetterQueue } from './dead-letter.ts';
import { routeToFunction } from './event-routing.ts';

/** Two 5-minute runs: after that the fleet run has seen the change, and a late scoped run adds nothing. */
export const CHANGE_DELIVERY_RETRY = { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 600 } as const;

export interface ChangeChecksArgs {
  namePrefix: string;
  functionArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
}

export interface ChangeChecks {
  rule: aws.cloudwatch.EventRule;
  target: aws.cloudwatch.EventTarget;
  permission: aws.lambda.Permission;
  deadLetterQueue: aws.sqs.Queue;
}

export function changeChecks(name: string, args: ChangeChecksArgs, opts: pulumi.CustomResourceOptions): ChangeChecks {
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    {
      name: `${args.namePrefix}-schedule-changes`,
      description: 'CloudTrail: schedules created or updated, clusters deleted, task definitions deregistered or deleted → scoped healthcheck',
      eventPattern: JSON.stringify(changeEventPattern()),
    },
    opts,
  );
  const queue = deadLetterQueue(`${name}-dlq`, `${args.namePrefix}-schedule-changes-dlq`, opts);
  const queuePolicy = allowEventBridgeRules(`${name}-dlq-policy`, queue, [rule.arn], opts);
  const { target, permission } = routeToFunction(
    `${name}-route`,
    { rule, functionArn: args.functionArn, functionName: args.functionName, deadLetterQueueArn: queue.arn, retry: { ...CHANGE_DELIVERY_RETRY } },
    { ...opts, dependsOn: [queuePolicy] },
  );
  return { rule, target, permission, deadLetterQueue: queue };
}
