import 'aws-sdk-client-mock-vitest/extend';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthcheckResult } from '../../../../src/healthcheck/run-healthcheck.ts';
import { runCli } from '../../../support/cli-harness.ts';
import { NOW, TOPIC_ARN, world, type World } from '../../healthcheck/world.ts';

const env = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_SECRET_ACCESS_KEY: 'testing' };
const s3 = mockClient(S3Client);
let w: World;
let cwd: string;
const ops = (argv: string[]) => runCli(['healthcheck', '--no-ledger', '--market-critical', 'ops-pipeline-dispatcher*', ...argv], { env, cwd, now: () => NOW });

beforeEach(async () => {
  w = world();
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  cwd = await mkdtemp(join(tmpdir(), 'ops-healthcheck-status-'));
});
afterEach(async () => {
  w.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops healthcheck --status-bucket', () => {
  it('publishes the page, links it from the email, and reports the link in the JSON', async () => {
    const run = await ops(['--status-bucket', 'ops-status-cli', '--status-link-hours', '2', '--notify', '--topic-arn', TOPIC_ARN, '--json']);

    expect(run.exitCode).toBe(1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'ops-status-cli', Key: 'status/2026-11-23T15-00-00.000Z.html' });
    const doc = run.json() as HealthcheckResult;
    expect(doc.statusPage).toMatchObject({ key: 'status/2026-11-23T15-00-00.000Z.html', expiresAt: '2026-11-23T17:00:00.000Z' });
    const url = doc.statusPage !== undefined && 'url' in doc.statusPage ? doc.statusPage.url : '';
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('7200');
    expect(w.published).toHaveLength(1);
    expect(w.published[0]!.Message).toContain(`Status page (until Mon 2026-11-23 12:00 ET): ${url}`);
  });

  it('prints the line in the text output too', async () => {
    const run = await ops(['--status-bucket', 'ops-status-cli']);
    expect(run.stdout).toMatch(/\n\nStatus page \(until Tue 2026-11-24 10:00 ET\): https:\/\/ops-status-cli\.s3\.us-west-2\.amazonaws\.com\/status\/2026-11-23T15-00-00\.000Z\.html\?/);
  });

  it('refuses a bad bucket name, a stray --status-link-hours, and --org with --status-bucket (exit 2, nothing put)', async () => {
    const bad = await ops(['--status-bucket', 'Not_A_Bucket', '--json']);
    expect(bad.exitCode).toBe(2);
    expect(bad.json()).toMatchObject({ error: { code: 'INVALID_STATUS_PAGE_OPTION' } });
    const stray = await ops(['--status-link-hours', '3', '--json']);
    expect(stray.exitCode).toBe(2);
    expect(stray.json()).toMatchObject({ error: { code: 'NO_STATUS_BUCKET' } });
    const org = await ops(['--org', '--regions', 'us-west-2', '--status-bucket', 'ops-status-cli', '--json']);
    expect(org.exitCode).toBe(2);
    expect(org.json()).toMatchObject({ error: { code: 'CONFLICTING_OPTIONS' } });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });
});
