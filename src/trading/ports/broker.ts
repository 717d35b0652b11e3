/**
 * The broker port. The execution step depends on two properties real brokers (Alpaca, IBKR) share:
 * a client order id is unique per account (a second order with the same id is rejected), and an
 * order can be looked up by it. Together they make placing an order idempotent across re-runs.
 *
 * Fills are asynchronous. `placeOrder` answers the order as the broker has it right after accepting
 * it, which may be `pending` (accepted, nothing filled) or `partially_filled`; `orderByClientId`
 * reports its progress later (filled quantity, average fill price) until it is final:
 *
 *   pending ─► partially_filled ─► filled
 *      └──────────────┴───────────► canceled | expired | rejected   (with whatever did fill)
 *
 * A paper broker fills at once, in full, so its orders come back `filled` from `placeOrder`.
 */
import { FaultError } from '../../errors.ts';
import type { OrderSide } from '../domain/events.ts';
import type { Dec } from '../domain/money.ts';

export interface BrokerAccount {
  cash: Dec;
  /** Quantity held per symbol (long only). */
  positions: Map<string, Dec>;
}

export interface AssetInfo {
  symbol: string;
  fractionable: boolean;
}

export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  quantity: Dec;
  /** The price the plan used; a paper broker may fill elsewhere. */
  referencePrice: Dec;
}

export const OrderStatus = {
  /** Accepted by the broker, nothing filled yet. */
  pending: 'pending',
  /** Some quantity filled, the rest may still fill. */
  partiallyFilled: 'partially_filled',
  filled: 'filled',
  /** Ended without filling in full: canceled by someone (or replaced), or an unfillable remainder. */
  canceled: 'canceled',
  /** Ended at the end of its time in force (a day order at the close). */
  expired: 'expired',
  rejected: 'rejected',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);

/** Open (may still fill) or final (never changes again). */
export function isFinalStatus(status: OrderStatus): boolean {
  switch (status) {
    case OrderStatus.pending:
    case OrderStatus.partiallyFilled:
      return false;
    case OrderStatus.filled:
    case OrderStatus.canceled:
    case OrderStatus.expired:
    case OrderStatus.rejected:
      return true;
  }
}

export interface BrokerOrder {
  brokerOrderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  /** The quantity ordered. */
  quantity: Dec;
  status: OrderStatus;
  /** How much has filled so far (all of `quantity` once `filled`; 0 while pending). */
  filledQuantity: Dec;
  /** Average price of the filled quantity; present whenever `filledQuantity` > 0. */
  fillPrice?: Dec;
  rejectReason?: string;
  /** The broker's own status word (Alpaca's `accepted`, `done_for_day`, …), for logs. */
  brokerStatus?: string;
}

export interface Broker {
  account(): Promise<BrokerAccount>;
  assets(symbols: readonly string[]): Promise<Map<string, AssetInfo>>;
  /**
   * Places an order and answers it as the broker has it now (not necessarily filled). Throws
   * DuplicateClientOrderIdError when the id was used before, and OrderRejectedError when the broker
   * refuses it on the spot (buying power, quantity, unknown symbol).
   */
  placeOrder(request: OrderRequest): Promise<BrokerOrder>;
  /** The order's current state; undefined when the broker never saw the id. */
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined>;
}

export class DuplicateClientOrderIdError extends FaultError {
  readonly clientOrderId: string;

  constructor(clientOrderId: string) {
    super('DUPLICATE_CLIENT_ORDER_ID', `Client order id ${clientOrderId} was already used.`);
    this.clientOrderId = clientOrderId;
  }
}

export const RejectReason = {
  insufficientBuyingPower: 'INSUFFICIENT_BUYING_POWER',
  insufficientPosition: 'INSUFFICIENT_POSITION',
  fractionalNotSupported: 'FRACTIONAL_NOT_SUPPORTED',
  noQuote: 'NO_QUOTE',
  invalidQuantity: 'INVALID_QUANTITY',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

export class OrderRejectedError extends FaultError {
  readonly reason: RejectReason;
  readonly clientOrderId: string;

  constructor(clientOrderId: string, reason: RejectReason, message: string) {
    super('ORDER_REJECTED', message);
    this.reason = reason;
    this.clientOrderId = clientOrderId;
  }

  override details(): Record<string, unknown> {
    return { reason: this.reason, clientOrderId: this.clientOrderId };
  }
}
