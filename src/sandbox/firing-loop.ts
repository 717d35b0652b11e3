/**
 * Real-time mode for `ops sandbox up --fire`: every `intervalMs` the firer's clock is moved to the
 * wall clock, so schedules fire (roughly) when they would in AWS. Errors are reported and the loop
 * goes on: one failed tick must not stop a long demo session.
 *
 * With `changes` (the change detector, the sandbox's CloudTrail) each tick looks for writes first and
 * fires second: a write made before the tick has its event on the bus before the fire it may affect, so
 * the sandbox's CloudTrail delay is at most one tick (AWS gives no such order). The detector's failure
 * does not keep the firer from advancing on that tick.
 */
import type { ChangeTick } from './change-events.ts';
import type { AdvanceSummary, Firer } from './firer.ts';

export interface FiringLoopOptions {
  firer: Firer;
  /** Looked at on every tick before the firer advances; its baseline is the caller's to take before the loop starts. */
  changes?: { tick(): Promise<ChangeTick> };
  intervalMs: number;
  /** Wall clock (injected; the CLI passes ctx.now). */
  now: () => Date;
  onTick?: (summary: AdvanceSummary) => void;
  onError?: (error: unknown) => void;
  onChanges?: (tick: ChangeTick) => void;
  onChangeError?: (error: unknown) => void;
}

export interface FiringLoop {
  /** Stops after the tick in progress, if any. */
  stop(): Promise<void>;
}

export function startFiringLoop(options: FiringLoopOptions): FiringLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    if (options.changes) {
      try {
        // Not inside `onChanges?.(…)`: an optional call skips evaluating its argument when there is no callback.
        const changes = await options.changes.tick();
        options.onChanges?.(changes);
      } catch (error) {
        options.onChangeError?.(error);
      }
    }
    try {
      const summary = await options.firer.advanceTo(options.now());
      options.onTick?.(summary);
    } catch (error) {
      options.onError?.(error);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, options.intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
