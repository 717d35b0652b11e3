import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { FixtureMarketData, parseClosesCsv } from '../../../src/trading/adapters/fixture-market-data.ts';
import type { PriceBar } from '../../../src/trading/ports/market-data.ts';
import { dec } from '../../../src/trading/domain/money.ts';
import { DEFAULT_STRATEGY, equalWeights, fixedTargets, momentumTargets, runStrategy } from '../../../src/trading/domain/strategy.ts';
import { StepError } from '../../../src/trading/domain/trading-errors.ts';

function bars(closes: number[], lastDate = '2026-11-20'): PriceBar[] {
  const end = Date.parse(`${lastDate}T00:00:00Z`);
  return closes.map((close, i) => ({ date: new Date(end - (closes.length - 1 - i) * 86_400_000).toISOString().slice(0, 10), close: dec(close) }));
}

const spec = (topN: number, universe = ['AAA', 'BBB', 'CCC', 'DDD']) => ({ kind: 'momentum' as const, universe, lookbackDays: 3, topN });

describe('momentum strategy', () => {
  const history = new Map([
    ['AAA', bars([100, 101, 102, 110])], // +10%
    ['BBB', bars([50, 40, 45, 60])], // +20%
    ['CCC', bars([10, 10, 10, 9])], // -10%
    ['DDD', bars([20, 21, 21, 22])], // +10% (ties with AAA)
  ]);

  it('holds the top N by return over the lookback, equally weighted, ties broken by symbol', () => {
    const result = momentumTargets(spec(2), history, '2026-11-20');
    expect(result.targets).toEqual([
      { symbol: 'AAA', weight: '0.5' },
      { symbol: 'BBB', weight: '0.5' },
    ]);
    expect(result.scores).toEqual({ BBB: '0.2', AAA: '0.1', DDD: '0.1', CCC: '-0.1' });
    expect(result.name).toBe('momentum top 2 over 3d');
  });

  it('stays fully invested even when every return is negative (relative momentum)', () => {
    const down = new Map([...history].map(([s, b]) => [s, b.map((x, i) => ({ ...x, close: dec(1000 - i - s.charCodeAt(0)) }))]));
    expect(momentumTargets(spec(1), down, '2026-11-20').targets).toHaveLength(1);
  });

  it('refuses too little history, stale data and topN beyond the universe', () => {
    expect(() => momentumTargets(spec(2), new Map([...history, ['DDD', bars([20, 22])]]), '2026-11-20')).toThrow(/DDD has 2 closes/);
    expect(() => momentumTargets(spec(2), history, '2026-12-20')).toThrow(StepError);
    expect(() => momentumTargets(spec(5), history, '2026-11-20')).toThrow(/topN 5/);
  });

  it('ranks the fixture data deterministically', async () => {
    const data = new FixtureMarketData();
    const first = await runStrategy(DEFAULT_STRATEGY, data, '2026-11-20');
    const again = await runStrategy(DEFAULT_STRATEGY, new FixtureMarketData(), '2026-11-20');
    expect(first).toEqual(again);
    expect(first.targets.map((t) => t.symbol)).toEqual(['EFA', 'QQQ', 'SPY']);
    expect(first.targets.reduce((t, w) => t.plus(w.weight), dec(0)).toFixed()).toBe('1');
  });
});

describe('equal and fixed weights', () => {
  it('splits 1 into n parts that sum to exactly 1', () => {
    for (const n of [1, 3, 7]) {
      const weights = equalWeights(Array.from({ length: n }, (_, i) => `S${i}`));
      expect(weights.reduce((t, w) => t.plus(w.weight), dec(0)).toFixed()).toBe('1');
    }
    expect(equalWeights(['A', 'B', 'C']).map((w) => w.weight)).toEqual(['0.333333333333', '0.333333333333', '0.333333333334']);
  });

  it('passes fixed weights through and refuses a repeated symbol', () => {
    expect(fixedTargets({ kind: 'fixed', weights: [{ symbol: 'SPY', weight: '0.6' }, { symbol: 'TLT', weight: '0.4' }] }).targets).toHaveLength(2);
    expect(() => fixedTargets({ kind: 'fixed', weights: [{ symbol: 'SPY', weight: '0.5' }, { symbol: 'SPY', weight: '0.5' }] })).toThrow(/twice/);
  });
});

describe('fixture market data', () => {
  it('ships about 120 days of closes for 8 symbols', async () => {
    const data = new FixtureMarketData();
    expect(await data.symbols()).toEqual(['AAPL', 'EFA', 'GLD', 'IWM', 'NVDA', 'QQQ', 'SPY', 'TLT']);
    expect(await data.latestDate()).toBe('2026-11-20');
    const history = await data.history(['SPY', 'NOPE'], '2026-11-20', 500);
    expect(history.get('SPY')).toHaveLength(120);
    expect(history.has('NOPE')).toBe(false);
  });

  it('returns the last N closes on or before the as-of date', async () => {
    const data = new FixtureMarketData();
    const history = await data.history(['SPY'], '2026-11-22', 2);
    expect(history.get('SPY')?.map((b) => b.date)).toEqual(['2026-11-19', '2026-11-20']);
  });

  it('reads a directory of CSV files and reports a broken line with its location', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ops-md-'));
    await writeFile(join(dir, 'ABC.csv'), 'date,close\n2026-01-02,10.5\n2026-01-05,11\n');
    await writeFile(join(dir, 'BAD.csv'), 'date,close\n2026-01-02,10.5\n2026-01-01,11\n');
    const data = new FixtureMarketData(dir);
    expect((await data.history(['ABC'], '2026-12-31', 5)).get('ABC')?.map((b) => b.close.toFixed())).toEqual(['10.5', '11']);
    await expect(data.history(['BAD'], '2026-12-31', 5)).rejects.toThrow(/BAD.csv:3: 2026-01-01 does not come after 2026-01-02/);
  });

  it.each([
    ['close,date\n', /header/],
    ['date,close\n2026-01-02,-1\n', /positive price/],
    ['date,close\n2026-01-02,1e3\n', /positive price/],
    ['date,close\n02/01/2026,10\n', /YYYY-MM-DD/],
    ['date,close\n2026-01-02,10,11\n', /expected "date,close"/],
  ])('refuses malformed CSV %j', (text, message) => {
    expect(() => parseClosesCsv(text, 'x.csv')).toThrow(UserError);
    expect(() => parseClosesCsv(text, 'x.csv')).toThrow(message);
  });
});
