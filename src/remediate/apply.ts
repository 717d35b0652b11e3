/**
 * Applies a plan: the only code path of `--fix` that writes. Dry-run never reaches it (the runner
 * decides once, before calling); the maxChanges guard (change-limit.ts) throws before the first write.
 *
 * Changes are applied one after another: at most --max-changes (25) of them, three calls each, and
 * sequential writes keep the audit log in the order a person reads it. One failing change never stops
 * the others. After the writes, the new targets are re-checked with one batched DescribeClusters.
 */
import type { AuditLog } from './audit-log.ts';
import type { BackupStore } from './backup.ts';
import { ResultStatus, type ChangeResult, type ClusterChange } from './change.ts';
import { assertWithinLimit } from './change-limit.ts';
import { guardedWrite } from './guarded-write.ts';
import { entryIdOf } from './identifiers.ts';
import type { CallerIdentity, SchedulerWriter, TargetChecker } from './ports.ts';
import { projectWritable, withTargetArn } from './schedule-document.ts';

// rollback.ts and the rollback command import them from here.
export { assertWithinLimit, DEFAULT_MAX_CHANGES } from './change-limit.ts';

export interface ApplyPorts {
  writer: SchedulerWriter;
  backups: BackupStore;
  audit: AuditLog;
  targets: TargetChecker;
}

export interface ApplyOptions {
  runId: string;
  who: CallerIdentity;
  now: () => Date;
  maxChanges: number;
  progress?: (message: string) => void;
  /** Entries are numbered from here (default 1): an org-wide fix numbers one run across accounts. */
  firstEntry?: number;
}

export async function applyChanges(changes: readonly ClusterChange[], ports: ApplyPorts, options: ApplyOptions): Promise<ChangeResult[]> {
  assertWithinLimit(changes.length, options.maxChanges);
  const results: ChangeResult[] = [];
  let n = 0;
  for (const change of changes) {
    n += 1;
    options.progress?.(`${n}/${changes.length} ${change.schedule.group}/${change.schedule.name}`);
    const written = await guardedWrite(
      {
        action: 'fix',
        entryId: entryIdOf(options.runId, n - 1 + (options.firstEntry ?? 1)),
        schedule: change.schedule,
        tokenKey: change.id,
        changeId: change.id,
        guard: (fresh) => {
          const now = fresh.LastModificationDate?.toISOString();
          if (now !== change.plannedOn) return `LastModificationDate is ${now ?? 'absent'}, the plan was made on ${change.plannedOn}; re-run the check`;
          if (fresh.Target?.Arn !== change.from) return `Target.Arn is now ${fresh.Target?.Arn ?? 'absent'}, not ${change.from}`;
          if (fresh.Target.EcsParameters === undefined) return 'the target is no longer an ECS target';
          return undefined;
        },
        intend: (fresh) => {
          const projected = projectWritable(fresh, change.schedule);
          return projected.ok ? { ok: true, update: withTargetArn(projected.update, change.to) } : projected;
        },
      },
      { writer: ports.writer, backups: ports.backups, audit: ports.audit, runId: options.runId, who: options.who, now: options.now },
    );
    results.push({ ...written, changeId: change.id, from: change.from, to: change.to });
  }
  return recheckTargets(results, ports.targets);
}

/** The target check again, for the changed schedules: the new cluster must exist and be ACTIVE. */
async function recheckTargets(results: ChangeResult[], targets: TargetChecker): Promise<ChangeResult[]> {
  const arns = [...new Set(results.filter((r) => r.written).map((r) => r.to))];
  if (arns.length === 0) return results;
  const found = await targets.describeClusters(arns);
  return results.map((result) => {
    if (!result.written) return result;
    const lookup = found.get(result.to);
    if (lookup?.status === 'found') {
      const targetCheck = { status: lookup.value.status };
      if (lookup.value.status === 'ACTIVE') return { ...result, targetCheck };
      return { ...result, targetCheck, status: ResultStatus.failed, reason: appendReason(result.reason, `the new target cluster is ${lookup.value.status}, not ACTIVE`) };
    }
    if (lookup?.status === 'missing') {
      return { ...result, targetCheck: { status: 'MISSING', detail: lookup.reason }, status: ResultStatus.failed, reason: appendReason(result.reason, 'the new target cluster does not exist') };
    }
    // The write is verified; only the re-check could not run. Say so without calling it a failure.
    const detail = lookup === undefined ? 'not in the DescribeClusters answer' : `${lookup.failure.action} failed: ${lookup.failure.errorName}: ${lookup.failure.message}`;
    return { ...result, targetCheck: { status: 'UNKNOWN', detail } };
  });
}

function appendReason(existing: string | undefined, note: string): string {
  return existing === undefined ? note : `${existing}; ${note}`;
}
