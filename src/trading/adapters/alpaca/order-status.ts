/**
 * Alpaca's order statuses and what they mean to the workflow.
 *
 * Alpaca accepts an order long before it fills: POST /v2/orders usually answers `accepted` or
 * `pending_new`, and the fill arrives seconds (or, outside market hours, a session) later. The
 * Broker port only knows `filled | rejected`, so this file carries the richer lifecycle the port
 * should grow into (see `OrderTracking`) and the one mapping from Alpaca's 17 documented statuses to it.
 *
 *   new / accepted / pending_new / … ─► partially_filled ─► filled
 *                                   └─────────────────────► canceled | expired | rejected (| replaced)
 */
import { FaultError } from '../../../errors.ts';
import { OrderRejectedError, RejectReason, type BrokerOrder, type OrderRequest } from '../../ports/broker.ts';
import type { Dec } from '../../domain/money.ts';

/** Every status Alpaca documents for an order (Trading API, Order object). */
export const AlpacaOrderStatus = {
  new: 'new',
  partiallyFilled: 'partially_filled',
  filled: 'filled',
  doneForDay: 'done_for_day',
  canceled: 'canceled',
  expired: 'expired',
  replaced: 'replaced',
  pendingCancel: 'pending_cancel',
  pendingReplace: 'pending_replace',
  accepted: 'accepted',
  pendingNew: 'pending_new',
  acceptedForBidding: 'accepted_for_bidding',
  stopped: 'stopped',
  rejected: 'rejected',
  suspended: 'suspended',
  calculated: 'calculated',
  held: 'held',
} as const;
export type AlpacaOrderStatus = (typeof AlpacaOrderStatus)[keyof typeof AlpacaOrderStatus];

export const ALPACA_ORDER_STATUSES: readonly AlpacaOrderStatus[] = Object.values(AlpacaOrderStatus);

/** Where an order is in its life, as the workflow needs to know it. */
export const OrderLifecycle = {
  /** Accepted by the broker, nothing filled yet; it may still fill. */
  pending: 'pending',
  /** Some quantity filled, the rest may still fill. */
  partiallyFilled: 'partially_filled',
  filled: 'filled',
  /** Ended without (completely) filling: canceled by someone, or replaced by another order. */
  canceled: 'canceled',
  /** Ended at the end of its time in force. */
  expired: 'expired',
  rejected: 'rejected',
} as const;
export type OrderLifecycle = (typeof OrderLifecycle)[keyof typeof OrderLifecycle];

/** Open (may still change) or terminal. */
export function isTerminal(lifecycle: OrderLifecycle): boolean {
  switch (lifecycle) {
    case OrderLifecycle.pending:
    case OrderLifecycle.partiallyFilled:
      return false;
    case OrderLifecycle.filled:
    case OrderLifecycle.canceled:
    case OrderLifecycle.expired:
    case OrderLifecycle.rejected:
      return true;
  }
}

/**
 * Alpaca status (plus the filled quantity, which decides between "pending" and "partially filled"
 * for the in-between statuses) → lifecycle.
 */
export function lifecycleOf(status: AlpacaOrderStatus, filledQuantity: Dec): OrderLifecycle {
  const someFilled = filledQuantity.gt(0);
  switch (status) {
    case AlpacaOrderStatus.filled:
      return OrderLifecycle.filled;
    case AlpacaOrderStatus.partiallyFilled:
      return OrderLifecycle.partiallyFilled;
    case AlpacaOrderStatus.canceled:
    case AlpacaOrderStatus.replaced:
      return OrderLifecycle.canceled;
    case AlpacaOrderStatus.expired:
      return OrderLifecycle.expired;
    case AlpacaOrderStatus.rejected:
      return OrderLifecycle.rejected;
    // Still open: received, routed, waiting for a cancel/replace, done for today but live tomorrow,
    // held (a bracket leg), stopped (a fill is guaranteed), suspended, or settling (`calculated`).
    case AlpacaOrderStatus.new:
    case AlpacaOrderStatus.accepted:
    case AlpacaOrderStatus.pendingNew:
    case AlpacaOrderStatus.acceptedForBidding:
    case AlpacaOrderStatus.held:
    case AlpacaOrderStatus.stopped:
    case AlpacaOrderStatus.suspended:
    case AlpacaOrderStatus.pendingCancel:
    case AlpacaOrderStatus.pendingReplace:
    case AlpacaOrderStatus.doneForDay:
    case AlpacaOrderStatus.calculated:
      return someFilled ? OrderLifecycle.partiallyFilled : OrderLifecycle.pending;
  }
}

/**
 * The reasons the port's RejectReason lacks. The port should gain them; until then they travel as
 * OrderRejectedError.reason / BrokerOrder.rejectReason strings (both already read loosely by the
 * execution step).
 */
