/**
 * The market data port: daily closes per symbol. The strategy ranks symbols on them and the
 * portfolio step prices positions with them; both ask "as of" the workflow's trading date, so a
 * re-run of a step sees the same numbers.
 */
import type { Dec } from '../domain/money.ts';

export interface PriceBar {
  /** Trading date, YYYY-MM-DD. */
  date: string;
  close: Dec;
}

export interface MarketData {
  /**
   * The last `count` closes on or before `asOf` for each symbol, oldest first. Symbols the source
   * knows nothing about are absent from the map (the caller decides whether that is an error).
   */
  history(symbols: readonly string[], asOf: string, count: number): Promise<Map<string, PriceBar[]>>;
}

/** A source that can also list what it knows: local runs and the paper broker quote every symbol of it. */
export interface MarketDataSource extends MarketData {
  /** The symbols the source has closes for, sorted. */
  symbols(): Promise<string[]>;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
