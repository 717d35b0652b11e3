import { describe, expect, it } from 'vitest';
import { noFireWarnings, parseExpression, type FireWarning, type WindowOptions } from '../../../src/schedule/index.ts';

/** Injected "now": these tests never read the wall clock. */
const NOW = new Date('2026-11-23T15:00:00Z');
const days = (n: number): Date => new Date(NOW.getTime() + n * 86_400_000);

function warn(text: string, opts: WindowOptions = {}): FireWarning[] {
  return noFireWarnings(parseExpression(text), { after: NOW, anchor: NOW, ...opts });
}

describe('noFireWarnings: expressions no date matches', () => {
  it.each<[string, string]>([
    ['cron(0 0 31 2 ? *)', 'never fires: February has no day 31'],
    ['cron(0 0 30,31 2 ? *)', 'never fires: February has no day 30 or 31'],
    ['cron(0 0 31 APR,JUN,SEP,NOV ? *)', 'never fires: April, June, September and November have no day 31'],
    ['cron(0 0 31W 2 ? *)', 'never fires: February has no day 31'],
    ['cron(0 0 29 2 ? 2027)', 'never fires: no date matches day-of-month 29, month 2, year 2027'],
    ['cron(0 0 ? 2 FRI#5 2027)', 'never fires: no date matches month 2, day-of-week FRI#5, year 2027'],
  ])('%s: %s', (text, message) => {
    expect(warn(text)).toEqual([{ code: 'NEVER_FIRES', message }]);
  });

  it('blames the clock change when every selected wall time falls in a spring-forward gap', () => {
    // The second Sunday of March at 02:30 does not exist in New York since 2007.
    expect(warn('cron(30 2 ? 3 1#2 2010-2020)', { timezone: 'America/New_York' })).toEqual([
      { code: 'NEVER_FIRES', message: 'never fires: every time it selects falls in a daylight-saving gap in America/New_York, when the clocks skip ahead' },
    ]);
  });
});

describe('noFireWarnings: nothing left in the window', () => {
  it('says an at() in the past fired once and when', () => {
    expect(warn('at(2001-01-01T00:00:00)')).toEqual([
      {
        code: 'NO_FIRE_LEFT',
        message: `at(2001-01-01T00:00:00) is in the past: it fired once, at 2001-01-01T00:00:00.000Z, and never fires again after ${NOW.toISOString()}`,
        lastFireTime: new Date('2001-01-01T00:00:00Z'),
      },
    ]);
  });

  it('gives the last fire time of a cron whose years are over', () => {
    expect(warn('cron(0 0 1 1 ? 2001)')).toEqual([
      { code: 'NO_FIRE_LEFT', message: `never fires again after ${NOW.toISOString()}: its last fire time was 2001-01-01T00:00:00.000Z`, lastFireTime: new Date('2001-01-01T00:00:00Z') },
    ]);
  });

  it('names the next fire time that the end date cuts off', () => {
    const endDate = new Date('2026-11-24T00:00:00Z');
    expect(warn('cron(0 12 * * ? *)', { endDate })).toEqual([
      { code: 'NO_FIRE_LEFT', message: 'never fires again: its next fire time 2026-11-24T12:00:00.000Z is not before the end date 2026-11-24T00:00:00.000Z' },
    ]);
  });

  it('says an at() before the start date never fires', () => {
    const startDate = days(400);
    expect(warn('at(2001-01-01T00:00:00)', { startDate })).toEqual([
      { code: 'NO_FIRE_LEFT', message: `never fires: every fire time is before the start date ${startDate.toISOString()}` },
    ]);
  });
});

describe('noFireWarnings: empty windows', () => {
  it.each<[string, Date, Date, string]>([
    ['after', days(10), days(1), 'after'],
    ['equal to', days(1), days(1), 'the same as'],
  ])('a start date %s the end date leaves no window', (_case, startDate, endDate, relation) => {
    expect(warn('rate(5 minutes)', { startDate, endDate })).toEqual([
      {
        code: 'EMPTY_WINDOW',
        message: `the start date ${startDate.toISOString()} is ${relation} the end date ${endDate.toISOString()}: the window is empty, so it never fires`,
      },
    ]);
  });

  it('reports both an empty window and an impossible day', () => {
    expect(warn('cron(0 0 31 2 ? *)', { startDate: days(10), endDate: days(1) }).map((w) => w.code)).toEqual(['EMPTY_WINDOW', 'NEVER_FIRES']);
  });
});

describe('noFireWarnings: schedules that still fire', () => {
  it.each(['rate(5 minutes)', 'cron(0 0 29 2 ? *)', 'cron(0 0 L 2 ? *)', 'at(2199-01-01T00:00:00)'])('%s has no warnings', (text) => {
    expect(warn(text)).toEqual([]);
  });
});
