/**
 * Alpaca's order statuses and what they mean to the workflow.
 *
 * Alpaca accepts an order long before it fills: POST /v2/orders usually answers `accepted` or
 * `pending_new`, and the fill arrives seconds (or, outside market hours, a session) later. This file
 * maps Alpaca's 17 documented statuses onto the Broker port's lifecycle (OrderStatus):
 *
 *   new / accepted / pending_new / … ─► partially_filled ─► filled
 *                                   └─────────────────────► canceled | expired | rejected (| replaced)
 */
import { isFinalStatus, OrderRejectedError, OrderStatus, RejectReason } from '../../ports/broker.ts';
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

/** Where an order is in its life, as the workflow needs to know it: the port's OrderStatus. */
export const OrderLifecycle = OrderStatus;
export type OrderLifecycle = OrderStatus;

/** Open (may still change) or terminal. */
export const isTerminal = isFinalStatus;

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

