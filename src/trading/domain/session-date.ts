/**
 * Which trading date a workflow runs "as of". Only NYSE sessions have closes, so a date that is not
 * one (a weekend, a holiday, a special closure) means the most recent session on or before it: what
 * a person asking for "the closes as of Sunday" expects, and what the market data would serve anyway.
 * Pure over an injected calendar and clock; nothing here reads the wall clock.
 */
import { nyse, type MarketCalendar } from '../../market/index.ts';
import { FaultError } from '../../errors.ts';

export interface SessionDate {
  /** The date asked for (YYYY-MM-DD). */
  requested: string;
  /** The most recent session on or before it: `requested` itself when it is one. */
  session: string;
  /** Why `requested` is not a session ('weekend', 'Thanksgiving Day', …); absent when it is one. */
  closedReason?: string;
}

type SessionCalendar = Pick<MarketCalendar, 'session'>;

/** A session is at most a few days back (the longest NYSE closure streak is 4 weekdays plus a weekend). */
const MAX_STEPS_BACK = 31;
const DAY_MS = 86_400_000;

/** The most recent session on or before `date`. Throws INVALID_DATE / UNSUPPORTED_YEAR from the calendar. */
export function sessionOnOrBefore(date: string, calendar: SessionCalendar = nyse): SessionDate {
  const asked = calendar.session(date);
  if (asked.open) return { requested: date, session: date };
  const closedReason = asked.reason === 'weekend' ? 'weekend' : (asked.name ?? asked.reason);
  let ms = Date.parse(`${date}T00:00:00Z`);
  for (let step = 0; step < MAX_STEPS_BACK; step++) {
    ms -= DAY_MS;
    const candidate = new Date(ms).toISOString().slice(0, 10);
    if (calendar.session(candidate).open) return { requested: date, session: candidate, closedReason };
  }
  throw new FaultError('NO_RECENT_SESSION', `No trading session in the ${MAX_STEPS_BACK} days up to ${date}.`);
}

/** Today's session in New York at `now`, or the most recent one before it when the market does not trade today. */
export function currentSessionDate(now: Date, calendar: Pick<MarketCalendar, 'session' | 'sessionAt'> = nyse): SessionDate {
  return sessionOnOrBefore(calendar.sessionAt(now).date, calendar);
}

/** One line for the user when the date asked for is not a session; undefined when it is one. */
export function describeSessionDate(date: SessionDate): string | undefined {
  if (date.session === date.requested) return undefined;
  return `${date.requested} is not an NYSE session (${date.closedReason ?? 'closed'}); using the most recent session, ${date.session}.`;
}
