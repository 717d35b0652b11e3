/** What one advance of the firer did, as counters (returned by advanceTo / advance). */

export interface AdvanceSummary {
  from: Date;
  to: Date;
  /** Schedules ListSchedules returned. */
  schedulesListed: number;
  /** GetSchedule calls made (unchanged schedules are served from the previous read). */
  schedulesFetched: number;
  invocations: number;
  attempts: number;
  succeeded: number;
  /** Invocations that failed for good (dead-lettered, dropped or failed to dead-letter). */
  failed: number;
  tasksStarted: number;
  /** Failed attempts by error code. */
  errorsByCode: Record<string, number>;
  deadLettered: number;
  dropped: number;
  deadLetterFailures: number;
  lambdaInvocations: number;
  /** Aggregated datums sent with PutMetricData, and the calls it took. */
  metricsEmitted: number;
  metricCalls: number;
  /** Run-ledger handler outcomes (recorded, duplicate, unattributed, ...). */
  ledger: Record<string, number>;
  deletedSchedules: string[];
  skipped: { schedule: string; reason: string; detail?: string }[];
}

export function emptySummary(from: Date, to: Date): AdvanceSummary {
  return {
    from,
    to,
    schedulesListed: 0,
    schedulesFetched: 0,
    invocations: 0,
    attempts: 0,
    succeeded: 0,
    failed: 0,
    tasksStarted: 0,
    errorsByCode: {},
    deadLettered: 0,
    dropped: 0,
    deadLetterFailures: 0,
    lambdaInvocations: 0,
    metricsEmitted: 0,
    metricCalls: 0,
    ledger: {},
    deletedSchedules: [],
    skipped: [],
  };
}
