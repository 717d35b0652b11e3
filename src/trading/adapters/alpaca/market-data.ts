/**
 * The MarketData port over Alpaca's Market Data API: daily bars (timeframe 1Day) from
 * GET /v2/stocks/{symbol}/bars, newest first (sort=desc, limit=count), following next_page_token
 * until `count` closes are in, then returned oldest first. One request per symbol keeps `limit`
 * per symbol (on the multi-symbol endpoint it caps the whole page).
 *
 * A daily bar's `t` is midnight New York time (2026-06-03T04:00:00Z); its trading date is that
 * instant's date in New York. `end` is the day after `asOf` at 00:00 UTC (20:00 or 19:00 in New
 * York on `asOf`), so the asOf bar is in and the next session's is not; bars after asOf are dropped
 * anyway. `start` reaches back far enough for `count` sessions through weekends and holidays.
 */
import { UserError } from '../../../errors.ts';
import type { MarketData, PriceBar } from '../../ports/market-data.ts';
import { AlpacaApi, type AlpacaClient } from './client.ts';
import { barsPageSchema } from './schemas.ts';

export interface AlpacaMarketDataOptions {
  /** `iex` (free plans) or `sip` (all venues, paid). Default `iex`. */
  feed?: 'iex' | 'sip';
  /** Corporate-action adjustment. Default `all` (splits and dividends), which momentum wants. */
  adjustment?: 'raw' | 'split' | 'dividend' | 'all';
}

const MAX_LIMIT = 10_000;
const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class AlpacaMarketData implements MarketData {
  private readonly client: AlpacaClient;
  private readonly feed: string;
  private readonly adjustment: string;

  constructor(client: AlpacaClient, options: AlpacaMarketDataOptions = {}) {
    this.client = client;
    this.feed = options.feed ?? 'iex';
    this.adjustment = options.adjustment ?? 'all';
  }

  async history(symbols: readonly string[], asOf: string, count: number): Promise<Map<string, PriceBar[]>> {
    if (!ISO_DATE.test(asOf)) throw new RangeError(`asOf must be YYYY-MM-DD, got ${asOf}`);
    const unique = [...new Set(symbols)];
    const loaded = await Promise.all(unique.map(async (symbol) => [symbol, await this.closes(symbol, asOf, count)] as const));
    return new Map(loaded.filter(([, bars]) => bars.length > 0));
  }

  private async closes(symbol: string, asOf: string, count: number): Promise<PriceBar[]> {
    if (count <= 0) return [];
    const newestFirst: PriceBar[] = [];
    let pageToken: string | undefined;
    do {
      const outcome = await this.client.send({
        api: AlpacaApi.data,
        method: 'GET',
        path: `/v2/stocks/${encodeURIComponent(symbol)}/bars`,
        query: {
          timeframe: '1Day',
          start: addDays(asOf, -lookbackDays(count)),
          end: `${addDays(asOf, 1)}T00:00:00Z`,
          limit: Math.min(count - newestFirst.length, MAX_LIMIT),
          sort: 'desc',
          feed: this.feed,
          adjustment: this.adjustment,
          page_token: pageToken,
        },
        schema: barsPageSchema,
        expect: [403],
      });
      if (!outcome.ok) {
        throw new UserError('ALPACA_DATA_FORBIDDEN', `Alpaca's market data refused ${symbol} bars on the ${this.feed} feed (403 ${outcome.message}).`, 'Free plans get the iex feed and no SIP data from the last 15 minutes: use feed "iex" or a plan that includes SIP.');
      }
      const page = outcome.value;
      for (const bar of page.bars ?? []) {
        const date = NEW_YORK_DATE.format(new Date(bar.t));
        if (date <= asOf && newestFirst.length < count) newestFirst.push({ date, close: bar.c });
      }
      pageToken = page.next_page_token ?? undefined;
    } while (pageToken !== undefined && newestFirst.length < count);
    return newestFirst.reverse();
  }
}

/** Calendar days that hold `count` NYSE sessions: 252 sessions a year, plus two weeks of slack. */
function lookbackDays(count: number): number {
  return Math.ceil((count * 365) / 252) + 14;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
