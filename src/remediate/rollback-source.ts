/**
 * Where `ops rollback` finds what a fix did, and where it records what it does itself. Two places
 * hold fixes: the files `ops check-schedulers --fix` writes in its working directory (`.ops/audit.jsonl`,
 * `.ops/backups/`), and the table the healthcheck Lambda's auto-fix writes (its REMEDIATION_TABLE).
 * Both are an AuditLog and a BackupStore; the adapters are wired in src/entry, and this module only
 * knows what to say about each.
 *
 * A rollback records itself where the fix is recorded: its audit entries next to the entries of the
 * writes it undoes (so a second rollback sees "already rolled back", whoever runs it and from
 * wherever), and its backups next to the fix's (so the rollback itself can be undone the same way).
 */
import type { AuditLog } from './audit-log.ts';
import type { BackupStore } from './backup.ts';

export interface RollbackHints {
  /** How the no-fix-run message names the audit log (`The remediation table x`); default `The audit log <path>`. */
  auditLogName?: string;
  /** The hint when the audit log records no fix run. */
  noFixRun: string;
  /** The hint when no audit entry has the id asked for. */
  unknownEntry: string;
}

export const FILE_ROLLBACK_HINTS: RollbackHints = {
  noFixRun: 'Run from the directory where `ops check-schedulers --fix` ran, or pass --audit-log <file>; to undo the healthcheck\'s auto-fix, pass --from-table <remediation table>.',
  unknownEntry: 'Pass an entryId from the audit log (see `ops rollback --last --dry-run`), a backup file, or --audit-log <file>.',
};

export interface RollbackSource {
  audit: AuditLog;
  backups: BackupStore;
  /** Where the current definitions are saved before a restore, for the question and the JSON (`run.backupDir`). */
  backupsAt: string;
  /** How the question names that place: `to /x/.ops/backups`, `in DynamoDB table x`. */
  backupsAtWords: string;
  hints: RollbackHints;
  /** Said with the plan, before anything is written: what a person must know about this source. */
  notes: string[];
}

export function fileRollbackSource(audit: AuditLog, backups: BackupStore, backupDir: string): RollbackSource {
  return { audit, backups, backupsAt: backupDir, backupsAtWords: `to ${backupDir}`, hints: FILE_ROLLBACK_HINTS, notes: [] };
}

/** The healthcheck's remediation table, read and written through the given adapters. */
export function tableRollbackSource(tableName: string, audit: AuditLog, backups: BackupStore): RollbackSource {
  const command = `ops rollback --from-table ${tableName}`;
  return {
    audit,
    backups,
    backupsAt: `dynamodb://${tableName}`,
    backupsAtWords: `in DynamoDB table ${tableName}`,
    hints: {
      auditLogName: `The remediation table ${tableName}`,
      noFixRun:
        'The healthcheck writes there only with AUTO_FIX=true, and only when it changed a schedule. Check the table name (the Lambda\'s REMEDIATION_TABLE) and --region; ' +
        'a fix made by hand with `ops check-schedulers --fix` is in that directory\'s .ops/audit.jsonl: run `ops rollback --last` there, without --from-table.',
      unknownEntry: `Pass --backup-id an entry id that \`${command} --last --dry-run\` lists ("entry …"), or a backup location from the [AUTO-FIXED] email (dynamodb://${tableName}/BACKUP%23…).`,
    },
    notes: [
      'While the healthcheck runs with AUTO_FIX=true, its next run (within 5 minutes) repoints a restored schedule again if it still points at a missing cluster. ' +
        'To keep the restore, turn auto-fix off first: pulumi config set autoFix false && pulumi up.',
    ],
  };
}
