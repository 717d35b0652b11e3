/**
 * Change-driven checks: an EventBridge rule on the default bus for CloudTrail's record of the API calls
 * that can break a schedule between two 5-minute runs (CreateSchedule, UpdateSchedule, DeleteCluster,
 * DeregisterTaskDefinition, DeleteTaskDefinitions; the pattern is src/checks/change-event.ts's, the
 * same one the sandbox uses), delivering to an SQS queue that the healthcheck Lambda reads through an
 * event source mapping, which checks only what the changes can affect.
 *
 * Why a queue and not the Lambda as the rule's target: a deploy that writes 12 schedules makes 12
 * CloudTrail events. Invoked per event, that is 12 runs and 12 alert emails (or 12 [AUTO-FIXED] ones).
 * Through the queue, the event source gathers up to CHANGE_BATCH.maxRecords (100) messages for up to
 * CHANGE_BATCH.windowSeconds (5 s) and invokes once; the handler merges the batch into one scope
 * (src/checks/change-batch.ts): one run, one email. The 5 seconds are the price. (Lambda allows a batch
 * above 10 from a standard queue only with a window of at least 1 s.)
 *
 * - One run per batch, so the batch succeeds or fails as a whole: no ReportBatchItemFailures (a
 *   partial failure means nothing for one run). When the run throws, the whole batch becomes visible
 *   again after the visibility timeout; after MAX_RECEIVES receives SQS moves it to the dead-letter
 *   queue, which is on the dashboard with the others.
 * - The visibility timeout is 6× the function's timeout (AWS's guidance for SQS event sources), so a
 *   batch still being checked is not handed out twice.
 * - At most 2 batches at once (the lowest maximumConcurrency Lambda allows): a burst is one batch
 *   anyway, and fewer concurrent runs means fewer retries of the alert state's conditional write.
 * - No Lambda permission: the event source mapping polls with the function's role, which may receive,
 *   delete and read the attributes of this queue only (iam/healthcheck-policy.ts).
 * - The queue is encrypted with SSE-SQS (EventBridge cannot send to a queue encrypted with the AWS
 *   managed KMS key) and its policy lets only this rule send.
 * - The rule's target retries briefly and keeps what it could not deliver (a policy or queue fault) in
 *   the same dead-letter queue, for the cost of one more statement on it: a change older than a few
 *   minutes has been seen by a 5-minute run anyway.
 *
 * CloudTrail delivers "AWS API Call via CloudTrail" events to the default bus of the region where the
 * call was made, and only while a trail with logging is enabled in the account (EventBridge user guide,
 * "AWS service events delivered via AWS CloudTrail"). By default this stack creates no trail (config
 * `changeTrail: existing`): most accounts have an organization or account trail; without one, the rule
 * matches nothing and the 5-minute run alone finds the fault. `changeTrail: create` adds one
 * (infra/change-trail.ts).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CHANGE_BATCH } from '../src/checks/change-batch.ts';
import { changeEventPattern } from '../src/checks/change-event.ts';
import { allowEventBridgeRules, deadLetterQueue } from './dead-letter.ts';

/** Two 5-minute runs: after that the fleet run has seen the change, and a late scoped run adds nothing. */
export const CHANGE_DELIVERY_RETRY = { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 600 } as const;
/** Receives of a batch before SQS moves its messages to the dead-letter queue: the first try and two retries. */
export const MAX_RECEIVES = 3;
/** The lowest maximumConcurrency Lambda accepts for an SQS event source. */
export const CHANGE_MAX_CONCURRENCY = 2;

export interface ChangeQueuesArgs {
  namePrefix: string;
  /** The healthcheck function's timeout: the queue hides a received batch for 6× that. */
  functionTimeoutSeconds: number;
}

export interface ChangeQueues {
  /** `<prefix>-schedule-changes`: what the rule delivers and the healthcheck reads. */
  queue: aws.sqs.Queue;
  /** `<prefix>-schedule-changes-dlq`: batches that failed MAX_RECEIVES times, and events the rule could not deliver. */
  deadLetterQueue: aws.sqs.Queue;
}

/** The queues first: the healthcheck's role names the queue's ARN before the function exists. */
export function changeQueues(name: string, args: ChangeQueuesArgs, opts: pulumi.CustomResourceOptions): ChangeQueues {
  const dlq = deadLetterQueue(`${name}-dlq`, `${args.namePrefix}-schedule-changes-dlq`, opts);
  const queue = new aws.sqs.Queue(
    `${name}-queue`,
    {
      name: `${args.namePrefix}-schedule-changes`,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 6 * args.functionTimeoutSeconds,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVES }),
    },
    opts,
  );
  return { queue, deadLetterQueue: dlq };
}

export interface ChangeChecksArgs {
  namePrefix: string;
  queues: ChangeQueues;
  functionArn: pulumi.Input<string>;
  /** What must exist before the mapping: the function and its role's policies (Lambda checks them when it is created). */
  dependsOn: pulumi.Resource[];
}

export interface ChangeChecks extends ChangeQueues {
  rule: aws.cloudwatch.EventRule;
  target: aws.cloudwatch.EventTarget;
  queuePolicy: aws.sqs.QueuePolicy;
  deadLetterPolicy: aws.sqs.QueuePolicy;
  eventSource: aws.lambda.EventSourceMapping;
}

export function changeChecks(name: string, args: ChangeChecksArgs, opts: pulumi.CustomResourceOptions): ChangeChecks {
  const { queue, deadLetterQueue: dlq } = args.queues;
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    {
      name: `${args.namePrefix}-schedule-changes`,
      description: 'CloudTrail: schedules created or updated, clusters deleted, task definitions deregistered or deleted → scoped healthcheck (batched)',
      eventPattern: JSON.stringify(changeEventPattern()),
    },
    opts,
  );
  const queuePolicy = allowEventBridgeRules(`${name}-queue-policy`, queue, [rule.arn], opts, { sid: 'EventBridgeScheduleChanges' });
  const deadLetterPolicy = allowEventBridgeRules(`${name}-dlq-policy`, dlq, [rule.arn], opts);
  const target = new aws.cloudwatch.EventTarget(
    `${name}-route-target`,
    { rule: rule.name, arn: queue.arn, retryPolicy: { ...CHANGE_DELIVERY_RETRY }, deadLetterConfig: { arn: dlq.arn } },
    // Without its policy, the queue refuses what the rule sends.
    { ...opts, dependsOn: [queuePolicy, deadLetterPolicy] },
  );
  const eventSource = new aws.lambda.EventSourceMapping(
    `${name}-source`,
    {
      eventSourceArn: queue.arn,
      functionName: args.functionArn,
      batchSize: CHANGE_BATCH.maxRecords,
      maximumBatchingWindowInSeconds: CHANGE_BATCH.windowSeconds,
      scalingConfig: { maximumConcurrency: CHANGE_MAX_CONCURRENCY },
    },
    { ...opts, dependsOn: args.dependsOn },
  );
  return { queue, deadLetterQueue: dlq, rule, target, queuePolicy, deadLetterPolicy, eventSource };
}
