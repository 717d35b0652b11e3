/**
 * What the remediation needs from the outside, as narrow interfaces: src/aws implements the AWS ones,
 * backup.ts and audit-log.ts the file ones, and tests hand in fakes. A call that fails comes back as
 * data (a Lookup or a WriteOutcome), never as an exception, so one failing schedule never stops the
 * others.
 */
import type { ClusterFacts, Lookup, LookupFailure } from '../checks/model.ts';
import type { RawSchedule, ScheduleUpdate } from './schedule-document.ts';

export type WriteOutcome = { ok: true } | { ok: false; failure: LookupFailure };

export interface SchedulerWriter {
  /** The complete GetSchedule output; `missing` when the schedule does not exist. */
  getScheduleRaw(ref: { group: string; name: string }): Promise<Lookup<RawSchedule>>;
  /** UpdateSchedule with exactly these fields and this ClientToken. */
  updateSchedule(update: ScheduleUpdate, clientToken: string): Promise<WriteOutcome>;
}

export interface ClusterDirectory {
  /** Every cluster ListClusters returns, with its status from DescribeClusters. */
  listClusters(): Promise<Lookup<ClusterFacts[]>>;
}

/** Re-checks the new targets after a write (DescribeClusters, batched). */
export interface TargetChecker {
  describeClusters(arns: readonly string[]): Promise<Map<string, Lookup<ClusterFacts>>>;
}

/** Who is making the change, for the audit log. */
export type CallerIdentity = { known: true; arn: string; account: string; userId: string } | { known: false; reason: string };

export interface IdentityPort {
  whoAmI(): Promise<CallerIdentity>;
}
