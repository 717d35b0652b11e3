/**
 * The rebalance plan: positions + cash + prices + target weights → orders. Pure and in decimals.
 *
 * Deployable capital is the account's equity, cash plus every position at its price: a portfolio whose
 * value sits mostly in positions it keeps must still be sized on all of it (planning on cash alone
 * under-invests and, worse, sells nothing to fund new targets).
 *
 * Rules, in the order they are applied:
 * 1. Refuse to plan on bad inputs (StepError): weights that are negative, repeated or do not sum to
 *    1 ± 0.0001; a held position or a target without a positive price; a short position; equity ≤ 0.
 * 2. Per symbol, target value = equity × weight. Sells round their quantity up to the tradable step
 *    (never above the holding) and a weight of 0 sells the whole holding; buys round down. Steps:
 *    1 share for non-fractionable assets, 0.000001 for fractionable ones.
 * 3. Trades below the minimum notional are skipped (with a reason), not placed.
 * 4. Buys spend at most cash + the proceeds of the planned sells, largest buy first, so rounding and a
 *    weight sum slightly above 1 can never plan more than the account can pay for.
 * 5. Orders list every sell before any buy, so the broker has the proceeds before the purchases.
 * 6. Risk limits (risk-limits.ts), when given: a target weight above the max position weight is refused
 *    right after the weights are checked; an order above the max order notional, or a plan whose
 *    turnover (sum of order notionals / equity) is above the max turnover, once the orders are known.
 *    A breach refuses the whole plan (StepError with a RISK_* code); it is never clipped.
 */
import { StepError } from './trading-errors.ts';
import type { OrderSide, PlannedOrder, SkippedTrade } from './events.ts';
import { dec, Dec, sumDecimals, toDecimalString } from './money.ts';
import { checkPlannedOrders, checkTargetWeights, type RiskLimits } from './risk-limits.ts';

export const WEIGHT_TOLERANCE = dec('0.0001');
export const FRACTIONAL_STEP_DECIMALS = 6;

export interface RebalanceInput {
  cash: Dec;
  /** Quantities held, by symbol. */
  positions: ReadonlyMap<string, Dec>;
  prices: ReadonlyMap<string, Dec>;
  targets: readonly { symbol: string; weight: Dec }[];
  fractionable: (symbol: string) => boolean;
  minTradeNotional: Dec;
  /** Absent: no limits. */
  riskLimits?: RiskLimits | undefined;
}

export interface RebalancePlan {
  equity: Dec;
  cash: Dec;
  orders: PlannedOrder[];
  skipped: SkippedTrade[];
}

interface Candidate {
  symbol: string;
  side: OrderSide;
  quantity: Dec;
  price: Dec;
  /** The unrounded notional the target asked for (reported when skipped). */
  wanted: Dec;
}

