/**
 * The synthetic market: deterministic GBM closes for every NYSE session 2000–2099, independent of the
 * query window, with the documented parameters, and still able to be stale or missing so the
 * workflow's STALE_MARKET_DATA / INSUFFICIENT_HISTORY / TARGET_WITHOUT_PRICE paths stay testable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nyse, type MarketCalendar } from '../../../src/market/index.ts';
import { runLocalWorkflow } from '../../../src/entry/wiring/local-workflow.ts';
import type { PriceBar } from '../../../src/trading/ports/market-data.ts';
import { DEFAULT_STRATEGY, runStrategy } from '../../../src/trading/domain/strategy.ts';
import { DEFAULT_SYNTHETIC_SYMBOLS, SYMBOL_PRESETS, SyntheticMarketData } from '../../../src/trading/adapters/synthetic-market-data.ts';

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const wire = (bars: readonly PriceBar[] | undefined) => (bars ?? []).map((b) => `${b.date} ${b.close.toFixed()}`);

/** Every NYSE session of a year, asked of the calendar day by day (weekends included). */
function sessionsOf(year: number): string[] {
  const dates: string[] = [];
  for (let ms = Date.UTC(year, 0, 1); new Date(ms).getUTCFullYear() === year; ms += DAY_MS) {
    if (nyse.session(isoDay(ms)).open) dates.push(isoDay(ms));
  }
  return dates;
}

