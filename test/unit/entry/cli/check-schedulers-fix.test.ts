import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import { startedByFor } from '../../../../src/ledger/index.ts';
import { parseAuditLines } from '../../../../src/remediate/audit-log.ts';
import { runCli } from '../../../support/cli-harness.ts';
import { fakeAws, type FakeAws } from '../../remediate/fake-aws.ts';
import { activeCluster, clusterArn, ecsSchedule, lambdaSchedule } from '../../remediate/fakes.ts';

const dispatcher = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher');
const telemetry = ecsSchedule('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { ScheduleExpression: 'rate(1 minute)', ScheduleExpressionTimezone: 'UTC' });
const lambda = lambdaSchedule('ops-pipeline-market', 'trade-alert-checker');
const TO = clusterArn('ops-pipeline-cluster');

let aws: FakeAws;
let cwd: string;
const env = { AWS_REGION: 'us-west-2' };
const cli = (argv: string[], overrides: Partial<CliContext> = {}) => runCli(['check-schedulers', '--no-ledger', ...argv], { env, cwd, ...overrides });

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ops-fix-cli-'));
  aws = fakeAws({ schedules: [dispatcher, telemetry, lambda], clusters: [activeCluster('ops-pipeline-cluster'), activeCluster('market-data')], groups: ['ops-pipeline-market', 'ops-pipeline'] });
});
afterEach(async () => {
  aws.restore();
  vi.useRealTimers();
  await rm(cwd, { recursive: true, force: true });
});

const PLAN_TEXT = [
  'Fix plan: 2 change(s) to Target.Arn, 0 schedule(s) need a decision',
  '  ops-pipeline/ops-pipeline-telemetry-ingestor-1m',
  '    Target.Arn: …/ops-pipeline → …/ops-pipeline-cluster',
  '    why: auto-match: "ops-pipeline" is a prefix or abbreviation of exactly one ACTIVE cluster in the account and region',
  '    planned on LastModificationDate 2026-01-29T20:47:00.000Z',
  '  ops-pipeline-market/ops-pipeline-dispatcher',
  '    Target.Arn: …/ops-pipeline → …/ops-pipeline-cluster',
  '    why: auto-match: "ops-pipeline" is a prefix or abbreviation of exactly one ACTIVE cluster in the account and region',
  '    planned on LastModificationDate 2026-01-29T20:47:00.000Z',
  `  new target: ${TO}`,
].join('\n');

describe('ops check-schedulers --fix --dry-run', () => {
  it('prints the report and the plan, writes nothing, and exits 1 (findings remain)', async () => {
    const run = await cli(['--fix', '--dry-run']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('TARGET_CLUSTER_NOT_FOUND');
    expect(run.stdout).toContain(`\n\n${PLAN_TEXT}\nDry run: nothing was written. Apply with --yes (or without --dry-run at a terminal).\n`);
    expect(aws.scheduler.updates).toEqual([]);
    expect(existsSync(join(cwd, '.ops'))).toBe(false);
  });

  it('never writes with --yes either', async () => {
    const run = await cli(['--fix', '--dry-run', '--yes', '--json']);

    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ mode: 'dry-run', results: [], plan: { changes: [{ to: TO }, { to: TO }] } });
    expect(aws.scheduler.updates).toEqual([]);
  });
});

