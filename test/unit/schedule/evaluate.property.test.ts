import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { fireTimesBetween, nextFireTimes, parseExpression, previousFireTime } from '../../../src/schedule/index.ts';

/**
 * Each generated field carries its text and an independent predicate, so the brute-force oracle
 * below never goes through the parser or the day tables under test.
 */
interface Field<T> {
  readonly text: string;
  readonly matches: (value: T) => boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Values come from min..max; `*` in the field still starts at fieldMin (1970 for years). */
function valueField(
  min: number,
  max: number,
  options: { wraps?: boolean; names?: string[]; fieldMin?: number } = {},
): fc.Arbitrary<Field<number>> {
  const fieldMin = options.fieldMin ?? min;
  const value = fc.integer({ min, max });
  const label = (v: number): fc.Arbitrary<string> =>
    options.names === undefined ? fc.constant(String(v)) : fc.constantFrom(String(v), options.names[v - min]!, options.names[v - min]!.toLowerCase());
  const step = fc.integer({ min: 1, max: Math.min(max - min + 1, 25) });
  const single = value.chain((v) => label(v).map((text) => ({ text, matches: (x: number) => x === v })));
  const star = fc.constant({ text: '*', matches: () => true });
  const starStep = step.map((s) => ({ text: `*/${s}`, matches: (x: number) => (x - fieldMin) % s === 0 }));
  const startStep = fc.tuple(value, step).map(([a, s]) => ({ text: `${a}/${s}`, matches: (x: number) => x >= a && (x - a) % s === 0 }));
  const ordered = fc.tuple(value, value).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
  const rangeStep = fc
    .tuple(ordered, fc.option(step, { nil: undefined }))
    .map(([[a, b], s]) => ({
      text: s === undefined ? `${a}-${b}` : `${a}-${b}/${s}`,
      matches: (x: number) => x >= a && x <= b && (x - a) % (s ?? 1) === 0,
    }));
  const list = fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((vs) => ({ text: vs.join(','), matches: (x: number) => vs.includes(x) }));
  const choices: fc.Arbitrary<Field<number>>[] = [single, star, starStep, startStep, rangeStep, list];
  if (options.wraps === true) {
    const wrapped = fc
      .tuple(value, value)
      .filter(([a, b]) => a > b)
      .map(([a, b]) => ({ text: `${a}-${b}`, matches: (x: number) => x >= a || x <= b }));
    choices.push(wrapped);
  }
  return fc.oneof(...choices);
}

interface CalendarDay {
  readonly date: Temporal.PlainDate;
  /** AWS numbering, 1 = Sunday. */
  readonly weekday: number;
}

const awsWeekday = (date: Temporal.PlainDate): number => (date.dayOfWeek % 7) + 1;
const isWeekend = (date: Temporal.PlainDate): boolean => date.dayOfWeek >= 6;

const dayOfMonthSpecial: fc.Arbitrary<Field<CalendarDay>> = fc.oneof(
  fc.constant({ text: 'L', matches: ({ date }: CalendarDay) => date.day === date.daysInMonth }),
  fc.constant({
    text: 'LW',
    matches: ({ date }: CalendarDay) => {
      let last = date.with({ day: date.daysInMonth });
      while (isWeekend(last)) last = last.subtract({ days: 1 });
      return last.day === date.day;
    },
  }),
  fc.integer({ min: 1, max: 31 }).map((n) => ({
    text: `${n}W`,
    matches: ({ date }: CalendarDay) => {
      if (n > date.daysInMonth) return false;
      // Nearest weekday by distance, staying inside the month.
      const target = date.with({ day: n });
      const candidates = [0, -1, 1, -2, 2]
        .map((offset) => target.add({ days: offset }))
        .filter((d) => d.month === target.month && !isWeekend(d));
      return candidates[0]!.day === date.day;
    },
  })),
);

const dayOfWeekSpecial: fc.Arbitrary<Field<CalendarDay>> = fc.oneof(
  fc.constant({ text: 'L', matches: ({ weekday }: CalendarDay) => weekday === 7 }),
  fc.integer({ min: 1, max: 7 }).map((w) => ({
    text: `${DAYS[w - 1]!}L`,
    matches: ({ date, weekday }: CalendarDay) => weekday === w && date.day + 7 > date.daysInMonth,
  })),
  fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([w, n]) => ({
    text: `${w}#${n}`,
    matches: ({ date, weekday }: CalendarDay) => weekday === w && Math.ceil(date.day / 7) === n,
  })),
);

