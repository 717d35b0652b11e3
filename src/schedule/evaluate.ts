/**
 * When a schedule fires. All zone math goes through Temporal; instants in and out are JS Dates.
 *
 * Semantics, following the EventBridge Scheduler docs:
 * - The window is startDate <= fire < endDate. AWS documents StartDate as "invocations might occur on,
 *   or after" it (inclusive) and EndDate as the date "before which" the schedule can invoke (exclusive).
 * - cron: wall-clock times in the timezone. A wall time that does not exist (spring-forward gap) is
 *   skipped; a wall time that occurs twice (fall-back overlap) fires once, at the earlier instant.
 * - rate: fires at anchor + k * period for k >= 0, where anchor is startDate if given, else the
 *   `anchor` option (normally the schedule's creation time). Periods are fixed durations, so
 *   rate(1 day) keeps the same UTC time across DST changes.
 * - at: fires once at that wall time; a time in a spring-forward gap moves forward by the gap
 *   (Temporal 'compatible'), a repeated time takes the earlier instant.
 */
import { Temporal } from 'temporal-polyfill';
import { FaultError, UserError } from '../errors.ts';
import { nextWallTime, previousWallTime, type WallTime } from './cron-walk.ts';
import type { AtExpression, CronExpression, ParsedExpression, RateExpression } from './expression.ts';
import { parseExpression } from './parse.ts';
import { validateTimezone } from './timezone.ts';

export interface WindowOptions {
  /** IANA timezone for cron and at wall times; default UTC. */
  timezone?: string;
  /** No fire before this instant (inclusive). */
  startDate?: Date;
  /** No fire at or after this instant (exclusive). */
  endDate?: Date;
  /** rate() only: the instant the period counts from when there is no startDate (creation time). */
  anchor?: Date;
}

/** fireTimesBetween stops here unless told otherwise, so a wide window cannot exhaust memory. */
export const DEFAULT_FIRE_LIMIT = 10_000;

interface Window {
  readonly timezone: string;
  /** Fires must be >= startMs and < endMs. */
  readonly startMs: number;
  readonly endMs: number;
  readonly anchorMs: number | undefined;
}

/** Up to `count` fire times strictly after `after`, ascending, inside the start/end window. */
export function nextFireTimes(expr: string | ParsedExpression, opts: WindowOptions & { after: Date; count: number }): Date[] {
  if (!Number.isInteger(opts.count) || opts.count < 0) {
    throw new FaultError('INVALID_ARGUMENT', `nextFireTimes count must be a whole number >= 0, got ${opts.count}`);
  }
  return collectForward(toParsed(expr), toWindow(opts), toMs(opts.after, 'after'), opts.count).map((ms) => new Date(ms));
}

/** The latest fire time <= atOrBefore inside the start/end window, or undefined. */
export function previousFireTime(expr: string | ParsedExpression, opts: WindowOptions & { atOrBefore: Date }): Date | undefined {
  const parsed = toParsed(expr);
  const window = toWindow(opts);
  const upperMs = Math.min(toMs(opts.atOrBefore, 'atOrBefore'), window.endMs - 1);
  const ms = latestAtOrBefore(parsed, window, upperMs);
  return ms === undefined || ms < window.startMs ? undefined : new Date(ms);
}

/** Fire times in (after, atOrBefore], ascending, at most `limit` (default DEFAULT_FIRE_LIMIT). */
export function fireTimesBetween(
  expr: string | ParsedExpression,
  opts: WindowOptions & { after: Date; atOrBefore: Date; limit?: number },
): Date[] {
  const limit = opts.limit ?? DEFAULT_FIRE_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new FaultError('INVALID_ARGUMENT', `fireTimesBetween limit must be a whole number >= 0, got ${limit}`);
  }
  const window = toWindow(opts);
  const narrowed = { ...window, endMs: Math.min(window.endMs, toMs(opts.atOrBefore, 'atOrBefore') + 1) };
  return collectForward(toParsed(expr), narrowed, toMs(opts.after, 'after'), limit).map((ms) => new Date(ms));
}

function collectForward(expr: ParsedExpression, window: Window, afterMs: number, count: number): number[] {
  const fires: number[] = [];
  if (count === 0) return fires;
  // Fires are whole milliseconds, so "> startMs - 1" is "at or after startDate".
  const lowerMs = Math.max(afterMs, window.startMs - 1);
  for (const ms of forward(expr, window, lowerMs)) {
    if (ms >= window.endMs) break;
    fires.push(ms);
    if (fires.length >= count) break;
  }
  return fires;
}

function forward(expr: ParsedExpression, window: Window, afterMs: number): Iterable<number> {
  switch (expr.kind) {
    case 'cron':
      return cronForward(expr, window.timezone, afterMs);
    case 'rate':
      return rateForward(expr, rateAnchor(expr, window), afterMs);
    case 'at': {
      const ms = atInstant(expr, window.timezone);
      return ms > afterMs ? [ms] : [];
    }
  }
}

