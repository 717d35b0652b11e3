/**
 * Synthetic daily closes for any NYSE session from 2000 to 2099: a deterministic geometric random
 * walk (GBM) per symbol, so local runs, the deployed paper stack and tests work on any day without a
 * data feed and without fixture files that run out.
 *
 * The model, per symbol (parameters in SYMBOL_PRESETS, or derived from the symbol's hash):
 *
 * - Time runs in calendar years. Each year is one unit of time whatever its number of sessions, so
 *   `drift` (μ) and `volatility` (σ) are exactly the annual figures: the log return over calendar year
 *   y is (μ − σ²/2) + σ·Z_y with Z_y ~ N(0, 1).
 * - Inside a year of n sessions (only regular NYSE sessions from src/market get a bar: no weekends,
 *   holidays or special closures), session i's log return is (μ − σ²/2)/n + σ/√n·(z_i − z̄ + Z_y/√n),
 *   with z_1…z_n ~ N(0, 1) and z̄ their mean. The returns are then i.i.d. N((μ − σ²/2)/n, σ²/n) and
 *   sum to the year's return exactly (a Brownian bridge pinned to Z_y).
 * - Anchor: `startPrice` is the close as `anchorYear` (default 2026) opens, i.e. the close of the
 *   last session before it (2025-12-31 for 2026). Later years walk forward from it, earlier backward.
 * - close = startPrice × exp(cumulative log return), rounded half-even to cents, at least 0.01.
 *
 * Every normal comes from a counter-based hash of (seed, symbol, date) or (seed, symbol, year), not
 * from a stream: a close depends only on (seed, symbol, date), never on which window was asked for,
 * and a bar in 2099 needs the 73 yearly draws since the anchor plus its own year's sessions, not a
 * walk over every day since 2000. Years are cached per source: a cold `history()` of 60 bars touches
 * at most two years (one calendar pass each, a few ms).
 *
 * Knowing nothing is still possible, so "a missing or stale quote fails the workflow" stays testable:
 * only the configured `symbols` exist (default: the eight preset symbols, the default strategy's
 * universe); `lastDate` ends the data at a date (STALE_MARKET_DATA after it); there are never bars
 * after the `asOf` asked for, before the first session of 2000 or after the last one of 2099.
 */
import { Decimal } from 'decimal.js';
import { UserError } from '../../errors.ts';
import { nyse, type MarketCalendar } from '../../market/index.ts';
import type { MarketDataSource, PriceBar } from '../ports/market-data.ts';
import { dec, DECIMAL_STRING_PATTERN, type Dec } from '../domain/money.ts';

export interface SymbolParams {
  /** The close as the anchor year opens (of the last session before it), a positive decimal string. */
  startPrice: string;
  /** Annual drift μ of the GBM (0.07 = 7 % a year before the volatility drag σ²/2). */
  drift: number;
  /** Annual volatility σ (0.16 = 16 %). */
  volatility: number;
}

/** The default universe (the default strategy's, and the fixture CSVs' symbols), at roughly their levels as 2026 opens. */
export const SYMBOL_PRESETS: Readonly<Record<string, Readonly<SymbolParams>>> = Object.freeze({
  AAPL: { startPrice: '245.00', drift: 0.1, volatility: 0.28 },
  EFA: { startPrice: '82.00', drift: 0.05, volatility: 0.16 },
  GLD: { startPrice: '245.00', drift: 0.04, volatility: 0.15 },
  IWM: { startPrice: '220.00', drift: 0.06, volatility: 0.22 },
  NVDA: { startPrice: '135.00', drift: 0.15, volatility: 0.45 },
  QQQ: { startPrice: '520.00', drift: 0.09, volatility: 0.21 },
  SPY: { startPrice: '590.00', drift: 0.07, volatility: 0.16 },
  TLT: { startPrice: '90.00', drift: 0.02, volatility: 0.14 },
});

