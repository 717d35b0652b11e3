import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { placedAuditLog, placedBackupStore, placedFileBackupStore } from '../../../src/org/placed-stores.ts';
import type { AuditEntry } from '../../../src/remediate/audit-log.ts';
import { BACKUP_FORMAT, parseBackup, readBackup, type BackupDocument } from '../../../src/remediate/backup.ts';
import { projectWritable } from '../../../src/remediate/schedule-document.ts';
import { ecsSchedule, memoryAudit, memoryBackups } from '../remediate/fakes.ts';

const PLACE = { account: '111111111111', region: 'eu-west-1' };
const RUN = 'fix-20260129T230100000Z-abcd';
const raw = ecsSchedule('ops-pipeline', 'telemetry');
const ref = { group: 'ops-pipeline', name: 'telemetry', arn: raw.Arn! };

function backupDocument(): BackupDocument {
  const projected = projectWritable(raw, ref);
  if (!projected.ok) throw new Error(projected.problems.join('; '));
  return { format: BACKUP_FORMAT, takenAt: '2026-01-29T23:01:00.000Z', runId: RUN, entryId: `${RUN}.01`, action: 'fix', schedule: ref, definition: raw, intended: projected.update };
}

const entry: AuditEntry = {
  entryId: `${RUN}.01`,
  runId: RUN,
  at: '2026-01-29T23:01:00.000Z',
  who: 'arn:aws:sts::123456789012:assumed-role/oncall/alice',
  action: 'fix',
  phase: 'pending',
  schedule: ref,
  before: { targetArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/a' },
  after: { targetArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/b' },
  lastModificationDate: { before: '2026-01-29T20:47:00.000Z' },
};

describe('placedAuditLog', () => {
  it('stamps each entry with the account and region, and otherwise is the log it wraps', async () => {
    const log = memoryAudit('/audit/org.jsonl');
    const placed = placedAuditLog(log, PLACE);

    await placed.append(entry);
    await placed.append({ ...entry, phase: 'result', result: 'ok', written: true });

    expect(placed.path).toBe('/audit/org.jsonl');
    expect(log.entries).toEqual([
      { ...entry, account: '111111111111', region: 'eu-west-1' },
      { ...entry, phase: 'result', result: 'ok', written: true, account: '111111111111', region: 'eu-west-1' },
    ]);
    expect(await placed.readAll()).toEqual(log.entries);
    // The entry handed in is not changed.
    expect(entry).not.toHaveProperty('account');
  });
});

describe('placedBackupStore', () => {
  it('stamps each backup with the account and region', async () => {
    const store = memoryBackups();
    const placed = placedBackupStore(store, PLACE);

    const path = await placed.write(backupDocument());
    const read = await placed.read(path);

    expect([read.account, read.region, read.entryId]).toEqual(['111111111111', 'eu-west-1', `${RUN}.01`]);
    expect(JSON.parse(store.files.get(path)!)).toMatchObject({ account: '111111111111', region: 'eu-west-1' });
  });
});

describe('placedFileBackupStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-placed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes under <dir>/<account>/<region>, and the file reads back with its placement and dates', async () => {
    const path = await placedFileBackupStore(dir, PLACE).write(backupDocument());

    expect(path).toBe(join(dir, '111111111111', 'eu-west-1', '20260129T230100000Z-ops-pipeline-telemetry.json'));
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect([onDisk.account, onDisk.region]).toEqual(['111111111111', 'eu-west-1']);
    const back = await readBackup(path);
    expect(back).toEqual({ ...backupDocument(), account: '111111111111', region: 'eu-west-1' });
    expect(back.definition.LastModificationDate).toEqual(new Date('2026-01-29T20:47:00Z'));
  });

  it('keeps the same schedule in two accounts apart', async () => {
    const first = await placedFileBackupStore(dir, { account: '222222222222', region: 'us-east-1' }).write(backupDocument());
    const second = await placedFileBackupStore(dir, { account: '333333333333', region: 'us-east-1' }).write(backupDocument());

    expect(first).toBe(join(dir, '222222222222', 'us-east-1', '20260129T230100000Z-ops-pipeline-telemetry.json'));
    expect(second).toBe(join(dir, '333333333333', 'us-east-1', '20260129T230100000Z-ops-pipeline-telemetry.json'));
  });
});

describe('parseBackup: account and region', () => {
  it('round-trips account and region, and leaves them out of a single-account backup', () => {
    const placed = parseBackup(JSON.stringify({ ...backupDocument(), account: '111111111111', region: 'eu-west-1' }));
    const single = parseBackup(JSON.stringify(backupDocument()));

    expect([placed.account, placed.region]).toEqual(['111111111111', 'eu-west-1']);
    expect(single).not.toHaveProperty('account');
    expect(single).not.toHaveProperty('region');
    expect(single).toEqual(backupDocument());
  });

  it('refuses an account that is not 12 digits, and an empty region', () => {
    for (const [extra, problem] of [
      [{ account: '12345' }, 'account: '],
      [{ account: 111111111111 }, 'account: '],
      [{ region: '' }, 'region: '],
    ] as const) {
      let error: unknown;
      try {
        parseBackup(JSON.stringify({ ...backupDocument(), ...extra }), 'b.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('BACKUP_INVALID');
      expect((error as UserError).message).toContain(`b.json is not an ops schedule backup: ${problem}`);
    }
  });
});
