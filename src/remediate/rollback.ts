/**
 * `ops rollback`: restores backed-up definitions exactly, through the same allow-list and the same
 * guarded write as the fix.
 *
 * What to restore: one backup file, the backup of one audit entry, or `--last` (every write of the
 * most recent fix run). The concurrency guard: the schedule must still carry the LastModificationDate
 * the recorded write left it with. When no completed write is recorded (the process died between the
 * backup and the result entry), the schedule must either still carry the backup's own
 * LastModificationDate (the update never happened: nothing to undo) or be exactly what the
 * interrupted write was sending (it happened, the result entry did not). Anything else is someone
 * else's edit, and rollback skips it rather than overwrite it.
 */
import type { LookupFailure, ScheduleRef } from '../checks/model.ts';
import { UserError } from '../errors.ts';
import { assertWithinLimit } from './apply.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import type { BackupDocument } from './backup.ts';
import { ResultStatus, type WriteResult } from './change.ts';
import { guardedWrite } from './guarded-write.ts';
import { entryIdOf } from './identifiers.ts';
import type { CallerIdentity, SchedulerWriter } from './ports.ts';
import { FILE_ROLLBACK_HINTS, type RollbackHints } from './rollback-source.ts';
import { fieldDiff, projectWritable, withoutStartDate, type FieldDiff, type RawSchedule } from './schedule-document.ts';
import type { BackupStore } from './backup.ts';

export type RollbackSelector = { kind: 'backup'; path: string } | { kind: 'entry'; entryId: string } | { kind: 'last' };

export interface RollbackItem {
  /** The audit entry whose write this undoes (the backup's entry). */
  sourceEntryId: string;
  sourceRunId: string;
  sourceAction: 'fix' | 'rollback';
  schedule: ScheduleRef;
  backupFile: string;
  backup: BackupDocument;
  /** The LastModificationDate the schedule must still carry, and where that expectation comes from. */
  expected: { lastModificationDate?: string; because: string };
  /** True when the audit log records the write as done (UpdateSchedule succeeded). */
  writeCompleted: boolean;
  /** The rollback entry that already undid this write, if any. */
  alreadyRolledBackBy?: string;
}

export interface RollbackPlan {
  /** What was asked for, in words (`the last fix run fix-2026…`). */
  selected: string;
  items: RollbackItem[];
}

export interface RollbackPlanDeps {
  audit: AuditLog;
  backups: Pick<BackupStore, 'read'>;
  /** What to tell a person when nothing matches, in the terms of where audit and backups live (default: the CLI's files). */
  hints?: RollbackHints;
}

export async function planRollback(selector: RollbackSelector, deps: RollbackPlanDeps): Promise<RollbackPlan> {
  const hints = deps.hints ?? FILE_ROLLBACK_HINTS;
  const entries = await deps.audit.readAll();
  switch (selector.kind) {
    case 'backup': {
      const backup = await deps.backups.read(selector.path);
      return { selected: `the backup ${selector.path}`, items: [itemFor(backup, selector.path, entries)] };
    }
    case 'entry': {
      const own = entries.filter((e) => e.entryId === selector.entryId);
      if (own.length === 0) {
        throw new UserError('AUDIT_ENTRY_NOT_FOUND', `No audit entry ${selector.entryId} in ${deps.audit.path}.`, hints.unknownEntry);
      }
      const backupFile = own.find((e) => e.backupFile !== undefined)?.backupFile;
      if (backupFile === undefined) {
        throw new UserError('NOTHING_TO_ROLL_BACK', `Audit entry ${selector.entryId} has no backup: nothing was written for it (${own.at(-1)?.reason ?? own.at(-1)?.result ?? 'no result'}).`, 'There is nothing to undo for this entry.');
      }
      const backup = await deps.backups.read(backupFile);
      return { selected: `audit entry ${selector.entryId}`, items: [itemFor(backup, backupFile, entries)] };
    }
    case 'last': {
      const lastFix = [...entries].reverse().find((e) => e.action === 'fix');
      if (lastFix === undefined) throw new UserError('NOTHING_TO_ROLL_BACK', `${hints.auditLogName ?? `The audit log ${deps.audit.path}`} records no fix run.`, hints.noFixRun);
      const run = entries.filter((e) => e.runId === lastFix.runId);
      const items: RollbackItem[] = [];
      for (const entryId of [...new Set(run.map((e) => e.entryId))]) {
        const backupFile = run.find((e) => e.entryId === entryId && e.backupFile !== undefined)?.backupFile;
        // Skipped before anything was written (concurrent edit, unreadable schedule): nothing to undo.
        if (backupFile === undefined) continue;
        items.push(itemFor(await deps.backups.read(backupFile), backupFile, entries));
      }
      return { selected: `the last fix run ${lastFix.runId}`, items };
    }
    default: {
      const never: never = selector;
      throw new Error(`unhandled selector ${String(never)}`);
    }
  }
}