/** Daily log returns of a series of bars. */
function logReturns(bars: readonly PriceBar[]): number[] {
  return bars.slice(1).map((bar, i) => Math.log(bar.close.toNumber() / (bars[i] as PriceBar).close.toNumber()));
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const stdev = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('SyntheticMarketData', () => {
  it('knows the default strategy universe, and nothing else unless configured', async () => {
    const data = new SyntheticMarketData();
    expect(await data.symbols()).toEqual([...DEFAULT_STRATEGY.kind === 'momentum' ? DEFAULT_STRATEGY.universe : []].sort());
    expect(DEFAULT_SYNTHETIC_SYMBOLS).toEqual(Object.keys(SYMBOL_PRESETS).sort());
    const history = await data.history(['SPY', 'NOPE'], '2026-12-04', 5);
    expect(history.get('SPY')).toHaveLength(5);
    expect(history.has('NOPE')).toBe(false);

    const custom = new SyntheticMarketData({ symbols: ['NOPE', 'SPY'] });
    expect(await custom.symbols()).toEqual(['NOPE', 'SPY']);
    expect((await custom.history(['NOPE'], '2026-12-04', 3)).get('NOPE')).toHaveLength(3);
    expect(custom.paramsOf('NOPE')).toMatchObject({ drift: 0.06, volatility: 0.25 });
    expect(custom.paramsOf('NOPE')?.startPrice).toMatch(/^\d{2,3}\.\d{2}$/);
    expect(custom.paramsOf('SPY')).toEqual(SYMBOL_PRESETS.SPY);
    expect(custom.paramsOf('AAPL')).toBeUndefined();
  });

  it('gives the same close for (symbol, date) whatever window, order or instance asked for it', async () => {
    const dates = ['2000-01-03', '2009-03-09', '2025-12-31', '2026-12-04', '2051-07-03', '2099-12-31'];
    const oneByOne = new Map<string, string[]>();
    for (const date of dates) oneByOne.set(date, wire((await new SyntheticMarketData().history(['NVDA'], date, 1)).get('NVDA')));

    // One instance, asked far-future first then backwards, so every cache fills in another order.
    const shared = new SyntheticMarketData();
    for (const date of [...dates].reverse()) {
      expect(wire((await shared.history(['NVDA'], date, 1)).get('NVDA')), date).toEqual(oneByOne.get(date));
    }
    // Inside a long window, the same bar again.
    const window = wire((await shared.history(['NVDA'], '2027-06-30', 400)).get('NVDA'));
    expect(window).toContain(oneByOne.get('2026-12-04')![0]);
    expect(oneByOne.get('2026-12-04')).toEqual([expect.stringMatching(/^2026-12-04 \d+(\.\d{1,2})?$/)]);
  });

  it('is a different market under another seed, and the same one under the same seed', async () => {
    const bars = async (seed: number) => wire((await new SyntheticMarketData({ seed }).history(['SPY', 'TLT'], '2026-12-04', 20)).get('SPY'));
    expect(await bars(7)).toEqual(await bars(7));
    expect(await bars(7)).not.toEqual(await bars(0));
    expect(() => new SyntheticMarketData({ seed: -1 })).toThrow(/unsigned 32-bit/);
    expect(() => new SyntheticMarketData({ seed: 2 ** 32 })).toThrow(/unsigned 32-bit/);
  });

  it('has a bar on every NYSE session and on nothing else (weekends, Thanksgiving, Good Friday, special closures)', async () => {
    const data = new SyntheticMarketData();
    for (const year of [2001, 2012, 2027, 2099]) {
      const bars = (await data.history(['SPY'], `${year}-12-31`, 400)).get('SPY')!.filter((b) => b.date.startsWith(`${year}-`));
      expect(bars.map((b) => b.date), String(year)).toEqual(sessionsOf(year));
    }
    const y2027 = (await data.history(['SPY'], '2027-12-31', 400)).get('SPY')!.map((b) => b.date);
    expect(y2027).not.toContain('2027-11-25'); // Thanksgiving
    expect(y2027).not.toContain('2027-03-26'); // Good Friday
    expect(y2027).not.toContain('2027-03-13'); // Saturday
    expect(y2027).not.toContain('2027-03-14'); // Sunday
    expect(y2027).toContain('2027-11-26'); // the early close still trades
    const y2012 = (await data.history(['SPY'], '2012-12-31', 400)).get('SPY')!.map((b) => b.date);
    expect(y2012).not.toContain('2012-10-29'); // Hurricane Sandy
    expect(y2012).not.toContain('2012-10-30');
  });

  it('serves up to the session on or before asOf: a weekend asOf ends on Friday', async () => {
    const data = new SyntheticMarketData();
    expect((await data.history(['SPY'], '2027-03-14', 3)).get('SPY')!.map((b) => b.date)).toEqual(['2027-03-10', '2027-03-11', '2027-03-12']);
    expect((await data.history(['SPY'], '2027-11-25', 1)).get('SPY')!.map((b) => b.date)).toEqual(['2027-11-24']);
    expect((await data.history(['SPY'], '2028-02-29', 1)).get('SPY')!.map((b) => b.date)).toEqual(['2028-02-29']);
  });

  it('has no bars before 2000 or after 2099, and refuses a date that is not one', async () => {
    const data = new SyntheticMarketData();
    expect((await data.history(['SPY'], '1999-12-31', 5)).get('SPY')).toEqual([]);
    expect((await data.history(['SPY'], '2000-01-04', 5)).get('SPY')!.map((b) => b.date)).toEqual(['2000-01-03', '2000-01-04']);
    expect((await data.history(['SPY'], '2100-03-01', 1)).get('SPY')!.map((b) => b.date)).toEqual([sessionsOf(2099).at(-1)]);
    expect((await data.history(['SPY'], '2026-12-04', 0)).get('SPY')).toEqual([]);
    await expect(data.history(['SPY'], '2026-02-30', 5)).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });

  it('writes closes as positive decimals with at most two places, also for a penny stock that crashes', async () => {
    const data = new SyntheticMarketData({ symbols: [...DEFAULT_SYNTHETIC_SYMBOLS, 'PENNY'], params: { PENNY: { startPrice: '0.05', drift: -0.5, volatility: 1.2 } } });
    for (const asOf of ['2000-12-29', '2026-12-04', '2099-12-31']) {
      for (const [symbol, bars] of await data.history([...DEFAULT_SYNTHETIC_SYMBOLS, 'PENNY'], asOf, 250)) {
        expect(bars.length, `${symbol} ${asOf}`).toBeGreaterThan(240);
        for (const bar of bars) {
          expect(bar.close.gte('0.01'), `${symbol} ${bar.date} ${bar.close.toFixed()}`).toBe(true);
          expect(bar.close.decimalPlaces(), `${symbol} ${bar.date}`).toBeLessThanOrEqual(2);
          expect(bar.close.toFixed(2)).toMatch(/^\d+\.\d{2}$/);
        }
      }
    }
    const penny = (await data.history(['PENNY'], '2099-12-31', 5)).get('PENNY')!;
    expect(penny.map((b) => b.close.toFixed(2))).toEqual(['0.01', '0.01', '0.01', '0.01', '0.01']);
  });

  it('anchors each walk at its start price: the last close before the anchor year is startPrice', async () => {
    const data = new SyntheticMarketData();
    for (const symbol of DEFAULT_SYNTHETIC_SYMBOLS) {
      const last2025 = (await data.history([symbol], '2025-12-31', 1)).get(symbol)![0]!;
      expect(last2025.date).toBe('2025-12-31');
      expect(last2025.close.toFixed(2), symbol).toBe(SYMBOL_PRESETS[symbol]!.startPrice);
    }
    const moved = new SyntheticMarketData({ anchorYear: 2040, params: { SPY: { startPrice: '1000.00' } } });
    expect((await moved.history(['SPY'], '2039-12-31', 1)).get('SPY')![0]!.close.toFixed(2)).toBe('1000.00');
  });

  it('computes 2099 from its own year only: the calendar is asked about no other year', async () => {
    const asked = new Set<number>();
    const counting: Pick<MarketCalendar, 'session' | 'supportedYears'> = {
      supportedYears: nyse.supportedYears,
      session: (date) => {
        asked.add(Number(date.slice(0, 4)));
        return nyse.session(date);
      },
    };
    const data = new SyntheticMarketData({ calendar: counting });
    const bars = (await data.history([...DEFAULT_SYNTHETIC_SYMBOLS], '2099-11-30', 60)).get('SPY')!;
    expect(bars).toHaveLength(60);
    expect([...asked]).toEqual([2099]);
    expect(wire(bars)).toEqual(wire((await new SyntheticMarketData().history(['SPY'], '2099-11-30', 60)).get('SPY')));
  });

  it('history(asOf, n) is the suffix of history(asOf, n + k), ascending, never after asOf (property)', async () => {
    const shared = new SyntheticMarketData();
    const start = Date.UTC(2000, 0, 1);
    const span = Date.UTC(2099, 11, 31) - start;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...DEFAULT_SYNTHETIC_SYMBOLS),
        fc.integer({ min: 0, max: Math.floor(span / DAY_MS) }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        async (symbol, day, n, k) => {
          const asOf = isoDay(start + day * DAY_MS);
          const short = (await new SyntheticMarketData().history([symbol], asOf, n)).get(symbol)!;
          const long = (await shared.history([symbol], asOf, n + k)).get(symbol)!;
          expect(wire(short)).toEqual(wire(long.slice(long.length - short.length)));
          expect(short.length).toBe(Math.min(n, long.length));
          const dates = long.map((b) => b.date);
          expect(dates).toEqual([...dates].sort());
          expect(new Set(dates).size).toBe(dates.length);
          expect(dates.every((d) => d <= asOf)).toBe(true);
          if (long.length > 0) expect(nyse.session(long.at(-1)!.date).open).toBe(true);
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });

  it('has the documented drift and volatility over five years (many symbols, loose bounds)', async () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const params = Object.fromEntries(symbols.map((s) => [s, { startPrice: '1000.00', drift: 0.08, volatility: 0.2 }]));
    const data = new SyntheticMarketData({ symbols, params });
    const history = await data.history(symbols, '2034-12-31', 1_400);
    const yearly: number[] = [];
    const vols: number[] = [];
    const series: number[][] = [];
    for (const symbol of symbols) {
      const bars = history.get(symbol)!.filter((b) => b.date >= '2029-12-31');
      expect(bars[0]!.date).toBe('2029-12-31');
      const returns = logReturns(bars);
      series.push(returns);
      // Mean daily log return × sessions per year: μ − σ²/2 = 0.06.
      yearly.push(mean(returns) * (returns.length / 5));
      vols.push(stdev(returns) * Math.sqrt(returns.length / 5));
    }
    // 200 symbol-years: the mean's standard error is 0.2/√200 ≈ 0.014.
    expect(mean(yearly)).toBeGreaterThan(0.06 - 0.05);
    expect(mean(yearly)).toBeLessThan(0.06 + 0.05);
    for (const vol of vols) {
      expect(vol).toBeGreaterThan(0.17);
      expect(vol).toBeLessThan(0.23);
    }
    // Symbols are independent walks, and days are not autocorrelated.
    const corr = (a: number[], b: number[]) => {
      const ma = mean(a);
      const mb = mean(b);
      let ab = 0;
      for (let i = 0; i < a.length; i++) ab += (a[i]! - ma) * (b[i]! - mb);
      return ab / (a.length - 1) / (stdev(a) * stdev(b));
    };
    expect(Math.abs(corr(series[0]!, series[1]!))).toBeLessThan(0.12);
    expect(Math.abs(corr(series[0]!.slice(1), series[0]!.slice(0, -1)))).toBeLessThan(0.12);

    // And SPY's own preset: 16 % volatility.
    const spy = logReturns((await new SyntheticMarketData().history(['SPY'], '2030-12-31', 1_260)).get('SPY')!);
    expect(stdev(spy) * Math.sqrt(252)).toBeGreaterThan(0.14);
    expect(stdev(spy) * Math.sqrt(252)).toBeLessThan(0.18);
  });
});

describe('the workflow on synthetic data', () => {
  const clockAt = (iso: string) => {
    let t = Date.parse(iso);
    return { now: () => new Date(t++) };
  };

  it('fails with STALE_MARKET_DATA when the data ends (lastDate) more than 7 days before asOf', async () => {
    const ended = new SyntheticMarketData({ lastDate: '2026-11-20' });
    await expect(runStrategy(DEFAULT_STRATEGY, ended, '2026-12-04')).rejects.toMatchObject({ code: 'STALE_MARKET_DATA' });
    // Inside the 7 days it is still fresh enough.
    expect((await runStrategy(DEFAULT_STRATEGY, ended, '2026-11-27')).targets).toHaveLength(3);

    const run = await runLocalWorkflow({ clock: clockAt('2026-12-04T15:00:00Z'), marketData: ended, correlationId: 'wf-stale' });
    expect(run.status.state).toBe('FAILED');
    expect(run.status.failure).toMatchObject({ step: 'strategy', errorCode: 'STALE_MARKET_DATA' });

    const fixed = await runLocalWorkflow({
      clock: clockAt('2026-12-04T15:00:00Z'),
      marketData: ended,
      strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] },
      correlationId: 'wf-stale-fixed',
    });
    expect(fixed.status.failure).toMatchObject({ step: 'portfolio', errorCode: 'TARGET_WITHOUT_PRICE' });
  });

  it('fails clearly on a symbol outside its universe', async () => {
    const data = new SyntheticMarketData();
    const momentum = await runLocalWorkflow({
      clock: clockAt('2026-12-04T15:00:00Z'),
      marketData: data,
      strategy: { kind: 'momentum', universe: ['SPY', 'XYZ'], lookbackDays: 20, topN: 1 },
    });
    expect(momentum.status.failure).toMatchObject({ step: 'strategy', errorCode: 'INSUFFICIENT_HISTORY' });
    const held = await runLocalWorkflow({ clock: clockAt('2026-12-04T15:00:00Z'), marketData: data, positions: { XYZ: '10' } });
    expect(held.status.failure).toMatchObject({ step: 'portfolio', errorCode: 'POSITION_WITHOUT_PRICE' });
  });

  it('completes on any day: the default as-of is the session on or before the clock\'s New York date (property)', async () => {
    const data = new SyntheticMarketData();
    const from = Date.UTC(2000, 5, 1);
    const to = Date.UTC(2099, 11, 31);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: from, max: to }), async (ms) => {
        const now = new Date(ms);
        const run = await runLocalWorkflow({ clock: clockAt(now.toISOString()), marketData: data });
        expect(nyse.session(run.asOf.session).open).toBe(true);
        expect(run.asOf.requested).toBe(nyse.sessionAt(now).date);
        expect(run.asOf.session <= run.asOf.requested).toBe(true);
        expect(run.status.state, `${now.toISOString()}: ${JSON.stringify(run.status.failure)}`).toBe('COMPLETED');
        expect(run.status.ordersExecuted).toBeGreaterThan(0);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});