function onDay(arb: fc.Arbitrary<Field<number>>, pick: (day: CalendarDay) => number): fc.Arbitrary<Field<CalendarDay>> {
  return arb.map((field) => ({ text: field.text, matches: (day: CalendarDay) => field.matches(pick(day)) }));
}

const QUESTION: Field<CalendarDay> = { text: '?', matches: () => true };

/** Exactly one of day-of-month / day-of-week is '?'. */
const days = fc.oneof(
  fc.oneof(onDay(valueField(1, 31), (d) => d.date.day), dayOfMonthSpecial).map((dom) => ({ dom, dow: QUESTION })),
  fc
    .oneof(onDay(valueField(1, 7, { wraps: true, names: DAYS }), (d) => d.weekday), dayOfWeekSpecial)
    .map((dow) => ({ dom: QUESTION, dow })),
);

interface GeneratedCron {
  readonly text: string;
  readonly matches: (wall: Temporal.PlainDateTime) => boolean;
}

const cronArb: fc.Arbitrary<GeneratedCron> = fc
  .record({
    minutes: valueField(0, 59),
    // Every hour is common so that fires land in DST gaps and overlaps often.
    hours: fc.oneof({ weight: 1, arbitrary: fc.constant({ text: '*', matches: () => true }) }, { weight: 2, arbitrary: valueField(0, 23) }),
    days,
    months: valueField(1, 12, { wraps: true, names: MONTHS }),
    years: fc.oneof(
      { weight: 5, arbitrary: fc.constant({ text: '*', matches: () => true }) },
      { weight: 1, arbitrary: valueField(2019, 2032, { fieldMin: 1970 }) },
    ),
  })
  .map(({ minutes, hours, days: { dom, dow }, months, years }) => ({
    text: `cron(${minutes.text} ${hours.text} ${dom.text} ${months.text} ${dow.text} ${years.text})`,
    matches: (wall: Temporal.PlainDateTime) => {
      const day = { date: wall.toPlainDate(), weekday: awsWeekday(wall.toPlainDate()) };
      return (
        minutes.matches(wall.minute) &&
        hours.matches(wall.hour) &&
        months.matches(wall.month) &&
        years.matches(wall.year) &&
        dom.matches(day) &&
        dow.matches(day)
      );
    },
  }));

const TIMEZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'] as const;
type Zone = (typeof TIMEZONES)[number];

const MIN_MS = Date.UTC(2020, 0, 1);
const MAX_MS = Date.UTC(2030, 11, 31);
/** DST transitions with their zone, so gap and overlap days are exercised far more often than uniform sampling would. */
const TRANSITIONS: readonly (readonly [Zone, number])[] = [
  ['America/New_York', '2026-03-08T07:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['America/New_York', '2021-11-07T06:00:00Z'],
  ['Europe/London', '2026-03-29T01:00:00Z'],
  ['Europe/London', '2026-10-25T01:00:00Z'],
  ['Australia/Sydney', '2026-04-04T16:00:00Z'],
  ['Australia/Sydney', '2026-10-03T16:00:00Z'],
].map(([zone, iso]) => [zone as Zone, Date.parse(iso!)] as const);

const HOUR_MS = 3_600_000;
/** [timezone, instant ms]: uniform over 2020-2030, within a day of a DST transition in that zone, or inside its gap/overlap hour. */
const zonedInstantArb: fc.Arbitrary<readonly [Zone, number]> = fc.oneof(
  fc.tuple(fc.constantFrom(...TIMEZONES), fc.integer({ min: MIN_MS, max: MAX_MS })),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -26 * HOUR_MS, max: 26 * HOUR_MS }))
    .map(([[zone, ms], offset]) => [zone, ms + offset] as const),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2 * HOUR_MS, max: 2 * HOUR_MS }))
    .map(([[zone, ms], offset]) => [zone, ms + offset] as const),
);

