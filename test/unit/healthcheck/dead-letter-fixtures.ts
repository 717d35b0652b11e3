/** SQS records as Lambda's SQS event source delivers Scheduler's dead-letter events. */
import type { SqsRecord } from '../../../src/healthcheck/dead-letter-event.ts';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:ops-pipeline-scheduler-dlq`;
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ops-pipeline`;

export function scheduleArn(group: string, name: string): string {
  return `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${name}`;
}

/** The documented attributes, all String; pass `undefined` for one to leave it out. */
export function schedulerAttributes(overrides: Partial<Record<string, string | undefined>> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    ERROR_CODE: 'ClusterNotFoundException',
    ERROR_MESSAGE: 'Cluster not found.',
    EXECUTION_ID: '5f0c6a53-8c35-4b8e-9b0f-2f1e6f1f4c11',
    IS_PAYLOAD_TRUNCATED: 'false',
    RETRY_ATTEMPTS: '0',
    SCHEDULED_TIME: '2026-11-23T14:31:00Z',
    SCHEDULE_ARN: scheduleArn('ops-pipeline-market', 'ops-pipeline-dispatcher'),
    TARGET_ARN: CLUSTER_ARN,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

let next = 0;

export function sqsRecord(attributes: Record<string, string>, options: { messageId?: string; body?: string; queueArn?: string } = {}): SqsRecord {
  next++;
  return {
    messageId: options.messageId ?? `m-${next}`,
    receiptHandle: `rh-${next}`,
    body: options.body ?? '{}',
    messageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { stringValue: value, dataType: 'String' }])),
    eventSourceARN: options.queueArn ?? QUEUE_ARN,
  };
}

export function deadLetter(name: string, scheduledTime: string, overrides: Partial<Record<string, string | undefined>> = {}, group = 'ops-pipeline-market'): SqsRecord {
  return sqsRecord(schedulerAttributes({ SCHEDULE_ARN: scheduleArn(group, name), SCHEDULED_TIME: scheduledTime, ...overrides }));
}
