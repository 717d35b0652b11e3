/**
 * Makes moto's clock follow the sandbox's virtual clock. moto-launcher.py reads the file named by
 * OPS_SANDBOX_CLOCK_FILE on every datetime.now(), so whatever moto stamps (CreationDate,
 * LastModificationDate, ECS task times, SNS and SQS timestamps) is the virtual instant the replay
 * stands at, not the day the machine happens to run on.
 *
 * A file rather than an API call: VirtualClock.set is synchronous, and every process that drives the
 * clock (a test worker, the demo, `ops sandbox up`) can write it without a round trip.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { createVirtualClock, type VirtualClock } from './virtual-clock.ts';

/** moto-launcher.py reads the clock file named by this variable. */
export const MOTO_CLOCK_ENV = 'OPS_SANDBOX_CLOCK_FILE';

/**
 * How long moto's clock stands still at an instant before it starts running at real speed: far longer
 * than one replay step takes, so a replay sees exactly the instants it sets, yet short enough that a
 * long poll or a time-based ECS task transition still ends on a sandbox nobody drives.
 */
export const DEFAULT_HOLD_MS = 10_000;

export interface MotoClockOptions {
  /** See DEFAULT_HOLD_MS; 0 makes moto's clock run from each instant at once (`ops sandbox up --day`). */
  holdMs?: number;
  /** Instants of one timeline never go back in moto; a new timeline (a new replay) may start anywhere. */
  timeline?: string;
}

/** A sink for VirtualClock changes that writes them to moto's clock file (atomically: rename into place). */
export function motoClockMirror(file: string, options: MotoClockOptions = {}): (instant: Date) => void {
  const timeline = options.timeline ?? randomUUID();
  const holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
  let seq = 0;
  return (instant) => {
    const temp = `${file}.${process.pid}.${++seq}.tmp`;
    writeFileSync(temp, JSON.stringify({ timeline, epochMs: instant.getTime(), holdMs, iso: instant.toISOString() }));
    renameSync(temp, file);
  };
}

/**
 * A virtual clock at `start` that moto follows through `clockFile` (MotoServer.clockFile). Without a
 * file (a moto started elsewhere) the clock is unbound and that moto keeps the wall clock.
 */
export function motoFollowedClock(start: Date, clockFile: string | undefined): VirtualClock {
  return createVirtualClock(start, clockFile ? { onChange: motoClockMirror(clockFile) } : {});
}
