/**
 * The append-only audit log: one JSON object per line, default `./.ops/audit.jsonl`.
 *
 * Every write is recorded twice: a `pending` entry before UpdateSchedule and a `result` entry after,
 * sharing one entry id. A process that dies in between leaves the pending entry and its backup, which
 * is all `ops rollback` needs. Each line is appended with O_APPEND and fsynced; a torn last line
 * (crash mid-write) is skipped when reading rather than failing the whole log.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ScheduleRef } from '../checks/model.ts';
import type { ResultStatus } from './change.ts';

export const AuditPhase = { pending: 'pending', result: 'result' } as const;
export type AuditPhase = (typeof AuditPhase)[keyof typeof AuditPhase];

export interface AuditEntry {
  entryId: string;
  runId: string;
  at: string;
  /** Caller identity ARN, or `unknown` (with whoUnknownReason). */
  who: string;
  whoUnknownReason?: string;
  action: 'fix' | 'rollback';
  phase: AuditPhase;
  schedule: ScheduleRef;
  before: { targetArn: string };
  after: { targetArn: string };
  backupFile?: string;
  lastModificationDate: { before?: string; after?: string };
  clientToken?: string;
  changeId?: string;
  /** For a rollback: the entry whose write it undoes. */
  rollsBack?: string;
  /** On `result` entries. */
  result?: ResultStatus;
  written?: boolean;
  reason?: string;
  startDateDropped?: boolean;
  /** Org-wide runs: the account and region of the schedule. */
  account?: string;
  region?: string;
}

export interface AuditLog {
  readonly path: string;
  append(entry: AuditEntry): Promise<void>;
  /** Every readable entry, in the order written. */
  readAll(): Promise<AuditEntry[]>;
}

export function createFileAuditLog(file: string): AuditLog {
  const path = resolve(file);
  return {
    path,
    async append(entry) {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, 'a', 0o600);
      try {
        await handle.write(JSON.stringify(entry) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async readAll() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return parseAuditLines(text);
    },
  };
}

export function parseAuditLines(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<AuditEntry>;
      if (typeof value.entryId === 'string' && typeof value.runId === 'string' && (value.phase === 'pending' || value.phase === 'result')) entries.push(value as AuditEntry);
    } catch {
      // A torn line from a crash mid-append; the entries around it still count.
    }
  }
  return entries;
}
