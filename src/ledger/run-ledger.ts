/**
 * The run ledger port: durable proof that schedules ran, fed by ECS task state changes.
 *
 * A run is one ECS task, identified by its taskArn. ECS emits several state changes per task and
 * EventBridge delivers them at least once and in any order, so every store must be idempotent per task
 * and must never move a schedule's last run backwards. MemoryRunLedger and the DynamoDB adapter
 * (src/aws/run-ledger-store.ts) implement the same decisions, step by step, so unit tests of one hold
 * for the other.
 */
import { taskStatusRank } from './task-status.ts';

export interface ScheduleKey {
  group: string;
  name: string;
}

/** `group/name`; schedule and group names cannot contain '/', so this is unambiguous. */
export function scheduleKeyId(k: ScheduleKey): string {
  return `${k.group}/${k.name}`;
}

export interface RunRecord {
  schedule: ScheduleKey;
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  /** The task's createdAt. ECS never changes it, so it is part of the run's identity in stores. */
  runAt: Date;
  lastStatus: string;
  attributedBy: 'group' | 'startedBy';
  stoppedReason?: string;
}

export interface LastRun {
  schedule: ScheduleKey;
  runAt: Date;
  taskArn: string;
  /** Status of that task, advanced as its later state changes arrive. */
  lastStatus: string;
  /** Tasks recorded for the schedule (not events); may undercount if a writer died mid-record. */
  runCount?: number;
  stoppedReason?: string;
}

/**
 * - recorded: a new run that is now the schedule's last run.
 * - older: a new run written to history, but the last run is newer and was left alone.
 * - duplicate: the task was already recorded (its status may have advanced); no new run.
 */
export type RecordResult = 'recorded' | 'duplicate' | 'older';

export interface RunLedger {
  recordRun(run: RunRecord): Promise<RecordResult>;
  /** Keyed by scheduleKeyId; schedules that never ran are absent. */
  lastRuns(keys: readonly ScheduleKey[]): Promise<Map<string, LastRun>>;
  /** History with runAt >= since, ascending by runAt (then taskArn). */
  runsSince(key: ScheduleKey, since: Date): Promise<RunRecord[]>;
  /**
   * Since when the ledger has been recording. Before that instant a schedule's missing runs are
   * unknown, not missed: the check must not blame a schedule for the time before the ledger existed.
   */
  coverage(): Promise<Date | undefined>;
  /** Marks the start of coverage once; a later call never moves it. Returns the effective start. */
  markCoverage(since: Date): Promise<Date>;
}

/**
 * Should `incoming` replace `current` as the last run? Newer runAt wins; on an exact tie the greater
 * taskArn wins so the outcome does not depend on delivery order; the same task may advance its status.
 */
export function supersedesLastRun(
  current: { runAtMs: number; taskArn: string; statusRank: number } | undefined,
  incoming: { runAtMs: number; taskArn: string; statusRank: number },
): boolean {
  if (current === undefined) return true;
  if (current.runAtMs < incoming.runAtMs) return true;
  if (current.runAtMs === incoming.runAtMs && current.taskArn < incoming.taskArn) return true;
  return current.taskArn === incoming.taskArn && current.statusRank < incoming.statusRank;
}

interface StoredRun {
  record: RunRecord;
  statusRank: number;
}

interface StoredLast {
  schedule: ScheduleKey;
  runAtMs: number;
  taskArn: string;
  lastStatus: string;
  statusRank: number;
  runCount: number;
  stoppedReason?: string;
}

/** Same semantics as the DynamoDB ledger, in memory: for unit tests and the CLI. */
export class MemoryRunLedger implements RunLedger {
  // Keyed like the DynamoDB items: schedule id, then `<runAt ISO>#<taskArn>`.
  private readonly history = new Map<string, Map<string, StoredRun>>();
  private readonly last = new Map<string, StoredLast>();
  private coversSince: Date | undefined;

  coverage(): Promise<Date | undefined> {
    return Promise.resolve(this.coversSince ? new Date(this.coversSince) : undefined);
  }

  markCoverage(since: Date): Promise<Date> {
    this.coversSince ??= new Date(since);
    return Promise.resolve(new Date(this.coversSince));
  }

  recordRun(run: RunRecord): Promise<RecordResult> {
    const id = scheduleKeyId(run.schedule);
    const rank = taskStatusRank(run.lastStatus);
    const runs = this.history.get(id) ?? new Map<string, StoredRun>();
    this.history.set(id, runs);

    const runKey = `${run.runAt.toISOString()}#${run.taskArn}`;
    const existing = runs.get(runKey);
    const created = existing === undefined;
    if (existing === undefined) {
      runs.set(runKey, { record: copyRun(run), statusRank: rank });
    } else if (existing.statusRank < rank) {
      existing.record.lastStatus = run.lastStatus;
      if (run.stoppedReason !== undefined) existing.record.stoppedReason = run.stoppedReason;
      existing.statusRank = rank;
    }

    const current = this.last.get(id);
    const incoming = { runAtMs: run.runAt.getTime(), taskArn: run.taskArn, statusRank: rank };
    const moved = supersedesLastRun(current, incoming);
    const runCount = (current?.runCount ?? 0) + (created ? 1 : 0);
    if (moved) {
      this.last.set(id, {
        schedule: { group: run.schedule.group, name: run.schedule.name },
        ...incoming,
        lastStatus: run.lastStatus,
        runCount,
        ...(run.stoppedReason !== undefined ? { stoppedReason: run.stoppedReason } : {}),
      });
    } else if (current !== undefined) {
      current.runCount = runCount;
    }
    return Promise.resolve(!created ? 'duplicate' : moved ? 'recorded' : 'older');
  }

  lastRuns(keys: readonly ScheduleKey[]): Promise<Map<string, LastRun>> {
    const result = new Map<string, LastRun>();
    for (const key of keys) {
      const id = scheduleKeyId(key);
      const stored = this.last.get(id);
      if (stored === undefined) continue;
      result.set(id, {
        schedule: { ...stored.schedule },
        runAt: new Date(stored.runAtMs),
        taskArn: stored.taskArn,
        lastStatus: stored.lastStatus,
        runCount: stored.runCount,
        ...(stored.stoppedReason !== undefined ? { stoppedReason: stored.stoppedReason } : {}),
      });
    }
    return Promise.resolve(result);
  }

  runsSince(key: ScheduleKey, since: Date): Promise<RunRecord[]> {
    const runs = [...(this.history.get(scheduleKeyId(key))?.entries() ?? [])]
      .filter(([, stored]) => stored.record.runAt.getTime() >= since.getTime())
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, stored]) => copyRun(stored.record));
    return Promise.resolve(runs);
  }
}

function copyRun(run: RunRecord): RunRecord {
  return { ...run, schedule: { ...run.schedule }, runAt: new Date(run.runAt.getTime()) };
}
