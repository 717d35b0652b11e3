/**
 * The broker port. The execution step depends on two properties real brokers (Alpaca, IBKR) share:
 * a client order id is unique per account (a second order with the same id is rejected), and an
 * order can be looked up by it. Together they make placing an order idempotent across re-runs.
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

export const OrderStatus = { filled: 'filled', rejected: 'rejected' } as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export interface BrokerOrder {
  brokerOrderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  quantity: Dec;
  status: OrderStatus;
  fillPrice?: Dec;
  rejectReason?: string;
}

export interface Broker {
  account(): Promise<BrokerAccount>;
  assets(symbols: readonly string[]): Promise<Map<string, AssetInfo>>;
  /**
   * Places an order. Throws DuplicateClientOrderIdError when the id was used before, and
   * OrderRejectedError when the broker refuses it (buying power, quantity, unknown symbol).
   */
  placeOrder(request: OrderRequest): Promise<BrokerOrder>;
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