describe('cron evaluation properties', () => {
  it('generated expressions parse', () => {
    fc.assert(
      fc.property(cronArb, (cron) => {
        expect(parseExpression(cron.text).kind).toBe('cron');
      }),
      { numRuns: 500 },
    );
  });

  it('nextFireTimes is strictly increasing, after t, and each fire is its own previousFireTime', () => {
    fc.assert(
      fc.property(cronArb, zonedInstantArb, (cron, [timezone, ms]) => {
        const after = new Date(ms);
        const fires = nextFireTimes(cron.text, { timezone, after, count: 5 });
        let previous = ms;
        for (const fire of fires) {
          expect(fire.getTime()).toBeGreaterThan(previous);
          previous = fire.getTime();
        }
        const first = fires[0];
        if (first !== undefined) {
          expect(previousFireTime(cron.text, { timezone, atOrBefore: first })?.getTime()).toBe(first.getTime());
          // Nothing fires in (t, first).
          const before = previousFireTime(cron.text, { timezone, atOrBefore: new Date(first.getTime() - 1) });
          expect(before === undefined || before.getTime() <= ms).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('previousFireTime(t) <= t and the next fire after it is beyond t', () => {
    fc.assert(
      fc.property(cronArb, zonedInstantArb, (cron, [timezone, ms]) => {
        const latest = previousFireTime(cron.text, { timezone, atOrBefore: new Date(ms) });
        if (latest === undefined) return;
        expect(latest.getTime()).toBeLessThanOrEqual(ms);
        const [next] = nextFireTimes(cron.text, { timezone, after: latest, count: 1 });
        expect(next === undefined || next.getTime() > ms).toBe(true);
        const [again] = nextFireTimes(cron.text, { timezone, after: new Date(latest.getTime() - 1), count: 1 });
        expect(again?.getTime()).toBe(latest.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a brute-force minute-by-minute scan over 26 hours', () => {
    fc.assert(
      fc.property(cronArb, zonedInstantArb, (cron, [timezone, ms]) => {
        const start = Math.floor(ms / 60_000) * 60_000;
        const end = start + 26 * 3_600_000;
        const expected: number[] = [];
        for (let t = start + 60_000; t <= end; t += 60_000) {
          const wall = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(timezone).toPlainDateTime();
          if (!cron.matches(wall)) continue;
          // A repeated wall time fires only at its first instant.
          if (wall.toZonedDateTime(timezone, { disambiguation: 'earlier' }).epochMilliseconds === t) expected.push(t);
        }
        const actual = fireTimesBetween(cron.text, { timezone, after: new Date(start), atOrBefore: new Date(end) }).map((d) => d.getTime());
        expect(actual).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('day rules agree with a day-by-day scan over 400 days', () => {
    // Noon UTC isolates the day-of-month / day-of-week / month / year rules from time-of-day and DST.
    const dayCron = fc.record({ days, months: valueField(1, 12, { wraps: true, names: MONTHS }) });
    fc.assert(
      fc.property(dayCron, fc.integer({ min: MIN_MS, max: MAX_MS }), ({ days: { dom, dow }, months }, ms) => {
        const text = `cron(0 12 ${dom.text} ${months.text} ${dow.text} *)`;
        const first = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO('UTC').toPlainDate();
        const expected: string[] = [];
        for (let date = first; Temporal.PlainDate.compare(date, first.add({ days: 400 })) < 0; date = date.add({ days: 1 })) {
          const day = { date, weekday: awsWeekday(date) };
          if (months.matches(date.month) && dom.matches(day) && dow.matches(day)) expected.push(`${date.toString()}T12:00:00.000Z`);
        }
        const after = new Date(`${first.toString()}T00:00:00Z`);
        const atOrBefore = new Date(`${first.add({ days: 399 }).toString()}T23:59:59Z`);
        expect(fireTimesBetween(text, { after, atOrBefore }).map((d) => d.toISOString())).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
