/**
 * Backups: the complete GetSchedule output of a schedule, written before every UpdateSchedule.
 * `ops rollback` restores from these, so a backup must be complete (every field, dates included) and
 * must never be half-written: it is written to a temporary file, fsynced, then renamed into place,
 * and the directory is fsynced so the rename survives a crash.
 *
 * One file per schedule and write: `<dir>/<timestamp>-<group>-<name>.json`, mode 0600 (Input may
 * carry account details).
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import type { ScheduleRef } from '../checks/model.ts';
import { UserError } from '../errors.ts';
import { compactTimestamp } from './identifiers.ts';
import type { RawSchedule, ScheduleUpdate } from './schedule-document.ts';

export const BACKUP_FORMAT = 'ops-schedule-backup/1';

export interface BackupDocument {
  format: typeof BACKUP_FORMAT;
  takenAt: string;
  runId: string;
  /** The audit entry of the write this backup precedes. */
  entryId: string;
  action: 'fix' | 'rollback';
  schedule: ScheduleRef;
  /** The complete definition GetSchedule returned just before the write. */
  definition: RawSchedule;
  /** The UpdateSchedule request about to be sent; lets rollback recognise our own write after a crash. */
  intended: ScheduleUpdate;
  /** Org-wide runs: the account and region the schedule lives in (rollback assumes its role there). */
  account?: string;
  region?: string;
}

export interface BackupStore {
  /** Writes the backup durably and returns its absolute path. */
  write(document: BackupDocument): Promise<string>;
  read(path: string): Promise<BackupDocument>;
}

const DATE_FIELDS = ['StartDate', 'EndDate', 'CreationDate', 'LastModificationDate'] as const;

const refSchema = z.object({ group: z.string(), name: z.string(), arn: z.string() });
const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  takenAt: z.string(),
  runId: z.string(),
  entryId: z.string(),
  action: z.enum(['fix', 'rollback']),
  schedule: refSchema,
  definition: z.record(z.string(), z.unknown()),
  intended: z.record(z.string(), z.unknown()),
  account: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().min(1).optional(),
});

export function createFileBackupStore(directory: string): BackupStore {
  const dir = resolve(directory);
  return {
    async write(document) {
      await mkdir(dir, { recursive: true });
      const base = `${compactTimestamp(new Date(document.takenAt))}-${fileSafe(document.schedule.group)}-${fileSafe(document.schedule.name)}`;
      const text = JSON.stringify(document, null, 2) + '\n';
      const tmp = join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        const target = await freeName(dir, base);
        await rename(tmp, target);
        await syncDirectory(dir);
        return target;
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },

    async read(path) {
      return readBackup(path);
    },
  };
}

export async function readBackup(path: string): Promise<BackupDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UserError('BACKUP_UNREADABLE', `Cannot read the backup ${path}: ${(cause as Error).message}`, 'Pass the path of a file in the backup directory (default ./.ops/backups), an audit entry id, or --last.', { cause });
  }
  return parseBackup(text, path);
}

export function parseBackup(text: string, path = 'backup'): BackupDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UserError('BACKUP_INVALID', `${path} is not JSON (${(cause as Error).message}).`, 'A backup written by ops is a complete JSON document; restore it from your copy or use another backup.', { cause });
  }
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError('BACKUP_INVALID', `${path} is not an ops schedule backup: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, `Backups written by ops have "format": "${BACKUP_FORMAT}".`);
  }
  const doc = parsed.data;
  return {
    ...doc,
    format: BACKUP_FORMAT,
    definition: reviveDates(doc.definition),
    intended: reviveDates(doc.intended) as unknown as ScheduleUpdate,
  };
}

/** JSON has no dates: the schedule's four date fields come back as ISO strings. */
function reviveDates(definition: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...definition };
  for (const field of DATE_FIELDS) {
    const value = out[field];
    if (typeof value === 'string' || typeof value === 'number') {
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw new UserError('BACKUP_INVALID', `The backup's ${field} "${String(value)}" is not a date.`, 'Use another backup.');
      out[field] = date;
    }
  }
  return out;
}

/** Group and schedule names are [0-9a-zA-Z-_.]; anything else is replaced so it cannot escape the directory. */
function fileSafe(name: string): string {
  return name.replace(/[^0-9A-Za-z_.-]/g, '_').replace(/^\.+/, '_');
}

async function freeName(dir: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? `${base}.json` : `${base}-${n}.json`);
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable; some platforms cannot open a directory for sync, and the file
  // itself is already on disk, so a failure here is not worth failing the backup for.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