function itemFor(backup: BackupDocument, backupFile: string, entries: readonly AuditEntry[]): RollbackItem {
  const own = entries.filter((e) => e.entryId === backup.entryId);
  const completed = own.find((e) => e.phase === 'result' && e.written === true);
  const undone = entries.find((e) => e.action === 'rollback' && e.rollsBack === backup.entryId && e.phase === 'result' && e.written === true);
  const expected =
    completed?.lastModificationDate.after !== undefined
      ? { lastModificationDate: completed.lastModificationDate.after, because: `the LastModificationDate ${backup.action} ${backup.entryId} left` }
      : {
          ...(backup.definition.LastModificationDate !== undefined ? { lastModificationDate: backup.definition.LastModificationDate.toISOString() } : {}),
          because: `the backup's own LastModificationDate (no completed write is recorded for ${backup.entryId})`,
        };
  return {
    sourceEntryId: backup.entryId,
    sourceRunId: backup.runId,
    sourceAction: backup.action,
    schedule: backup.schedule,
    backupFile,
    backup,
    expected,
    writeCompleted: completed !== undefined,
    ...(undone !== undefined ? { alreadyRolledBackBy: undone.entryId } : {}),
  };
}

/** Why the current definition may not be overwritten, or undefined when it may. */
export function rollbackGuard(item: RollbackItem, current: RawSchedule): string | undefined {
  const now = current.LastModificationDate?.toISOString();
  if (now !== undefined && now === item.expected.lastModificationDate) return undefined;
  if (!item.writeCompleted) {
    // The process died after UpdateSchedule and before the result entry: the schedule is exactly
    // what that write sent (possibly without StartDate), so it is ours to undo.
    const projected = projectWritable(current, item.schedule);
    if (projected.ok) {
      const intended = item.backup.intended;
      if (fieldDiff(projected.update, intended).length === 0 || fieldDiff(projected.update, withoutStartDate(intended)).length === 0) return undefined;
    }
  }
  return `LastModificationDate is ${now ?? 'absent'}, expected ${item.expected.lastModificationDate ?? 'none'} (${item.expected.because}); the schedule was changed by someone else since`;
}

export const PreviewAction = { restore: 'restore', skip: 'skip', unchanged: 'unchanged', alreadyRolledBack: 'already-rolled-back', unreadable: 'unreadable' } as const;
export type PreviewAction = (typeof PreviewAction)[keyof typeof PreviewAction];

export interface RollbackPreview {
  item: RollbackItem;
  action: PreviewAction;
  reason?: string;
  /** Current definition → backup, field by field. */
  diff: FieldDiff[];
}

export interface PreviewOptions {
  /**
   * An error to throw instead of listing the schedules as unreadable, for failures that are the
   * session's, not the schedule's (no credentials, no endpoint): a list of "unreadable" hides the one
   * thing to fix. Asked only while no read has succeeded: the first such failure means every read
   * would fail alike (so the others are not waited for), while after a good read it is one schedule's.
   */
  refuse?: (failure: LookupFailure) => Error | undefined;
}

