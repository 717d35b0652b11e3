/**
 * The NYSE trading calendar: which days trade, when each session opens and closes, and the
 * next/previous boundary from any instant. Pure and synchronous, so schedulers and the CLI can call
 * it freely and tests need no clock or network.
 *
 * Every wall-clock-to-instant conversion goes through Temporal in America/New_York, never a
 * hand-written UTC offset, so DST changes (which happen on weekends, but shift the UTC time of the
 * following sessions) are handled by the time zone database.
 */
import { Temporal } from 'temporal-polyfill';
import { clipText } from '../clip-text.ts';
import { UserError } from '../errors.ts';
import { yearRules } from './holidays.ts';
import type { YearRules } from './holidays.ts';
import closuresJson from './special-closures.json' with { type: 'json' };
import { isIsoDate, parseSpecialClosures, SPECIAL_CLOSURES_FILE } from './special-closures.ts';
import type { SpecialClosure } from './special-closures.ts';

export const ClosedReason = { weekend: 'weekend', holiday: 'holiday', specialClosure: 'special-closure' } as const;
export type ClosedReason = (typeof ClosedReason)[keyof typeof ClosedReason];

export interface OpenSession {
  date: string;
  open: true;
  openAt: Date;
  closeAt: Date;
  earlyClose: boolean;
  /** Present only when earlyClose is true, e.g. 'Day after Thanksgiving'. */
  earlyCloseReason?: string;
}

export interface ClosedSession {
  date: string;
  open: false;
  reason: ClosedReason;
  /** Holiday or special-closure name, e.g. 'Thanksgiving Day', 'Hurricane Sandy'; absent on weekends. */
  name?: string;
}

export type Session = OpenSession | ClosedSession;

export interface OpenStatus {
  open: true;
  at: Date;
  session: OpenSession;
  closesAt: Date;
  msUntilClose: number;
}

export interface ClosedStatus {
  open: false;
  at: Date;
  /** The session of the New York date containing `at` (open when we are before open or after close). */
  session: Session;
  /** 'weekend', 'before open', 'after close', or the holiday / special-closure name. */
  reason: string;
  opensAt: Date;
  nextSession: OpenSession;
  msUntilOpen: number;
}

export type MarketStatus = OpenStatus | ClosedStatus;

export interface MarketCalendar {
  readonly name: string;
  readonly timezone: string;
  readonly supportedYears: { readonly from: number; readonly to: number };
  /** Throws INVALID_DATE for anything but a real YYYY-MM-DD date, UNSUPPORTED_YEAR outside supportedYears. */
  session(date: string): Session;
  /** The session of the New York calendar date that contains `instant`. */
  sessionAt(instant: Date): Session;
  /** openAt <= instant < closeAt. */
  isOpen(instant: Date): boolean;
  /** The first openAt strictly after `instant` (when open now, the next session's). */
  nextOpen(instant: Date): Date;
  /** The first closeAt strictly after `instant`. */
  nextClose(instant: Date): Date;
  /** The last closeAt at or before `instant`. */
  previousClose(instant: Date): Date;
  status(instant: Date): MarketStatus;
}

export const NYSE_TIMEZONE = 'America/New_York';

/**
 * The holiday rules (Juneteenth from 2022, MLK Day observed since 1998, uniform early-close rules)
 * and special-closures.json are only maintained for these years; answering outside them would be a
 * guess, so every entry point refuses instead.
 */
export const SUPPORTED_YEARS: { readonly from: number; readonly to: number } = Object.freeze({ from: 2000, to: 2099 });

const SESSION_OPEN = Temporal.PlainTime.from('09:30');
const REGULAR_CLOSE = Temporal.PlainTime.from('16:00');
const EARLY_CLOSE = Temporal.PlainTime.from('13:00');

const SATURDAY = 6;

/** The special closures shipped in special-closures.json, validated when this module loads. */
export const nyseSpecialClosures: readonly SpecialClosure[] = Object.freeze(
  parseSpecialClosures(closuresJson, SPECIAL_CLOSURES_FILE, SUPPORTED_YEARS),
);

