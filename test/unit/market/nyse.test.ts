import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { createNyseCalendar, nyse } from '../../../src/market/index.ts';
import type { OpenSession, Session } from '../../../src/market/index.ts';

const at = (iso: string): Date => new Date(iso);

function expectOpen(session: Session): OpenSession {
  expect(session.open).toBe(true);
  return session as OpenSession;
}

function caught(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

describe('calendar identity', () => {
  it('describes itself', () => {
    expect(nyse.name).toBe('NYSE');
    expect(nyse.timezone).toBe('America/New_York');
    expect(nyse.supportedYears).toEqual({ from: 2000, to: 2099 });
  });
});

describe('session times', () => {
  it.each([
    ['2026-11-23', 'normal winter day', '2026-11-23T14:30:00.000Z', '2026-11-23T21:00:00.000Z'],
    ['2026-06-15', 'normal summer day', '2026-06-15T13:30:00.000Z', '2026-06-15T20:00:00.000Z'],
    ['2026-03-06', 'Friday before spring forward', '2026-03-06T14:30:00.000Z', '2026-03-06T21:00:00.000Z'],
    ['2026-03-09', 'Monday after spring forward', '2026-03-09T13:30:00.000Z', '2026-03-09T20:00:00.000Z'],
    ['2026-10-30', 'Friday before fall back', '2026-10-30T13:30:00.000Z', '2026-10-30T20:00:00.000Z'],
    ['2026-11-02', 'Monday after fall back', '2026-11-02T14:30:00.000Z', '2026-11-02T21:00:00.000Z'],
  ])('%s (%s) opens %s and closes %s', (date, _label, openAt, closeAt) => {
    const session = expectOpen(nyse.session(date));
    expect(session.date).toBe(date);
    expect(session.openAt.toISOString()).toBe(openAt);
    expect(session.closeAt.toISOString()).toBe(closeAt);
    expect(session.earlyClose).toBe(false);
  });

  it('returns fresh Date objects, so a caller mutating one cannot corrupt later answers', () => {
    const first = expectOpen(nyse.session('2026-11-23'));
    first.openAt.setTime(0);
    expect(expectOpen(nyse.session('2026-11-23')).openAt.toISOString()).toBe('2026-11-23T14:30:00.000Z');
  });
});

describe('sessionAt', () => {
  it('uses the New York calendar date, not the UTC one', () => {
    // 22:00 in New York on Monday the 23rd is already the 24th in UTC.
    expect(nyse.sessionAt(at('2026-11-24T03:00:00Z')).date).toBe('2026-11-23');
    // 19:30 New York time on Saturday: still a weekend there.
    expect(nyse.sessionAt(at('2026-11-22T00:30:00Z'))).toMatchObject({ date: '2026-11-21', open: false, reason: 'weekend' });
  });

  it('returns holidays with their names', () => {
    expect(nyse.sessionAt(at('2026-11-26T17:00:00Z'))).toEqual({
      date: '2026-11-26',
      open: false,
      reason: 'holiday',
      name: 'Thanksgiving Day',
    });
  });
});

describe('isOpen', () => {
  it.each([
    ['2026-11-23T14:29:59.000Z', false, '09:29:59 before the open'],
    ['2026-11-23T14:29:59.999Z', false, '1 ms before the open'],
    ['2026-11-23T14:30:00.000Z', true, '09:30 exactly'],
    ['2026-11-23T20:59:59.000Z', true, '15:59:59'],
    ['2026-11-23T20:59:59.999Z', true, '1 ms before the close'],
    ['2026-11-23T21:00:00.000Z', false, '16:00 exactly'],
    ['2026-06-15T13:30:00.000Z', true, 'summer 09:30'],
    ['2026-06-15T13:29:59.000Z', false, 'summer 09:29:59'],
    ['2026-06-15T20:00:00.000Z', false, 'summer 16:00'],
    ['2026-11-27T17:59:00.000Z', true, '12:59 on an early-close day'],
    ['2026-11-27T18:00:00.000Z', false, '13:00 on an early-close day'],
    ['2025-07-03T16:59:00.000Z', true, '12:59 on a summer early-close day'],
    ['2025-07-03T17:00:00.000Z', false, '13:00 on a summer early-close day'],
    ['2026-11-21T16:00:00.000Z', false, 'Saturday 11:00'],
    ['2026-11-22T16:00:00.000Z', false, 'Sunday 11:00'],
    ['2026-11-26T17:00:00.000Z', false, 'Thanksgiving noon'],
    ['2012-10-29T15:00:00.000Z', false, 'Hurricane Sandy'],
  ])('%s → %s (%s)', (iso, open) => {
    expect(nyse.isOpen(at(iso))).toBe(open);
  });
});

describe('nextOpen', () => {
  it.each([
    ['2026-11-26T17:00:00Z', '2026-11-27T14:30:00.000Z', 'Thanksgiving noon → Friday 09:30'],
    ['2026-11-23T12:00:00Z', '2026-11-23T14:30:00.000Z', 'before the open → the same day'],
    ['2026-11-23T14:30:00Z', '2026-11-24T14:30:00.000Z', 'exactly at the open → strictly after, the next day'],
    ['2026-11-23T15:00:00Z', '2026-11-24T14:30:00.000Z', 'during the session → the next session'],
    ['2026-11-20T21:00:00Z', '2026-11-23T14:30:00.000Z', 'Friday close → Monday'],
    ['2026-11-21T12:00:00Z', '2026-11-23T14:30:00.000Z', 'Saturday → Monday'],
    ['2026-03-06T22:00:00Z', '2026-03-09T13:30:00.000Z', 'across spring forward'],
    ['2001-09-10T21:00:00Z', '2001-09-17T13:30:00.000Z', 'across the September 11 closures'],
    ['2026-12-31T21:00:00Z', '2027-01-04T14:30:00.000Z', 'across the year end and New Year'],
  ])('from %s → %s (%s)', (from, expected) => {
    expect(nyse.nextOpen(at(from)).toISOString()).toBe(expected);
  });
});

describe('nextClose', () => {
  it.each([
    ['2026-11-27T15:00:00Z', '2026-11-27T18:00:00.000Z', 'during an early-close day → 13:00'],
    ['2026-11-26T17:00:00Z', '2026-11-27T18:00:00.000Z', 'Thanksgiving → the early close the day after'],
    ['2026-11-27T18:00:00Z', '2026-11-30T21:00:00.000Z', 'exactly at the early close → strictly after, Monday'],
    ['2026-11-23T12:00:00Z', '2026-11-23T21:00:00.000Z', 'before the open → the same day'],
    ['2026-11-23T20:59:59.999Z', '2026-11-23T21:00:00.000Z', 'one ms before the close'],
  ])('from %s → %s (%s)', (from, expected) => {
    expect(nyse.nextClose(at(from)).toISOString()).toBe(expected);
  });
});

describe('previousClose', () => {
  it.each([
    ['2026-11-23T15:00:00Z', '2026-11-20T21:00:00.000Z', 'Monday morning → Friday (over a weekend)'],
    ['2026-11-22T15:00:00Z', '2026-11-20T21:00:00.000Z', 'Sunday → Friday'],
    ['2026-11-27T15:00:00Z', '2026-11-25T21:00:00.000Z', 'the day after Thanksgiving → Wednesday (over the holiday)'],
    ['2026-12-28T15:00:00Z', '2026-12-24T18:00:00.000Z', 'over Christmas and a weekend → the Christmas Eve early close'],
    ['2026-11-23T21:00:00Z', '2026-11-23T21:00:00.000Z', 'exactly at the close → that close (at or before)'],
    ['2026-11-23T20:59:59.999Z', '2026-11-20T21:00:00.000Z', 'one ms before the close → the previous one'],
    ['2012-10-31T14:00:00Z', '2012-10-26T20:00:00.000Z', 'over Hurricane Sandy'],
  ])('from %s → %s (%s)', (from, expected) => {
    expect(nyse.previousClose(at(from)).toISOString()).toBe(expected);
  });
});

describe('status', () => {
  it('open: reports the session and time until close', () => {
    const status = nyse.status(at('2026-11-23T15:00:00Z'));
    expect(status).toMatchObject({ open: true, closesAt: at('2026-11-23T21:00:00Z'), msUntilClose: 6 * 3_600_000 });
    expect(status.at.toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(status.session.date).toBe('2026-11-23');
  });

  it('open on an early-close day closes at 13:00', () => {
    const status = nyse.status(at('2026-11-27T17:00:00Z'));
    expect(status).toMatchObject({ open: true, closesAt: at('2026-11-27T18:00:00Z'), msUntilClose: 3_600_000 });
  });

  it.each([
    ['2026-11-23T14:00:00Z', 'before open', '2026-11-23', '2026-11-23T14:30:00Z', 30 * 60_000],
    ['2026-11-23T21:00:00Z', 'after close', '2026-11-23', '2026-11-24T14:30:00Z', 17.5 * 3_600_000],
    ['2026-11-21T14:30:00Z', 'weekend', '2026-11-21', '2026-11-23T14:30:00Z', 48 * 3_600_000],
    ['2026-11-26T17:00:00Z', 'Thanksgiving Day', '2026-11-26', '2026-11-27T14:30:00Z', 21.5 * 3_600_000],
    ['2025-01-09T17:00:00Z', 'National Day of Mourning for President Carter', '2025-01-09', '2025-01-10T14:30:00Z', 21.5 * 3_600_000],
  ])('closed at %s: reason %j', (instant, reason, sessionDate, opensAt, msUntilOpen) => {
    const status = nyse.status(at(instant));
    expect(status.open).toBe(false);
    if (status.open) return;
    expect(status.reason).toBe(reason);
    expect(status.session.date).toBe(sessionDate);
    expect(status.opensAt.toISOString()).toBe(at(opensAt).toISOString());
    expect(status.nextSession.date).toBe(opensAt.slice(0, 10));
    expect(status.nextSession.openAt.toISOString()).toBe(at(opensAt).toISOString());
    expect(status.msUntilOpen).toBe(msUntilOpen);
  });

  it('after close on the day before Thanksgiving points at the early-close Friday', () => {
    const status = nyse.status(at('2026-11-25T22:00:00Z'));
    expect(status.open).toBe(false);
    if (status.open) return;
    expect(status.nextSession).toMatchObject({ date: '2026-11-27', earlyClose: true, closeAt: at('2026-11-27T18:00:00Z') });
  });
});

describe('errors', () => {
  it.each(['1999-12-31', '2100-01-01', '1900-06-01', '2150-01-02'])('session(%s) throws UNSUPPORTED_YEAR', (date) => {
    const error = caught(() => nyse.session(date));
    expect(error.code).toBe('UNSUPPORTED_YEAR');
    expect(error.message).toContain('2000–2099');
    expect(error.message).toContain(date);
    // The hint is for whoever typed the date; how to widen the years is a code comment.
    expect(error.hint).toBe('Use a date from 2000 to 2099: the NYSE calendar in ops covers only those years.');
  });

  it('the first and last supported days work', () => {
    expect(expectOpen(nyse.session('2000-01-03')).openAt.toISOString()).toBe('2000-01-03T14:30:00.000Z');
    expect(expectOpen(nyse.session('2099-12-31')).closeAt.toISOString()).toBe('2099-12-31T21:00:00.000Z');
  });

  it.each([
    ['sessionAt in 2100', () => nyse.sessionAt(at('2100-01-04T15:00:00Z'))],
    ['sessionAt on New York 1999-12-31 (UTC already 2000)', () => nyse.sessionAt(at('2000-01-01T03:00:00Z'))],
    ['isOpen in 1999', () => nyse.isOpen(at('1999-06-01T15:00:00Z'))],
    ['status in 2100', () => nyse.status(at('2100-06-01T15:00:00Z'))],
    ['nextOpen after the last 2099 session', () => nyse.nextOpen(at('2099-12-31T22:00:00Z'))],
    ['nextClose after the last 2099 session', () => nyse.nextClose(at('2099-12-31T21:00:00Z'))],
    ['status after the last 2099 session', () => nyse.status(at('2099-12-31T22:00:00Z'))],
    ['previousClose before the first 2000 session', () => nyse.previousClose(at('2000-01-03T15:00:00Z'))],
  ])('%s throws UNSUPPORTED_YEAR', (_label, fn) => {
    const error = caught(fn);
    expect(error.code).toBe('UNSUPPORTED_YEAR');
    expect(error.message).toContain('2000–2099');
  });

  it('nextOpen/nextClose still answer inside the range near its end', () => {
    expect(nyse.nextOpen(at('2099-12-30T22:00:00Z')).toISOString()).toBe('2099-12-31T14:30:00.000Z');
    expect(nyse.nextClose(at('2099-12-31T15:00:00Z')).toISOString()).toBe('2099-12-31T21:00:00.000Z');
  });

  it.each(['2025-02-30', '2025-13-01', '2025-2-3', '20250203', '', 'not a date', ' 2025-01-02', '2025-01-02T00:00', '+002025-01-02', '2025-00-10'])(
    'session(%j) throws INVALID_DATE',
    (date) => {
      const error = caught(() => nyse.session(date));
      expect(error.code).toBe('INVALID_DATE');
      expect(error.message).toContain('YYYY-MM-DD');
      expect(error.hint).not.toBe('');
    },
  );

  it('non-string dates from untyped callers throw INVALID_DATE', () => {
    expect(caught(() => nyse.session(20250102 as unknown as string)).code).toBe('INVALID_DATE');
  });

  it.each([
    ['sessionAt', () => nyse.sessionAt(new Date('nope'))],
    ['isOpen', () => nyse.isOpen(new Date(Number.NaN))],
    ['nextOpen', () => nyse.nextOpen(new Date('nope'))],
    ['nextClose', () => nyse.nextClose(new Date('nope'))],
    ['previousClose', () => nyse.previousClose(new Date('nope'))],
    ['status', () => nyse.status(new Date('nope'))],
    ['a string instead of a Date', () => nyse.isOpen('2026-11-23T15:00:00Z' as unknown as Date)],
  ])('%s with an invalid instant throws INVALID_DATE', (_label, fn) => {
    expect(caught(fn).code).toBe('INVALID_DATE');
  });
});

describe('createNyseCalendar', () => {
  it('without options behaves like nyse', () => {
    expect(createNyseCalendar().session('2001-09-11')).toEqual(nyse.session('2001-09-11'));
  });

  it('specialClosures replaces the shipped list', () => {
    const calendar = createNyseCalendar({ specialClosures: [{ date: '2026-03-10', name: 'Test closure' }] });
    expect(calendar.session('2026-03-10')).toEqual({ date: '2026-03-10', open: false, reason: 'special-closure', name: 'Test closure' });
    expect(calendar.session('2001-09-11').open).toBe(true);
    expect(calendar.nextOpen(at('2026-03-09T21:00:00Z')).toISOString()).toBe('2026-03-11T13:30:00.000Z');
    // The shared calendar is unaffected.
    expect(nyse.session('2026-03-10').open).toBe(true);
  });

  it('a special closure on an early-close day closes the whole day', () => {
    const calendar = createNyseCalendar({ specialClosures: [{ date: '2026-11-27', name: 'Test closure' }] });
    expect(calendar.session('2026-11-27')).toMatchObject({ open: false, reason: 'special-closure' });
  });

  it('validates option closures like the file', () => {
    const error = caught(() => createNyseCalendar({ specialClosures: [{ date: '2026-03-07', name: 'Saturday' }] }));
    expect(error.code).toBe('INVALID_SPECIAL_CLOSURE');
    expect(error.message).toContain('createNyseCalendar');
    expect(error.message).toContain('2026-03-07');
  });
});
