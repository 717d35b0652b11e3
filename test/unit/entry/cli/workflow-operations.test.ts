/**
 * `ops workflow retry | abort | replay | replay-status | dlq list | dlq redrive` when they cannot
 * start: nothing configured, no credentials, an endpoint that does not answer (a real refused
 * connection on 127.0.0.1:9), a bad option. All exit 2 with a hint; the happy paths run e2e on the
 * sandbox (test/e2e/workflow-operations.test.ts).
 */
import { SQSClient, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

const KEYS = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
const CONFIG = { AWS_REGION: 'us-east-1', WORKFLOW_TABLE: 't', EVENT_BUS_NAME: 'b', EVENT_ARCHIVE_NAME: 'a', TRADING_DEAD_LETTER_QUEUES: 'q1, q2' };

interface ErrorDoc {
  error: { kind: string; code: string; message: string; hint?: string };
}
const errorOf = (run: { json: () => unknown }) => (run.json() as ErrorDoc).error;

describe('ops workflow operations without configuration', () => {
  it.each([
    [['workflow', 'dlq', 'list'], { ...CONFIG, TRADING_DEAD_LETTER_QUEUES: ' , ' }, 'NO_DEAD_LETTER_QUEUES', 'TRADING_DEAD_LETTER_QUEUES'],
    [['workflow', 'dlq', 'redrive', '--yes'], { ...CONFIG, TRADING_DEAD_LETTER_QUEUES: '' }, 'NO_DEAD_LETTER_QUEUES', 'ops-trading-rule-dlq,ops-trading-failed,ops-trading-sweeper-dlq'],
    [['workflow', 'dlq', 'redrive', '--yes'], { ...CONFIG, EVENT_BUS_NAME: '' }, 'NO_EVENT_BUS', 'eventBusName'],
    [['workflow', 'replay', 'wf-x'], { ...CONFIG, EVENT_ARCHIVE_NAME: '' }, 'NO_EVENT_ARCHIVE', 'eventArchiveName'],
    [['workflow', 'retry', 'wf-x'], { ...CONFIG, WORKFLOW_TABLE: '' }, 'NO_WORKFLOW_TABLE', 'workflowTableName'],
    [['workflow', 'abort', 'wf-x'], { ...CONFIG, EVENT_BUS_NAME: '' }, 'NO_EVENT_BUS', 'EVENT_BUS_NAME'],
    [['workflow', 'dlq', 'list', '--limit', '0'], CONFIG, 'INVALID_COUNT', '--limit'],
    [['workflow', 'replay', 'wf-x', '--margin-minutes', '-1'], CONFIG, 'INVALID_NUMBER', '--margin-minutes'],
  ])('%j exits 2 saying what to set', async (argv, env, code, hint) => {
    const run = await runCli([...argv, '--json'], { env: { ...env, ...KEYS } });
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    expect(error).toMatchObject({ kind: 'user', code });
    expect(`${error.message} ${error.hint ?? ''}`).toContain(hint);
  });
});

describe('ops workflow operations against an endpoint that does not answer', () => {
  it.each([
    [['workflow', 'retry', 'wf-x'], 'DynamoDB GetItem'],
    [['workflow', 'abort', 'wf-x'], 'DynamoDB GetItem'],
    [['workflow', 'replay', 'wf-x'], 'DynamoDB GetItem'],
    [['workflow', 'replay-status', 'r1'], 'EventBridge DescribeReplay'],
    [['workflow', 'dlq', 'list'], 'SQS GetQueueUrl on queue "q1"'],
    [['workflow', 'dlq', 'redrive', '--yes'], 'SQS GetQueueUrl on queue "q1"'],
  ])('%j exits 2 with ENDPOINT_UNREACHABLE and names the call', async (argv, call) => {
    const run = await runCli([...argv, '--endpoint', 'http://127.0.0.1:9', '--json'], { env: { ...CONFIG, ...KEYS } });
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    expect(error).toMatchObject({ kind: 'user', code: 'ENDPOINT_UNREACHABLE' });
    expect(error.message).toContain('Cannot reach the endpoint http://127.0.0.1:9: ');
    expect(error.message).toContain(call);
  }, 20_000);

  it('dlq list without credentials: exit 2 NO_CREDENTIALS', async () => {
    const sqs = mockClient(SQSClient);
    try {
      sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
      const run = await runCli(['workflow', 'dlq', 'list', '--json'], { env: CONFIG });
      expect(run.exitCode).toBe(2);
      expect(errorOf(run)).toMatchObject({ code: 'NO_CREDENTIALS', message: expect.stringContaining('SQS GetQueueUrl on queue "q1" failed') as unknown });
    } finally {
      sqs.restore();
    }
  });
});