export function planRebalance(input: RebalanceInput): RebalancePlan {
  const weights = validateWeights(input.targets);
  checkTargetWeights(weights, input.riskLimits);
  const held = new Map<string, Dec>();
  for (const [symbol, quantity] of input.positions) {
    if (quantity.isNegative() && !quantity.isZero()) {
      throw new StepError('SHORT_POSITION', `${symbol} is held short (${toDecimalString(quantity)}); the rebalance only plans long portfolios.`);
    }
    if (!quantity.isZero()) held.set(symbol, quantity);
  }
  for (const symbol of held.keys()) requirePrice(input.prices, symbol, 'POSITION_WITHOUT_PRICE', `${symbol} is held but has no price`);
  for (const [symbol, weight] of weights) if (!weight.isZero()) requirePrice(input.prices, symbol, 'TARGET_WITHOUT_PRICE', `${symbol} is a target but has no price`);

  const positionsValue = sumDecimals([...held].map(([symbol, quantity]) => quantity.times(priceOf(input.prices, symbol))));
  const equity = input.cash.plus(positionsValue);
  if (equity.lte(0)) {
    throw new StepError(
      'NON_POSITIVE_EQUITY',
      `Equity is ${toDecimalString(equity)} (cash ${toDecimalString(input.cash)} + positions ${toDecimalString(positionsValue)}); nothing can be planned.`,
    );
  }

  const skipped: SkippedTrade[] = [];
  const sells: Candidate[] = [];
  const buys: Candidate[] = [];
  const symbols = [...new Set([...held.keys(), ...weights.keys()])].sort();
  for (const symbol of symbols) {
    const quantity = held.get(symbol) ?? new Dec(0);
    const weight = weights.get(symbol) ?? new Dec(0);
    if (quantity.isZero() && weight.isZero()) continue;
    const price = priceOf(input.prices, symbol);
    const decimals = input.fractionable(symbol) ? FRACTIONAL_STEP_DECIMALS : 0;
    const diff = equity.times(weight).minus(quantity.times(price));
    if (diff.isZero()) continue;
    if (diff.isNegative()) {
      const wanted = diff.negated();
      const rounded = weight.isZero() ? quantity : Dec.min(quantity, wanted.div(price).toDecimalPlaces(decimals, Dec.ROUND_UP));
      sells.push({ symbol, side: 'sell', quantity: rounded, price, wanted });
    } else {
      buys.push({ symbol, side: 'buy', quantity: diff.div(price).toDecimalPlaces(decimals, Dec.ROUND_DOWN), price, wanted: diff });
    }
  }

  const plannedSells: Candidate[] = [];
  for (const sell of sells) {
    const reason = tooSmall(sell, input);
    if (reason !== undefined) skipped.push(skip(sell, reason));
    else plannedSells.push(sell);
  }

  let budget = input.cash.plus(sumDecimals(plannedSells.map((s) => s.quantity.times(s.price))));
  const plannedBuys: Candidate[] = [];
  const largestFirst = [...buys].sort((a, b) => b.wanted.comparedTo(a.wanted) || (a.symbol < b.symbol ? -1 : 1));
  for (const buy of largestFirst) {
    let candidate = buy;
    const notional = buy.quantity.times(buy.price);
    let capped = false;
    if (notional.gt(budget)) {
      const decimals = input.fractionable(buy.symbol) ? FRACTIONAL_STEP_DECIMALS : 0;
      const affordable = budget.lte(0) ? new Dec(0) : budget.div(buy.price).toDecimalPlaces(decimals, Dec.ROUND_DOWN);
      candidate = { ...buy, quantity: affordable };
      capped = true;
    }
    const reason = tooSmall(candidate, input) ?? undefined;
    if (reason !== undefined) {
      skipped.push(skip(candidate, capped ? `not enough cash left after sells and larger buys (${reason})` : reason));
      continue;
    }
    plannedBuys.push(candidate);
    budget = budget.minus(candidate.quantity.times(candidate.price));
  }

  const bySymbol = (a: Candidate, b: Candidate) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0);
  const orders = [...plannedSells.sort(bySymbol), ...plannedBuys.sort(bySymbol)].map(toOrder);
  checkPlannedOrders(orders, equity, input.riskLimits);
  return { equity, cash: input.cash, orders, skipped };
}

/** Also run by the CLI on --weights, so a start on AWS cannot fail later on input it could have refused. */
export function validateWeights(targets: RebalanceInput['targets']): Map<string, Dec> {
  const weights = new Map<string, Dec>();
  for (const { symbol, weight } of targets) {
    if (weights.has(symbol)) throw new StepError('INVALID_WEIGHTS', `${symbol} has more than one target weight.`);
    if (weight.isNegative() && !weight.isZero()) throw new StepError('INVALID_WEIGHTS', `${symbol} has a negative weight (${toDecimalString(weight)}).`);
    weights.set(symbol, weight);
  }
  const total = sumDecimals(weights.values());
  if (total.minus(1).abs().gt(WEIGHT_TOLERANCE)) {
    throw new StepError('WEIGHTS_NOT_NORMALIZED', `Target weights sum to ${toDecimalString(total)}, not 1 ± ${toDecimalString(WEIGHT_TOLERANCE)}.`);
  }
  return weights;
}

function requirePrice(prices: ReadonlyMap<string, Dec>, symbol: string, code: string, message: string): void {
  const price = prices.get(symbol);
  if (price === undefined) throw new StepError(code, `${message}; cannot value or trade it.`);
  if (price.lte(0)) throw new StepError('INVALID_PRICE', `${symbol} has a non-positive price (${toDecimalString(price)}).`);
}

function priceOf(prices: ReadonlyMap<string, Dec>, symbol: string): Dec {
  const price = prices.get(symbol);
  if (price === undefined) throw new StepError('POSITION_WITHOUT_PRICE', `${symbol} has no price.`);
  return price;
}

function tooSmall(candidate: Candidate, input: RebalanceInput): string | undefined {
  if (candidate.quantity.isZero()) return input.fractionable(candidate.symbol) ? 'rounds to zero' : 'less than one whole share';
  const notional = candidate.quantity.times(candidate.price);
  if (notional.lt(input.minTradeNotional)) return `below the minimum trade size of ${toDecimalString(input.minTradeNotional)}`;
  return undefined;
}

function skip(candidate: Candidate, reason: string): SkippedTrade {
  return { symbol: candidate.symbol, side: candidate.side, notional: toDecimalString(candidate.wanted), reason };
}

function toOrder(candidate: Candidate): PlannedOrder {
  return {
    symbol: candidate.symbol,
    side: candidate.side,
    quantity: toDecimalString(candidate.quantity),
    price: toDecimalString(candidate.price),
    notional: toDecimalString(candidate.quantity.times(candidate.price)),
  };
}
