import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nyse } from '../../../src/market/index.ts';
import { daysUntil, nextRegularSession, replayDay, resolveReplayDay, wallTimeOn } from '../../../src/sandbox/replay-day.ts';

describe('replayDay', () => {
  it('a regular session opens at 09:30 New York, in winter and in summer time', () => {
    expect(replayDay('2027-01-11')).toMatchObject({ kind: 'regular', open: new Date('2027-01-11T14:30:00Z'), description: 'Monday 2027-01-11, a regular session 09:30-16:00 ET' });
    expect(replayDay('2027-07-12').open).toEqual(new Date('2027-07-12T13:30:00Z'));
  });

  it('names an early close, a holiday and a weekend day', () => {
    expect(replayDay('2030-12-24')).toMatchObject({ kind: 'early-close', description: 'Tuesday 2030-12-24, an early close 09:30-13:00 ET (Christmas Eve)' });
    expect(replayDay('2027-11-25')).toMatchObject({ kind: 'closed', description: 'Thursday 2027-11-25, market closed (Thanksgiving Day)' });
    expect(replayDay('2031-06-07')).toMatchObject({ kind: 'closed', description: 'Saturday 2031-06-07, market closed (weekend)', open: new Date('2031-06-07T13:30:00Z') });
  });

  it('rejects what is not a date, an impossible date and an unsupported year, saying what to pass', () => {
    expect(() => replayDay('next monday')).toThrow(expect.objectContaining({ code: 'INVALID_DAY', hint: expect.stringContaining('omit --day') as unknown }));
    expect(() => replayDay('2027-02-30')).toThrow(expect.objectContaining({ code: 'INVALID_DATE' }));
    expect(() => replayDay('2150-01-05')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_YEAR' }));
  });
});

describe('the default day: the next regular session on or after today in New York', () => {
  it('is today on a regular trading day, even after the close', () => {
    expect(resolveReplayDay(undefined, new Date('2027-03-15T22:00:00Z')).date).toBe('2027-03-15');
  });

  it('skips weekends, holidays and early closes', () => {
    expect(nextRegularSession(new Date('2031-06-07T16:00:00Z')).date).toBe('2031-06-09');
    expect(nextRegularSession(new Date('2030-12-24T12:00:00Z')).date).toBe('2030-12-26');
    expect(nextRegularSession(new Date('2027-11-25T15:00:00Z')).date).toBe('2027-11-29');
  });

  it('uses the New York date: 03:00Z on a Saturday is still Friday evening there', () => {
    expect(nextRegularSession(new Date('2027-03-15T01:00:00Z')).date).toBe('2027-03-15');
    expect(nextRegularSession(new Date('2027-03-13T03:00:00Z')).date).toBe('2027-03-12');
    expect(nextRegularSession(new Date('2027-03-14T03:00:00Z')).date).toBe('2027-03-15');
  });

  it('is always an open, non-early session on or after the New York date of now (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2098-12-01T00:00:00Z'), noInvalidDate: true }), (now) => {
        const day = nextRegularSession(now);
        const session = nyse.session(day.date);
        expect(session.open && !session.earlyClose).toBe(true);
        expect(daysUntil(now, day.date, 'America/New_York')).toBeGreaterThanOrEqual(0);
        expect(daysUntil(now, day.date, 'America/New_York')).toBeLessThan(14);
      }),
      { numRuns: 300 },
    );
  });
});

describe('wall times across DST', () => {
  it('a wall time skipped on spring-forward day moves forward', () => {
    expect(wallTimeOn('2027-03-14', '02:30', 'America/New_York')).toEqual(new Date('2027-03-14T07:30:00Z'));
  });
});
