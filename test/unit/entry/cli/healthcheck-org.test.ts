/**
 * `ops healthcheck` with the org flags, in-process: the healthcheck world's fake AWS answers every
 * account alike, STS AssumeRole enters one member and refuses another.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import { streamFile } from '../../../../src/entry/cli/commands/healthcheck-org.ts';
import type { OrgHealthcheckResult } from '../../../../src/healthcheck/org-healthcheck.ts';
import { runCli } from '../../../support/cli-harness.ts';
import { NOW, TOPIC_ARN, world, type World } from '../../healthcheck/world.ts';

const MEMBER = '111111111111';
const DENIED = '333333333333';
const env = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', USER: 'alice' };
let w: World;
let sts: AwsClientStub<STSClient>;
let cwd: string;
let sessions: string[];
const ops = (argv: string[], overrides: Partial<CliContext> = {}) =>
  runCli(['healthcheck', '--no-ledger', '--market-critical', 'ops-pipeline-dispatcher*', '--accounts', `${MEMBER},${DENIED}`, '--regions', 'us-west-2', ...argv], { env, cwd, now: () => NOW, ...overrides });

beforeEach(async () => {
  w = world();
  sessions = [];
  sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/alice', Account: '123456789012', UserId: 'AIDA' });
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
    sessions.push(input.RoleSessionName);
    if (input.RoleArn.includes(DENIED)) throw Object.assign(new Error(`not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), { name: 'AccessDenied' });
    return { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  cwd = await mkdtemp(join(tmpdir(), 'ops-healthcheck-org-cli-'));
});
afterEach(async () => {
  sts.restore();
  w.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops healthcheck --accounts / --org', () => {
  it('checks every pair, previews each pair\'s alert, prints the pairs and the org totals, and exits 1', async () => {
    const run = await ops([]);

    expect(run.exitCode).toBe(1);
    expect(w.published).toEqual([]);
    expect(sessions).toEqual(['ops-alice', 'ops-alice']);
    expect(run.stdout).toContain('Org healthcheck (--accounts): 2 pair(s) in 2 account(s): 1 checked, 1 incomplete, 0 not started');
    expect(run.stdout).toMatch(/^ {2}account 111111111111 +us-west-2 +checked +3 +2 +would send alert$/m);
    expect(run.stdout).toMatch(/^ {2}account 333333333333 +us-west-2 +incomplete +- +- +sts:AssumeRole failed \(AccessDenied\)$/m);
    expect(run.stdout).toContain('account 333333333333: NOT ENTERED, sts:AssumeRole failed (AccessDenied: ');
    expect(run.stdout).toMatch(/^ {2}IncompletePairs +1$/m);
    expect(run.stdout).toMatch(/^ {2}UnhealthySchedules +2$/m);
  });

  it('with --notify emails per pair and for the account it cannot enter, one state file per stream, and nothing on the next run', async () => {
    const first = await ops(['--notify', '--topic-arn', TOPIC_ARN, '--json']);

    const result = first.json() as OrgHealthcheckResult;
    expect(result.summary.pairs).toEqual({ total: 2, checked: 1, incomplete: 1, notStarted: 0 });
    expect(w.published.map((p) => p.Subject).sort()).toEqual([
      expect.stringMatching(/^\[CRITICAL\] account 111111111111 us-west-2: /),
      '[WARNING] account 333333333333: not checked, sts:AssumeRole failed (AccessDenied)',
    ]);
    expect(w.published.find((p) => p.Subject?.includes(MEMBER))?.Message).toContain('ops check-schedulers --accounts 111111111111 --regions us-west-2 --fix');
    expect(existsSync(join(cwd, '.ops/alert-state.111111111111.us-west-2.json'))).toBe(true);
    expect(existsSync(join(cwd, '.ops/alert-state.333333333333.all-regions.json'))).toBe(true);

    const second = await ops(['--notify', '--topic-arn', TOPIC_ARN, '--json']);
    expect(second.exitCode).toBe(1);
    expect(w.published).toHaveLength(2);
  });

  it('refuses --event with the org flags, and org-only flags without an account source', async () => {
    const withEvent = await ops(['--event', 'change.json']);
    expect(withEvent.exitCode).toBe(2);
    expect(withEvent.stderr).toContain('--event checks what a change in this account can affect');

    const stray = await runCli(['healthcheck', '--regions', 'us-east-1'], { env, cwd, now: () => NOW });
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toContain('--regions only applies to an org-wide run');
  });
});

describe('streamFile', () => {
  it('puts each stream next to the --alert-state file', () => {
    expect(streamFile('/x/.ops/alert-state.json', 'healthcheck', 'healthcheck')).toBe('/x/.ops/alert-state.json');
    expect(streamFile('/x/.ops/alert-state.json', 'healthcheck#111111111111#us-east-1', 'healthcheck')).toBe('/x/.ops/alert-state.111111111111.us-east-1.json');
    expect(streamFile('/x/state', 'healthcheck#111111111111#*', 'healthcheck')).toBe('/x/state.111111111111.all-regions');
  });
});
