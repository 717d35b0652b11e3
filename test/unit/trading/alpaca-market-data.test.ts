/** Contract tests: daily bars from Alpaca's Market Data API stand-in on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { AlpacaMarketData } from '../../../src/trading/adapters/alpaca/market-data.ts';
import type { PriceBar } from '../../../src/trading/ports/market-data.ts';
import type { ContractBar } from '../../support/alpaca-contract-server.ts';
import { startHarness, type Harness } from './alpaca-support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.server.close();
  harness = undefined;
});

// Summer (EDT: bars stamped 04:00Z) and winter (EST: 05:00Z) sessions, with a weekend in each.
const SPY: ContractBar[] = [
  { date: '2026-06-04', close: '600.10' },
  { date: '2026-06-05', close: '601.25' },
  { date: '2026-06-08', close: '599.99' },
  { date: '2026-06-09', close: '602.5' },
  { date: '2026-06-10', close: '603.01' },
  { date: '2026-12-03', close: '640' },
  { date: '2026-12-04', close: '641.5' },
  { date: '2026-12-07', close: '642.75' },
];
const GLD: ContractBar[] = [
  { date: '2026-06-08', close: '300.3' },
  { date: '2026-06-09', close: '301.7' },
];

async function setUp(barsPageSize?: number) {
  harness = await startHarness({ bars: { SPY, GLD }, ...(barsPageSize === undefined ? {} : { barsPageSize }) });
  return { ...harness, data: new AlpacaMarketData(harness.client) };
}

const show = (bars: PriceBar[] | undefined) => bars?.map((b) => `${b.date}=${b.close.toFixed()}`);

describe('AlpacaMarketData', () => {
  it('answers the last `count` closes on or before asOf, oldest first, as exact decimals', async () => {
    const { data, server } = await setUp();
    const history = await data.history(['SPY', 'GLD'], '2026-06-09', 3);
    expect(show(history.get('SPY'))).toEqual(['2026-06-05=601.25', '2026-06-08=599.99', '2026-06-09=602.5']);
    expect(show(history.get('GLD'))).toEqual(['2026-06-08=300.3', '2026-06-09=301.7']);
    const spy = server.requests.find((r) => r.path === '/v2/stocks/SPY/bars');
    // start: 3 sessions ≈ 5 calendar days, plus two weeks for holidays.
    expect(spy?.query).toEqual({ timeframe: '1Day', sort: 'desc', limit: '3', feed: 'iex', adjustment: 'all', start: '2026-05-21', end: '2026-06-10T00:00:00Z' });
  });

  it('dates winter bars (05:00Z) by their New York session too', async () => {
    const { data } = await setUp();
    const history = await data.history(['SPY'], '2026-12-07', 2);
    expect(show(history.get('SPY'))).toEqual(['2026-12-04=641.5', '2026-12-07=642.75']);
  });

  it('follows next_page_token until it has `count` closes', async () => {
    const { data, server } = await setUp(2);
    const history = await data.history(['SPY'], '2026-06-10', 5);
    expect(show(history.get('SPY'))).toEqual(['2026-06-04=600.1', '2026-06-05=601.25', '2026-06-08=599.99', '2026-06-09=602.5', '2026-06-10=603.01']);
    const pages = server.requests.filter((r) => r.path === '/v2/stocks/SPY/bars');
    expect(pages.map((p) => [p.query.limit, p.query.page_token])).toEqual([
      ['5', undefined],
      ['3', '2'],
      ['1', '4'],
    ]);
  });

  it('leaves out symbols Alpaca has no bars for (bars: null)', async () => {
    const { data } = await setUp();
    const history = await data.history(['NOPE', 'GLD'], '2026-06-09', 5);
    expect([...history.keys()]).toEqual(['GLD']);
  });

  it('retries a 429 on the data API after Retry-After', async () => {
    const { data, server, sleeps } = await setUp();
    server.inject({ status: 429, path: '/v2/stocks/GLD/bars', retryAfterSeconds: 2 });
    const history = await data.history(['GLD'], '2026-06-09', 1);
    expect(show(history.get('GLD'))).toEqual(['2026-06-09=301.7']);
    expect(sleeps).toEqual([2000]);
  });

  it('turns a 403 (plan without that feed) into a UserError with a hint', async () => {
    const { data, server } = await setUp();
    server.inject({ status: 403, path: '/v2/stocks/SPY/bars', message: 'subscription does not permit querying recent SIP data' });
    const error = await data.history(['SPY'], '2026-06-09', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('ALPACA_DATA_FORBIDDEN');
    expect((error as UserError).hint).toContain('iex');
  });
});
