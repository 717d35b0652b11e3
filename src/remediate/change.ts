/**
 * The remediation's data: a plan (changes and the cases that need a person) and, once applied, one
 * result per change. Everything here is plain data for the JSON document and the text rendering.
 */
import type { ScheduleRef } from '../checks/model.ts';
import type { FieldDiff } from './schedule-document.ts';

export const ResolvedBy = { cluster: '--cluster', map: '--map', auto: 'auto-match' } as const;
export type ResolvedBy = (typeof ResolvedBy)[keyof typeof ResolvedBy];

/** One change: exactly one field (Target.Arn) of one ECS-target schedule. */
export interface ClusterChange {
  /** Deterministic from schedule, from, to and the LastModificationDate planned on. */
  id: string;
  schedule: ScheduleRef;
  field: 'Target.Arn';
  from: string;
  to: string;
  resolvedBy: ResolvedBy;
  /** Why this cluster, in words (`"ops-pipeline" is a prefix of exactly one ACTIVE cluster`). */
  because: string;
  /** The schedule's LastModificationDate when planned (ISO); apply skips it if that changed. */
  plannedOn: string;
  diff: FieldDiff[];
}

/** A schedule the fix will not touch until a person decides. */
export interface NeedsDecision {
  schedule: ScheduleRef;
  /** The cluster ARN the schedule names today. */
  from: string;
  reason: string;
  /** Cluster ARNs that would fit, when there are several. */
  candidates: string[];
  /** A command that settles it. */
  hint: string;
}

export interface RemediationPlan {
  changes: ClusterChange[];
  decisions: NeedsDecision[];
  /** --map entries that matched no schedule with a missing cluster (probably a typo). */
  unusedMappings: string[];
}

export const ResultStatus = { ok: 'ok', skipped: 'skipped', failed: 'failed', unchanged: 'unchanged' } as const;
export type ResultStatus = (typeof ResultStatus)[keyof typeof ResultStatus];

/** What happened to one guarded write (a fix or a rollback of one schedule). */
export interface WriteResult {
  entryId: string;
  schedule: ScheduleRef;
  status: ResultStatus;
  /** For anything but ok: why, in words (`concurrent edit: …`, `AccessDeniedException: …`). */
  reason?: string;
  errorName?: string;
  /** IAM actions the caller lacks, when AWS denied the call. */
  iamActions?: string[];
  /** True when a person has to decide before this can be retried (StartDate, unknown fields). */
  needsDecision?: boolean;
  backupFile?: string;
  /** UpdateSchedule succeeded: the schedule was changed (whatever verification then found). */
  written: boolean;
  /** StartDate was in the past, AWS rejected it, and the write was retried without it (cron/at only). */
  startDateDropped: boolean;
  lastModificationDate: { before?: string; after?: string };
  /** GetSchedule after the write compared with what was written (server-set fields aside). */
  verification?: { definition: 'match' | 'mismatch' | 'unknown'; differences: string[] };
  clientToken?: string;
}

export interface ChangeResult extends WriteResult {
  changeId: string;
  from: string;
  to: string;
  /** The new target re-checked after the write: its DescribeClusters status, or why unknown. */
  targetCheck?: { status: string; detail?: string };
  /** --wait-for-run: a task (or ledger run) the fixed schedule started, or how long we waited. */
  run?: { seen: true; evidence: string; source: 'ecs' | 'ledger' } | { seen: false; waitedMinutes: number; detail?: string };
}
