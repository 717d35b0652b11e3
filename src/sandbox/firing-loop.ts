/**
 * Real-time mode for `ops sandbox up --fire`: every `intervalMs` the firer's clock is moved to the
 * wall clock, so schedules fire (roughly) when they would in AWS. Errors are reported and the loop
 * goes on: one failed tick must not stop a long demo session.
 */
import type { AdvanceSummary, Firer } from './firer.ts';

export interface FiringLoopOptions {
  firer: Firer;
  intervalMs: number;
  /** Wall clock (injected; the CLI passes ctx.now). */
  now: () => Date;
  onTick?: (summary: AdvanceSummary) => void;
  onError?: (error: unknown) => void;
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
