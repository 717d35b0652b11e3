/**
 * Strategies: market data → target weights. Pure functions over closes, so the step handler only
 * fetches data and every ranking decision is table-testable.
 *
 * - momentum: ranks the universe by total return over `lookbackDays` trading days (relative momentum:
 *   the top N are held even when every return is negative, because the weights must stay fully
 *   invested) and weights the top N equally.
 * - fixed: the configured weights, unchanged (the portfolio step checks they sum to 1).
 */
import { StepError } from './trading-errors.ts';
import type { StrategySpec, TargetWeight } from './events.ts';
import { daysBetween, type MarketData, type PriceBar } from '../ports/market-data.ts';
import { dec, Dec, toDecimalString } from './money.ts';

export const FIXTURE_UNIVERSE = ['AAPL', 'EFA', 'GLD', 'IWM', 'NVDA', 'QQQ', 'SPY', 'TLT'] as const;

export const DEFAULT_STRATEGY: StrategySpec = { kind: 'momentum', universe: [...FIXTURE_UNIVERSE], lookbackDays: 63, topN: 3 };

/** A close older than this many calendar days before "as of" is stale (a long weekend is 4 days). */
export const MAX_PRICE_AGE_DAYS = 7;

export interface StrategyResult {
  name: string;
  targets: TargetWeight[];
  /** Momentum only: the return per symbol that produced the ranking, as decimal strings. */
  scores?: Record<string, string>;
}

export function strategyName(spec: StrategySpec): string {
  switch (spec.kind) {
    case 'momentum':
      return `momentum top ${spec.topN} over ${spec.lookbackDays}d`;
    case 'fixed':
      return 'fixed weights';
  }
}

export async function runStrategy(spec: StrategySpec, data: MarketData, asOf: string): Promise<StrategyResult> {
  switch (spec.kind) {
    case 'momentum': {
      const history = await data.history(spec.universe, asOf, spec.lookbackDays + 1);
      return momentumTargets(spec, history, asOf);
    }
    case 'fixed':
      return fixedTargets(spec);
  }
}

export function momentumTargets(spec: Extract<StrategySpec, { kind: 'momentum' }>, history: ReadonlyMap<string, readonly PriceBar[]>, asOf: string): StrategyResult {
  const universe = [...new Set(spec.universe)];
  if (spec.topN > universe.length) {
    throw new StepError('INVALID_STRATEGY', `topN ${spec.topN} is larger than the universe of ${universe.length} symbols.`);
  }
  const scored: { symbol: string; score: Dec }[] = [];
  for (const symbol of universe) {
    const bars = history.get(symbol) ?? [];
    if (bars.length < spec.lookbackDays + 1) {
      throw new StepError('INSUFFICIENT_HISTORY', `${symbol} has ${bars.length} closes up to ${asOf}; momentum over ${spec.lookbackDays} days needs ${spec.lookbackDays + 1}.`);
    }
    const first = bars[0] as PriceBar;
    const last = bars[bars.length - 1] as PriceBar;
    if (daysBetween(last.date, asOf) > MAX_PRICE_AGE_DAYS) {
      throw new StepError('STALE_MARKET_DATA', `${symbol}'s last close is from ${last.date}, more than ${MAX_PRICE_AGE_DAYS} days before ${asOf}.`);
    }
    scored.push({ symbol, score: last.close.div(first.close).minus(1) });
  }
  // Highest return first; ties by symbol so the choice never depends on input order.
  scored.sort((a, b) => b.score.comparedTo(a.score) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const chosen = scored.slice(0, spec.topN).map((s) => s.symbol).sort();
  return {
    name: strategyName(spec),
    targets: equalWeights(chosen),
    scores: Object.fromEntries(scored.map((s) => [s.symbol, toDecimalString(s.score.toDecimalPlaces(6))])),
  };
}

export function fixedTargets(spec: Extract<StrategySpec, { kind: 'fixed' }>): StrategyResult {
  const seen = new Set<string>();
  for (const { symbol } of spec.weights) {
    if (seen.has(symbol)) throw new StepError('INVALID_STRATEGY', `${symbol} appears twice in the fixed weights.`);
    seen.add(symbol);
  }
  return { name: strategyName(spec), targets: spec.weights.map((w) => ({ symbol: w.symbol, weight: w.weight })) };
}

/** 1/n each, with the rounding remainder on the last symbol so the weights sum to exactly 1. */
export function equalWeights(symbols: readonly string[]): TargetWeight[] {
  if (symbols.length === 0) return [];
  const each = new Dec(1).div(symbols.length).toDecimalPlaces(12, Dec.ROUND_DOWN);
  const rest = dec(1).minus(each.times(symbols.length - 1));
  return symbols.map((symbol, i) => ({ symbol, weight: toDecimalString(i === symbols.length - 1 ? rest : each) }));
}
