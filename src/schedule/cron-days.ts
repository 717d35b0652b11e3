/**
 * Which days of one month a cron expression selects. Pure proleptic-Gregorian calendar arithmetic:
 * no time zone is involved, so plain integer math is exact here (zone math lives in evaluate.ts).
 */
import type { CronExpression } from './expression.ts';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Sakamoto's method; integer-only so scanning centuries of months allocates nothing.
const MONTH_OFFSETS = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4] as const;

/** Weekday in AWS numbering: 1 = Sunday ... 7 = Saturday. */
export function weekdayOf(year: number, month: number, day: number): number {
  const y = month < 3 ? year - 1 : year;
  const sundayBased = (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + MONTH_OFFSETS[month - 1]! + day) % 7;
  return sundayBased + 1;
}

const SUNDAY = 1;
const SATURDAY = 7;

/**
 * Bit d (1-31) of the result is set when day d of the month matches. A bit mask keeps the
 * per-month work to a few dozen integer operations, so scanning all 230 years is cheap.
 */
export function matchingDays(cron: CronExpression, year: number, month: number): number {
  const length = daysInMonth(year, month);
  const firstWeekday = weekdayOf(year, month, 1);
  const weekdayOfDay = (day: number): number => ((firstWeekday - 1 + day - 1) % 7) + 1;
  let mask = 0;
  const set = (day: number): void => {
    if (day >= 1 && day <= length) mask |= 1 << day;
  };

  const dom = cron.dayOfMonth;
  const dow = cron.dayOfWeek;
  if (dom.kind === 'list') {
    for (const day of dom.days) set(day);
    if (dom.last) set(length);
    if (dom.lastWeekday) {
      const weekday = weekdayOfDay(length);
      set(weekday === SATURDAY ? length - 1 : weekday === SUNDAY ? length - 2 : length);
    }
    for (const day of dom.nearestWeekdays) {
      // A day the month does not have (31W in April) selects nothing, rather than spilling over.
      if (day <= length) set(nearestWeekday(day, weekdayOfDay(day), length));
    }
  } else if (dow.kind === 'list') {
    if (dow.weekdays.length > 0) {
      for (let day = 1; day <= length; day++) {
        if (dow.weekdays.includes(weekdayOfDay(day))) set(day);
      }
    }
    for (const weekday of dow.lastOfMonth) {
      set(length - ((weekdayOfDay(length) - weekday + 7) % 7));
    }
    for (const { weekday, nth } of dow.nth) {
      set(1 + ((weekday - firstWeekday + 7) % 7) + 7 * (nth - 1));
    }
  }
  return mask;
}

/** The weekday nearest to `day` without leaving the month: Saturday the 1st moves to Monday the 3rd. */
function nearestWeekday(day: number, weekday: number, length: number): number {
  if (weekday === SATURDAY) return day === 1 ? 3 : day - 1;
  if (weekday === SUNDAY) return day === length ? day - 2 : day + 1;
  return day;
}

export function hasDay(mask: number, day: number): boolean {
  return ((mask >>> day) & 1) === 1;
}
