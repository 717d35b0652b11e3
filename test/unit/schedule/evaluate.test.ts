import { describe, expect, it } from 'vitest';
import { FaultError, UserError } from '../../../src/errors.ts';
import {
  DEFAULT_FIRE_LIMIT,
  fireTimesBetween,
  nextFireTimes,
  parseExpression,
  previousFireTime,
  validateTimezone,
} from '../../../src/schedule/index.ts';

const at = (iso: string): Date => new Date(iso);
const isoList = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

describe('nextFireTimes: cron day and time rules', () => {
  // [expression, timezone, after, expected fires]
  it.each<[string, string, string, string[]]>([
    [
      'cron(0/5 9-16 ? * MON-FRI *)',
      'America/New_York',
      '2026-11-23T14:00:00Z', // Monday 09:00 EST
      ['2026-11-23T14:05:00.000Z', '2026-11-23T14:10:00.000Z', '2026-11-23T14:15:00.000Z', '2026-11-23T14:20:00.000Z'],
    ],
    [
      'cron(0/5 9-16 ? * MON-FRI *)',
      'America/New_York',
      '2026-11-23T21:50:00Z', // Monday 16:50 EST: two more today, then Tuesday 09:00
      ['2026-11-23T21:55:00.000Z', '2026-11-24T14:00:00.000Z', '2026-11-24T14:05:00.000Z'],
    ],
    [
      'cron(0/5 9-16 ? * MON-FRI *)',
      'America/New_York',
      '2026-11-27T21:55:00Z', // Friday's last fire; the weekend is skipped
      ['2026-11-30T14:00:00.000Z', '2026-11-30T14:05:00.000Z'],
    ],
    ['cron(0 9 ? * MON#1 *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-05T09:00:00.000Z', '2026-02-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z']],
    ['cron(0 9 ? * 2#3 *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-19T09:00:00.000Z', '2026-02-16T09:00:00.000Z', '2026-03-16T09:00:00.000Z']],
    // Feb 2026 has only four Sundays, so the fifth Sunday skips to March.
    ['cron(0 0 ? * SUN#5 *)', 'UTC', '2026-02-01T00:00:00Z', ['2026-03-29T00:00:00.000Z', '2026-05-31T00:00:00.000Z']],
    ['cron(0 17 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-30T17:00:00.000Z', '2026-02-27T17:00:00.000Z', '2026-03-27T17:00:00.000Z']],
    ['cron(0 17 ? * FRIL *)', 'UTC', '2026-01-30T17:00:00Z', ['2026-02-27T17:00:00.000Z']],
    ['cron(0 0 ? * L *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-03T00:00:00.000Z', '2026-01-10T00:00:00.000Z']],
    [
      'cron(0 0 ? * FRI-MON *)',
      'UTC',
      '2026-01-01T00:00:00Z', // Thursday
      ['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z', '2026-01-05T00:00:00.000Z', '2026-01-09T00:00:00.000Z'],
    ],
    [
      'cron(0 0 1 NOV-FEB ? *)',
      'UTC',
      '2026-03-01T00:00:00Z',
      ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z', '2027-11-01T00:00:00.000Z'],
    ],
    // 15W: Aug 15 2026 is a Saturday (-> Fri 14), Nov 15 2026 a Sunday (-> Mon 16), Dec 15 a Tuesday.
    ['cron(0 0 15W 8,11,12 ? *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-08-14T00:00:00.000Z', '2026-11-16T00:00:00.000Z', '2026-12-15T00:00:00.000Z']],
    // 1W on Saturday Aug 1 2026 stays in August: Monday the 3rd, not Friday July 31.
    ['cron(0 0 1W 8 ? *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-08-03T00:00:00.000Z', '2027-08-02T00:00:00.000Z']],
    // 31W on Sunday May 31 2026 -> Friday the 29th; months without a 31st do not fire.
    ['cron(0 0 31W * ? *)', 'UTC', '2026-04-01T00:00:00Z', ['2026-05-29T00:00:00.000Z', '2026-07-31T00:00:00.000Z', '2026-08-31T00:00:00.000Z']],
    // LW: Jan 31 2026 is Saturday -> 30th; Feb 28 Saturday -> 27th; Mar 31 Tuesday; May 31 Sunday -> 29th.
    [
      'cron(0 0 LW * ? *)',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-30T00:00:00.000Z', '2026-02-27T00:00:00.000Z', '2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z', '2026-05-29T00:00:00.000Z'],
    ],
    ['cron(0 0 L 2 ? *)', 'UTC', '2026-01-01T00:00:00Z', ['2026-02-28T00:00:00.000Z', '2027-02-28T00:00:00.000Z', '2028-02-29T00:00:00.000Z']],
    ['cron(0 0 L * ? *)', 'UTC', '2026-01-31T00:00:00Z', ['2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z']],
    ['cron(0 0 29 2 ? *)', 'UTC', '2026-01-01T00:00:00Z', ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']],
    // 2100 is not a leap year.
    ['cron(0 0 29 2 ? *)', 'UTC', '2096-03-01T00:00:00Z', ['2104-02-29T00:00:00.000Z']],
    ['cron(0 12 * * ? 2027)', 'UTC', '2026-06-01T00:00:00Z', ['2027-01-01T12:00:00.000Z', '2027-01-02T12:00:00.000Z']],
    ['cron(0 12 * * ? 2027)', 'UTC', '2027-12-30T12:00:00Z', ['2027-12-31T12:00:00.000Z']],
    ['cron(0 12 31 12 ? 2199)', 'UTC', '2199-01-01T00:00:00Z', ['2199-12-31T12:00:00.000Z']],
    ['cron(10-50/20 0 * * ? *)', 'UTC', '2026-01-01T00:10:00Z', ['2026-01-01T00:30:00.000Z', '2026-01-01T00:50:00.000Z', '2026-01-02T00:10:00.000Z']],
    ['cron(0 0 ? jan mon 2026)', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z', '2026-01-19T00:00:00.000Z', '2026-01-26T00:00:00.000Z']],
    ['cron(0 9 * * ? *)', 'Asia/Kolkata', '2026-01-01T00:00:00Z', ['2026-01-01T03:30:00.000Z', '2026-01-02T03:30:00.000Z']],
    // Fires are whole minutes: an `after` with seconds still excludes that minute's earlier fire.
    ['cron(* * * * ? *)', 'UTC', '2026-01-01T00:00:30.500Z', ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']],
    ['cron(* * * * ? *)', 'UTC', '2026-01-01T00:00:59.999Z', ['2026-01-01T00:01:00.000Z']],
  ])('%s in %s after %s', (expression, timezone, after, expected) => {
    expect(isoList(nextFireTimes(expression, { timezone, after: at(after), count: expected.length }))).toEqual(expected);
  });

  it.each(['cron(0 0 30 2 ? *)', 'cron(0 0 31 4 ? *)', 'cron(0 0 31 2,4,6,9,11 ? *)', 'cron(0 0 ? 2 SUN#5 2026)', 'cron(0 12 * * ? 2020)'])(
    '%s never fires after 2026',
    (expression) => {
      const started = performance.now();
      expect(nextFireTimes(expression, { after: at('2026-01-01T00:00:00Z'), count: 3 })).toEqual([]);
      expect(performance.now() - started).toBeLessThan(200);
    },
  );

  it('returns nothing past the last representable year', () => {
    expect(nextFireTimes('cron(0 0 * * ? *)', { after: at('2199-12-31T00:00:00Z'), count: 2 })).toEqual([]);
  });

  it('returns exactly `count` fires, or none for count 0', () => {
    expect(nextFireTimes('rate(1 minute)', { anchor: at('2026-01-01T00:00:00Z'), after: at('2026-01-01T00:00:00Z'), count: 0 })).toEqual([]);
    expect(nextFireTimes('cron(* * * * ? *)', { after: at('2026-01-01T00:00:00Z'), count: 120 })).toHaveLength(120);
  });

  it('accepts an already parsed expression', () => {
    const parsed = parseExpression('cron(0 9 ? * MON#1 *)');
    expect(isoList(nextFireTimes(parsed, { after: at('2026-01-01T00:00:00Z'), count: 1 }))).toEqual(['2026-01-05T09:00:00.000Z']);
  });
});