export const AlpacaRejectReason = {
  ...RejectReason,
  unknownSymbol: 'UNKNOWN_SYMBOL',
  invalidOrder: 'INVALID_ORDER',
  forbidden: 'ORDER_FORBIDDEN',
  brokerRejected: 'BROKER_REJECTED',
  canceled: 'ORDER_CANCELED',
  expired: 'ORDER_EXPIRED',
} as const;
export type AlpacaRejectReason = (typeof AlpacaRejectReason)[keyof typeof AlpacaRejectReason];

/** An OrderRejectedError that also says what Alpaca answered. */
export class AlpacaOrderRejectedError extends OrderRejectedError {
  readonly httpStatus: number | undefined;
  readonly alpacaCode: number | undefined;

  constructor(clientOrderId: string, reason: AlpacaRejectReason, message: string, alpaca: { httpStatus?: number; code?: number } = {}) {
    // The one widening cast: see AlpacaRejectReason.
    super(clientOrderId, reason as RejectReason, message);
    this.httpStatus = alpaca.httpStatus;
    this.alpacaCode = alpaca.code;
  }

  override details(): Record<string, unknown> {
    return { ...super.details(), httpStatus: this.httpStatus, alpacaCode: this.alpacaCode };
  }
}

/** An order as the broker tracks it: what the port's BrokerOrder should become for asynchronous fills. */
export interface TrackedOrder {
  brokerOrderId: string;
  clientOrderId: string;
  symbol: string;
  side: BrokerOrder['side'];
  /** The quantity ordered. */
  quantity: Dec;
  lifecycle: OrderLifecycle;
  filledQuantity: Dec;
  /** Average price of the filled quantity; absent while nothing filled. */
  averageFillPrice?: Dec;
  /** The broker's own status word, for logs and the store. */
  brokerStatus: string;
  rejectReason?: AlpacaRejectReason;
}

/**
 * The extension the Broker port needs for asynchronous fills: submit without expecting a fill, and
 * read an order's progress by client order id (the sweeper's reconciliation calls this until the
 * lifecycle is terminal).
 */
export interface OrderTracking {
  /** Submits; throws DuplicateClientOrderIdError / OrderRejectedError like Broker.placeOrder. */
  submitOrder(request: OrderRequest): Promise<TrackedOrder>;
  trackOrder(clientOrderId: string): Promise<TrackedOrder | undefined>;
}

/**
 * The order is accepted but not (completely) filled yet, so Broker.placeOrder / orderByClientId
 * cannot answer `filled` or `rejected`. Until the workflow reconciles fills asynchronously this
 * fails the execution step rather than recording a fill that has not happened.
 */
export class OrderPendingError extends FaultError {
  readonly clientOrderId: string;
  readonly brokerStatus: string;
  readonly filledQuantity: string;

  constructor(order: TrackedOrder) {
    super('ORDER_PENDING', `Order ${order.clientOrderId} (${order.side} ${order.quantity.toFixed()} ${order.symbol}) is ${order.brokerStatus} at the broker, not filled yet.`, {
      hint: 'The broker fills asynchronously; look the order up again later (the sweeper will reconcile it once asynchronous fills are wired).',
    });
    this.clientOrderId = order.clientOrderId;
    this.brokerStatus = order.brokerStatus;
    this.filledQuantity = order.filledQuantity.toFixed();
  }

  override details(): Record<string, unknown> {
    return { clientOrderId: this.clientOrderId, brokerStatus: this.brokerStatus, filledQuantity: this.filledQuantity };
  }
}

/**
 * TrackedOrder → the port's BrokerOrder. A terminal order that filled in part (canceled or expired
 * after a partial fill) reports what did fill: those shares were traded and the books must say so.
 * An open order has no port form: OrderPendingError.
 */
export function toBrokerOrder(order: TrackedOrder): BrokerOrder {
  const base = { brokerOrderId: order.brokerOrderId, clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side };
  switch (order.lifecycle) {
    case OrderLifecycle.pending:
    case OrderLifecycle.partiallyFilled:
      throw new OrderPendingError(order);
    case OrderLifecycle.filled:
    case OrderLifecycle.canceled:
    case OrderLifecycle.expired:
    case OrderLifecycle.rejected:
      break;
  }
  if (order.lifecycle !== OrderLifecycle.rejected && order.filledQuantity.gt(0) && order.averageFillPrice !== undefined) {
    return { ...base, quantity: order.filledQuantity, status: 'filled', fillPrice: order.averageFillPrice };
  }
  if (order.lifecycle === OrderLifecycle.filled) {
    throw new FaultError('ALPACA_BAD_RESPONSE', `Alpaca reports order ${order.clientOrderId} filled without a filled quantity and average price.`);
  }
  return { ...base, quantity: order.quantity, status: 'rejected', rejectReason: order.rejectReason ?? rejectReasonOf(order.lifecycle) };
}

function rejectReasonOf(lifecycle: OrderLifecycle): AlpacaRejectReason {
  return lifecycle === OrderLifecycle.expired ? AlpacaRejectReason.expired : lifecycle === OrderLifecycle.canceled ? AlpacaRejectReason.canceled : AlpacaRejectReason.brokerRejected;
}
