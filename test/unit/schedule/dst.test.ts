import { describe, expect, it } from 'vitest';
import { fireTimesBetween, nextFireTimes, previousFireTime } from '../../../src/schedule/index.ts';

const at = (iso: string): Date => new Date(iso);
const isoList = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

/** Fires whose instant falls in the given local day: (localMidnightUtc - 1ms, nextLocalMidnightUtc - 1ms]. */
function firesInLocalDay(expression: string, timezone: string, midnightUtc: string, nextMidnightUtc: string): Date[] {
  return fireTimesBetween(expression, {
    timezone,
    after: new Date(at(midnightUtc).getTime() - 1),
    atOrBefore: new Date(at(nextMidnightUtc).getTime() - 1),
  });
}

describe('DST: America/New_York (spring forward 2026-03-08 02:00, fall back 2026-11-01 02:00)', () => {
  const timezone = 'America/New_York';

  it('skips a daily 02:30 on spring-forward day', () => {
    expect(isoList(nextFireTimes('cron(30 2 * * ? *)', { timezone, after: at('2026-03-06T12:00:00Z'), count: 3 }))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-09T06:30:00.000Z', // 02:30 EDT; nothing on the 8th
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(previousFireTime('cron(30 2 * * ? *)', { timezone, atOrBefore: at('2026-03-09T06:29:00Z') })?.toISOString()).toBe('2026-03-07T07:30:00.000Z');
  });

  it('keeps times just outside the gap on spring-forward day', () => {
    expect(isoList(nextFireTimes('cron(59 1,3 * * ? *)', { timezone, after: at('2026-03-08T05:00:00Z'), count: 2 }))).toEqual([
      '2026-03-08T06:59:00.000Z', // 01:59 EST
      '2026-03-08T07:59:00.000Z', // 03:59 EDT
    ]);
  });

  it('fires a daily 01:30 once on fall-back day, at the EDT instant', () => {
    expect(isoList(nextFireTimes('cron(30 1 * * ? *)', { timezone, after: at('2026-10-31T00:00:00Z'), count: 3 }))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not again at 06:30Z (01:30 EST)
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(previousFireTime('cron(30 1 * * ? *)', { timezone, atOrBefore: at('2026-11-01T07:00:00Z') })?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('does not fire the repeated hour a second time, even when asked from inside it', () => {
    // 06:20Z is 01:20 EST, the second pass; 01:30 EST would be the repeat of an already-fired wall time.
    expect(isoList(nextFireTimes('cron(0/15 * * * ? *)', { timezone, after: at('2026-11-01T06:20:00Z'), count: 2 }))).toEqual([
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:15:00.000Z',
    ]);
    // The latest fire at or before 01:40 EST is 01:45 EDT (05:45Z), which the wall clock already passed once.
    expect(previousFireTime('cron(0/15 * * * ? *)', { timezone, atOrBefore: at('2026-11-01T06:40:00Z') })?.toISOString()).toBe('2026-11-01T05:45:00.000Z');
    expect(previousFireTime('cron(* * * * ? *)', { timezone, atOrBefore: at('2026-11-01T06:00:00Z') })?.toISOString()).toBe('2026-11-01T05:59:00.000Z');
    expect(previousFireTime('cron(0 1 * * ? *)', { timezone, atOrBefore: at('2026-11-01T06:59:00Z') })?.toISOString()).toBe('2026-11-01T05:00:00.000Z');
  });

  it('counts 48 half-hourly fires on the 25-hour fall-back day and 46 on the 23-hour spring-forward day', () => {
    // Local day 2026-11-01 runs 04:00Z-05:00Z next day. 48 distinct wall times; 01:00 and 01:30 fire only once.
    const fallBack = firesInLocalDay('cron(0/30 * * * ? *)', timezone, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z');
    expect(fallBack).toHaveLength(48);
    expect(isoList(fallBack).slice(2, 6)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST; 06:00Z and 06:30Z (the EST repeats) do not fire
      '2026-11-01T07:30:00.000Z',
    ]);
    // Local day 2026-03-08 runs 05:00Z-04:00Z next day. 02:00 and 02:30 do not exist.
    const springForward = firesInLocalDay('cron(0/30 * * * ? *)', timezone, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z');
    expect(springForward).toHaveLength(46);
    expect(isoList(springForward).slice(2, 6)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:30:00.000Z',
    ]);
  });

  it('keeps local 09:00 across both transitions', () => {
    expect(isoList(nextFireTimes('cron(0 9 * * ? *)', { timezone, after: at('2026-03-07T00:00:00Z'), count: 2 }))).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
    ]);
    expect(isoList(nextFireTimes('cron(0 9 * * ? *)', { timezone, after: at('2026-10-31T00:00:00Z'), count: 2 }))).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
    ]);
  });
});

describe('DST: Europe/London (spring forward 2026-03-29 01:00, fall back 2026-10-25 02:00)', () => {
  const timezone = 'Europe/London';

  it('skips a daily 01:30 on spring-forward day', () => {
    expect(isoList(nextFireTimes('cron(30 1 * * ? *)', { timezone, after: at('2026-03-28T00:00:00Z'), count: 2 }))).toEqual([
      '2026-03-28T01:30:00.000Z', // 01:30 GMT
      '2026-03-30T00:30:00.000Z', // 01:30 BST; nothing on the 29th
    ]);
  });

  it('fires a daily 01:30 once on fall-back day, at the BST instant', () => {
    expect(isoList(nextFireTimes('cron(30 1 * * ? *)', { timezone, after: at('2026-10-24T00:00:00Z'), count: 3 }))).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 01:30 BST; not again at 01:30Z (01:30 GMT)
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(previousFireTime('cron(30 1 * * ? *)', { timezone, atOrBefore: at('2026-10-25T01:45:00Z') })?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('counts 48 half-hourly fires on fall-back day and 46 on spring-forward day', () => {
    expect(firesInLocalDay('cron(0/30 * * * ? *)', timezone, '2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z')).toHaveLength(48);
    expect(firesInLocalDay('cron(0/30 * * * ? *)', timezone, '2026-03-29T00:00:00Z', '2026-03-29T23:00:00Z')).toHaveLength(46);
  });
});

describe('DST: Australia/Sydney (fall back 2026-04-05 03:00, spring forward 2026-10-04 02:00)', () => {
  const timezone = 'Australia/Sydney';

  it('fires 02:30 once on fall-back day and skips it on spring-forward day', () => {
    expect(isoList(nextFireTimes('cron(30 2 * * ? *)', { timezone, after: at('2026-04-03T00:00:00Z'), count: 2 }))).toEqual([
      '2026-04-03T15:30:00.000Z', // Apr 4 02:30 AEDT
      '2026-04-04T15:30:00.000Z', // Apr 5 02:30 AEDT, the first pass
    ]);
    expect(isoList(nextFireTimes('cron(30 2 * * ? *)', { timezone, after: at('2026-10-02T00:00:00Z'), count: 2 }))).toEqual([
      '2026-10-02T16:30:00.000Z', // Oct 3 02:30 AEST
      '2026-10-04T15:30:00.000Z', // Oct 5 02:30 AEDT; Oct 4 skipped
    ]);
  });
});
