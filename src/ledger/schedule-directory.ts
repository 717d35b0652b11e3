/**
 * A cached list of schedules for the task-state-change handler, so a Lambda does not call
 * ListSchedules (and GetSchedule) for every ECS event. Time comes from the injected `now`.
 */
import type { ScheduleIdentity } from './attribution.ts';

export interface ScheduleDirectory {
  /** The cached list, listed again once it is older than ttlMs. */
  readonly schedules: () => Promise<readonly ScheduleIdentity[]>;
  /**
   * Lists again now, for a task no known schedule claims (the schedule may be new). Returns the cache
   * instead when it was listed less than minRefreshIntervalMs ago, so a stream of unrelated tasks cannot
   * turn into a stream of ListSchedules calls.
   */
  readonly refresh: () => Promise<readonly ScheduleIdentity[]>;
}

export interface ScheduleDirectoryOptions {
  ttlMs: number;
  now: () => number;
  /** Default 10 seconds. */
  minRefreshIntervalMs?: number;
}

export function createScheduleDirectory(
  listSchedules: () => Promise<ScheduleIdentity[]>,
  opts: ScheduleDirectoryOptions,
): ScheduleDirectory {
  const minRefreshIntervalMs = opts.minRefreshIntervalMs ?? 10_000;
  let cache: { schedules: readonly ScheduleIdentity[]; listedAt: number } | undefined;
  let inFlight: Promise<readonly ScheduleIdentity[]> | undefined;

  // Concurrent events share one listing instead of each starting their own.
  const load = (): Promise<readonly ScheduleIdentity[]> => {
    inFlight ??= (async () => {
      const listedAt = opts.now();
      try {
        const schedules = Object.freeze([...(await listSchedules())]);
        cache = { schedules, listedAt };
        return schedules;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  const youngerThan = (ms: number): boolean => cache !== undefined && opts.now() - cache.listedAt < ms;

  return {
    schedules: () => (youngerThan(opts.ttlMs) ? Promise.resolve(cache!.schedules) : load()),
    refresh: () => (youngerThan(minRefreshIntervalMs) ? Promise.resolve(cache!.schedules) : load()),
  };
}
