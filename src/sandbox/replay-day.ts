/**
 * Which New York calendar day a replay (the demo, `ops sandbox up --day`, a scenario) runs on. The
 * default is the next regular NYSE session on or after today, found with our own calendar, so a
 * replay always shows a normal trading morning whatever day the machine runs on; `--day` picks any
 * other: an early close, a holiday, a weekend.
 */
import { Temporal } from 'temporal-polyfill';
import { UserError } from '../errors.ts';
import { nyse, type MarketCalendar, type Session } from '../market/index.ts';
import { formatClock } from '../time-format.ts';

export const ReplayDayKind = { regular: 'regular', earlyClose: 'early-close', closed: 'closed' } as const;
export type ReplayDayKind = (typeof ReplayDayKind)[keyof typeof ReplayDayKind];

export interface ReplayDay {
  /** YYYY-MM-DD in New York. */
  date: string;
  kind: ReplayDayKind;
  session: Session;
  /** 09:30 New York on that date: the open on a trading day, the same wall time on any other. */
  open: Date;
  /** E.g. `Monday 2027-03-15, a regular session 09:30-16:00 ET`. */
  description: string;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const OPEN_WALL_TIME = '09:30';

/** `text` as a replay day, or (undefined) the next regular session on or after the New York date of `now`. */
export function resolveReplayDay(text: string | undefined, now: Date, calendar: MarketCalendar = nyse): ReplayDay {
  return text === undefined ? nextRegularSession(now, calendar) : replayDay(text, calendar);
}

export function replayDay(text: string, calendar: MarketCalendar = nyse): ReplayDay {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new UserError('INVALID_DAY', `--day must be a date as YYYY-MM-DD, got "${text}".`, 'Pass a New York calendar date such as 2027-03-15, or omit --day for the next regular session.');
  }
  // The calendar rejects impossible dates (2027-02-30) and years it does not cover, with its own hint.
  return describe(calendar.session(text), calendar);
}

export function nextRegularSession(now: Date, calendar: MarketCalendar = nyse): ReplayDay {
  let day = Temporal.PlainDate.from(calendar.sessionAt(now).date);
  // Early closes are skipped too: the default must be a full trading day. Two weeks always holds one.
  for (let i = 0; i < 14; i++, day = day.add({ days: 1 })) {
    const session = calendar.session(day.toString());
    if (session.open && !session.earlyClose) return describe(session, calendar);
  }
  throw new UserError('NO_REGULAR_SESSION', `No regular NYSE session in the two weeks from ${now.toISOString()}.`, 'Pass --day YYYY-MM-DD.');
}

/** The instant of wall time `hhmm` (HH:MM) on `date` in `timezone`; a time skipped by DST moves forward, as Scheduler does. */
export function wallTimeOn(date: string, hhmm: string, timezone: string): Date {
  const zoned = Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: timezone, plainTime: Temporal.PlainTime.from(hhmm) });
  return new Date(zoned.epochMilliseconds);
}

/** Whole New York calendar days from the date of `instant` to `date` (negative when `date` is earlier). */
export function daysUntil(instant: Date, date: string, timezone: string): number {
  const from = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timezone).toPlainDate();
  return from.until(Temporal.PlainDate.from(date), { largestUnit: 'days' }).days;
}

function describe(session: Session, calendar: MarketCalendar): ReplayDay {
  const weekday = WEEKDAYS[Temporal.PlainDate.from(session.date).dayOfWeek - 1] ?? '';
  const open = wallTimeOn(session.date, OPEN_WALL_TIME, calendar.timezone);
  if (!session.open) {
    const why = session.reason === 'weekend' ? 'weekend' : `${session.name ?? session.reason}`;
    return { date: session.date, kind: ReplayDayKind.closed, session, open, description: `${weekday} ${session.date}, market closed (${why})` };
  }
  const hours = `${formatClock(session.openAt, calendar.timezone)}-${formatClock(session.closeAt, calendar.timezone)} ET`;
  return session.earlyClose
    ? { date: session.date, kind: ReplayDayKind.earlyClose, session, open, description: `${weekday} ${session.date}, an early close ${hours} (${session.earlyCloseReason ?? 'early close'})` }
    : { date: session.date, kind: ReplayDayKind.regular, session, open, description: `${weekday} ${session.date}, a regular session ${hours}` };
}
