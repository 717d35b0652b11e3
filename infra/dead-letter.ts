/**
 * Dead-letter queues: where a failed schedule invocation, event delivery or async Lambda invocation
 * is kept for a person to read (retention at SQS's maximum, 14 days, to outlast a long weekend).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

const FOURTEEN_DAYS = 14 * 24 * 3600;

export function deadLetterQueue(name: string, queueName: string, opts: pulumi.CustomResourceOptions, extra: { visibilityTimeoutSeconds?: number } = {}): aws.sqs.Queue {
  return new aws.sqs.Queue(name, { name: queueName, messageRetentionSeconds: FOURTEEN_DAYS, sqsManagedSseEnabled: true, ...extra }, opts);
}

/** The dead-letter alerts Lambda's timeout (infra/components/dead-letter-alerts.ts). */
export const SCHEDULE_DLQ_CONSUMER_TIMEOUT_SECONDS = 30;
/**
 * AWS's guidance for an SQS event source: a visibility timeout of at least 6× the function's timeout,
 * so a batch that is retried (throttling, a slow run) is not handed out again while still in flight.
 * It is also how long a message whose alert failed waits before the next attempt.
 */
export const SCHEDULE_DLQ_VISIBILITY_SECONDS = 6 * SCHEDULE_DLQ_CONSUMER_TIMEOUT_SECONDS;

/** A schedule's dead-letter queue: read by the dead-letter alerts Lambda, so sized for its event source. */
export function scheduleDeadLetterQueue(name: string, queueName: string, opts: pulumi.CustomResourceOptions): aws.sqs.Queue {
  return deadLetterQueue(name, queueName, opts, { visibilityTimeoutSeconds: SCHEDULE_DLQ_VISIBILITY_SECONDS });
}

/**
 * EventBridge delivers to a rule target's dead-letter queue (or to a queue that is the target) as the
 * events service, not through a role: the queue itself must allow it, and only for the given rules.
 */
export function allowEventBridgeRules(
  name: string,
  queue: aws.sqs.Queue,
  ruleArns: pulumi.Input<string>[],
  opts: pulumi.CustomResourceOptions,
  { sid = 'EventBridgeDeadLetters' }: { sid?: string } = {},
): aws.sqs.QueuePolicy {
  const policy = pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      },
    ],
  });
  return new aws.sqs.QueuePolicy(name, { queueUrl: queue.url, policy }, opts);
}

