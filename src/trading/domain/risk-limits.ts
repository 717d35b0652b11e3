/**
 * Risk limits on the rebalance plan: the one place that defines them, their defaults and their checks.
 *
 * | limit | what it bounds | refusal code | default |
 * |---|---|---|---|
 * | maxPositionWeight | every target weight the strategy asks for (0 < limit ≤ 1) | RISK_MAX_POSITION_WEIGHT | none (the weights rule already keeps a weight ≤ 1 + 0.0001) |
 * | maxOrderNotional | every planned order's quantity × price (> 0) | RISK_MAX_ORDER_NOTIONAL | none |
 * | maxTurnover | the plan's sum of order notionals / equity (> 0; 1 = trading the equity once; a plan can reach 2) | RISK_MAX_TURNOVER | none |
 *
 * A value exactly at a limit passes; only a value above it is refused. Skipped trades are not orders
 * and count towards nothing.
 *
 * A breach fails the workflow at the portfolio step (a StepError with the code above), before any order
 * exists; the plan is never clipped. Clipping would quietly trade something other than what the
 * strategy asked for (a clipped weight leaves cash idle or has to be spread over other symbols, a
 * clipped order leaves the position off target, a scaled-down plan drifts from every target), while a
 * failure stops trading and tells the operator (the WorkflowFailed email names the code and the breach).
 *
 * How they reach the step: `riskLimits` in the workflow params, stored with the workflow record and
 * carried by WorkflowStarted, so a re-run or a replay checks against the limits the workflow started
 * with, not today's configuration. Set from `--max-position-weight`, `--max-order-notional` and
 * `--max-turnover` on `ops workflow run` / `start`, and from MAX_POSITION_WEIGHT, MAX_ORDER_NOTIONAL and
 * MAX_TURNOVER in the dispatcher task's environment. A limit not given is absent from the params (and a
 * record written before limits existed has none): no limit.
 */
import * as z from 'zod';
import type { PlannedOrder } from './events.ts';
import { dec, Dec, DECIMAL_STRING_PATTERN, sumDecimals, toDecimalString } from './money.ts';
import { StepError } from './trading-errors.ts';

export const RISK_LIMITS = {
  maxPositionWeight: { option: 'max-position-weight', env: 'MAX_POSITION_WEIGHT', code: 'RISK_MAX_POSITION_WEIGHT', label: 'max position weight', example: '0.5' },
  maxOrderNotional: { option: 'max-order-notional', env: 'MAX_ORDER_NOTIONAL', code: 'RISK_MAX_ORDER_NOTIONAL', label: 'max order notional', example: '25000' },
  maxTurnover: { option: 'max-turnover', env: 'MAX_TURNOVER', code: 'RISK_MAX_TURNOVER', label: 'max turnover', example: '1' },
} as const;
export type RiskLimitName = keyof typeof RISK_LIMITS;
export const RISK_LIMIT_NAMES = Object.keys(RISK_LIMITS) as RiskLimitName[];

/** What is wrong with a limit's value ("must be above 0"), or undefined when it is a valid limit. */
export function riskLimitProblem(name: RiskLimitName, value: string): string | undefined {
  if (!DECIMAL_STRING_PATTERN.test(value)) return 'is not a decimal number';
  const amount = dec(value);
  if (amount.lte(0)) return 'must be above 0';
  if (name === 'maxPositionWeight' && amount.gt(1)) return 'must be at most 1 (the whole portfolio)';
  return undefined;
}

const limitSchema = (name: RiskLimitName) =>
  z.string().superRefine((value, ctx) => {
    const problem = riskLimitProblem(name, value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem}, e.g. "${RISK_LIMITS[name].example}"` });
  });

export const riskLimitsSchema = z.object({
  maxPositionWeight: limitSchema('maxPositionWeight').optional(),
  maxOrderNotional: limitSchema('maxOrderNotional').optional(),
  maxTurnover: limitSchema('maxTurnover').optional(),
});
export type RiskLimits = z.infer<typeof riskLimitsSchema>;

/** No limit at all: what a workflow gets when none is configured. */
export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze({});

/** Refuses a plan whose targets put more than the limit into one symbol. */
export function checkTargetWeights(targets: Iterable<readonly [string, Dec]>, limits: RiskLimits | undefined): void {
  const max = limits?.maxPositionWeight;
  if (max === undefined) return;
  const limit = dec(max);
  const over = [...targets].filter(([, weight]) => weight.gt(limit)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const [first, ...rest] = over;
  if (first === undefined) return;
  throw new StepError(
    RISK_LIMITS.maxPositionWeight.code,
    `${first[0]} target weight ${shown(first[1], max)} exceeds the ${max} limit (${RISK_LIMITS.maxPositionWeight.label})` +
      `${rest.length > 0 ? `; so ${rest.length === 1 ? 'does' : 'do'} ${rest.map(([symbol, weight]) => `${symbol} ${shown(weight, max)}`).join(', ')}` : ''}; nothing was traded.`,
  );
}

/** Refuses a plan with an order above the max order notional, or trading more than the max turnover of the equity. */
export function checkPlannedOrders(orders: readonly PlannedOrder[], equity: Dec, limits: RiskLimits | undefined): void {
  if (limits?.maxOrderNotional !== undefined) {
    const limit = dec(limits.maxOrderNotional);
    const over = orders.filter((order) => dec(order.notional).gt(limit));
    const [first, ...rest] = over;
    if (first !== undefined) {
      throw new StepError(
        RISK_LIMITS.maxOrderNotional.code,
        `${first.side.toUpperCase()} ${first.quantity} ${first.symbol} @ ${first.price} = ${first.notional} exceeds the ${limits.maxOrderNotional} limit (${RISK_LIMITS.maxOrderNotional.label})` +
          `${rest.length > 0 ? `; so ${rest.length === 1 ? 'does' : 'do'} ${rest.map((o) => `${o.side.toUpperCase()} ${o.symbol} ${o.notional}`).join(', ')}` : ''}; nothing was traded.`,
      );
    }
  }
  if (limits?.maxTurnover !== undefined) {
    const traded = sumDecimals(orders.map((order) => dec(order.notional)));
    const turnover = turnoverOf(traded, equity);
    if (turnover.gt(dec(limits.maxTurnover))) {
      throw new StepError(
        RISK_LIMITS.maxTurnover.code,
        `The plan trades ${toDecimalString(traded)} on equity ${toDecimalString(equity)}: turnover ${shown(turnover, limits.maxTurnover)} exceeds the ${limits.maxTurnover} limit (${RISK_LIMITS.maxTurnover.label}); nothing was traded.`,
      );
    }
  }
}

/** Sum of order notionals / equity. Equity is > 0 by the time a plan exists. */
export function turnoverOf(traded: Dec, equity: Dec): Dec {
  return traded.div(equity);
}

/**
 * A ratio for a message: rounded to 6 decimals, unless that would read as not above the limit
 * (0.2000000001 against 0.2), in which case it is shown exactly.
 */
function shown(value: Dec, limit: string): string {
  const rounded = value.toDecimalPlaces(6, Dec.ROUND_HALF_EVEN);
  return toDecimalString(rounded.gt(dec(limit)) ? rounded : value);
}