function latestAtOrBefore(expr: ParsedExpression, window: Window, upperMs: number): number | undefined {
  switch (expr.kind) {
    case 'cron':
      return cronLatest(expr, window.timezone, upperMs);
    case 'rate': {
      const anchorMs = rateAnchor(expr, window);
      if (upperMs < anchorMs) return undefined;
      return anchorMs + Math.floor((upperMs - anchorMs) / expr.periodMs) * expr.periodMs;
    }
    case 'at': {
      const ms = atInstant(expr, window.timezone);
      return ms <= upperMs ? ms : undefined;
    }
  }
}

function* cronForward(cron: CronExpression, timezone: string, afterMs: number): Generator<number> {
  // Wall times at or before wall(after) map (with 'earlier') to instants at or before `after`, so the
  // walk can start there; the only candidates still <= after are in a fall-back overlap, skipped below.
  let wall: WallTime | undefined = wallTimeOf(zoned(afterMs, timezone));
  while ((wall = nextWallTime(cron, wall)) !== undefined) {
    const ms = wallToInstant(wall, timezone);
    if (ms !== undefined && ms > afterMs) yield ms;
  }
}

function cronLatest(cron: CronExpression, timezone: string, upperMs: number): number | undefined {
  const upper = zoned(upperMs, timezone);
  let start = upper.toPlainDateTime();
  // If `upper` is the second pass of a fall-back overlap, the clock already showed wall times up to
  // the overlap's length later than wall(upper) at instants before `upper`; widen the start by that.
  const firstPassMs = start.toZonedDateTime(timezone, { disambiguation: 'earlier' }).epochMilliseconds;
  if (firstPassMs < upperMs) start = start.add({ milliseconds: upperMs - firstPassMs });
  let wall = previousWallTime(cron, { ...wallTimeOf(start), minuteOfDay: start.hour * 60 + start.minute + 1 });
  while (wall !== undefined) {
    const ms = wallToInstant(wall, timezone);
    if (ms !== undefined && ms <= upperMs) return ms;
    wall = previousWallTime(cron, wall);
  }
  return undefined;
}

function wallTimeOf(value: Temporal.ZonedDateTime | Temporal.PlainDateTime): WallTime {
  return { year: value.year, month: value.month, day: value.day, minuteOfDay: value.hour * 60 + value.minute };
}

/** The instant of a wall time, or undefined when the clock skips it (spring-forward gap). */
function wallToInstant(wall: WallTime, timezone: string): number | undefined {
  const hour = Math.floor(wall.minuteOfDay / 60);
  const minute = wall.minuteOfDay % 60;
  const zdt = new Temporal.PlainDateTime(wall.year, wall.month, wall.day, hour, minute).toZonedDateTime(timezone, {
    disambiguation: 'earlier',
  });
  // In a gap, 'earlier' lands on a different wall time; a time that exists round-trips unchanged.
  const exists = zdt.day === wall.day && zdt.hour === hour && zdt.minute === minute && zdt.month === wall.month && zdt.year === wall.year;
  return exists ? zdt.epochMilliseconds : undefined;
}

/** The last instant a JS Date can hold (year 275760); nothing fires after it as far as callers can tell. */
const MAX_DATE_MS = 8.64e15;

function* rateForward(rate: RateExpression, anchorMs: number, afterMs: number): Generator<number> {
  let k = afterMs < anchorMs ? 0 : Math.floor((afterMs - anchorMs) / rate.periodMs) + 1;
  for (;;) {
    const ms = anchorMs + k * rate.periodMs;
    // Past the Date range new Date(ms) is an Invalid Date that throws on toISOString(), so stop here.
    if (ms > MAX_DATE_MS) return;
    // k comes from a float division; with anchor and after far apart it can land one period early.
    if (ms > afterMs) yield ms;
    k++;
  }
}

function rateAnchor(rate: RateExpression, window: Window): number {
  if (window.anchorMs === undefined) {
    throw new UserError(
      'RATE_ANCHOR_REQUIRED',
      `${rate.source} fires relative to when it starts, but neither startDate nor anchor was given`,
      'Pass startDate (the schedule StartDate) or anchor (the schedule creation time) so rate() fire times can be computed.',
    );
  }
  return window.anchorMs;
}

function atInstant(at: AtExpression, timezone: string): number {
  return Temporal.PlainDateTime.from(at.dateTime).toZonedDateTime(timezone, { disambiguation: 'compatible' }).epochMilliseconds;
}

function zoned(ms: number, timezone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timezone);
}

function toParsed(expr: string | ParsedExpression): ParsedExpression {
  return typeof expr === 'string' ? parseExpression(expr) : expr;
}

function toWindow(opts: WindowOptions): Window {
  const startMs = opts.startDate === undefined ? -Infinity : toMs(opts.startDate, 'startDate');
  return {
    timezone: validateTimezone(opts.timezone ?? 'UTC'),
    startMs,
    endMs: opts.endDate === undefined ? Infinity : toMs(opts.endDate, 'endDate'),
    anchorMs: opts.startDate === undefined ? (opts.anchor === undefined ? undefined : toMs(opts.anchor, 'anchor')) : startMs,
  };
}

function toMs(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(ms)) throw new FaultError('INVALID_ARGUMENT', `${name} must be a valid Date`);
  return ms;
}
