/**
 * The sandbox's notion of "now". Tests and replays move it explicitly (to Monday 09:35 New York,
 * say), and `ops sandbox up --fire` moves it to the wall clock on each tick. With `onChange` wired
 * to moto's clock file (moto-clock.ts), moto stamps the same instants, so there is one time in the
 * sandbox.
 */
import { FaultError } from '../errors.ts';

export interface VirtualClock {
  now(): Date;
  /** Moves the clock to `instant`; it never goes backwards. */
  set(instant: Date): void;
  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): Date;
}

export interface VirtualClockOptions {
  /** Called with the start instant at once, and with every new instant after that. */
  onChange?: (instant: Date) => void;
}

export function createVirtualClock(start: Date, options: VirtualClockOptions = {}): VirtualClock {
  let current = checked(start, 'start');
  const notify = options.onChange ?? (() => undefined);
  notify(new Date(current));
  const moveTo = (ms: number): void => {
    if (ms === current) return;
    current = ms;
    notify(new Date(current));
  };
  return {
    now: () => new Date(current),
    set(instant) {
      const ms = checked(instant, 'instant');
      if (ms < current) {
        throw new FaultError('CLOCK_BACKWARDS', `The virtual clock cannot go back from ${new Date(current).toISOString()} to ${instant.toISOString()}.`);
      }
      moveTo(ms);
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new FaultError('CLOCK_BACKWARDS', `The virtual clock only moves forward; got ${ms} ms.`);
      moveTo(current + ms);
      return new Date(current);
    },
  };
}

function checked(date: Date, what: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new FaultError('INVALID_ARGUMENT', `The virtual clock ${what} is not a valid date.`);
  return ms;
}
