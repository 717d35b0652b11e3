/**
 * What every paper broker decides the same way, whatever keeps its account (memory, DynamoDB): an
 * order fills at the paper market's quote (not the plan's price), in full unless a per-symbol
 * liquidity limit cancels the rest (INSUFFICIENT_LIQUIDITY), and is refused for a
 * non-positive quantity, a fractional quantity of a whole-share asset, a symbol without a quote, a buy
 * above the cash, or a sell above the holding. The checks that need no account run first
 * (`priceOrder`); the two that need the account have their messages here so both brokers word them alike.
 */
import { RejectReason, type OrderRequest } from '../ports/broker.ts';
import { toDecimalString, type Dec } from './money.ts';

export interface PaperMarket {
  /** The paper market's quote per symbol; orders fill at it. */
  quote: (symbol: string) => Dec | undefined;
  nonFractionable: ReadonlySet<string>;
}

/** Why a paper broker canceled the remainder of an order that found too little liquidity. */
export const INSUFFICIENT_LIQUIDITY = 'INSUFFICIENT_LIQUIDITY';

export interface PaperRejection {
  reason: RejectReason;
  message: string;
}

export type PricedOrder = { ok: true; price: Dec; notional: Dec } | ({ ok: false } & PaperRejection);

/** The checks that need no account, then the fill price and notional. */
export function priceOrder(request: OrderRequest, market: PaperMarket): PricedOrder {
  const { symbol, quantity } = request;
  if (quantity.lte(0)) return { ok: false, reason: RejectReason.invalidQuantity, message: `Quantity ${toDecimalString(quantity)} of ${symbol} is not positive.` };
  if (market.nonFractionable.has(symbol) && !quantity.isInteger()) {
    return { ok: false, reason: RejectReason.fractionalNotSupported, message: `${symbol} trades in whole shares only; got ${toDecimalString(quantity)}.` };
  }
  const price = market.quote(symbol);
  if (price === undefined) return { ok: false, reason: RejectReason.noQuote, message: `No quote for ${symbol}.` };
  return { ok: true, price, notional: quantity.times(price) };
}

export function insufficientBuyingPower(request: OrderRequest, price: Dec, notional: Dec, cash: Dec | undefined): PaperRejection {
  const power = cash === undefined ? 'is lower' : `is ${toDecimalString(cash)}`;
  return {
    reason: RejectReason.insufficientBuyingPower,
    message: `Buying ${toDecimalString(request.quantity)} ${request.symbol} at ${toDecimalString(price)} needs ${toDecimalString(notional)}; buying power ${power}.`,
  };
}

export function insufficientPosition(request: OrderRequest, held: Dec): PaperRejection {
  return { reason: RejectReason.insufficientPosition, message: `Selling ${toDecimalString(request.quantity)} ${request.symbol}, but only ${toDecimalString(held)} is held.` };
}

/** The account check for a priced order; undefined when it may fill. */
export function accountCheck(request: OrderRequest, price: Dec, notional: Dec, cash: Dec, held: Dec): PaperRejection | undefined {
  if (request.side === 'buy' && notional.gt(cash)) return insufficientBuyingPower(request, price, notional, cash);
  if (request.side === 'sell' && request.quantity.gt(held)) return insufficientPosition(request, held);
  return undefined;
}
