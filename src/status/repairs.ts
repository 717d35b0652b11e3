/**
 * The status page's repair history (issue 17), as data: one row per audited write (a fix or a
 * rollback of one schedule), from the audit log's pending/result pairs, newest first. Pure: the
 * caller reads the entries (the file log or the healthcheck's remediation table) and says which.
 *
 * A pending entry with no result is a process that died between the backup and the result entry:
 * the schedule may or may not have been written, so the row says `unfinished` rather than guess.
 * Each row carries the `ops rollback` command that undoes it, built for the source it came from,
 * because the on-call engineer reading the page should not have to work the syntax out.
 */
import { parseArn } from '../arn.ts';
import type { ScheduleRef } from '../checks/model.ts';
import type { AuditEntry } from '../remediate/audit-log.ts';
import type { ResultStatus } from '../remediate/change.ts';

export type RepairSource = { kind: 'file'; auditLog: string } | { kind: 'table'; table: string };

export const UNFINISHED = 'unfinished' as const;
export type RepairStatus = ResultStatus | typeof UNFINISHED;

/** One audited write: the audit entry's own fields, plus what the page needs to say about it. */
export interface RepairRow
  extends Pick<AuditEntry, 'entryId' | 'runId' | 'who' | 'whoUnknownReason' | 'action' | 'account' | 'region' | 'before' | 'after' | 'reason' | 'rollsBack'> {
  /** When the write began (the pending entry), or the result's time when nothing was pending. */
  at: string;
  schedule: Pick<ScheduleRef, 'group' | 'name'>;
  status: RepairStatus;
  /** UpdateSchedule went through (result entry); absent while unfinished. */
  written?: boolean;
  /** A later rollback that undid this write. */
  undoneBy?: string;
  /** The command that undoes this write, when there is one to undo. */
  undo?: string;
}

/** The default `ops check-schedulers --fix` audit log, relative to where it ran (check-schedulers.ts). */
const DEFAULT_AUDIT_LOG = '.ops/audit.jsonl';

export function buildRepairHistory(entries: readonly AuditEntry[], source: RepairSource): RepairRow[] {
  const pairs = new Map<string, { pending?: AuditEntry; result?: AuditEntry }>();
  for (const entry of entries) {
    const pair = pairs.get(entry.entryId) ?? {};
    // The first of each phase wins: a duplicated line (re-appended after a crash) changes nothing.
    if (entry.phase === 'pending') pair.pending ??= entry;
    else pair.result ??= entry;
    pairs.set(entry.entryId, pair);
  }
  // The same rule `ops rollback` uses for "already rolled back": a rollback whose write went through.
  const undoneBy = new Map<string, string>();
  for (const entry of entries) {
    if (entry.action === 'rollback' && entry.phase === 'result' && entry.written === true && entry.rollsBack !== undefined && !undoneBy.has(entry.rollsBack)) {
      undoneBy.set(entry.rollsBack, entry.entryId);
    }
  }

  const rows: RepairRow[] = [];
  for (const [entryId, { pending, result }] of pairs) {
    const base = pending ?? result;
    if (base === undefined) continue;
    const status: RepairStatus = result === undefined ? UNFINISHED : (result.result ?? UNFINISHED);
    const undone = undoneBy.get(entryId);
    // An unfinished write may have happened; rollback's guard restores it only if it did.
    const undoable = undone === undefined && (result?.written === true || (result === undefined && pending?.backupFile !== undefined));
    const reason = result?.reason ?? pending?.reason;
    const rollsBack = base.rollsBack ?? result?.rollsBack;
    const who = pending?.who ?? result?.who ?? 'unknown';
    const whoUnknownReason = pending?.whoUnknownReason ?? result?.whoUnknownReason;
    const account = base.account ?? result?.account;
    const region = base.region ?? result?.region;
    rows.push({
      entryId,
      runId: base.runId,
      at: base.at,
      who,
      ...(whoUnknownReason !== undefined ? { whoUnknownReason } : {}),
      action: base.action,
      schedule: { group: base.schedule.group, name: base.schedule.name },
      ...(account !== undefined ? { account } : {}),
      ...(region !== undefined ? { region } : {}),
      // A result that failed before reading the schedule records empty targets; the pending entry knows more.
      before: { targetArn: nonEmpty(result?.before.targetArn) ?? pending?.before.targetArn ?? '' },
      after: { targetArn: nonEmpty(result?.after.targetArn) ?? pending?.after.targetArn ?? '' },
      status,
      ...(result?.written !== undefined ? { written: result.written } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(rollsBack !== undefined ? { rollsBack } : {}),
      ...(undone !== undefined ? { undoneBy: undone } : {}),
      ...(undoable ? { undo: undoCommand(entryId, source, account) } : {}),
    });
  }
  return rows.sort((a, b) => (a.at === b.at ? compare(b.entryId, a.entryId) : compare(b.at, a.at)));
}

/**
 * `ops rollback` for one audit entry (rollback.ts): the entry id as the argument for the file log,
 * `--from-table <t> --backup-id <id>` for the table. No `--yes`: pasted at a terminal it shows what
 * it would restore and asks first.
 */
export function undoCommand(entryId: string, source: RepairSource, account?: string): string {
  const words = ['ops', 'rollback'];
  if (source.kind === 'table') words.push('--from-table', shellWord(source.table), '--backup-id', shellWord(entryId));
  else {
    words.push(shellWord(entryId));
    if (!isDefaultAuditLog(source.auditLog)) words.push('--audit-log', shellWord(source.auditLog));
  }
  if (account !== undefined) words.push('--account', shellWord(account));
  return words.join(' ');
}

/**
 * Who, as a person reads it: the session name of an assumed role (which carries the operator's
 * name in org runs), the user name of an IAM user, otherwise the value itself.
 */
export function shortWho(who: string): string {
  const arn = parseArn(who);
  if (arn === undefined) return who;
  const assumed = /^assumed-role\/[^/]+\/(.+)$/.exec(arn.resource);
  if (arn.service === 'sts' && assumed?.[1] !== undefined) return assumed[1];
  const user = /^user\/(?:.*\/)?([^/]+)$/.exec(arn.resource);
  if (arn.service === 'iam' && user?.[1] !== undefined) return user[1];
  return who;
}

function isDefaultAuditLog(path: string): boolean {
  return path === DEFAULT_AUDIT_LOG || path === `./${DEFAULT_AUDIT_LOG}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A word the shell passes through unchanged: safe characters bare, anything else single-quoted. */
function shellWord(value: string): string {
  if (/^[A-Za-z0-9_.:/%=+@-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
