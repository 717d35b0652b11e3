/**
 * Easter Sunday for a Gregorian year. NYSE closes on Good Friday, which moves with Easter, so the
 * holiday rules need it; everything else in the calendar is a fixed date or an nth-weekday rule.
 */
import { Temporal } from 'temporal-polyfill';

/**
 * The anonymous Gregorian algorithm (Meeus/Jones/Butcher). Pure integer arithmetic, valid for every
 * Gregorian year, so it needs no table to maintain.
 */
export function easterSunday(year: number): Temporal.PlainDate {
  if (!Number.isInteger(year) || year < 1583) {
    // The algorithm is only defined for the Gregorian calendar, adopted in 1582.
    throw new RangeError(`easterSunday needs an integer Gregorian year (1583 or later), got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Temporal.PlainDate.from({ year, month, day });
}

export function goodFriday(year: number): Temporal.PlainDate {
  return easterSunday(year).subtract({ days: 2 });
}
