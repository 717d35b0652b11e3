import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, createFileBackupStore, readBackup, type BackupDocument } from '../../../src/remediate/backup.ts';
import { projectWritable } from '../../../src/remediate/schedule-document.ts';
import { ecsSchedule } from './fakes.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-backup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function document(): BackupDocument {
  const definition = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher', { StartDate: new Date('2026-01-01T00:00:00Z'), EndDate: new Date('2027-01-01T00:00:00Z') });
  const intended = projectWritable(definition, { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' });
  if (!intended.ok) throw new Error('projection failed');
  return {
    format: BACKUP_FORMAT,
    takenAt: '2026-01-29T23:01:00.123Z',
    runId: 'fix-20260129T230100123Z-abcd',
    entryId: 'fix-20260129T230100123Z-abcd.01',
    action: 'fix',
    schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher', arn: definition.Arn! },
    definition,
    intended: intended.update,
  };
}

describe('file backups', () => {
  it('writes <timestamp>-<group>-<name>.json, mode 0600, with no temporary file left, and reads it back with its dates', async () => {
    const store = createFileBackupStore(join(dir, 'nested', 'backups'));
    const doc = document();

    const path = await store.write(doc);

    expect(path).toBe(join(dir, 'nested', 'backups', '20260129T230100123Z-ops-pipeline-market-ops-pipeline-dispatcher.json'));
    expect(await readdir(join(dir, 'nested', 'backups'))).toEqual(['20260129T230100123Z-ops-pipeline-market-ops-pipeline-dispatcher.json']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await store.read(path)).toEqual(doc);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ definition: { StartDate: '2026-01-01T00:00:00.000Z', Target: { Input: doc.definition.Target!.Input } } });
  });

  it('never overwrites an existing backup', async () => {
    const store = createFileBackupStore(dir);

    const first = await store.write(document());
    const second = await store.write(document());

    expect(second).not.toBe(first);
    expect(second.endsWith('-ops-pipeline-dispatcher-2.json')).toBe(true);
    expect((await readdir(dir)).sort()).toHaveLength(2);
  });

  it('keeps group and schedule names inside the directory', async () => {
    const store = createFileBackupStore(dir);
    const doc = { ...document(), schedule: { group: '../..', name: 'a/b', arn: 'x' } };

    const path = await store.write(doc);

    expect(path.startsWith(dir + '/')).toBe(true);
    expect(await readdir(dir)).toEqual(['20260129T230100123Z-__..-a_b.json']);
  });

  it('rejects a file that is not an ops backup, with a hint', async () => {
    const path = join(dir, 'other.json');
    await writeFile(path, JSON.stringify({ Name: 'x' }));

    await expect(readBackup(path)).rejects.toMatchObject({ code: 'BACKUP_INVALID', kind: 'user' });
    await expect(readBackup(join(dir, 'absent.json'))).rejects.toMatchObject({ code: 'BACKUP_UNREADABLE' });
  });
});
