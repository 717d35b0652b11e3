/**
 * Rule-based NYSE holidays and early closes for one year. One-off closures (mourning days, storms)
 * are data, not rules: they live in special-closures.json.
 *
 * The rules are the current NYSE ones applied uniformly; they are knowingly simplified for
 * history (for example, pre-2010s early-close practice varied) and are only maintained for the
 * calendar's supported years, which the calendar enforces.
 */
import { Temporal } from 'temporal-polyfill';
import { goodFriday } from './easter.ts';

export interface Holiday {
  /** YYYY-MM-DD of the day the exchange is closed (the observed day, not the nominal one). */
  date: string;
  name: string;
}

export interface EarlyClose {
  date: string;
  reason: string;
}

export interface YearRules {
  year: number;
  holidays: ReadonlyMap<string, string>;
  earlyCloses: ReadonlyMap<string, string>;
}

// Temporal numbers weekdays ISO-style.
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;
const SUNDAY = 7;

/** Juneteenth became a federal holiday in 2021; NYSE first closed for it in 2022. */
const JUNETEENTH_FIRST_YEAR = 2022;

function nthWeekday(year: number, month: number, weekday: number, n: number): Temporal.PlainDate {
  const first = Temporal.PlainDate.from({ year, month, day: 1 });
  const offset = (weekday - first.dayOfWeek + 7) % 7;
  return first.add({ days: offset + 7 * (n - 1) });
}

function lastWeekday(year: number, month: number, weekday: number): Temporal.PlainDate {
  const last = Temporal.PlainDate.from({ year, month, day: 1 }).add({ months: 1 }).subtract({ days: 1 });
  const offset = (last.dayOfWeek - weekday + 7) % 7;
  return last.subtract({ days: offset });
}

/**
 * The usual federal shift: a Saturday holiday is taken on Friday, a Sunday one on Monday. Returns the
 * name with "(observed)" when shifted so a status line does not claim July 3 is Independence Day.
 */
function observedWeekendShift(date: Temporal.PlainDate, name: string): Holiday {
  if (date.dayOfWeek === SATURDAY) return { date: date.subtract({ days: 1 }).toString(), name: `${name} (observed)` };
  if (date.dayOfWeek === SUNDAY) return { date: date.add({ days: 1 }).toString(), name: `${name} (observed)` };
  return { date: date.toString(), name };
}

/** All rule-based NYSE holidays in `year`, in date order. Every observed date falls inside `year`. */
export function nyseHolidays(year: number): Holiday[] {
  const holidays: Holiday[] = [];

  // NYSE rule 7.2: a Saturday New Year's Day is not observed on the Friday before, because that
  // Friday is the last trading day of the previous year (books must close on it).
  const newYear = Temporal.PlainDate.from({ year, month: 1, day: 1 });
  if (newYear.dayOfWeek === SUNDAY) {
    holidays.push({ date: newYear.add({ days: 1 }).toString(), name: "New Year's Day (observed)" });
  } else if (newYear.dayOfWeek !== SATURDAY) {
    holidays.push({ date: newYear.toString(), name: "New Year's Day" });
  }

  holidays.push({ date: nthWeekday(year, 1, MONDAY, 3).toString(), name: 'Martin Luther King Jr. Day' });
  holidays.push({ date: nthWeekday(year, 2, MONDAY, 3).toString(), name: "Washington's Birthday" });
  holidays.push({ date: goodFriday(year).toString(), name: 'Good Friday' });
  holidays.push({ date: lastWeekday(year, 5, MONDAY).toString(), name: 'Memorial Day' });
  if (year >= JUNETEENTH_FIRST_YEAR) {
    holidays.push(observedWeekendShift(Temporal.PlainDate.from({ year, month: 6, day: 19 }), 'Juneteenth National Independence Day'));
  }
  holidays.push(observedWeekendShift(Temporal.PlainDate.from({ year, month: 7, day: 4 }), 'Independence Day'));
  holidays.push({ date: nthWeekday(year, 9, MONDAY, 1).toString(), name: 'Labor Day' });
  holidays.push({ date: nthWeekday(year, 11, THURSDAY, 4).toString(), name: 'Thanksgiving Day' });
  holidays.push(observedWeekendShift(Temporal.PlainDate.from({ year, month: 12, day: 25 }), 'Christmas Day'));

  return holidays;
}

/** Rule-based 13:00 early closes in `year`, in date order. */
export function nyseEarlyCloses(year: number, holidays: ReadonlyMap<string, string>): EarlyClose[] {
  const earlyCloses: EarlyClose[] = [];
  const isMonToThu = (d: Temporal.PlainDate): boolean => d.dayOfWeek >= MONDAY && d.dayOfWeek <= THURSDAY;

  // Only July 3 itself, and only Monday-Thursday: a Friday July 3 is the observed Independence Day
  // (July 4 on Saturday), and the day before it (July 2) stays a normal full session.
  const july3 = Temporal.PlainDate.from({ year, month: 7, day: 3 });
  if (isMonToThu(july3) && !holidays.has(july3.toString())) {
    earlyCloses.push({ date: july3.toString(), reason: 'Day before Independence Day' });
  }

  const dayAfterThanksgiving = nthWeekday(year, 11, THURSDAY, 4).add({ days: 1 });
  earlyCloses.push({ date: dayAfterThanksgiving.toString(), reason: 'Day after Thanksgiving' });

  const christmasEve = Temporal.PlainDate.from({ year, month: 12, day: 24 });
  if (isMonToThu(christmasEve) && !holidays.has(christmasEve.toString())) {
    earlyCloses.push({ date: christmasEve.toString(), reason: 'Christmas Eve' });
  }

  return earlyCloses.sort((x, y) => x.date.localeCompare(y.date));
}

/** Holidays and early closes of one year as lookup maps (date → name/reason). */
export function yearRules(year: number): YearRules {
  const holidays = new Map(nyseHolidays(year).map((h) => [h.date, h.name] as const));
  const earlyCloses = new Map(nyseEarlyCloses(year, holidays).map((e) => [e.date, e.reason] as const));
  return { year, holidays, earlyCloses };
}