/** Symbols without a preset: this drift and volatility, and a start price from 20.00 to 499.99 derived from the symbol's hash. */
export const DERIVED_SYMBOL_DRIFT = 0.06;
export const DERIVED_SYMBOL_VOLATILITY = 0.25;

export const DEFAULT_ANCHOR_YEAR = 2026;
export const DEFAULT_SYNTHETIC_SYMBOLS: readonly string[] = Object.freeze(Object.keys(SYMBOL_PRESETS).sort());

const MIN_CLOSE = dec('0.01');
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export interface SyntheticMarketDataOptions {
  /** Global seed (an unsigned 32-bit integer, default 0): another seed, another market. */
  seed?: number;
  /** The symbols that have closes; any other symbol is absent. Default DEFAULT_SYNTHETIC_SYMBOLS. */
  symbols?: readonly string[];
  /** Per-symbol parameters, over the presets (or over the derived ones for symbols without a preset). */
  params?: Readonly<Record<string, Partial<SymbolParams>>>;
  /** The last date with a close (YYYY-MM-DD): the data ends here, as a feed that stopped would. */
  lastDate?: string;
  /** The year whose opening close is `startPrice` (default 2026). */
  anchorYear?: number;
  /** The trading calendar whose regular sessions get a bar (default: NYSE). */
  calendar?: Pick<MarketCalendar, 'session' | 'supportedYears'>;
}

interface YearPath {
  /** Log level (relative to startPrice) after each session of the year, in session order. */
  levels: Float64Array;
  /** Closes, computed on first use (most bars of a year are never asked for). */
  closes: (Dec | undefined)[];
}

interface SymbolModel {
  params: Readonly<SymbolParams>;
  key: number;
  startPrice: Dec;
  /** (μ − σ²/2): the yearly drift of the log price. */
  logDrift: number;
  volatility: number;
  /** Log level as each year opens, relative to startPrice; filled outward from the anchor. */
  yearStarts: Map<number, number>;
  years: Map<number, YearPath>;
}

export class SyntheticMarketData implements MarketDataSource {
  readonly seed: number;
  readonly anchorYear: number;
  readonly lastDate: string | undefined;
  private readonly calendar: Pick<MarketCalendar, 'session' | 'supportedYears'>;
  private readonly universe: readonly string[];
  private readonly models = new Map<string, SymbolModel>();
  private readonly sessionsByYear = new Map<number, readonly string[]>();