describe('previousFireTime: cron', () => {
  it.each<[string, string, string, string | undefined]>([
    ['cron(0/5 9-16 ? * MON-FRI *)', 'America/New_York', '2026-11-23T13:59:00Z', '2026-11-20T21:55:00.000Z'],
    ['cron(0/5 9-16 ? * MON-FRI *)', 'America/New_York', '2026-11-23T14:07:00Z', '2026-11-23T14:05:00.000Z'],
    // atOrBefore is inclusive.
    ['cron(0/5 9-16 ? * MON-FRI *)', 'America/New_York', '2026-11-23T14:05:00Z', '2026-11-23T14:05:00.000Z'],
    ['cron(0 9 ? * MON#1 *)', 'UTC', '2026-03-01T00:00:00Z', '2026-02-02T09:00:00.000Z'],
    ['cron(0 0 29 2 ? *)', 'UTC', '2027-06-01T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['cron(0 0 29 2 ? *)', 'UTC', '2100-06-01T00:00:00Z', '2096-02-29T00:00:00.000Z'],
    ['cron(0 17 ? * 6L *)', 'UTC', '2026-03-27T16:59:59Z', '2026-02-27T17:00:00.000Z'],
    ['cron(0 0 LW * ? *)', 'UTC', '2026-06-01T00:00:00Z', '2026-05-29T00:00:00.000Z'],
    ['cron(0 0 15W * ? *)', 'UTC', '2026-08-20T00:00:00Z', '2026-08-14T00:00:00.000Z'],
    ['cron(0 12 * * ? 2027)', 'UTC', '2030-01-01T00:00:00Z', '2027-12-31T12:00:00.000Z'],
    ['cron(0 12 * * ? 2027)', 'UTC', '2027-01-01T11:59:59Z', undefined],
    ['cron(0 0 1 1 ? 1970)', 'UTC', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ['cron(0 0 30 2 ? *)', 'UTC', '2100-01-01T00:00:00Z', undefined],
    ['cron(0 0 31 4 ? *)', 'UTC', '2100-01-01T00:00:00Z', undefined],
  ])('%s in %s at or before %s', (expression, timezone, atOrBefore, expected) => {
    expect(previousFireTime(expression, { timezone, atOrBefore: at(atOrBefore) })?.toISOString()).toBe(expected);
  });
});

describe('start and end dates', () => {
  const daily = 'cron(0 12 * * ? *)';

  it('startDate is inclusive and endDate exclusive', () => {
    const fires = nextFireTimes(daily, {
      after: at('2026-01-01T00:00:00Z'),
      startDate: at('2026-01-10T12:00:00Z'),
      endDate: at('2026-01-12T12:00:00Z'),
      count: 10,
    });
    expect(isoList(fires)).toEqual(['2026-01-10T12:00:00.000Z', '2026-01-11T12:00:00.000Z']);
  });

  it('a startDate just after a fire skips it', () => {
    const fires = nextFireTimes(daily, { after: at('2026-01-01T00:00:00Z'), startDate: at('2026-01-10T12:00:00.001Z'), count: 1 });
    expect(isoList(fires)).toEqual(['2026-01-11T12:00:00.000Z']);
  });

  it('previousFireTime stays inside the window', () => {
    const window = { startDate: at('2026-01-10T12:00:00Z'), endDate: at('2026-01-12T12:00:00Z') };
    expect(previousFireTime(daily, { ...window, atOrBefore: at('2026-02-01T00:00:00Z') })?.toISOString()).toBe('2026-01-11T12:00:00.000Z');
    expect(previousFireTime(daily, { ...window, atOrBefore: at('2026-01-10T12:00:00Z') })?.toISOString()).toBe('2026-01-10T12:00:00.000Z');
    expect(previousFireTime(daily, { ...window, atOrBefore: at('2026-01-10T11:59:59Z') })).toBeUndefined();
  });

  it('fireTimesBetween covers (after, atOrBefore] within the window and honours limit', () => {
    const opts = { after: at('2026-01-01T12:00:00Z'), atOrBefore: at('2026-01-05T12:00:00Z') };
    expect(isoList(fireTimesBetween(daily, opts))).toEqual([
      '2026-01-02T12:00:00.000Z',
      '2026-01-03T12:00:00.000Z',
      '2026-01-04T12:00:00.000Z',
      '2026-01-05T12:00:00.000Z',
    ]);
    expect(isoList(fireTimesBetween(daily, { ...opts, limit: 2 }))).toEqual(['2026-01-02T12:00:00.000Z', '2026-01-03T12:00:00.000Z']);
    expect(isoList(fireTimesBetween(daily, { ...opts, endDate: at('2026-01-04T12:00:00Z') }))).toEqual([
      '2026-01-02T12:00:00.000Z',
      '2026-01-03T12:00:00.000Z',
    ]);
    expect(fireTimesBetween(daily, { after: at('2026-01-05T12:00:00Z'), atOrBefore: at('2026-01-01T00:00:00Z') })).toEqual([]);
  });

  it('fireTimesBetween stops at DEFAULT_FIRE_LIMIT by default', () => {
    const fires = fireTimesBetween('cron(* * * * ? *)', { after: at('2026-01-01T00:00:00Z'), atOrBefore: at('2026-02-01T00:00:00Z') });
    expect(fires).toHaveLength(DEFAULT_FIRE_LIMIT);
  });
});

describe('rate()', () => {
  const anchor = at('2026-01-01T00:00:10Z');

  it('fires at anchor + k * period, k >= 0', () => {
    expect(isoList(nextFireTimes('rate(5 minutes)', { anchor, after: at('2026-01-01T00:07:00Z'), count: 3 }))).toEqual([
      '2026-01-01T00:10:10.000Z',
      '2026-01-01T00:15:10.000Z',
      '2026-01-01T00:20:10.000Z',
    ]);
    expect(isoList(nextFireTimes('rate(5 minutes)', { anchor, after: at('2025-12-31T00:00:00Z'), count: 2 }))).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:05:10.000Z',
    ]);
    // `after` is exclusive even when it is itself a fire time.
    expect(isoList(nextFireTimes('rate(1 hour)', { anchor, after: at('2026-01-01T01:00:10Z'), count: 1 }))).toEqual(['2026-01-01T02:00:10.000Z']);
  });

  it('counts from startDate rather than anchor when both are given', () => {
    const opts = { anchor, startDate: at('2026-03-01T08:30:00Z') };
    expect(isoList(nextFireTimes('rate(2 hours)', { ...opts, after: at('2026-01-01T00:00:00Z'), count: 2 }))).toEqual([
      '2026-03-01T08:30:00.000Z',
      '2026-03-01T10:30:00.000Z',
    ]);
    expect(previousFireTime('rate(2 hours)', { ...opts, atOrBefore: at('2026-03-01T08:29:59Z') })).toBeUndefined();
  });

  it('uses fixed 24-hour days across DST', () => {
    const fires = nextFireTimes('rate(1 day)', {
      timezone: 'America/New_York',
      anchor: at('2026-03-07T14:00:00Z'),
      after: at('2026-03-07T14:00:00Z'),
      count: 2,
    });
    expect(isoList(fires)).toEqual(['2026-03-08T14:00:00.000Z', '2026-03-09T14:00:00.000Z']);
  });

  it('previousFireTime', () => {
    expect(previousFireTime('rate(5 minutes)', { anchor, atOrBefore: at('2026-01-01T00:12:00Z') })?.toISOString()).toBe('2026-01-01T00:10:10.000Z');
    expect(previousFireTime('rate(5 minutes)', { anchor, atOrBefore: at('2026-01-01T00:10:10Z') })?.toISOString()).toBe('2026-01-01T00:10:10.000Z');
    expect(previousFireTime('rate(5 minutes)', { anchor, atOrBefore: anchor })?.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    expect(previousFireTime('rate(5 minutes)', { anchor, atOrBefore: at('2026-01-01T00:00:09Z') })).toBeUndefined();
    expect(
      previousFireTime('rate(5 minutes)', { anchor, endDate: at('2026-01-01T00:10:10Z'), atOrBefore: at('2026-01-01T01:00:00Z') })?.toISOString(),
    ).toBe('2026-01-01T00:05:10.000Z');
  });

  it('fireTimesBetween', () => {
    const fires = fireTimesBetween('rate(12 hours)', { anchor, after: at('2026-01-01T00:00:10Z'), atOrBefore: at('2026-01-02T12:00:10Z') });
    expect(isoList(fires)).toEqual(['2026-01-01T12:00:10.000Z', '2026-01-02T00:00:10.000Z', '2026-01-02T12:00:10.000Z']);
  });

  it('needs an anchor or a startDate', () => {
    let caught: unknown;
    try {
      nextFireTimes('rate(5 minutes)', { after: at('2026-01-01T00:00:00Z'), count: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).code).toBe('RATE_ANCHOR_REQUIRED');
    expect((caught as UserError).message).toContain('neither startDate nor anchor');
    expect(() => previousFireTime('rate(5 minutes)', { atOrBefore: at('2026-01-01T00:00:00Z') })).toThrow(/anchor/);
  });
});

describe('at()', () => {
  it.each<[string, string, string]>([
    ['at(2026-07-01T09:30:00)', 'America/New_York', '2026-07-01T13:30:00.000Z'],
    ['at(2026-01-15T09:30:00)', 'America/New_York', '2026-01-15T14:30:00.000Z'],
    ['at(2026-01-15T09:30:00)', 'UTC', '2026-01-15T09:30:00.000Z'],
    ['at(2026-01-15T09:30:00)', 'Asia/Kolkata', '2026-01-15T04:00:00.000Z'],
    ['at(2026-01-15T09:30:45)', 'Australia/Sydney', '2026-01-14T22:30:45.000Z'],
    // In the spring-forward gap: moved forward by the gap (02:30 EST does not exist -> 03:30 EDT).
    ['at(2026-03-08T02:30:00)', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    // Repeated on fall-back day: the earlier (EDT) instant.
    ['at(2026-11-01T01:30:00)', 'America/New_York', '2026-11-01T05:30:00.000Z'],
  ])('%s in %s fires once at %s', (expression, timezone, expected) => {
    expect(isoList(nextFireTimes(expression, { timezone, after: at('2020-01-01T00:00:00Z'), count: 5 }))).toEqual([expected]);
    expect(previousFireTime(expression, { timezone, atOrBefore: at('2030-01-01T00:00:00Z') })?.toISOString()).toBe(expected);
  });

  it('does not fire outside (after, atOrBefore] or the window', () => {
    const expression = 'at(2026-07-01T09:30:00)';
    const timezone = 'America/New_York';
    expect(nextFireTimes(expression, { timezone, after: at('2026-07-01T13:30:00Z'), count: 1 })).toEqual([]);
    expect(previousFireTime(expression, { timezone, atOrBefore: at('2026-07-01T13:29:59Z') })).toBeUndefined();
    expect(nextFireTimes(expression, { timezone, after: at('2026-01-01T00:00:00Z'), endDate: at('2026-07-01T13:30:00Z'), count: 1 })).toEqual([]);
    expect(nextFireTimes(expression, { timezone, after: at('2026-01-01T00:00:00Z'), startDate: at('2026-07-01T13:30:01Z'), count: 1 })).toEqual([]);
    expect(fireTimesBetween(expression, { timezone, after: at('2026-07-01T13:29:59Z'), atOrBefore: at('2026-07-01T13:30:00Z') })).toHaveLength(1);
  });
});

describe('argument checks', () => {
  it('rejects unknown timezones with INVALID_TIMEZONE', () => {
    for (const timezone of ['Mars/Olympus', '', '+05:00', ' UTC', 'EST5EDT ']) {
      let caught: unknown;
      try {
        nextFireTimes('cron(0 0 * * ? *)', { timezone, after: at('2026-01-01T00:00:00Z'), count: 1 });
      } catch (error) {
        caught = error;
      }
      expect(caught, timezone).toBeInstanceOf(UserError);
      expect((caught as UserError).code).toBe('INVALID_TIMEZONE');
      expect((caught as UserError).hint).toContain('IANA');
    }
  });

  it('validateTimezone returns the canonical id', () => {
    expect(validateTimezone('UTC')).toBe('UTC');
    expect(validateTimezone('America/New_York')).toBe('America/New_York');
    expect(validateTimezone('america/new_york')).toBe('America/New_York');
    expect(validateTimezone('Europe/London')).toBe('Europe/London');
  });

  it('rejects invalid dates and counts as faults', () => {
    expect(() => nextFireTimes('cron(0 0 * * ? *)', { after: new Date(NaN), count: 1 })).toThrow(FaultError);
    expect(() => nextFireTimes('cron(0 0 * * ? *)', { after: at('2026-01-01T00:00:00Z'), count: -1 })).toThrow(FaultError);
    expect(() => nextFireTimes('cron(0 0 * * ? *)', { after: at('2026-01-01T00:00:00Z'), count: 1.5 })).toThrow(FaultError);
    expect(() => fireTimesBetween('cron(0 0 * * ? *)', { after: at('2026-01-01T00:00:00Z'), atOrBefore: at('2026-01-02T00:00:00Z'), limit: -1 })).toThrow(
      FaultError,
    );
  });

  it('parses string expressions and propagates ExpressionError', () => {
    expect(() => previousFireTime('cron(0 0 * * MON *)', { atOrBefore: at('2026-01-01T00:00:00Z') })).toThrow(
      "cron field 3 (day-of-month) and field 5 (day-of-week) are both set; one must be '?'",
    );
  });
});
