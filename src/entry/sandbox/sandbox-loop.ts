/**
 * What AWS keeps doing between two looks of an engineer, on the sandbox, stepped on the virtual
 * clock. Each tick, in this order:
 *
 * 1. the clock moves to the tick (ticks sit on whole multiples of `tickMs`, so on whole seconds);
 * 2. the change detector looks and the change checks run (CloudTrail → EventBridge → the healthcheck):
 *    a write made before the tick is seen by it, so `tickMs` is the sandbox's CloudTrail delivery delay;
 * 3. Scheduler fires what is due up to the tick (the firer reads every schedule as it is now);
 * 4. dead letters of those fires go to their consumer;
 * 5. on a multiple of `fleetEveryMs`, the 5-minute healthcheck runs.
 *
 * Detection before firing at the same instant is the order that decides "repaired before the next
 * fire" when the write and the fire are a tick apart; AWS gives no such order, so a write within
 * `tickMs` of a fire may miss it there as here. Nothing waits on the wall clock.
 */
import type { DrainSummary } from '../../sandbox/dead-letter-consumer.ts';
import type { ChangeDrain } from '../../sandbox/change-consumer.ts';
import type { ChangeTick } from '../../sandbox/change-events.ts';
import type { AdvanceSummary, Firer } from '../../sandbox/firer.ts';
import type { VirtualClock } from '../../sandbox/virtual-clock.ts';

export type LoopEvent<F> =
  | { kind: 'change'; at: Date; tick: ChangeTick; drain: ChangeDrain }
  | { kind: 'fired'; at: Date; summary: AdvanceSummary }
  | { kind: 'dead-letters'; at: Date; drain: DrainSummary }
  | { kind: 'fleet'; at: Date; result: F };

export interface SandboxLoopOptions<F> {
  clock: VirtualClock;
  firer: Firer;
  /** The change detector and its consumer (startSandboxChangeChecks). */
  changes?: { step(): Promise<{ tick: ChangeTick; drain: ChangeDrain }> };
  deadLetters?: { drain(): Promise<DrainSummary> };
  /** The 5-minute healthcheck: Scheduler invokes it on rate(5 minutes). */
  fleet?: { everyMs: number; run: (now: Date) => Promise<F> };
  tickMs: number;
  /** Told of every tick that did something, as it happens. */
  onEvent?: (event: LoopEvent<F>) => void | Promise<void>;
}

export interface SandboxLoop {
  /** Ticks up to and including `instant`. */
  runUntil(instant: Date): Promise<void>;
}

export function createSandboxLoop<F>(options: SandboxLoopOptions<F>): SandboxLoop {
  const { clock, firer, tickMs } = options;
  if (!Number.isInteger(tickMs) || tickMs < 1 || (options.fleet !== undefined && options.fleet.everyMs % tickMs !== 0)) {
    throw new RangeError(`tickMs must be a positive integer that divides the fleet period, got ${tickMs}.`);
  }
  const emit = async (event: LoopEvent<F>) => options.onEvent?.(event);

  async function tickAt(at: Date): Promise<void> {
    clock.set(at);
    if (options.changes) {
      const step = await options.changes.step();
      if (step.tick.emitted.length > 0 || step.drain.deliveries.length > 0) await emit({ kind: 'change', at, ...step });
    }
    const summary = await firer.advanceTo(at);
    if (summary.invocations > 0) await emit({ kind: 'fired', at, summary });
    if (options.deadLetters) {
      const drain = await options.deadLetters.drain();
      if (drain.received > 0) await emit({ kind: 'dead-letters', at, drain });
    }
    if (options.fleet && at.getTime() % options.fleet.everyMs === 0) await emit({ kind: 'fleet', at, result: await options.fleet.run(at) });
  }

  return {
    async runUntil(instant) {
      for (let t = (Math.floor(clock.now().getTime() / tickMs) + 1) * tickMs; t <= instant.getTime(); t += tickMs) await tickAt(new Date(t));
    },
  };
}
