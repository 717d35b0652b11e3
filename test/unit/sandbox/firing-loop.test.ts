/**
 * `ops sandbox up --fire`'s loop on fake timers: every tick the change detector looks before the firer
 * advances, and a failure of either is reported without stopping the other or the loop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeTick } from '../../../src/sandbox/change-events.ts';
import type { AdvanceSummary, Firer } from '../../../src/sandbox/firer.ts';
import { startFiringLoop } from '../../../src/sandbox/firing-loop.ts';

const T0 = new Date('2026-11-23T14:30:00Z');

function summary(to: Date, invocations: number): AdvanceSummary {
  return {
    from: T0,
    to,
    schedulesListed: 1,
    schedulesFetched: 0,
    invocations,
    attempts: invocations,
    succeeded: invocations,
    failed: 0,
    tasksStarted: invocations,
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

/** A firer and a detector that write what they do, in order, to one journal. */
function fakes(options: { detectorFails?: (n: number) => boolean; firerFails?: (n: number) => boolean } = {}) {
  const journal: string[] = [];
  let looks = 0;
  let advances = 0;
  const detector = {
    tick(): Promise<ChangeTick> {
      looks++;
      journal.push(`look ${looks}`);
      if (options.detectorFails?.(looks)) return Promise.reject(new Error(`ListSchedules failed on look ${looks}`));
      return Promise.resolve({ at: new Date(), baseline: false, emitted: looks === 2 ? [{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/dispatcher' }] : [] });
    },
  };
  const firer = {
    advanceTo(instant: Date): Promise<AdvanceSummary> {
      advances++;
      journal.push(`fire ${advances} to ${instant.toISOString()}`);
      if (options.firerFails?.(advances)) return Promise.reject(new Error(`RunTask failed on fire ${advances}`));
      return Promise.resolve(summary(instant, 1));
    },
  } as unknown as Firer;
  return { journal, detector, firer };
}

describe('startFiringLoop with a change detector', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('looks for changes before it fires, on every tick, and reports each to its own callback', async () => {
    const { journal, detector, firer } = fakes();
    const changes: ChangeTick[] = [];
    const fired: AdvanceSummary[] = [];
    const loop = startFiringLoop({ firer, changes: detector, intervalMs: 15_000, now: () => new Date(), onChanges: (t) => changes.push(t), onTick: (s) => fired.push(s) });

    await vi.advanceTimersByTimeAsync(14_999);
    expect(journal).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(15_000);
    await loop.stop();

    expect(journal).toEqual(['look 1', 'fire 1 to 2026-11-23T14:30:15.000Z', 'look 2', 'fire 2 to 2026-11-23T14:30:30.000Z']);
    expect(changes.map((t) => t.emitted)).toEqual([[], [{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/dispatcher' }]]);
    expect(fired.map((s) => s.to.toISOString())).toEqual(['2026-11-23T14:30:15.000Z', '2026-11-23T14:30:30.000Z']);
  });

  it('a failed look is reported and the firer still fires on that tick; the next tick looks again', async () => {
    const { journal, detector, firer } = fakes({ detectorFails: (n) => n === 1 });
    const changeErrors: string[] = [];
    const firerErrors: unknown[] = [];
    const loop = startFiringLoop({
      firer,
      changes: detector,
      intervalMs: 1_000,
      now: () => new Date(),
      onChangeError: (error) => changeErrors.push((error as Error).message),
      onError: (error) => firerErrors.push(error),
    });

    await vi.advanceTimersByTimeAsync(2_000);
    await loop.stop();

    expect(journal).toEqual(['look 1', 'fire 1 to 2026-11-23T14:30:01.000Z', 'look 2', 'fire 2 to 2026-11-23T14:30:02.000Z']);
    expect(changeErrors).toEqual(['ListSchedules failed on look 1']);
    expect(firerErrors).toEqual([]);
  });

  it('a failed fire does not stop the loop: the next tick looks and fires again', async () => {
    const { journal, detector, firer } = fakes({ firerFails: (n) => n === 1 });
    const firerErrors: string[] = [];
    const loop = startFiringLoop({ firer, changes: detector, intervalMs: 1_000, now: () => new Date(), onError: (error) => firerErrors.push((error as Error).message) });

    await vi.advanceTimersByTimeAsync(2_000);
    await loop.stop();

    expect(journal).toEqual(['look 1', 'fire 1 to 2026-11-23T14:30:01.000Z', 'look 2', 'fire 2 to 2026-11-23T14:30:02.000Z']);
    expect(firerErrors).toEqual(['RunTask failed on fire 1']);
  });

  it('without a detector it only fires, and nothing runs after stop()', async () => {
    const { journal, firer } = fakes();
    const loop = startFiringLoop({ firer, intervalMs: 1_000, now: () => new Date() });
    await vi.advanceTimersByTimeAsync(1_000);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(journal).toEqual(['fire 1 to 2026-11-23T14:30:01.000Z']);
  });
});