// The hints are for the person who typed the date. For maintainers: widening SUPPORTED_YEARS needs the
// holiday rules and SPECIAL_CLOSURES_FILE extended to the new years first, or answers there are guesses.
const UNSUPPORTED_YEAR_HINT = `Use a date from ${SUPPORTED_YEARS.from} to ${SUPPORTED_YEARS.to}: the NYSE calendar in ops covers only those years.`;
const SEEK_BEYOND_YEARS_HINT = `Use an instant whose previous and next NYSE sessions both fall within ${SUPPORTED_YEARS.from}–${SUPPORTED_YEARS.to}.`;

function unsupportedYear(message: string, hint: string = UNSUPPORTED_YEAR_HINT): UserError {
  return new UserError('UNSUPPORTED_YEAR', message, hint);
}

function inSupportedYears(year: number): boolean {
  return year >= SUPPORTED_YEARS.from && year <= SUPPORTED_YEARS.to;
}

function parseDate(date: string): Temporal.PlainDate {
  // typeof guard because plain-JS callers (and JSON input) can hand us anything.
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw new UserError(
      'INVALID_DATE',
      `Invalid date ${clipText(JSON.stringify(date) ?? String(date))}: expected a real calendar date written YYYY-MM-DD.`,
      'Pass a zero-padded ISO date such as 2026-11-27.',
    );
  }
  const day = Temporal.PlainDate.from(date);
  if (!inSupportedYears(day.year)) {
    throw unsupportedYear(`The NYSE calendar covers ${SUPPORTED_YEARS.from}–${SUPPORTED_YEARS.to} only; ${date} (year ${day.year}) is outside it.`);
  }
  return day;
}

function millis(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UserError('INVALID_DATE', 'Invalid instant: expected a valid JavaScript Date.', 'Pass a Date built from a valid timestamp, e.g. new Date("2026-11-27T15:00:00Z").');
  }
  return ms;
}

/** The New York calendar date containing `ms`, refusing instants whose date is outside the supported years. */
function newYorkDate(ms: number): Temporal.PlainDate {
  const day = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(NYSE_TIMEZONE).toPlainDate();
  if (!inSupportedYears(day.year)) {
    throw unsupportedYear(
      `The NYSE calendar covers ${SUPPORTED_YEARS.from}–${SUPPORTED_YEARS.to} only; ${new Date(ms).toISOString()} is ${day.toString()} in New York, outside it.`,
    );
  }
  return day;
}

function wallClock(day: Temporal.PlainDate, time: Temporal.PlainTime): Date {
  return new Date(day.toZonedDateTime({ timeZone: NYSE_TIMEZONE, plainTime: time }).epochMilliseconds);
}

/**
 * Builds a calendar. `specialClosures`, when given, replaces the shipped list (pass
 * `[...nyseSpecialClosures, extra]` to add to it); it is validated like the file.
 */
