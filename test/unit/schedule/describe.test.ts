import { describe, expect, it } from 'vitest';
import { describeExpression, nominalPeriodMs, parseExpression } from '../../../src/schedule/index.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('describeExpression', () => {
  it.each([
    ['rate(1 minute)', 'every minute'],
    ['rate(5 minutes)', 'every 5 minutes'],
    ['rate(1 hour)', 'every hour'],
    ['rate(2 hours)', 'every 2 hours'],
    ['rate(1 day)', 'every day'],
    ['rate(7 days)', 'every 7 days'],
    ['at(2026-11-23T09:30:00)', 'once at 2026-11-23T09:30:00'],
    ['cron(0/5 9-16 ? * MON-FRI *)', 'cron at minute 0/5, hours 9-16, MON-FRI'],
    ['cron(0/5 9-16 ? * mon-fri *)', 'cron at minute 0/5, hours 9-16, MON-FRI'],
    ['cron(* * * * ? *)', 'cron at every minute'],
    ['cron(0 9 ? * MON#1 *)', 'cron at minute 0, hours 9, MON#1'],
    ['cron(0 0 29 2 ? *)', 'cron at minute 0, hours 0, day 29, month 2'],
    ['cron(30 1 L * ? 2027)', 'cron at minute 30, hours 1, day L, year 2027'],
    ['cron(0 12 15w nov-feb ? *)', 'cron at minute 0, hours 12, day 15W, month NOV-FEB'],
  ])('%s -> %s', (text, expected) => {
    expect(describeExpression(parseExpression(text))).toBe(expected);
  });
});

describe('nominalPeriodMs', () => {
  it.each<[string, number | undefined]>([
    ['rate(1 minute)', MINUTE],
    ['rate(5 minutes)', 5 * MINUTE],
    ['rate(3 hours)', 3 * HOUR],
    ['rate(2 days)', 2 * DAY],
    ['at(2026-11-23T09:30:00)', undefined],
    ['cron(* * * * ? *)', MINUTE],
    ['cron(0/5 9-16 ? * MON-FRI *)', 5 * MINUTE],
    ['cron(0 * * * ? *)', HOUR],
    ['cron(0 9 ? * MON-FRI *)', DAY],
    ['cron(0 9 ? * MON *)', 7 * DAY],
    // Median of first-Mondays gaps in 2025-2027: 28 days is the middle value.
    ['cron(0 9 ? * MON#1 *)', 28 * DAY],
    ['cron(0 12 * * ? 2020)', DAY],
    ['cron(0 0 1 1 ? 2020)', undefined],
    ['cron(0 0 30 2 ? *)', undefined],
  ])('%s -> %s', (text, expected) => {
    expect(nominalPeriodMs(parseExpression(text))).toBe(expected);
  });

  it('estimates leap days at about four years', () => {
    const period = nominalPeriodMs(parseExpression('cron(0 0 29 2 ? *)'));
    expect(period).toBe((365 * 4 + 1) * DAY);
  });
});
