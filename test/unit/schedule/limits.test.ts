import { describe, expect, it } from 'vitest';
import { MAX_RATE_DAYS, nextFireTimes, parseExpression } from '../../../src/schedule/index.ts';
import { parseError } from '../../support/parse-error.ts';

/** The last instant a JS Date holds: +275760-09-13T00:00:00Z. */
const MAX_DATE_MS = 8.64e15;


describe('rate() periods too long to evaluate', () => {
  it.each(['rate(99999999999 minutes)', 'rate(100000000 days)', 'rate(1440000001 minutes)', 'rate(24000001 hours)', 'rate(1000001 days)'])(
    '%s is an INVALID_EXPRESSION user error whose hint names the longest accepted rate',
    (text) => {
      const error = parseError(text);
      expect(error.code).toBe('INVALID_EXPRESSION');
      expect(error.kind).toBe('user');
      expect(error.message).toMatch(/^rate value \d+ (minutes|hours|days) is longer than the 1,000,000-day period ops can evaluate$/);
      expect(error.hint).toContain('rate(1440000000 minutes), rate(24000000 hours) or rate(1000000 days)');
    },
  );

  it.each<[string, number]>([
    ['rate(1440000000 minutes)', MAX_RATE_DAYS * 86_400_000],
    ['rate(24000000 hours)', MAX_RATE_DAYS * 86_400_000],
    ['rate(1000000 days)', MAX_RATE_DAYS * 86_400_000],
  ])('%s, the bound itself, is accepted', (text, periodMs) => {
    expect(parseExpression(text)).toMatchObject({ kind: 'rate', periodMs });
  });
});

describe('fire times at the edge of the Date range', () => {
  it('stops a rate() at the last instant a Date can hold instead of returning Invalid Dates', () => {
    const anchor = new Date(MAX_DATE_MS - 1.5 * 86_400_000);
    const fires = nextFireTimes('rate(1 day)', { anchor, after: new Date(anchor.getTime() - 1), count: 5 });
    expect(fires.map((d) => d.toISOString())).toEqual(['+275760-09-11T12:00:00.000Z', '+275760-09-12T12:00:00.000Z']);
  });

  it('returns nothing, not an Invalid Date, when the first period already leaves the range', () => {
    const after = new Date(MAX_DATE_MS);
    expect(nextFireTimes('rate(1000000 days)', { anchor: after, after, count: 3 })).toEqual([]);
  });
});

describe('long input in messages', () => {
  it('prints the digits of a huge cron value as written, not as 1e+23', () => {
    expect(parseError('cron(0 0 * * ? 99999999999999999999999)').message).toBe('cron field 6 (year): 99999999999999999999999 is out of range 1970-2199');
  });

  it.each([
    ['an unknown expression type', 'x'.repeat(100_000)],
    ['a rate value', `rate(${'9'.repeat(100_000)} minutes)`],
    ['a rate unit', `rate(5 ${'m'.repeat(100_000)})`],
    ['a cron value', `cron(0 0 * * ? ${'1'.repeat(100_000)})`],
    ['a cron list', `cron(${'1,'.repeat(50_000)}x 0 * * ? *)`],
    ['a cron step', `cron(0/${'7'.repeat(100_000)} 0 * * ? *)`],
    ['an at() time', `at(${'2'.repeat(100_000)})`],
  ])('clips %s of 100,000 characters in the message, hint and details', (_what, text) => {
    const error = parseError(text);
    for (const said of [error.message, error.hint, JSON.stringify(error.details())]) {
      expect(said.length).toBeLessThan(1_000);
    }
    expect(`${error.message} ${error.hint} ${JSON.stringify(error.details())}`).toContain('characters)');
  });
});