export function createNyseCalendar(opts: { specialClosures?: SpecialClosure[] } = {}): MarketCalendar {
  const closures =
    opts.specialClosures === undefined
      ? nyseSpecialClosures
      : parseSpecialClosures(opts.specialClosures, 'createNyseCalendar({ specialClosures })', SUPPORTED_YEARS);
  const closureNames = new Map(closures.map((c) => [c.date, c.name] as const));

  // Rules are pure per year; cache them because boundary searches and the CLI ask about the same few years repeatedly.
  const rulesCache = new Map<number, YearRules>();
  const rulesFor = (year: number): YearRules => {
    let rules = rulesCache.get(year);
    if (rules === undefined) {
      rules = yearRules(year);
      rulesCache.set(year, rules);
    }
    return rules;
  };

  // Returns fresh objects every call: Dates are mutable and callers must not be able to corrupt a cache.
  const sessionOf = (day: Temporal.PlainDate): Session => {
    const date = day.toString();
    if (day.dayOfWeek >= SATURDAY) return { date, open: false, reason: ClosedReason.weekend };
    const rules = rulesFor(day.year);
    const holiday = rules.holidays.get(date);
    if (holiday !== undefined) return { date, open: false, reason: ClosedReason.holiday, name: holiday };
    const closure = closureNames.get(date);
    if (closure !== undefined) return { date, open: false, reason: ClosedReason.specialClosure, name: closure };
    const openAt = wallClock(day, SESSION_OPEN);
    const earlyCloseReason = rules.earlyCloses.get(date);
    if (earlyCloseReason === undefined) {
      return { date, open: true, openAt, closeAt: wallClock(day, REGULAR_CLOSE), earlyClose: false };
    }
    return { date, open: true, openAt, closeAt: wallClock(day, EARLY_CLOSE), earlyClose: true, earlyCloseReason };
  };

  /** The nearest open session strictly after (step 1) or before (step -1) `from`, within the supported years. */
  const seekOpenSession = (from: Temporal.PlainDate, step: 1 | -1, ms: number, what: string): OpenSession => {
    for (let day = from.add({ days: step }); ; day = day.add({ days: step })) {
      if (!inSupportedYears(day.year)) {
        throw unsupportedYear(
          `Cannot find the ${what} ${new Date(ms).toISOString()}: it would fall outside the supported years ${SUPPORTED_YEARS.from}–${SUPPORTED_YEARS.to}.`,
          SEEK_BEYOND_YEARS_HINT,
        );
      }
      const session = sessionOf(day);
      if (session.open) return session;
    }
  };

  const nextOpenSession = (ms: number): OpenSession => {
    const day = newYorkDate(ms);
    const today = sessionOf(day);
    if (today.open && ms < today.openAt.getTime()) return today;
    return seekOpenSession(day, 1, ms, 'next market open after');
  };

  const session = (date: string): Session => sessionOf(parseDate(date));
  const sessionAt = (instant: Date): Session => sessionOf(newYorkDate(millis(instant)));

  const isOpen = (instant: Date): boolean => {
    const ms = millis(instant);
    const today = sessionOf(newYorkDate(ms));
    return today.open && today.openAt.getTime() <= ms && ms < today.closeAt.getTime();
  };

  const nextOpen = (instant: Date): Date => nextOpenSession(millis(instant)).openAt;

  const nextClose = (instant: Date): Date => {
    const ms = millis(instant);
    const day = newYorkDate(ms);
    const today = sessionOf(day);
    if (today.open && ms < today.closeAt.getTime()) return today.closeAt;
    return seekOpenSession(day, 1, ms, 'next market close after').closeAt;
  };

  const previousClose = (instant: Date): Date => {
    const ms = millis(instant);
    const day = newYorkDate(ms);
    const today = sessionOf(day);
    if (today.open && today.closeAt.getTime() <= ms) return today.closeAt;
    return seekOpenSession(day, -1, ms, 'previous market close before').closeAt;
  };

  const status = (instant: Date): MarketStatus => {
    const ms = millis(instant);
    const at = new Date(ms);
    const today = sessionOf(newYorkDate(ms));
    if (today.open && today.openAt.getTime() <= ms && ms < today.closeAt.getTime()) {
      return { open: true, at, session: today, closesAt: new Date(today.closeAt.getTime()), msUntilClose: today.closeAt.getTime() - ms };
    }
    const nextSession = nextOpenSession(ms);
    let reason: string;
    if (today.open) reason = ms < today.openAt.getTime() ? 'before open' : 'after close';
    else reason = today.reason === ClosedReason.weekend ? 'weekend' : (today.name ?? today.reason);
    return {
      open: false,
      at,
      session: today,
      reason,
      opensAt: new Date(nextSession.openAt.getTime()),
      nextSession,
      msUntilOpen: nextSession.openAt.getTime() - ms,
    };
  };

  return Object.freeze({
    name: 'NYSE',
    timezone: NYSE_TIMEZONE,
    supportedYears: SUPPORTED_YEARS,
    session,
    sessionAt,
    isOpen,
    nextOpen,
    nextClose,
    previousClose,
    status,
  });
}

/** The NYSE calendar with the shipped special closures. */
export const nyse: MarketCalendar = createNyseCalendar();