  constructor(options: SyntheticMarketDataOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new UserError('INVALID_MARKET_DATA_SEED', `The synthetic market data seed ${String(seed)} is not an unsigned 32-bit integer.`, 'Use a whole number from 0 to 4294967295.');
    }
    this.seed = seed;
    this.calendar = options.calendar ?? nyse;
    const { from, to } = this.calendar.supportedYears;
    this.anchorYear = options.anchorYear ?? DEFAULT_ANCHOR_YEAR;
    if (!Number.isInteger(this.anchorYear) || this.anchorYear < from || this.anchorYear > to + 1) {
      throw new UserError('INVALID_MARKET_DATA_OPTION', `anchorYear ${this.anchorYear} is outside ${from}–${to + 1}.`, 'Anchor the walk inside the calendar years.');
    }
    if (options.lastDate !== undefined && parseIsoDate(options.lastDate) === undefined) {
      throw new UserError('INVALID_MARKET_DATA_OPTION', `lastDate "${options.lastDate}" is not a YYYY-MM-DD date.`, 'For example: 2026-11-20.');
    }
    this.lastDate = options.lastDate;
    this.universe = [...new Set(options.symbols ?? DEFAULT_SYNTHETIC_SYMBOLS)].sort();
    for (const symbol of this.universe) this.models.set(symbol, this.model(symbol, options.params?.[symbol]));
  }

  /** The symbols that have closes, sorted. */
  async symbols(): Promise<string[]> {
    return [...this.universe];
  }

  /** The parameters a symbol's walk uses (undefined for a symbol outside the universe). */
  paramsOf(symbol: string): SymbolParams | undefined {
    const model = this.models.get(symbol);
    if (model === undefined) return undefined;
    return { ...model.params };
  }

  async history(symbols: readonly string[], asOf: string, count: number): Promise<Map<string, PriceBar[]>> {
    if (parseIsoDate(asOf) === undefined) throw new UserError('INVALID_DATE', `"${asOf}" is not a YYYY-MM-DD date.`, 'Pass a date such as 2026-12-04.');
    const { from, to } = this.calendar.supportedYears;
    // The newest date with a bar: asOf, or lastDate when the data ends earlier, or the calendar's end.
    let upTo = this.lastDate !== undefined && this.lastDate < asOf ? this.lastDate : asOf;
    if (Number(upTo.slice(0, 4)) > to) upTo = `${to}-12-31`;
    const wanted = Math.max(0, Math.floor(count));
    const result = new Map<string, PriceBar[]>();
    for (const symbol of new Set(symbols)) {
      const model = this.models.get(symbol);
      if (model === undefined) continue;
      const bars: PriceBar[] = [];
      for (let year = Number(upTo.slice(0, 4)); year >= from && bars.length < wanted; year--) {
        const sessions = this.sessions(year);
        let i = sessions.length - 1;
        while (i >= 0 && (sessions[i] as string) > upTo) i--;
        for (; i >= 0 && bars.length < wanted; i--) bars.push({ date: sessions[i] as string, close: this.close(model, year, i) });
      }
      result.set(symbol, bars.reverse());
    }
    return result;
  }

  private model(symbol: string, overrides: Partial<SymbolParams> | undefined): SymbolModel {
    const key = hashString(symbol);
    const preset = Object.hasOwn(SYMBOL_PRESETS, symbol) ? SYMBOL_PRESETS[symbol] : undefined;
    const derivedPrice = dec(2_000 + (hashWords(this.seed, [key, PRICE_TAG]) % 48_000)).div(100).toFixed(2);
    const params: SymbolParams = {
      startPrice: preset?.startPrice ?? derivedPrice,
      drift: preset?.drift ?? DERIVED_SYMBOL_DRIFT,
      volatility: preset?.volatility ?? DERIVED_SYMBOL_VOLATILITY,
      ...overrides,
    };
    if (!DECIMAL_STRING_PATTERN.test(params.startPrice) || !dec(params.startPrice).gt(0)) {
      throw new UserError('INVALID_MARKET_DATA_OPTION', `${symbol}: startPrice "${params.startPrice}" is not a positive decimal.`, 'Write it like 123.45.');
    }
    if (!Number.isFinite(params.drift) || !Number.isFinite(params.volatility) || params.volatility < 0) {
      throw new UserError('INVALID_MARKET_DATA_OPTION', `${symbol}: drift ${params.drift} / volatility ${params.volatility} must be finite, the volatility ≥ 0.`, 'For example drift 0.07, volatility 0.16.');
    }
    return {
      params: Object.freeze(params),
      key,
      startPrice: dec(params.startPrice),
      logDrift: params.drift - params.volatility ** 2 / 2,
      volatility: params.volatility,
      yearStarts: new Map([[this.anchorYear, 0]]),
      years: new Map(),
    };
  }

  /** The regular sessions of a year, ascending (one calendar pass per year, cached). */
  private sessions(year: number): readonly string[] {
    let sessions = this.sessionsByYear.get(year);
    if (sessions === undefined) {
      const list: string[] = [];
      for (let ms = Date.UTC(year, 0, 1); new Date(ms).getUTCFullYear() === year; ms += DAY_MS) {
        const weekday = new Date(ms).getUTCDay();
        if (weekday === 0 || weekday === 6) continue; // the calendar would say "weekend"; skip the call
        const date = new Date(ms).toISOString().slice(0, 10);
        if (this.calendar.session(date).open) list.push(date);
      }
      sessions = Object.freeze(list);
      this.sessionsByYear.set(year, sessions);
    }
    return sessions;
  }

  /** The year's log return: (μ − σ²/2) + σ·Z_y. */
  private yearReturn(model: SymbolModel, year: number): number {
    return model.logDrift + model.volatility * this.normal(model.key, YEAR_TAG, year);
  }

  /**
   * Log level as `year` opens. Always folded outward from the anchor in the same order, so the value
   * is bit-for-bit the same whichever year was asked for first.
   */
  private yearStart(model: SymbolModel, year: number): number {
    const cached = model.yearStarts.get(year);
    if (cached !== undefined) return cached;
    const level = year > this.anchorYear ? this.yearStart(model, year - 1) + this.yearReturn(model, year - 1) : this.yearStart(model, year + 1) - this.yearReturn(model, year);
    model.yearStarts.set(year, level);
    return level;
  }

  private yearPath(model: SymbolModel, year: number): YearPath {
    let path = model.years.get(year);
    if (path === undefined) {
      const sessions = this.sessions(year);
      const n = sessions.length;
      const z = sessions.map((date) => this.normal(model.key, DAY_TAG, dayNumber(date)));
      const mean = z.reduce((sum, v) => sum + v, 0) / n;
      const pin = this.normal(model.key, YEAR_TAG, year) / Math.sqrt(n);
      const drift = model.logDrift / n;
      const scale = model.volatility / Math.sqrt(n);
      const levels = new Float64Array(n);
      let level = this.yearStart(model, year);
      for (let i = 0; i < n; i++) {
        level += drift + scale * ((z[i] as number) - mean + pin);
        levels[i] = level;
      }
      path = { levels, closes: new Array<Dec | undefined>(n) };
      model.years.set(year, path);
    }
    return path;
  }

  private close(model: SymbolModel, year: number, index: number): Dec {
    const path = this.yearPath(model, year);
    let close = path.closes[index];
    if (close === undefined) {
      // Twelve significant digits of the growth factor: far below a cent, and it rounds away the last
      // bits in which one libm's exp() could differ from another's.
      const factor = Math.exp(path.levels[index] as number).toPrecision(12);
      const rounded = model.startPrice.times(factor).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
      close = rounded.lt(MIN_CLOSE) ? MIN_CLOSE : rounded;
      path.closes[index] = close;
    }
    return close;
  }

  /** A standard normal from (seed, symbol, tag, counter), by Box–Muller over two hashed uniforms. */
  private normal(symbolKey: number, tag: number, counter: number): number {
    const u1 = toUnit(hashWords(this.seed, [symbolKey, tag, counter, 1]));
    const u2 = toUnit(hashWords(this.seed, [symbolKey, tag, counter, 2]));
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

// Domain tags keep the day, year and price draws of one symbol apart.
const DAY_TAG = 0x44415953; // 'DAYS'
const YEAR_TAG = 0x59454152; // 'YEAR'
const PRICE_TAG = 0x50524943; // 'PRIC'

/** Days since 1970-01-01 for a YYYY-MM-DD date (the counter of that day's draw). */
function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function parseIsoDate(value: string): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_DATE.exec(value);
  if (match === null) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

/** (0, 1), never 0 or 1, so log(u) is finite. */
function toUnit(hash: number): number {
  return (hash + 0.5) / 4_294_967_296;
}

/*
 * Why not src/trading/domain/seeded-random.ts: mulberry32 is a stream (each call advances a counter by a
 * fixed step), made for replaying one shuffle. Here every draw must be addressable on its own by
 * (seed, symbol, date), and seeding a fresh mulberry32 per key would let keys that differ by that
 * step share outputs. MurmurHash3 (x86, 32-bit) over the key's words is a counter-based generator:
 * each word is mixed in, and the finaliser avalanches every input bit into every output bit.
 */
function hashWords(seed: number, words: readonly number[]): number {
  let h = seed >>> 0;
  for (const word of words) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= words.length * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A symbol's 32-bit key: MurmurHash3 of its UTF-16 code units (symbols are short tickers). */
function hashString(text: string): number {
  return hashWords(0x5359_4d42, Array.from(text, (c) => c.charCodeAt(0)));
}
