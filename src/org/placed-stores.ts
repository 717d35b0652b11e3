/**
 * Backups and audit entries of an org-wide fix carry the account and region they were written in, so
 * `ops rollback` can assume the role in that account and restore each schedule where it lives. The
 * stores themselves are the ones a single-account fix uses; these wrappers only stamp the placement.
 */
import { join } from 'node:path';
import type { AuditLog } from '../remediate/audit-log.ts';
import { createFileBackupStore, type BackupStore } from '../remediate/backup.ts';

export interface AccountRegion {
  account: string;
  region: string;
}

export function placedAuditLog(log: AuditLog, place: AccountRegion): AuditLog {
  return {
    path: log.path,
    append: (entry) => log.append({ ...entry, account: place.account, region: place.region }),
    readAll: () => log.readAll(),
  };
}

export function placedBackupStore(store: BackupStore, place: AccountRegion): BackupStore {
  return {
    write: (document) => store.write({ ...document, account: place.account, region: place.region }),
    read: (path) => store.read(path),
  };
}

/** One directory per account and region under the backup directory: the same group/name may exist in each. */
export function placedFileBackupStore(backupDir: string, place: AccountRegion): BackupStore {
  return placedBackupStore(createFileBackupStore(join(backupDir, place.account, place.region)), place);
}
