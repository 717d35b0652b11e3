import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { nyse, nyseEarlyCloses, nyseHolidays } from '../../../src/market/index.ts';
import type { ClosedSession, OpenSession, Session } from '../../../src/market/index.ts';

/** Every Monday-Friday of `year` the calendar reports closed, and every early close, in date order. */
function scanYear(year: number): { closed: string[]; earlyCloses: string[] } {
  const closed: string[] = [];
  const earlyCloses: string[] = [];
  for (let day = Temporal.PlainDate.from({ year, month: 1, day: 1 }); day.year === year; day = day.add({ days: 1 })) {
    if (day.dayOfWeek >= 6) continue;
    const session = nyse.session(day.toString());
    if (!session.open) closed.push(day.toString());
    else if (session.earlyClose) earlyCloses.push(day.toString());
  }
  return { closed, earlyCloses };
}

function expectClosed(session: Session): ClosedSession {
  expect(session.open).toBe(false);
  return session as ClosedSession;
}

function expectOpen(session: Session): OpenSession {
  expect(session.open).toBe(true);
  return session as OpenSession;
}

const expected = {
  2025: {
    holidays: ['2025-01-01', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'],
    specialClosures: ['2025-01-09'],
    earlyCloses: [
      ['2025-07-03', '2025-07-03T17:00:00.000Z'],
      ['2025-11-28', '2025-11-28T18:00:00.000Z'],
      ['2025-12-24', '2025-12-24T18:00:00.000Z'],
    ],
  },
  2026: {
    holidays: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25'],
    specialClosures: [],
    earlyCloses: [
      ['2026-11-27', '2026-11-27T18:00:00.000Z'],
      ['2026-12-24', '2026-12-24T18:00:00.000Z'],
    ],
  },
  2027: {
    holidays: ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24'],
    specialClosures: [],
    earlyCloses: [['2027-11-26', '2027-11-26T18:00:00.000Z']],
  },
} as const;

describe.each([2025, 2026, 2027] as const)('NYSE %i', (year) => {
  const { holidays, specialClosures, earlyCloses } = expected[year];

  it.each(holidays.map((d) => [d]))('%s is closed for a holiday', (date) => {
    const session = expectClosed(nyse.session(date));
    expect(session).toMatchObject({ date, reason: 'holiday' });
    expect(session.name).toEqual(expect.any(String));
  });

  it.each(specialClosures.map((d) => [d]))('%s is a special closure', (date) => {
    expect(nyse.session(date)).toMatchObject({ date, open: false, reason: 'special-closure' });
  });

  it.each(earlyCloses.map(([d, close]) => [d, close]))('%s closes early at %s (13:00 New York)', (date, closeAt) => {
    const session = expectOpen(nyse.session(date));
    expect(session.earlyClose).toBe(true);
    expect(session.closeAt.toISOString()).toBe(closeAt);
    expect(session.earlyCloseReason).toEqual(expect.any(String));
  });

  it('closes on exactly these weekdays and no others', () => {
    expect(scanYear(year).closed).toEqual([...holidays, ...specialClosures].sort());
  });

  it('closes early on exactly these days and no others', () => {
    expect(scanYear(year).earlyCloses).toEqual(earlyCloses.map(([d]) => d));
  });
});

describe('holiday names and edge rules', () => {
  it.each([
    ['2025-01-01', "New Year's Day"],
    ['2025-01-20', 'Martin Luther King Jr. Day'],
    ['2025-02-17', "Washington's Birthday"],
    ['2025-04-18', 'Good Friday'],
    ['2025-05-26', 'Memorial Day'],
    ['2025-06-19', 'Juneteenth National Independence Day'],
    ['2025-07-04', 'Independence Day'],
    ['2025-09-01', 'Labor Day'],
    ['2025-11-27', 'Thanksgiving Day'],
    ['2025-12-25', 'Christmas Day'],
    ['2026-07-03', 'Independence Day (observed)'],
    ['2027-06-18', 'Juneteenth National Independence Day (observed)'],
    ['2027-12-24', 'Christmas Day (observed)'],
    ['2023-01-02', "New Year's Day (observed)"],
  ])('%s is %s', (date, name) => {
    expect(nyse.session(date)).toEqual({ date, open: false, reason: 'holiday', name });
  });

  it('2025-01-09 names the National Day of Mourning for President Carter', () => {
    expect(nyse.session('2025-01-09')).toEqual({
      date: '2025-01-09',
      open: false,
      reason: 'special-closure',
      name: 'National Day of Mourning for President Carter',
    });
  });

  it('2026-07-02 is a normal full day: the July 3 early-close rule applies to July 3 only', () => {
    const session = expectOpen(nyse.session('2026-07-02'));
    expect(session.earlyClose).toBe(false);
    expect(session.earlyCloseReason).toBeUndefined();
    expect(session.closeAt.toISOString()).toBe('2026-07-02T20:00:00.000Z');
  });

  it('2027-12-31 is a full day because a Saturday New Year (2028) is not observed', () => {
    const session = expectOpen(nyse.session('2027-12-31'));
    expect(session.earlyClose).toBe(false);
    expect(session.closeAt.toISOString()).toBe('2027-12-31T21:00:00.000Z');
    expect(nyse.session('2028-01-01')).toMatchObject({ open: false, reason: 'weekend' });
  });

  it('2021-12-31 trades too (New Year 2022 on Saturday)', () => {
    expect(nyse.session('2021-12-31').open).toBe(true);
  });

  it('Juneteenth is only a holiday from 2022 on', () => {
    expect(nyse.session('2021-06-18').open).toBe(true); // June 19 2021 was a Saturday
    expect(nyse.session('2020-06-19').open).toBe(true); // a Friday
    expect(nyse.session('2022-06-20')).toMatchObject({ open: false, reason: 'holiday' }); // Sunday → Monday
  });

  it('Sunday holidays move to Monday', () => {
    expect(nyse.session('2021-07-05')).toMatchObject({ open: false, name: 'Independence Day (observed)' });
    expect(nyse.session('2022-12-26')).toMatchObject({ open: false, name: 'Christmas Day (observed)' });
  });

  it('Christmas Eve on Friday as observed Christmas is a holiday, not an early close', () => {
    expect(nyse.session('2021-12-24')).toMatchObject({ open: false, reason: 'holiday' });
  });

  it('Good Friday is closed every year in range', () => {
    expect(nyse.session('2008-03-21')).toMatchObject({ open: false, name: 'Good Friday' });
    expect(nyse.session('2099-04-10')).toMatchObject({ open: false, name: 'Good Friday' });
  });

  it('weekends are closed with reason weekend and no name', () => {
    expect(nyse.session('2026-11-21')).toEqual({ date: '2026-11-21', open: false, reason: 'weekend' });
    expect(nyse.session('2026-11-22')).toEqual({ date: '2026-11-22', open: false, reason: 'weekend' });
  });
});

describe('nyseHolidays / nyseEarlyCloses (rule lists, no special closures)', () => {
  it('2026 holidays in date order with names', () => {
    expect(nyseHolidays(2026)).toEqual([
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-01-19', name: 'Martin Luther King Jr. Day' },
      { date: '2026-02-16', name: "Washington's Birthday" },
      { date: '2026-04-03', name: 'Good Friday' },
      { date: '2026-05-25', name: 'Memorial Day' },
      { date: '2026-06-19', name: 'Juneteenth National Independence Day' },
      { date: '2026-07-03', name: 'Independence Day (observed)' },
      { date: '2026-09-07', name: 'Labor Day' },
      { date: '2026-11-26', name: 'Thanksgiving Day' },
      { date: '2026-12-25', name: 'Christmas Day' },
    ]);
  });

  it('a Saturday New Year is not listed at all (2022), and Juneteenth is absent before 2022', () => {
    const dates2022 = nyseHolidays(2022).map((h) => h.date);
    expect(dates2022.filter((d) => d.startsWith('2022-01'))).toEqual(['2022-01-17']);
    expect(nyseHolidays(2021).some((h) => h.name.startsWith('Juneteenth'))).toBe(false);
  });

  it('early closes list only Monday-Thursday July 3 / Dec 24 and the day after Thanksgiving', () => {
    const early = (year: number): string[] => nyseEarlyCloses(year, new Map(nyseHolidays(year).map((h) => [h.date, h.name]))).map((e) => e.date);
    expect(early(2026)).toEqual(['2026-11-27', '2026-12-24']); // July 3 is the observed holiday
    expect(early(2027)).toEqual(['2027-11-26']); // July 3 Saturday, Dec 24 the observed Christmas
    expect(early(2025)).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
    expect(early(2032)).toEqual(['2032-11-26']); // July 3 and Dec 24 2032 fall on Saturday and Friday
  });
});
