import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import { parseAuditLines } from '../../../../src/remediate/audit-log.ts';
import { runCli } from '../../../support/cli-harness.ts';
import type { FakeAws } from '../../remediate/fake-aws.ts';
import { dispatcher, FROM, rollbackAccount, telemetry, TO, withoutModified } from './rollback-fixtures.ts';

let aws: FakeAws;
let cwd: string;
const env = { AWS_REGION: 'us-west-2' };
const ops = (argv: string[], overrides: Partial<CliContext> = {}) => runCli(argv, { env, cwd, ...overrides });
const stored = (group: string, name: string) => aws.scheduler.store.get(`${group}/${name}`);

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ops-rollback-cli-'));
  aws = rollbackAccount();
  const fixed = await ops(['check-schedulers', '--no-ledger', '--fix', '--yes']);
  expect(fixed.exitCode).toBe(0);
});
afterEach(async () => {
  aws.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops rollback --last', () => {
  it('shows what it would restore and writes nothing by default (dry run)', async () => {
    const writes = aws.scheduler.updates.length;

    const run = await ops(['rollback', '--last', '--dry-run']);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Rollback of the last fix run fix-\S+: 2 schedule\(s\) to restore\n/);
    expect(run.stdout).toContain('  restore             ops-pipeline/ops-pipeline-telemetry-ingestor-1m  (entry fix-');
    expect(run.stdout).toContain('      Target.Arn: …/ops-pipeline-cluster → …/ops-pipeline\n');
    expect(run.stdout).toContain('Dry run: nothing was written. Restore with --yes.');
    expect(aws.scheduler.updates).toHaveLength(writes);
  });

  it('without --yes and without a terminal is a dry run, as the README says (exit 0)', async () => {
    const writes = aws.scheduler.updates.length;

    const run = await ops(['rollback', '--last']);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Rollback of the last fix run fix-\S+: 2 schedule\(s\) to restore\n/);
    expect(run.stdout).toMatch(/\nDry run: nothing was written \(no --yes, and no terminal to ask at\)\. Restore with --yes\.\n$/);
    expect(aws.scheduler.updates).toHaveLength(writes);

    const json = await ops(['rollback', '--last', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, mode: 'dry-run', dryRunReason: 'unattended', results: [] });
    expect(aws.scheduler.updates).toHaveLength(writes);
  });

  it('an unattended dry run with a schedule it could not restore exits 1', async () => {
    const current = stored('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m')!;
    aws.scheduler.store.set('ops-pipeline/ops-pipeline-telemetry-ingestor-1m', { ...current, Description: 'hand edit', LastModificationDate: new Date('2026-01-30T08:00:00Z') });

    const run = await ops(['rollback', '--last', '--json']);

    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, mode: 'dry-run', dryRunReason: 'unattended' });
    expect(stored('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m')?.Description).toBe('hand edit');
  });

  it('at a terminal it still asks, and writes nothing when declined (exit 1)', async () => {
    const writes = aws.scheduler.updates.length;
    const questions: string[] = [];

    const run = await ops(['rollback', '--last'], { stdinIsTTY: true, stderrIsTTY: true, confirm: (q) => (questions.push(q), Promise.resolve(false)) });

    expect(run.exitCode).toBe(1);
    expect(questions).toHaveLength(1);
    expect(run.stdout).toContain('Not restored: declined. Nothing was written.');
    expect(aws.scheduler.updates).toHaveLength(writes);
  });

  it('without credentials: exit 2 NO_CREDENTIALS, not a list of unreadable schedules', async () => {
    for (const s of [dispatcher, telemetry]) {
      aws.scheduler.failGet({ group: s.GroupName!, name: s.Name! }, { action: 'scheduler:GetSchedule', errorName: 'CredentialsProviderError', message: 'Could not load credentials from any providers' });
    }

    const run = await ops(['rollback', '--last', '--json']);

    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'NO_CREDENTIALS', hint: expect.stringContaining('AWS_PROFILE') as unknown } });
  });

  it('against an endpoint that does not answer: exit 2 ENDPOINT_UNREACHABLE', async () => {
    aws.restore();
    const keys = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

    const run = await ops(['rollback', '--last', '--endpoint', 'http://127.0.0.1:9'], { env: { ...env, ...keys } });

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'error: Cannot reach the Scheduler API: connect ECONNREFUSED 127.0.0.1:9\n' +
        'hint: Check --endpoint / AWS_ENDPOINT_URL and your network; for the local sandbox, start it with `ops sandbox up`.\n',
    );
  }, 20_000);

  it('a schedule denied to this caller is still listed as unreadable (exit 1): access is per schedule', async () => {
    aws.scheduler.failGet({ group: telemetry.GroupName!, name: telemetry.Name! }, { action: 'scheduler:GetSchedule', errorName: 'AccessDeniedException', message: 'denied' });

    const run = await ops(['rollback', '--last', '--dry-run']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('unreadable');
  });

  it('restores both definitions exactly with --yes and records the rollback', async () => {
    const run = await ops(['rollback', '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, mode: 'applied', results: [{ status: 'ok' }, { status: 'ok' }] });
    expect(withoutModified(stored('ops-pipeline-market', 'ops-pipeline-dispatcher'))).toEqual(withoutModified(dispatcher));
    expect(withoutModified(stored('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m'))).toEqual(withoutModified(telemetry));
    const audit = parseAuditLines(await readFile(join(cwd, '.ops/audit.jsonl'), 'utf8'));
    expect(audit.filter((e) => e.action === 'rollback' && e.phase === 'result').map((e) => [e.result, e.before.targetArn, e.after.targetArn])).toEqual([
      ['ok', TO, FROM],
      ['ok', TO, FROM],
    ]);

    const again = await ops(['rollback', '--last', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already rolled back by rollback-');
    expect(again.stdout).toContain('Nothing to restore.');
  });

  it('skips a schedule changed since the fix and exits 1', async () => {
    const current = stored('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m')!;
    aws.scheduler.store.set('ops-pipeline/ops-pipeline-telemetry-ingestor-1m', { ...current, Description: 'hand edit', LastModificationDate: new Date('2026-01-30T08:00:00Z') });

    const run = await ops(['rollback', '--last', '--yes']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('  skip                ops-pipeline/ops-pipeline-telemetry-ingestor-1m');
    expect(run.stdout).toContain('  skipped  ops-pipeline/ops-pipeline-telemetry-ingestor-1m');
    expect(stored('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m')?.Description).toBe('hand edit');
    expect(withoutModified(stored('ops-pipeline-market', 'ops-pipeline-dispatcher'))).toEqual(withoutModified(dispatcher));
  });
});

describe('ops rollback <backup | entry id>', () => {
  it('restores one schedule from its backup file or its audit entry id', async () => {
    const audit = parseAuditLines(await readFile(join(cwd, '.ops/audit.jsonl'), 'utf8'));
    const [first, second] = audit.filter((e) => e.phase === 'pending');

    const byEntry = await ops(['rollback', first!.entryId, '--yes']);
    expect(byEntry.exitCode).toBe(0);
    expect(stored(first!.schedule.group, first!.schedule.name)?.Target?.Arn).toBe(FROM);
    expect(stored(second!.schedule.group, second!.schedule.name)?.Target?.Arn).toBe(TO);

    const byFile = await ops(['rollback', second!.backupFile!, '--yes']);
    expect(byFile.exitCode).toBe(0);
    expect(stored(second!.schedule.group, second!.schedule.name)?.Target?.Arn).toBe(FROM);
  });

  it('explains an unknown entry id and a missing selector (exit 2)', async () => {
    const unknown = await ops(['rollback', 'fix-nope.01']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`error: No audit entry fix-nope.01 in ${join(cwd, '.ops/audit.jsonl')}.`);

    const nothing = await ops(['rollback', '--json']);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.json()).toMatchObject({ ok: false, error: { code: 'ROLLBACK_TARGET' } });
  });
});
