import { describe, expect, it } from 'vitest';
import { easterSunday, goodFriday } from '../../../src/market/easter.ts';

describe('easterSunday', () => {
  // Published Gregorian Easter dates, including the earliest (Mar 22-ish) and latest (Apr 25) extremes in range.
  it.each([
    [2000, '2000-04-23'],
    [2001, '2001-04-15'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2049, '2049-04-18'],
    [2285, '2285-03-22'],
  ])('Easter %i is %s', (year, expected) => {
    expect(easterSunday(year).toString()).toBe(expected);
  });

  it('Good Friday is two days before Easter Sunday', () => {
    expect(goodFriday(2025).toString()).toBe('2025-04-18');
    expect(goodFriday(2008).toString()).toBe('2008-03-21');
    expect(goodFriday(2026).dayOfWeek).toBe(5);
  });

  it('rejects years before the Gregorian calendar and non-integers', () => {
    expect(() => easterSunday(1500)).toThrow(RangeError);
    expect(() => easterSunday(2025.5)).toThrow(RangeError);
  });
});