/** What rollback would do to each schedule, read-only (one GetSchedule each). */
export async function previewRollback(plan: RollbackPlan, writer: SchedulerWriter, options: PreviewOptions = {}): Promise<RollbackPreview[]> {
  const previews: RollbackPreview[] = [];
  let anyRead = false;
  for (const item of plan.items) {
    if (item.alreadyRolledBackBy !== undefined) {
      previews.push({ item, action: PreviewAction.alreadyRolledBack, reason: `already rolled back by ${item.alreadyRolledBackBy}`, diff: [] });
      continue;
    }
    const read = await writer.getScheduleRaw(item.schedule);
    if (read.status === 'unknown' && !anyRead) {
      const refusal = options.refuse?.(read.failure);
      if (refusal !== undefined) throw refusal;
    }
    if (read.status !== 'unknown') anyRead = true;
    if (read.status !== 'found') {
      const reason = read.status === 'missing' ? read.reason : `${read.failure.action} failed: ${read.failure.errorName}: ${read.failure.message}`;
      previews.push({ item, action: PreviewAction.unreadable, reason, diff: [] });
      continue;
    }
    const current = projectWritable(read.value, item.schedule);
    const restored = projectWritable(item.backup.definition, item.schedule);
    const diff = current.ok && restored.ok ? fieldDiff(current.update, restored.update) : [];
    if (!restored.ok) {
      previews.push({ item, action: PreviewAction.skip, reason: `the backup cannot be written back: ${restored.problems.join('; ')}`, diff });
      continue;
    }
    if (current.ok && diff.length === 0) {
      previews.push({ item, action: PreviewAction.unchanged, reason: 'the schedule already matches the backup; nothing to undo', diff });
      continue;
    }
    const blocked = rollbackGuard(item, read.value);
    previews.push(blocked === undefined ? { item, action: PreviewAction.restore, diff } : { item, action: PreviewAction.skip, reason: `concurrent edit: ${blocked}`, diff });
  }
  return previews;
}

export interface RollbackPorts {
  writer: SchedulerWriter;
  backups: BackupStore;
  audit: AuditLog;
}

export interface RollbackOptions {
  runId: string;
  who: CallerIdentity;
  now: () => Date;
  maxChanges: number;
  progress?: (message: string) => void;
  /** Entries are numbered from here (default 1): an org-wide rollback numbers one run across accounts. */
  firstEntry?: number;
}

export interface RollbackResult extends WriteResult {
  rollsBack: string;
  backupRestored: string;
}

export async function applyRollback(plan: RollbackPlan, ports: RollbackPorts, options: RollbackOptions): Promise<RollbackResult[]> {
  const todo = plan.items.filter((item) => item.alreadyRolledBackBy === undefined);
  assertWithinLimit(todo.length, options.maxChanges, 'rollback');
  const results: RollbackResult[] = [];
  let n = 0;
  for (const item of plan.items) {
    const link = { rollsBack: item.sourceEntryId, backupRestored: item.backupFile };
    if (item.alreadyRolledBackBy !== undefined) {
      results.push({
        ...link,
        entryId: '',
        schedule: item.schedule,
        status: ResultStatus.unchanged,
        reason: `already rolled back by ${item.alreadyRolledBackBy}`,
        written: false,
        startDateDropped: false,
        lastModificationDate: {},
      });
      continue;
    }
    n += 1;
    options.progress?.(`${n}/${todo.length} ${item.schedule.group}/${item.schedule.name}`);
    const result = await guardedWrite(
      {
        action: 'rollback',
        entryId: entryIdOf(options.runId, n - 1 + (options.firstEntry ?? 1)),
        schedule: item.schedule,
        tokenKey: `${item.sourceEntryId}\n${item.expected.lastModificationDate ?? ''}`,
        rollsBack: item.sourceEntryId,
        guard: (fresh) => rollbackGuard(item, fresh),
        intend: () => projectWritable(item.backup.definition, item.schedule),
      },
      { writer: ports.writer, backups: ports.backups, audit: ports.audit, runId: options.runId, who: options.who, now: options.now },
    );
    results.push({ ...result, ...link });
  }
  return results;
}
