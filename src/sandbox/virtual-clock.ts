/**
 * The sandbox's notion of "now". moto has no time control, so the firer runs on this clock instead:
 * tests and replays move it explicitly (to 2026-01-29 16:36Z, say), and `ops sandbox up --fire`
 * moves it to the wall clock on each tick.
 */
import { FaultError } from '../errors.ts';

export interface VirtualClock {
  now(): Date;
  /** Moves the clock to `instant`; it never goes backwards. */
  set(instant: Date): void;
  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): Date;
}

export function createVirtualClock(start: Date): VirtualClock {
  let current = checked(start, 'start');
  return {
    now: () => new Date(current),
    set(instant) {
      const ms = checked(instant, 'instant');
      if (ms < current) {
        throw new FaultError('CLOCK_BACKWARDS', `The virtual clock cannot go back from ${new Date(current).toISOString()} to ${instant.toISOString()}.`);
      }
      current = ms;
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new FaultError('CLOCK_BACKWARDS', `The virtual clock only moves forward; got ${ms} ms.`);
      current += ms;
      return new Date(current);
    },
  };
}

function checked(date: Date, what: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new FaultError('INVALID_ARGUMENT', `The virtual clock ${what} is not a valid date.`);
  return ms;
}
