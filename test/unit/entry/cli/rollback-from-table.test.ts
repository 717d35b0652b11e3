/**
 * `ops rollback --from-table`: undoing the healthcheck's auto-fix from its DynamoDB remediation table,
 * in-process. The fix is written the way the Lambda writes it (the remediation library's apply over
 * the DynamoDB backup store and audit log); the rollback then runs through the CLI with the same
 * consent gate, guard and exit codes as the file-based rollback.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoAuditLog, createDynamoBackupStore } from '../../../../src/aws/remediation-store.ts';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import { applyChanges } from '../../../../src/remediate/apply.ts';
import type { ClusterChange } from '../../../../src/remediate/change.ts';
import { changeIdOf } from '../../../../src/remediate/identifiers.ts';
import type { RawSchedule } from '../../../../src/remediate/schedule-document.ts';
import { runCli } from '../../../support/cli-harness.ts';
import type { FakeAws } from '../../remediate/fake-aws.ts';
import { ACCOUNT, activeCluster, targetChecker } from '../../remediate/fakes.ts';
import { memoryRemediationTable, type MemoryRemediationTable } from '../../remediate/memory-remediation-table.ts';
import { dispatcher, FROM, rollbackAccount, telemetry, TO, withoutModified } from './rollback-fixtures.ts';

const TABLE = 'ops-remediation';
const FIX_RUN = 'fix-20261123T144500000Z-ab12';
const LAMBDA_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/ops-healthcheck-role/ops-healthcheck`;

let aws: FakeAws;
let table: MemoryRemediationTable;
let cwd: string;
const env = { AWS_REGION: 'us-west-2' };
const ops = (argv: string[], overrides: Partial<CliContext> = {}) => runCli(argv, { env, cwd, ...overrides });
const stored = (s: RawSchedule) => aws.scheduler.store.get(`${s.GroupName}/${s.Name}`);

function changeFor(s: RawSchedule): ClusterChange {
  const plannedOn = s.LastModificationDate!.toISOString();
  return {
    id: changeIdOf({ scheduleArn: s.Arn!, from: FROM, to: TO, plannedOn }),
    schedule: { group: s.GroupName!, name: s.Name!, arn: s.Arn! },
    field: 'Target.Arn',
    from: FROM,
    to: TO,
    resolvedBy: 'auto-match',
    because: 'exactly one ACTIVE cluster matches',
    plannedOn,
    diff: [],
  };
}

/** What the healthcheck's auto-fix does: apply through the DynamoDB backup store and audit log. */
async function autoFix(): Promise<void> {
  const store = { client: new DynamoDBClient({ region: 'us-west-2' }), tableName: TABLE };
  const results = await applyChanges(
    [changeFor(dispatcher), changeFor(telemetry)],
    { writer: aws.scheduler, backups: createDynamoBackupStore(store), audit: createDynamoAuditLog(store), targets: targetChecker([activeCluster('ops-pipeline-cluster')]) },
    { runId: FIX_RUN, who: { known: true, arn: LAMBDA_ROLE, account: ACCOUNT, userId: 'AROA:fn' }, now: () => new Date('2026-11-23T14:45:00Z'), maxChanges: 25 },
  );
  expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ops-rollback-table-'));
  aws = rollbackAccount();
  table = memoryRemediationTable();
});
afterEach(async () => {
  table.restore();
  aws.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops rollback --from-table <table> --last', () => {
  beforeEach(autoFix);

  it('without --yes and without a terminal is a dry run of the last auto-fix run: writes nothing, exit 0', async () => {
    const writes = aws.scheduler.updates.length;
    const items = table.items.size;

    const run = await ops(['rollback', '--from-table', TABLE, '--last']);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^Rollback of the last fix run ${FIX_RUN}: 2 schedule\\(s\\) to restore\\n`));
    expect(run.stdout).toContain(`  restore             ops-pipeline-market/ops-pipeline-dispatcher  (entry ${FIX_RUN}.01)`);
    expect(run.stdout).toContain('      Target.Arn: …/ops-pipeline-cluster → …/ops-pipeline\n');
    expect(run.stdout).toContain(`      from backup dynamodb://${TABLE}/BACKUP%23ops-pipeline-market%2Fops-pipeline-dispatcher/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01\n`);
    expect(run.stdout).toContain('Note: While the healthcheck runs with AUTO_FIX=true, its next run (within 5 minutes) repoints a restored schedule again');
    expect(run.stdout).toMatch(/\nDry run: nothing was written \(no --yes, and no terminal to ask at\)\. Restore with --yes\.\n$/);
    expect(aws.scheduler.updates).toHaveLength(writes);
    expect(table.items.size).toBe(items);
    expect(existsSync(join(cwd, '.ops'))).toBe(false);

    const json = await ops(['rollback', '--from-table', TABLE, '--last', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, mode: 'dry-run', dryRunReason: 'unattended', fromTable: TABLE, selected: `the last fix run ${FIX_RUN}`, results: [] });
    expect(aws.scheduler.updates).toHaveLength(writes);
  });

  it('--yes restores both definitions exactly and records the rollback in the table, then does not undo twice', async () => {
    const run = await ops(['rollback', '--from-table', TABLE, '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    const doc = run.json() as { mode: string; run: { runId: string; who: string; auditLog: string; backupDir: string }; results: { status: string; rollsBack: string }[] };
    expect(doc.mode).toBe('applied');
    expect(doc.results.map((r) => [r.status, r.rollsBack])).toEqual([
      ['ok', `${FIX_RUN}.01`],
      ['ok', `${FIX_RUN}.02`],
    ]);
    expect(doc.run).toMatchObject({ auditLog: `dynamodb://${TABLE}/AUDIT`, backupDir: `dynamodb://${TABLE}`, who: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice` });
    expect(withoutModified(stored(dispatcher))).toEqual(withoutModified(dispatcher));
    expect(withoutModified(stored(telemetry))).toEqual(withoutModified(telemetry));

    const rollbackEntries = table.audit().filter((e) => e.action === 'rollback');
    expect(rollbackEntries.map((e) => [e.runId, e.phase, e.rollsBack, e.before.targetArn, e.after.targetArn, e.result ?? 'pending'])).toEqual([
      [doc.run.runId, 'pending', `${FIX_RUN}.01`, TO, FROM, 'pending'],
      [doc.run.runId, 'result', `${FIX_RUN}.01`, TO, FROM, 'ok'],
      [doc.run.runId, 'pending', `${FIX_RUN}.02`, TO, FROM, 'pending'],
      [doc.run.runId, 'result', `${FIX_RUN}.02`, TO, FROM, 'ok'],
    ]);
    // The definitions the rollback overwrote are backed up in the table too, so the rollback can be undone.
    const rollbackBackups = table.backups().filter((b) => b.action === 'rollback');
    expect(rollbackBackups.map((b) => [b.schedule.name, b.definition.Target?.Arn, b.intended.Target.Arn])).toEqual([
      ['ops-pipeline-dispatcher', TO, FROM],
      ['ops-pipeline-telemetry-ingestor-1m', TO, FROM],
    ]);
    expect(existsSync(join(cwd, '.ops'))).toBe(false);

    const writes = aws.scheduler.updates.length;
    const again = await ops(['rollback', '--from-table', TABLE, '--last', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`already rolled back by ${doc.run.runId}.01`);
    expect(again.stdout).toContain('Nothing to restore.');
    expect(aws.scheduler.updates).toHaveLength(writes);
  });

  it('skips a schedule someone edited since the auto-fix, restores the other, and exits 1', async () => {
    const current = stored(telemetry)!;
    aws.scheduler.store.set(`${telemetry.GroupName}/${telemetry.Name}`, { ...current, Description: 'hand edit', LastModificationDate: new Date('2026-11-23T14:50:00Z') });

    const run = await ops(['rollback', '--from-table', TABLE, '--last', '--yes']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('  skip                ops-pipeline/ops-pipeline-telemetry-ingestor-1m');
    expect(run.stdout).toContain('  skipped  ops-pipeline/ops-pipeline-telemetry-ingestor-1m');
    expect(stored(telemetry)?.Description).toBe('hand edit');
    expect(stored(telemetry)?.Target?.Arn).toBe(TO);
    expect(withoutModified(stored(dispatcher))).toEqual(withoutModified(dispatcher));
    expect(table.audit().filter((e) => e.action === 'rollback' && e.phase === 'result').map((e) => [e.schedule.name, e.result])).toEqual([
      ['ops-pipeline-dispatcher', 'ok'],
      ['ops-pipeline-telemetry-ingestor-1m', 'skipped'],
    ]);
  });

  it('at a terminal it asks, and writes nothing when declined (exit 1)', async () => {
    const questions: string[] = [];

    const run = await ops(['rollback', '--from-table', TABLE, '--last'], { stdinIsTTY: true, stderrIsTTY: true, confirm: (q) => (questions.push(q), Promise.resolve(false)) });

    expect(run.exitCode).toBe(1);
    expect(questions).toEqual([`Restore 2 schedule(s) from their backups? The current definitions are backed up in DynamoDB table ${TABLE} first.`]);
    expect(run.stdout).toContain('Not restored: declined. Nothing was written.');
    expect(table.audit().filter((e) => e.action === 'rollback')).toEqual([]);
  });
});

describe('ops rollback --from-table <table> --backup-id <id>', () => {
  beforeEach(autoFix);

  it('restores one schedule by its audit entry id, and another by the location the [AUTO-FIXED] email prints', async () => {
    const byEntry = await ops(['rollback', '--from-table', TABLE, '--backup-id', `${FIX_RUN}.02`, '--yes']);

    expect(byEntry.exitCode).toBe(0);
    expect(byEntry.stdout).toContain(`Rollback of audit entry ${FIX_RUN}.02: 1 schedule(s) to restore`);
    expect(stored(telemetry)?.Target?.Arn).toBe(FROM);
    expect(stored(dispatcher)?.Target?.Arn).toBe(TO);

    const location = table.audit().find((e) => e.entryId === `${FIX_RUN}.01` && e.phase === 'pending')!.backupFile!;
    expect(location).toMatch(new RegExp(`^dynamodb://${TABLE}/BACKUP%23`));
    const byLocation = await ops(['rollback', '--from-table', TABLE, '--backup-id', location, '--yes', '--json']);

    expect(byLocation.exitCode).toBe(0);
    expect(byLocation.json()).toMatchObject({ mode: 'applied', preview: [{ entryId: `${FIX_RUN}.01`, backupFile: location }], results: [{ status: 'ok', backupRestored: location }] });
    expect(withoutModified(stored(dispatcher))).toEqual(withoutModified(dispatcher));
  });

  it('an unknown backup id: exit 2, with where the ids are listed', async () => {
    const run = await ops(['rollback', '--from-table', TABLE, '--backup-id', 'fix-nope.01', '--json']);

    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({
      ok: false,
      error: {
        code: 'AUDIT_ENTRY_NOT_FOUND',
        message: `No audit entry fix-nope.01 in dynamodb://${TABLE}/AUDIT.`,
        hint: `Pass --backup-id an entry id that \`ops rollback --from-table ${TABLE} --last --dry-run\` lists ("entry …"), or a backup location from the [AUTO-FIXED] email (dynamodb://${TABLE}/BACKUP%23…).`,
      },
    });
  });

  it('a location in another table than --from-table: exit 2, naming both', async () => {
    const location = table.audit()[0]!.backupFile!.replace(`dynamodb://${TABLE}/`, 'dynamodb://ops-staging-remediation/');

    const run = await ops(['rollback', '--from-table', TABLE, '--backup-id', location]);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`error: --backup-id names a backup in table ops-staging-remediation, not in --from-table ${TABLE}.\n`);
    expect(run.stderr).toContain(`hint: For example: ops rollback --from-table ops-staging-remediation --backup-id ${location}\n`);
  });
});

describe('ops rollback --from-table: what cannot be rolled back says why (exit 2)', () => {
  const error = async (argv: string[]) => {
    const run = await ops([...argv, '--json']);
    expect(run.exitCode).toBe(2);
    return (run.json() as { error: { code: string; message: string; hint: string } }).error;
  };

  it('a table that does not exist: REMEDIATION_TABLE_MISSING, with where the name comes from', async () => {
    table.failWith('ResourceNotFoundException', 'Requested resource not found');

    const e = await error(['rollback', '--from-table', 'ops-remediaton', '--last']);

    expect(e.code).toBe('REMEDIATION_TABLE_MISSING');
    expect(e.message).toBe('DynamoDB Query failed: remediation table "ops-remediaton" does not exist (Requested resource not found).');
    expect(e.hint).toMatch(/^Pass --from-table the healthcheck's remediation table, named <prefix>-remediation \(ops-pipeline-remediation with the default prefix\), in the stack's region \(--region\)\./);
    expect(e.hint).toContain('--function-name "$(pulumi stack output healthcheckFunctionName)" --query Environment.Variables.REMEDIATION_TABLE');
  });

  it('a table this caller may not read: REMEDIATION_TABLE_ACCESS_DENIED, naming the actions to grant', async () => {
    table.failWith('AccessDeniedException', 'User is not authorized to perform: dynamodb:Query');

    const e = await error(['rollback', '--from-table', TABLE, '--last']);

    expect(e.code).toBe('REMEDIATION_TABLE_ACCESS_DENIED');
    expect(e.hint).toBe('Grant dynamodb:Query on the table to the role or user in use. A rollback from the table needs dynamodb:Query, dynamodb:GetItem and dynamodb:PutItem on it.');
  });

  it('a table with no auto-fix run recorded: NOTHING_TO_ROLL_BACK', async () => {
    const e = await error(['rollback', '--from-table', TABLE, '--last']);

    expect(e.code).toBe('NOTHING_TO_ROLL_BACK');
    expect(e.message).toBe(`The remediation table ${TABLE} records no fix run.`);
    expect(e.hint).toMatch(/^The healthcheck writes there only with AUTO_FIX=true, and only when it changed a schedule\./);
    expect(aws.scheduler.updates).toEqual([]);
  });

  it.each([
    ['a backup file as the argument', ['rollback', '--from-table', TABLE, 'backup.json', '--yes'], `--from-table restores from DynamoDB table ${TABLE}, but backup.json is a backup file.`, 'Restore from the file without --from-table: ops rollback backup.json --yes'],
    ['an entry id as the argument', ['rollback', '--from-table', TABLE, `${FIX_RUN}.01`], `With --from-table, name the backup with --backup-id, not as an argument (${FIX_RUN}.01).`, `For example: ops rollback --from-table ${TABLE} --backup-id ${FIX_RUN}.01`],
    ['a file path as the table', ['rollback', '--from-table', '.ops/backups/x.json', '--last'], '--from-table ".ops/backups/x.json" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -).', 'To restore from a backup file, pass the file without --from-table: ops rollback <file> --yes.'],
    ['--audit-log with the table', ['rollback', '--from-table', TABLE, '--last', '--audit-log', 'a.jsonl'], `--audit-log is for the files of \`ops check-schedulers --fix\`; with --from-table the rollback reads and records in table ${TABLE}.`, 'Drop --audit-log / --backup-dir, or drop --from-table to restore from files.'],
    ['both --last and --backup-id', ['rollback', '--from-table', TABLE, '--last', '--backup-id', `${FIX_RUN}.01`], 'Pass either --last or --backup-id, not both.', `For example: ops rollback --from-table ${TABLE} --last`],
    ['neither --last nor --backup-id', ['rollback', '--from-table', TABLE], `Say what to roll back from table ${TABLE}.`, `Pass --last (every change of the healthcheck's last auto-fix run) or --backup-id <entry id | dynamodb:// location from the [AUTO-FIXED] email>, e.g. ops rollback --from-table ${TABLE} --last`],
    ['--backup-id without --from-table', ['rollback', '--backup-id', `dynamodb://${TABLE}/BACKUP%23g%2Fn/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01`], "--backup-id picks a backup in the healthcheck's remediation table; say which table with --from-table.", `For example: ops rollback --from-table ${TABLE} --backup-id dynamodb://${TABLE}/BACKUP%23g%2Fn/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01`],
    ['a table location as a file argument', ['rollback', `dynamodb://${TABLE}/BACKUP%23g%2Fn/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01`], `dynamodb://${TABLE}/BACKUP%23g%2Fn/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01 is a backup in DynamoDB table ${TABLE}, not a file.`, `Restore it from the table: ops rollback --from-table ${TABLE} --backup-id dynamodb://${TABLE}/BACKUP%23g%2Fn/2026-11-23T14%3A45%3A00.000Z%23${FIX_RUN}.01`],
  ])('%s: ROLLBACK_TARGET', async (_name, argv, message, hint) => {
    const e = await error(argv);

    expect(e).toEqual({ code: 'ROLLBACK_TARGET', message, hint, kind: 'user' });
    expect(aws.scheduler.updates).toEqual([]);
    expect(table.items.size).toBe(0);
  });

  it('a file argument that exists is a file, whatever its name', async () => {
    await writeFile(join(cwd, 'my-backup'), '{}');

    const e = await error(['rollback', '--from-table', TABLE, 'my-backup']);

    expect(e.message).toBe(`--from-table restores from DynamoDB table ${TABLE}, but my-backup is a backup file.`);
  });
});
