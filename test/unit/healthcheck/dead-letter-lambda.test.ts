/**
 * The dead-letter Lambda entry: module-scope config, clients and Powertools, with DynamoDB and SNS
 * behind aws-sdk-client-mock and stdout captured (Powertools writes EMF and JSON logs there).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, emfMetrics, type OutputCapture } from './output-capture.ts';
import { deadLetter } from './dead-letter-fixtures.ts';

type Handler = (event: unknown, context?: { awsRequestId?: string }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:ops-pipeline-alerts';
const ENV = {
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALERT_STATE_TABLE: 'ops-alert-state',
  POWERTOOLS_DEV: '',
  POWERTOOLS_METRICS_DISABLED: 'false',
};

let stdout: OutputCapture;
const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
let stored: Record<string, unknown> | undefined;

async function loadHandler(env: Record<string, string | undefined> = {}): Promise<Handler> {
  for (const [key, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../../src/entry/lambda/dead-letter-alerts.ts');
  return handler;
}

beforeEach(() => {
  stored = undefined;
  dynamo.reset();
  dynamo.on(GetCommand).callsFake(() => ({ Item: stored }));
  dynamo.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    stored = input.Item;
    return {};
  });
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  stdout = captureOutput();
});

afterEach(() => {
  stdout.restore();
  vi.unstubAllEnvs();
});

afterAll(() => {
  dynamo.restore();
  sns.restore();
});

describe('dead-letter alerts Lambda handler', () => {
  it('publishes one email to the healthcheck topic through the healthcheck alert state, keeps nothing, emits its metrics', async () => {
    const handler = await loadHandler();
    const record = deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z');

    const response = await handler({ Records: [record] }, { awsRequestId: 'req-1' });

    expect(response).toEqual({ batchItemFailures: [] });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ TopicArn: TOPIC_ARN, Subject: '[CRITICAL] invocation failed: ops-pipeline-market/ops-pipeline-dispatcher: ClusterNotFoundException' });
    expect(stored?.pk).toBe('ALERT#healthcheck');
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.map((m) => [m.name, m.value, m.dimensions.service, m.namespace])).toEqual([
      ['DeadLetterMessages', 1, 'ops-healthcheck', 'Ops/Healthcheck'],
      ['Finding_INVOCATION_FAILED', 1, 'ops-healthcheck', 'Ops/Healthcheck'],
      ['AlertPublishFailures', 0, 'ops-healthcheck', 'Ops/Healthcheck'],
      ['CheckErrors', 0, 'ops-healthcheck', 'Ops/Healthcheck'],
    ]);
    const logs = stdout.logs();
    expect(logs.map((l) => l.message)).toEqual(['dead letter received', 'dead-letter alert published']);
    for (const line of logs) expect(line).toMatchObject({ service: 'ops-dead-letter-alerts', requestId: 'req-1' });
  });

  it('returns every message as a batch item failure when SNS rejects the publish', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    const handler = await loadHandler();
    const records = [deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z'), deadLetter('ops-pipeline-classifier', '2026-11-23T14:31:00Z', {}, 'ops-pipeline')];

    const response = await handler({ Records: records });

    expect(response).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    expect(emfMetrics(stdout.emf()).find((m) => m.name === 'AlertPublishFailures')?.value).toBe(1);
    expect(stdout.logs().filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual(['alert not recorded: the messages stay in the queue']);
  });

  it('throws on an event that is not an SQS batch, so Lambda keeps the whole batch', async () => {
    const handler = await loadHandler();
    await expect(handler({ detail: {} })).rejects.toMatchObject({ code: 'INVALID_DEAD_LETTER_EVENT' });
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
    expect(stdout.logs().map((l) => l.message)).toEqual(['dead-letter batch failed: every message stays in the queue']);
  });

  it('refuses to start without its alert topic, naming the variable', async () => {
    await expect(loadHandler({ ALERT_TOPIC_ARN: undefined })).rejects.toThrow(/ALERT_TOPIC_ARN must be set/);
    await expect(loadHandler({ ALERT_TOPIC_ARN: 'arn:aws:sns:us-west-2:123456789012:a/b' })).rejects.toThrow(/ALERT_TOPIC_ARN must be an SNS topic ARN/);
  });
});
