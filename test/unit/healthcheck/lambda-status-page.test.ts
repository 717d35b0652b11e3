/**
 * The Lambda with STATUS_BUCKET: the page goes to the bucket, the email links it (signed with the
 * role's session keys from the environment, so "at the latest"), and no log line carries the URL.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthcheckSummary } from '../../../src/healthcheck/invocation.ts';
import { captureOutput, type OutputCapture } from './output-capture.ts';
import { mockAlertItem, type AlertItemMock } from './alert-item-mock.ts';
import { TOPIC_ARN, world, type World } from './world.ts';

type Handler = (event: unknown, context?: { awsRequestId?: string }) => Promise<HealthcheckSummary>;

const ENV = {
  AWS_REGION: 'us-west-2',
  // What Lambda sets for the function's role: session keys, no expiry.
  AWS_ACCESS_KEY_ID: 'ASIALAMBDAROLE',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'lambda-session-token',
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALERT_STATE_TABLE: 'ops-alert-state',
  MARKET_CRITICAL: 'ops-pipeline-dispatcher*',
  POWERTOOLS_DEV: '',
  STATUS_BUCKET: 'ops-status-lambda',
};

let w: World;
let stdout: OutputCapture;
const s3 = mockClient(S3Client);
let dynamo: AlertItemMock;

beforeEach(() => {
  w = world();
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  dynamo = mockAlertItem();
  stdout = captureOutput();
});

afterEach(() => {
  stdout.restore();
  dynamo.restore();
  w.restore();
  vi.unstubAllEnvs();
});

async function loadHandler(): Promise<Handler> {
  for (const [key, value] of Object.entries(ENV)) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../../src/entry/lambda/healthcheck.ts');
  return handler;
}

describe('healthcheck Lambda with STATUS_BUCKET', () => {
  it('publishes the page, links it from the email "at the latest", and keeps the URL out of the logs', async () => {
    const handler = await loadHandler();
    const summary = await handler({ at: '2026-11-23T15:00:00Z' }, { awsRequestId: 'abcdef12-3456' });

    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'ops-status-lambda', Key: 'status/2026-11-23T15-00-00.000Z.html', ServerSideEncryption: 'AES256' });
    expect(summary.statusPage).toMatchObject({ key: 'status/2026-11-23T15-00-00.000Z.html' });
    expect(summary.errors).toEqual([]);
    expect(w.published).toHaveLength(1);
    const line = w.published[0]!.Message!.trimEnd().split('\n').at(-1)!;
    expect(line).toMatch(/^Status page \(until .+ ET at the latest; role credentials may end it sooner\): https:\/\/ops-status-lambda\.s3\.us-west-2\.amazonaws\.com\/status\/2026-11-23T15-00-00\.000Z\.html\?/);
    expect(new URL(line.slice(line.indexOf('https://'))).searchParams.get('X-Amz-Security-Token')).toBe('lambda-session-token');
    expect(JSON.stringify(stdout.lines())).not.toContain('X-Amz-Signature');
    expect(stdout.logs().some((l) => l.message === 'status page published')).toBe(true);
  });
});