describe('ops check-schedulers --fix without consent', () => {
  it('refuses with exit 2 when not at a terminal, after showing the plan', async () => {
    const run = await cli(['--fix']);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain(PLAN_TEXT);
    expect(run.stderr).toBe(
      'error: Not applied: ops check-schedulers --fix writes only with --yes or after a confirmation at a terminal, and stdin/stderr is not a terminal, so there is no one to ask.\n' +
        'hint: Read the plan above, then re-run with --yes to apply it, or with --dry-run to only show it.\n',
    );
    expect(aws.scheduler.updates).toEqual([]);
  });

  it('prints one JSON document with the refusal under --json', async () => {
    const run = await cli(['--fix', '--json']);

    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, mode: 'refused', refused: { reason: expect.stringContaining('no one to ask') as unknown }, report: { ok: false }, plan: { changes: [{}, {}] } });
  });

  it('asks at a terminal and writes nothing when declined', async () => {
    const questions: string[] = [];
    const run = await cli(['--fix'], { stdinIsTTY: true, stderrIsTTY: true, confirm: async (q) => (questions.push(q), false) });

    expect(run.exitCode).toBe(1);
    expect(questions).toEqual([`Apply 2 change(s) to Target.Arn? A backup of each schedule goes to ${join(cwd, '.ops/backups')}.`]);
    expect(run.stdout).toContain(PLAN_TEXT);
    expect(run.stdout).toContain('Not applied: declined. Nothing was written.');
    expect(aws.scheduler.updates).toEqual([]);
  });

  it('applies at a terminal when confirmed', async () => {
    const run = await cli(['--fix'], { stdinIsTTY: true, stderrIsTTY: true, confirm: async () => true });

    expect(run.exitCode).toBe(0);
    expect(aws.scheduler.updates).toHaveLength(2);
  });

  it('refuses a plan above --max-changes before the first write (exit 2)', async () => {
    const run = await cli(['--fix', '--yes', '--max-changes', '1', '--json']);

    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ mode: 'refused', refused: { reason: 'The plan has 2 change(s), more than --max-changes 1; nothing was written.' } });
    expect(aws.scheduler.updates).toEqual([]);
    expect(aws.scheduler.gets.filter((g) => g.includes('dispatcher'))).toHaveLength(1);
  });

  it('rejects fix options without --fix', async () => {
    const run = await cli(['--yes']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: --yes only apply with --fix.');
  });
});

