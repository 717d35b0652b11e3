import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import type { HealthcheckResult } from '../../../../src/healthcheck/run-healthcheck.ts';
import { runCli } from '../../../support/cli-harness.ts';
import { alertChecker, NOW, TO, TOPIC_ARN, world, type World } from '../../healthcheck/world.ts';

const env = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
let w: World;
let cwd: string;
const ops = (argv: string[], overrides: Partial<CliContext> = {}) =>
  runCli(['healthcheck', '--no-ledger', '--market-critical', 'ops-pipeline-dispatcher*', ...argv], { env, cwd, now: () => NOW, ...overrides });

beforeEach(async () => {
  w = world();
  cwd = await mkdtemp(join(tmpdir(), 'ops-healthcheck-cli-'));
});
afterEach(async () => {
  w.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops healthcheck', () => {
  it('prints the check, the metrics it would emit and the alert decision, sends nothing, and exits 1', async () => {
    const run = await ops([]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    expect(w.published).toEqual([]);
    expect(run.stdout).toContain('CRITICAL (');
    expect(run.stdout).toContain('TARGET_CLUSTER_NOT_FOUND');
    const metrics = run.stdout.slice(run.stdout.indexOf('Metrics ('), run.stdout.indexOf('\n\nAlert:'));
    expect(metrics.split('\n').slice(0, 4)).toEqual([
      'Metrics (the Lambda emits these as EMF in namespace Ops/Healthcheck, dimension service=ops-healthcheck):',
      '  METRIC                              DIMENSIONS                VALUE',
      '  SchedulesChecked                                              3',
      '  UnhealthySchedules                                            2',
    ]);
    expect(metrics).toMatch(/^  Finding_TARGET_CLUSTER_NOT_FOUND +2$/m);
    expect(metrics).toMatch(/^  MarketOpen +1$/m);
    expect(metrics).toMatch(/^  TasksStarted10m +ClusterName=ops-pipeline +0$/m);
    expect(metrics).toMatch(/^  Heartbeat +1$/m);
    expect(run.stdout).toMatch(/\n\nAlert: not sent \(no --notify\); with --notify it would send alert: failing set changed \(3 new\)/);
  });

  it('prints one JSON document with the report, metrics, alert and auto-fix outcome', async () => {
    const run = await ops(['--json']);

    expect(run.exitCode).toBe(1);
    const doc = run.json() as HealthcheckResult;
    expect(doc).toMatchObject({ ok: false, alert: { status: 'off' }, autoFix: { status: 'off' }, counters: { checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 } });
    expect(doc.report.summary.schedules).toBe(3);
    expect(doc.metrics.find((m) => m.name === 'Heartbeat')).toEqual({ name: 'Heartbeat', unit: 'Count', value: 1 });
    expect(doc.runId).toMatch(/^hc-20261123T150000000Z-[0-9a-f]{6}$/);
  });

  it('exits 0 on a healthy account', async () => {
    w.restore();
    w = world({ schedules: [alertChecker] });

    const run = await ops(['--json']);

    expect(run.exitCode).toBe(0);
    expect((run.json() as HealthcheckResult).ok).toBe(true);
  });

  it('--notify publishes the alert once and keeps the state in the file', async () => {
    const first = await ops(['--notify', '--topic-arn', TOPIC_ARN, '--alert-state', 'state.json']);
    const second = await ops(['--notify', '--topic-arn', TOPIC_ARN, '--alert-state', 'state.json'], { now: () => new Date(NOW.getTime() + 5 * 60_000) });

    expect(first.exitCode).toBe(1);
    expect(first.stdout).toMatch(/\nAlert: alert published: "\[CRITICAL\] [^"]+" \(message m-1\)\.\n/);
    expect(second.stdout).toContain('\nAlert: nothing sent.\n');
    expect(w.published.map((p) => p.TopicArn)).toEqual([TOPIC_ARN]);
    expect(JSON.parse(await readFile(join(cwd, 'state.json'), 'utf8'))).toMatchObject({ state: { lastSentKind: 'alert' } });
  });

  it('--notify takes the topic from ALERT_TOPIC_ARN, and refuses without one', async () => {
    const without = await ops(['--notify']);
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toContain('--notify needs an SNS topic');

    const withEnv = await ops(['--notify'], { env: { ...env, ALERT_TOPIC_ARN: TOPIC_ARN } });
    expect(withEnv.exitCode).toBe(1);
    expect(w.published).toHaveLength(1);
    expect(existsSync(join(cwd, '.ops', 'alert-state.json'))).toBe(true);
  });

  it('says when SNS refuses the email and exits 1 without a stack trace', async () => {
    w.failPublish(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));

    const run = await ops(['--notify', '--topic-arn', TOPIC_ARN, '--json']);

    expect(run.exitCode).toBe(1);
    const doc = run.json() as HealthcheckResult;
    expect(doc.counters.alertPublishFailures).toBe(1);
    expect(doc.alert).toMatchObject({ status: 'decided', sent: false, publishError: expect.stringContaining('NotFoundException') as unknown });
    expect(doc.metrics.find((m) => m.name === 'AlertPublishFailures')?.value).toBe(1);
    expect(run.stderr).toBe('error: alert email not published\n');
  });

  it('refuses --alert-state together with --alert-table', async () => {
    const run = await ops(['--alert-state', 'a.json', '--alert-table', 'ops-alert-state']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--alert-state and --alert-table');
  });

  it('--auto-fix repairs, backs up under ./.ops like --fix, and reports the healed state', async () => {
    const run = await ops(['--auto-fix']);

    expect(w.aws.scheduler.updates.map((u) => u.update.Target?.Arn)).toEqual([TO, TO]);
    expect(run.stdout).toContain('Auto-fix: 2 schedule(s) repaired by arn:aws:sts::123456789012:assumed-role/oncall/alice.');
    expect(run.stdout).toContain('2 ok, 0 skipped, 0 failed. Undo with: ops rollback --last');
    const after = run.stdout.slice(run.stdout.indexOf('After auto-fix:'), run.stdout.indexOf('\n\nMetrics ('));
    // Runs missed before the repair say nothing about the repaired schedules (knownChanges).
    expect(after).not.toContain('MISSED_RUNS');
    expect(after).not.toContain('TARGET_CLUSTER_NOT_FOUND');
    expect(run.stdout).toMatch(/^  Finding_TARGET_CLUSTER_NOT_FOUND +0$/m);
    expect(run.stdout).toMatch(/^  SelfHealed +2$/m);
    expect((await readdir(join(cwd, '.ops', 'backups'))).length).toBe(2);
    expect((await readFile(join(cwd, '.ops', 'audit.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(4);
    expect(run.exitCode).toBe(0);
  });

  it('--auto-fix over --max-changes writes nothing and says so', async () => {
    const run = await ops(['--auto-fix', '--max-changes', '1']);

    expect(run.exitCode).toBe(1);
    expect(w.aws.scheduler.updates).toEqual([]);
    expect(run.stdout).toContain('Auto-fix: REFUSED, auto-fix planned 2 changes, more than MAX_CHANGES 1; nothing was written.');
    expect(run.stderr).toBe('warning: auto-fix refused\n');
    expect(existsSync(join(cwd, '.ops', 'backups'))).toBe(false);
  });
});
