/** "As of" a date that is not a session means the most recent session on or before it. */
import { describe, expect, it } from 'vitest';
import { currentSessionDate, describeSessionDate, sessionOnOrBefore } from '../../../src/trading/domain/session-date.ts';

describe('sessionOnOrBefore', () => {
  it.each([
    ['2026-12-04', '2026-12-04', undefined], // Friday
    ['2027-03-14', '2027-03-12', 'weekend'], // Sunday
    ['2027-11-07', '2027-11-05', 'weekend'], // Sunday
    ['2027-11-25', '2027-11-24', 'Thanksgiving Day'],
    ['2027-03-26', '2027-03-25', 'Good Friday'],
    ['2028-02-29', '2028-02-29', undefined], // leap day, a Tuesday
    ['2030-12-24', '2030-12-24', undefined], // Christmas Eve: an early close still trades
    ['2030-12-25', '2030-12-24', 'Christmas Day'],
    ['2031-06-07', '2031-06-06', 'weekend'], // Saturday
    ['2012-10-30', '2012-10-26', 'Hurricane Sandy'], // two closed days, then the weekend before
    ['2001-09-16', '2001-09-10', 'weekend'], // the weekend after 9/11's four closed days
  ])('%s → %s (%s)', (requested, session, closedReason) => {
    const date = sessionOnOrBefore(requested);
    expect(date).toEqual({ requested, session, ...(closedReason !== undefined ? { closedReason } : {}) });
    expect(describeSessionDate(date)).toBe(
      closedReason === undefined ? undefined : `${requested} is not an NYSE session (${closedReason}); using the most recent session, ${session}.`,
    );
  });

  it('refuses dates the calendar does not cover', () => {
    expect(() => sessionOnOrBefore('2000-01-01')).toThrow(/1999-12-31|outside/);
    expect(() => sessionOnOrBefore('2100-01-04')).toThrow(/2000–2099/);
    expect(() => sessionOnOrBefore('2026-02-30')).toThrow(/YYYY-MM-DD/);
  });
});

describe('currentSessionDate', () => {
  it('uses the New York date, not the UTC one', () => {
    // 22:00 Friday in New York is already Saturday in UTC.
    expect(currentSessionDate(new Date('2026-12-05T03:00:00Z'))).toEqual({ requested: '2026-12-04', session: '2026-12-04' });
    expect(currentSessionDate(new Date('2026-12-05T15:00:00Z'))).toEqual({ requested: '2026-12-05', session: '2026-12-04', closedReason: 'weekend' });
    expect(currentSessionDate(new Date('2031-06-07T12:00:00Z'))).toMatchObject({ session: '2031-06-06' });
  });
});
