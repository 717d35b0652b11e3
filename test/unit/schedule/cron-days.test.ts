import { describe, expect, it } from 'vitest';
import { daysInMonth, hasDay, matchingDays, weekdayOf } from '../../../src/schedule/cron-days.ts';
import { parseExpression } from '../../../src/schedule/index.ts';
import type { CronExpression } from '../../../src/schedule/index.ts';

function days(expression: string, year: number, month: number): number[] {
  const cron = parseExpression(expression) as CronExpression;
  const mask = matchingDays(cron, year, month);
  const selected: number[] = [];
  for (let day = 1; day <= 31; day++) if (hasDay(mask, day)) selected.push(day);
  return selected;
}

describe('calendar helpers', () => {
  it('weekdayOf agrees with Date for every day 1970-2199 (1 = Sunday)', () => {
    let mismatches = 0;
    for (let year = 1970; year <= 2199; year++) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= daysInMonth(year, month); day++) {
          if (weekdayOf(year, month, day) !== new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1) mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(weekdayOf(2026, 11, 23)).toBe(2); // a Monday
  });

  it.each([
    [2026, 2, 28],
    [2028, 2, 29],
    [2100, 2, 28],
    [2000, 2, 29],
    [2026, 4, 30],
    [2026, 12, 31],
  ])('daysInMonth(%i, %i) = %i', (year, month, expected) => {
    expect(daysInMonth(year, month)).toBe(expected);
  });
});

describe('matchingDays', () => {
  it.each<[string, number, number, number[]]>([
    ['cron(0 0 1,15,31 * ? *)', 2026, 4, [1, 15]],
    ['cron(0 0 L * ? *)', 2028, 2, [29]],
    ['cron(0 0 LW * ? *)', 2026, 1, [30]],
    ['cron(0 0 1W * ? *)', 2026, 8, [3]],
    ['cron(0 0 31W * ? *)', 2026, 5, [29]],
    ['cron(0 0 31W * ? *)', 2026, 4, []],
    ['cron(0 0 15W,L * ? *)', 2026, 11, [16, 30]],
    ['cron(0 0 ? * 2#3 *)', 2026, 1, [19]],
    ['cron(0 0 ? * SUN#5 *)', 2026, 2, []],
    ['cron(0 0 ? * 6L *)', 2026, 1, [30]],
    ['cron(0 0 ? * L *)', 2026, 1, [3, 10, 17, 24, 31]],
    ['cron(0 0 ? * SAT-SUN *)', 2026, 2, [1, 7, 8, 14, 15, 21, 22, 28]],
    ['cron(0 0 ? * MON#1,6L *)', 2026, 3, [2, 27]],
    ['cron(0 0 31 * ? *)', 2026, 12, [31]],
  ])('%s in %i-%i', (expression, year, month, expected) => {
    expect(days(expression, year, month)).toEqual(expected);
  });
});
