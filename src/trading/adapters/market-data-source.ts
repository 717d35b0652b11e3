/**
 * Choosing the market data: `synthetic` (the default: a close for every NYSE session 2000–2099, see
 * synthetic-market-data.ts) or `fixtures` (the CSV snapshot in fixtures/market-data/, 2026-06-03 to
 * 2026-11-20). The CLI's `--market-data` and the Lambdas' MARKET_DATA_SOURCE both go through here.
 *
 * Lambda environment: MARKET_DATA_SOURCE (synthetic | fixtures, default synthetic), MARKET_DATA_DIR
 * (fixtures: the CSV directory; default the repository's fixtures/market-data), MARKET_DATA_SEED
 * (synthetic: the global seed, default 0).
 */
import { UserError } from '../../errors.ts';
import { FixtureMarketData } from './fixture-market-data.ts';
import type { MarketDataSource } from '../ports/market-data.ts';
import { SyntheticMarketData } from './synthetic-market-data.ts';

export const MARKET_DATA_SOURCES = ['synthetic', 'fixtures'] as const;
export type MarketDataSourceName = (typeof MARKET_DATA_SOURCES)[number];
export const DEFAULT_MARKET_DATA_SOURCE: MarketDataSourceName = 'synthetic';

export interface MarketDataChoice {
  source?: MarketDataSourceName;
  /** fixtures: the CSV directory. */
  dir?: string;
  /** synthetic: the global seed. */
  seed?: number;
}

export function createMarketData(choice: MarketDataChoice = {}): MarketDataSource {
  const source = choice.source ?? DEFAULT_MARKET_DATA_SOURCE;
  switch (source) {
    case 'synthetic':
      return new SyntheticMarketData(choice.seed !== undefined ? { seed: choice.seed } : {});
    case 'fixtures':
      return new FixtureMarketData(choice.dir);
  }
}

export function isMarketDataSourceName(value: string): value is MarketDataSourceName {
  return (MARKET_DATA_SOURCES as readonly string[]).includes(value);
}

/** Reads MARKET_DATA_SOURCE, MARKET_DATA_DIR and MARKET_DATA_SEED; a bad value is a configuration error. */
export function marketDataChoiceFromEnv(env: NodeJS.ProcessEnv): Required<Pick<MarketDataChoice, 'source'>> & MarketDataChoice {
  const raw = env.MARKET_DATA_SOURCE || DEFAULT_MARKET_DATA_SOURCE;
  if (!isMarketDataSourceName(raw)) {
    throw new UserError('INVALID_MARKET_DATA_SOURCE', `MARKET_DATA_SOURCE "${raw}" is not one of ${MARKET_DATA_SOURCES.join(', ')}.`, 'Unset it (synthetic) or set it to fixtures with MARKET_DATA_DIR.');
  }
  const choice: Required<Pick<MarketDataChoice, 'source'>> & MarketDataChoice = { source: raw };
  if (raw === 'fixtures' && env.MARKET_DATA_DIR) choice.dir = env.MARKET_DATA_DIR;
  if (raw === 'synthetic' && env.MARKET_DATA_SEED) choice.seed = parseSeed(env.MARKET_DATA_SEED, 'MARKET_DATA_SEED');
  return choice;
}

/** An unsigned 32-bit integer written in decimal. */
export function parseSeed(value: string, what: string): number {
  const seed = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(seed) || seed > 0xffff_ffff) {
    throw new UserError('INVALID_MARKET_DATA_SEED', `${what} "${value}" is not an unsigned 32-bit integer.`, 'Use a whole number from 0 to 4294967295.');
  }
  return seed;
}
