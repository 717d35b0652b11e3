/**
 * Market data from CSV files, one per symbol (`<SYMBOL>.csv` with a `date,close` header), as shipped
 * in fixtures/market-data/: a frozen snapshot (2026-06-03 to 2026-11-20) that tests and benchmarks pin
 * their "as of" inside. Local runs and the deployed stack default to SyntheticMarketData, which has a
 * close for every session; choose this one with `--market-data fixtures` / MARKET_DATA_SOURCE=fixtures.
 * Files are read once per provider and validated line by line, so a broken fixture fails loudly with
 * its location.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.ts';
import type { MarketDataSource, PriceBar } from '../ports/market-data.ts';
import { dec, DECIMAL_STRING_PATTERN } from '../domain/money.ts';

export const DEFAULT_FIXTURE_DIR = fileURLToPath(new URL('../../../fixtures/market-data/', import.meta.url));

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class FixtureMarketData implements MarketDataSource {
  private readonly dir: string;
  private readonly cache = new Map<string, Promise<PriceBar[] | undefined>>();

  constructor(dir: string = DEFAULT_FIXTURE_DIR) {
    this.dir = dir;
  }

  /** The symbols that have a file, sorted. */
  async symbols(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith('.csv')).map((n) => n.slice(0, -4)).sort();
  }

  /** The last date any file has a close for. */
  async latestDate(): Promise<string | undefined> {
    let latest: string | undefined;
    for (const symbol of await this.symbols()) {
      const bars = await this.load(symbol);
      const last = bars?.at(-1)?.date;
      if (last !== undefined && (latest === undefined || last > latest)) latest = last;
    }
    return latest;
  }

  async history(symbols: readonly string[], asOf: string, count: number): Promise<Map<string, PriceBar[]>> {
    const result = new Map<string, PriceBar[]>();
    for (const symbol of new Set(symbols)) {
      const bars = await this.load(symbol);
      if (bars === undefined) continue;
      const upTo = bars.filter((b) => b.date <= asOf);
      result.set(symbol, upTo.slice(Math.max(0, upTo.length - count)));
    }
    return result;
  }

  private load(symbol: string): Promise<PriceBar[] | undefined> {
    let loaded = this.cache.get(symbol);
    if (loaded === undefined) {
      loaded = this.read(symbol);
      this.cache.set(symbol, loaded);
    }
    return loaded;
  }

  private async read(symbol: string): Promise<PriceBar[] | undefined> {
    // Symbols are validated tickers (no '/' or '..'), so the path stays inside the directory.
    const file = join(this.dir, `${symbol}.csv`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new UserError('MARKET_DATA_UNREADABLE', `Cannot read ${file}.`, 'Check the market data directory and its permissions.', { cause: error });
    }
    return parseClosesCsv(text, file);
  }
}

/** Parses `date,close` CSV text; dates strictly ascending, closes positive decimals. */
export function parseClosesCsv(text: string, where: string): PriceBar[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== 'date,close') throw invalid(where, 1, `expected the header "date,close", got "${lines[0] ?? ''}"`);
  const bars: PriceBar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const [date, close, extra] = line.split(',');
    if (extra !== undefined || date === undefined || close === undefined) throw invalid(where, i + 1, `expected "date,close", got "${line}"`);
    if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw invalid(where, i + 1, `"${date}" is not a YYYY-MM-DD date`);
    if (!DECIMAL_STRING_PATTERN.test(close) || !dec(close).isPositive() || dec(close).isZero()) throw invalid(where, i + 1, `"${close}" is not a positive price`);
    const previous = bars.at(-1);
    if (previous !== undefined && previous.date >= date) throw invalid(where, i + 1, `${date} does not come after ${previous.date}`);
    bars.push({ date, close: dec(close) });
  }
  return bars;
}

function invalid(where: string, line: number, message: string): UserError {
  return new UserError('MARKET_DATA_INVALID', `${where}:${line}: ${message}.`, 'Fix the CSV file: a "date,close" header, then one ascending YYYY-MM-DD date and positive close per line.');
}