describe('ops check-schedulers --fix --yes', () => {
  it('fixes the ECS schedules only, keeps a backup and an audit trail, and exits 0', async () => {
    const lambdaBefore = JSON.stringify(aws.scheduler.store.get('ops-pipeline-market/trade-alert-checker'));

    const run = await cli(['--fix', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    const doc = run.json() as { ok: boolean; mode: string; report: unknown; plan: unknown; run: { runId: string; who: string; auditLog: string }; results: { status: string; backupFile: string; schedule: { name: string } }[] };
    expect(doc).toMatchObject({ ok: true, mode: 'applied', run: { who: 'arn:aws:sts::123456789012:assumed-role/oncall/alice', auditLog: join(cwd, '.ops/audit.jsonl') } });
    expect(doc.results.map((r) => [r.schedule.name, r.status])).toEqual([
      ['ops-pipeline-telemetry-ingestor-1m', 'ok'],
      ['ops-pipeline-dispatcher', 'ok'],
    ]);
    expect(aws.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher')?.Target?.Arn).toBe(TO);
    expect(aws.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher')?.Target?.Input).toBe(dispatcher.Target?.Input);
    expect(JSON.stringify(aws.scheduler.store.get('ops-pipeline-market/trade-alert-checker'))).toBe(lambdaBefore);
    expect(aws.tokens.every((t) => /^ops-fix-[0-9a-f]{40}$/.test(t))).toBe(true);

    expect((await readdir(join(cwd, '.ops/backups'))).sort()).toEqual(doc.results.map((r) => r.backupFile.split('/').pop()).sort());
    const audit = parseAuditLines(await readFile(join(cwd, '.ops/audit.jsonl'), 'utf8'));
    expect(audit.map((e) => [e.schedule.name, e.phase, e.result ?? null])).toEqual([
      ['ops-pipeline-telemetry-ingestor-1m', 'pending', null],
      ['ops-pipeline-telemetry-ingestor-1m', 'result', 'ok'],
      ['ops-pipeline-dispatcher', 'pending', null],
      ['ops-pipeline-dispatcher', 'result', 'ok'],
    ]);
  });

  it('prints what it did in text', async () => {
    const run = await cli(['--fix', '--yes']);

    expect(run.exitCode).toBe(0);
    const applied = run.stdout.slice(run.stdout.indexOf('Applied as run'));
    expect(applied).toMatch(/^Applied as run fix-\d{8}T\d{9}Z-[0-9a-f]{4} \(audit log .*\/\.ops\/audit\.jsonl\):\n/);
    expect(applied).toContain('  ok       ops-pipeline-market/ops-pipeline-dispatcher  Target.Arn: …/ops-pipeline → …/ops-pipeline-cluster\n             backup: ');
    expect(applied).toContain('2 ok, 0 skipped, 0 failed. Undo with: ops rollback --last\nVerify: ops check-schedulers');
  });

  it('reports AccessDenied (iam:PassRole) on one schedule, fixes the other, and exits 1', async () => {
    aws.scheduler.failUpdate(
      { group: 'ops-pipeline', name: 'ops-pipeline-telemetry-ingestor-1m' },
      { action: 'scheduler:UpdateSchedule', errorName: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ops-pipeline-eventbridge-ecs-role' },
    );

    const run = await cli(['--fix', '--yes']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('  failed   ops-pipeline/ops-pipeline-telemetry-ingestor-1m  Target.Arn: …/ops-pipeline → …/ops-pipeline-cluster\n             access denied (needs scheduler:UpdateSchedule and iam:PassRole): User: ');
    expect(run.stdout).toContain('1 ok, 0 skipped, 1 failed.');
    expect(aws.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher')?.Target?.Arn).toBe(TO);
  });

  it('changes nothing when two clusters match, and names both', async () => {
    aws.restore();
    aws = fakeAws({ schedules: [dispatcher], clusters: [activeCluster('ops-pipeline-cluster'), activeCluster('ops-pipeline-cluster-v2')], groups: ['ops-pipeline-market'] });

    const run = await cli(['--fix', '--yes']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      [
        'Fix plan: 0 change(s) to Target.Arn, 1 schedule(s) need a decision',
        'Needs a decision (1), not changed:',
        `  ops-pipeline-market/ops-pipeline-dispatcher  targets ${clusterArn('ops-pipeline')}`,
        '    2 ACTIVE clusters match "ops-pipeline"; ops will not guess',
        `    candidates: ${clusterArn('ops-pipeline-cluster')}, ${clusterArn('ops-pipeline-cluster-v2')}`,
        '    decide: ops check-schedulers --fix --group ops-pipeline-market --name-prefix ops-pipeline-dispatcher --cluster ops-pipeline-cluster|ops-pipeline-cluster-v2',
        'Nothing to apply.',
      ].join('\n'),
    );
    expect(aws.scheduler.updates).toEqual([]);
  });

  it('refuses an explicit --cluster that does not exist', async () => {
    const run = await cli(['--fix', '--yes', '--cluster', 'ops-pipeline-clstr', '--json']);

    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ mode: 'nothing-to-do', plan: { changes: [], decisions: [{ reason: 'the requested cluster ops-pipeline-clstr does not exist in account 123456789012, us-west-2; nothing will be written' }, {}] } });
    expect(aws.scheduler.updates).toEqual([]);
  });

  it('--wait-for-run waits (on an injected clock) for a task the fixed schedule started', async () => {
    aws.restore();
    aws = fakeAws({ schedules: [telemetry], clusters: [activeCluster('ops-pipeline-cluster')], groups: ['ops-pipeline'] });
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const startedBy = startedByFor('ops-pipeline-telemetry-ingestor-1m');
    let settled = false;
    const pending = cli(['--fix', '--yes', '--wait-for-run', '5', '--json'], { now: () => new Date() }).finally(() => {
      settled = true;
    });
    const baseline = aws.listTasksCalls();
    while (!settled) {
      // The schedule fires only after the fix, once waiting has taken its baseline (RUNNING + STOPPED).
      if (aws.scheduler.updates.length > 0 && aws.listTasksCalls() >= baseline + 2 && !aws.tasks.has(startedBy)) {
        aws.tasks.set(startedBy, [
          { taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/ops-pipeline-cluster/t1', startedBy, createdAt: new Date(), taskDefinitionArn: telemetry.Target!.EcsParameters!.TaskDefinitionArn },
        ]);
      }
      await vi.advanceTimersByTimeAsync(15_000);
    }
    const run = await pending;

    expect(startedBy).toBe("chronos-schedule/ops-pipeline-teleme");
    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ results: [{ status: 'ok', run: { seen: true, evidence: 'arn:aws:ecs:us-west-2:123456789012:task/ops-pipeline-cluster/t1', source: 'ecs' } }] });
  });
});

describe('ops check-schedulers --fix --wait-for-run without a run', () => {
  it('gives up after the minutes given and exits 1', async () => {
    aws.restore();
    aws = fakeAws({ schedules: [telemetry], clusters: [activeCluster('ops-pipeline-cluster')], groups: ['ops-pipeline'] });
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    let settled = false;
    const pending = cli(['--fix', '--yes', '--wait-for-run', '2', '--json'], { now: () => new Date() }).finally(() => {
      settled = true;
    });
    while (!settled) await vi.advanceTimersByTimeAsync(15_000);
    const run = await pending;

    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, results: [{ status: 'ok', run: { seen: false, waitedMinutes: 2 } }] });
  });
});

describe('ops check-schedulers without --fix', () => {
  it('still prints the bare report document', async () => {
    const run = await cli(['--json']);

    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, summary: { schedules: 3 } });
    expect(run.json()).not.toHaveProperty('plan');
  });
});
