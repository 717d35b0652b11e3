/** The workflow commands' own options, parsed and checked before anything starts. */
import { clipText } from '../../../clip-text.ts';
import { UserError } from '../../../errors.ts';
import { dec, DECIMAL_STRING_PATTERN } from '../../../trading/domain/money.ts';
import { isoDateSchema, symbolSchema, type StrategySpec } from '../../../trading/domain/events.ts';
import { validateWeights } from '../../../trading/domain/rebalance.ts';
import { checkTargetWeights, RISK_LIMIT_NAMES, RISK_LIMITS, riskLimitProblem, type RiskLimits } from '../../../trading/domain/risk-limits.ts';
import { DEFAULT_STRATEGY } from '../../../trading/domain/strategy.ts';
import { StepError } from '../../../trading/domain/trading-errors.ts';
import { parseCountOption } from '../parse-instant.ts';

export interface StrategyArgs {
  strategy: 'momentum' | 'fixed';
  top?: number;
  lookback?: number;
  weights?: string;
  minTrade: string;
  maxPositionWeight?: string;
  maxOrderNotional?: string;
  maxTurnover?: string;
  asOf?: string;
  correlationId?: string;
}

export function strategyFrom(args: StrategyArgs): StrategySpec {
  if (args.strategy === 'fixed') {
    if (args.weights === undefined) throw new UserError('INVALID_WEIGHTS', '--strategy fixed needs --weights.', 'For example: --weights SPY=0.6,TLT=0.4');
    return { kind: 'fixed', weights: weightsOption(args.weights) };
  }
  if (args.weights !== undefined) throw new UserError('INVALID_WEIGHTS', '--weights only applies to --strategy fixed.', 'Add --strategy fixed, or drop --weights.');
  const base = DEFAULT_STRATEGY.kind === 'momentum' ? DEFAULT_STRATEGY : { kind: 'momentum' as const, universe: [], lookbackDays: 63, topN: 3 };
  return {
    ...base,
    topN: args.top !== undefined ? parseCountOption('top', args.top, base.universe.length, base.topN) : base.topN,
    lookbackDays: args.lookback !== undefined ? parseCountOption('lookback', args.lookback, 250, base.lookbackDays) : base.lookbackDays,
  };
}

export function parsePositions(values: readonly string[]): Record<string, string> {
  const positions: Record<string, string> = {};
  for (const [symbol, quantity] of parsePairs('position', values)) positions[symbol] = quantity;
  return positions;
}

function parsePairs(option: string, values: readonly string[]): [string, string][] {
  return values.map((value) => {
    const [symbol = '', amount = '', extra] = value.split('=');
    if (extra !== undefined || !symbolSchema.safeParse(symbol.trim()).success || !DECIMAL_STRING_PATTERN.test(amount.trim())) {
      throw new UserError('INVALID_OPTION', `--${option} "${clipText(value)}" is not SYMBOL=NUMBER.`, `For example: --${option} SPY=${option === 'weights' ? '0.6' : '10'}`);
    }
    return [symbol.trim(), amount.trim()];
  });
}

export function decimalOption(option: string, value: string): string {
  if (!DECIMAL_STRING_PATTERN.test(value)) throw new UserError('INVALID_OPTION', `--${option} "${clipText(value)}" is not a decimal number.`, `For example: --${option} 1000.50`);
  return value;
}

/** A negative minimum would plan every dust trade; the portfolio step would not catch it. */
export function minTradeOption(value: string): string {
  const amount = decimalOption('min-trade', value);
  if (dec(amount).isNegative() && !dec(amount).isZero()) {
    throw new UserError('INVALID_OPTION', `--min-trade "${clipText(value)}" is negative.`, 'Pass a notional of 0 or more, e.g. --min-trade 100 (0 places every trade).');
  }
  return amount;
}

/**
 * --max-position-weight, --max-order-notional, --max-turnover → the workflow's risk limits, or undefined
 * when none is given (the params then carry none). Fixed weights above the max position weight are
 * refused now (exit 2), like any other weight the portfolio step would fail on; momentum weights are
 * only known once the strategy ran, so those breaches fail the workflow (RISK_MAX_POSITION_WEIGHT).
 */
export function riskLimitsFrom(args: Pick<StrategyArgs, 'maxPositionWeight' | 'maxOrderNotional' | 'maxTurnover'>, strategy: StrategySpec): RiskLimits | undefined {
  const limits: RiskLimits = {};
  for (const name of RISK_LIMIT_NAMES) {
    const value = args[name];
    if (value === undefined) continue;
    const { option, example } = RISK_LIMITS[name];
    const problem = riskLimitProblem(name, value);
    if (problem !== undefined) {
      throw new UserError('INVALID_OPTION', `--${option} "${clipText(value)}" ${problem}.`, `For example: --${option} ${example}; leave it out for no limit.`);
    }
    limits[name] = value;
  }
  if (Object.keys(limits).length === 0) return undefined;
  if (strategy.kind === 'fixed') {
    try {
      checkTargetWeights(
        strategy.weights.map((w) => [w.symbol, dec(w.weight)] as const),
        limits,
      );
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      throw new UserError(error.code, `--weights: ${error.message.replace(/; nothing was traded\.$/, '.')}`, `Lower that weight, or raise --${RISK_LIMITS.maxPositionWeight.option}.`);
    }
  }
  return limits;
}

/** The rules the portfolio step applies, checked now: a start on AWS would otherwise fail there, after the fact. */
function weightsOption(value: string): { symbol: string; weight: string }[] {
  const weights = parsePairs('weights', value.split(',')).map(([symbol, weight]) => ({ symbol, weight }));
  try {
    validateWeights(weights.map((w) => ({ symbol: w.symbol, weight: dec(w.weight) })));
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    throw new UserError('INVALID_WEIGHTS', `--weights "${clipText(value)}": ${error.message}`, 'Give each symbol once, with weights of 0 or more that sum to 1, e.g. --weights SPY=0.6,TLT=0.4');
  }
  return weights;
}

export function dateOption(option: string, value: string): string {
  if (!isoDateSchema.safeParse(value).success) throw new UserError('INVALID_OPTION', `--${option} "${clipText(value)}" is not a YYYY-MM-DD date.`, `For example: --${option} 2026-11-20`);
  return value;
}
