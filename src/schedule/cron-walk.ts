/**
 * Steps through the wall-clock times a cron expression selects, field by field (year, month, day,
 * then time of day), so that a rare schedule costs a few dozen month checks, not a minute-by-minute scan.
 * Wall times here are zone-less; evaluate.ts turns them into instants.
 */
import { hasDay, matchingDays } from './cron-days.ts';
import type { CronExpression } from './expression.ts';

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight: hour * 60 + minute. */
  readonly minuteOfDay: number;
}

const timesOfDayCache = new WeakMap<CronExpression, readonly number[]>();

/** All selected minutes of a day, ascending (hours and minutes are both sorted, so this is too). */
function timesOfDay(cron: CronExpression): readonly number[] {
  let times = timesOfDayCache.get(cron);
  if (times === undefined) {
    times = cron.hours.flatMap((hour) => cron.minutes.map((minute) => hour * 60 + minute));
    timesOfDayCache.set(cron, times);
  }
  return times;
}

/** The earliest selected wall time strictly after `after`. */
export function nextWallTime(cron: CronExpression, after: WallTime): WallTime | undefined {
  const times = timesOfDay(cron);
  if (dayMatches(cron, after.year, after.month, after.day)) {
    const time = firstAbove(times, after.minuteOfDay);
    if (time !== undefined) return { ...after, minuteOfDay: time };
  }
  const first = times[0];
  const day = nextDay(cron, after.year, after.month, after.day);
  return day === undefined || first === undefined ? undefined : { ...day, minuteOfDay: first };
}

/** The latest selected wall time strictly before `before`; minuteOfDay 1440 means "before the next midnight". */
export function previousWallTime(cron: CronExpression, before: WallTime): WallTime | undefined {
  const times = timesOfDay(cron);
  if (dayMatches(cron, before.year, before.month, before.day)) {
    const time = lastBelow(times, before.minuteOfDay);
    if (time !== undefined) return { ...before, minuteOfDay: time };
  }
  const last = times[times.length - 1];
  const day = previousDay(cron, before.year, before.month, before.day);
  return day === undefined || last === undefined ? undefined : { ...day, minuteOfDay: last };
}

interface Day {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function dayMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  return cron.years.includes(year) && cron.months.includes(month) && hasDay(matchingDays(cron, year, month), day);
}

// The loops below are bounded by the year list (at most 1970-2199), so impossible
// combinations such as cron(0 0 30 2 ? *) end after 230 cheap month checks.
function nextDay(cron: CronExpression, year: number, month: number, day: number): Day | undefined {
  for (const y of cron.years) {
    if (y < year) continue;
    for (const m of cron.months) {
      if (y === year && m < month) continue;
      const mask = matchingDays(cron, y, m);
      if (mask === 0) continue;
      for (let d = y === year && m === month ? day + 1 : 1; d <= 31; d++) {
        if (hasDay(mask, d)) return { year: y, month: m, day: d };
      }
    }
  }
  return undefined;
}

function previousDay(cron: CronExpression, year: number, month: number, day: number): Day | undefined {
  for (let yi = cron.years.length - 1; yi >= 0; yi--) {
    const y = cron.years[yi]!;
    if (y > year) continue;
    for (let mi = cron.months.length - 1; mi >= 0; mi--) {
      const m = cron.months[mi]!;
      if (y === year && m > month) continue;
      const mask = matchingDays(cron, y, m);
      if (mask === 0) continue;
      for (let d = y === year && m === month ? day - 1 : 31; d >= 1; d--) {
        if (hasDay(mask, d)) return { year: y, month: m, day: d };
      }
    }
  }
  return undefined;
}

function firstAbove(sorted: readonly number[], value: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

function lastBelow(sorted: readonly number[], value: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : sorted[lo - 1];
}
