/**
 * What the workflow does with an order as the broker reports it: the one place that turns a
 * BrokerOrder into store writes and TradeExecuted, shared by the execution step (right after placing)
 * and the sweeper (reconciling open orders later), so both record and publish the same thing.
 *
 * - `filled`: the fill is recorded (the executed map; the open entry goes in the same write) and one
 *   TradeExecuted is published with the filled quantity and the average fill price.
 * - `pending` / `partially_filled`: recorded as open with its progress. Nothing is published: a
 *   TradeExecuted reports a fill that happened, once per order, when the order is final.
 * - `canceled` / `expired` / `rejected`: whatever did fill is recorded and published like a fill
 *   (those shares traded; the books must say so), and the caller fails the workflow with
 *   ORDER_PARTIALLY_FILLED, or ORDER_CANCELED / ORDER_EXPIRED / ORDER_REJECTED when nothing filled.
 *
 * TradeExecuted ids derive from the RebalancePlanned event and the client order id, so the step and
 * the sweeper publishing the same fill publish the same event id.
 *
 * Buys wait for the sells: `placePlanned` places the plan's orders in order (sells first) and stops
 * before the first buy while a sell is still open, because the buys were sized on the sells'
 * proceeds. The sweeper calls it again once the sells filled.
 */
import { DuplicateClientOrderIdError, OrderRejectedError, OrderStatus, RejectReason, type Broker, type BrokerOrder } from '../ports/broker.ts';
import type { OpenOrder, OrderTally, PlanOrder, WorkflowStore } from '../ports/workflow-store.ts';
import { makeEvent } from './event-factory.ts';
import { EventType, type WorkflowEvent } from './events.ts';
import { dec, toDecimalString } from './money.ts';
import { StepError } from './trading-errors.ts';

export interface SettlementIo {
  store: WorkflowStore;
  publish: (events: readonly WorkflowEvent[]) => Promise<void>;
  now: () => Date;
  /** Who publishes (`execution`, `sweeper`): the event's source. */
  producer: string;
}

export interface SettlementInput {
  correlationId: string;
  /** The RebalancePlanned event id the order belongs to. */
  causationId: string;
  planned: PlanOrder;
  orderCount: number;
  order: BrokerOrder;
  /** When the order was first placed (kept on the open entry across progress updates). */
  placedAt?: Date;
}

/** Why an order ended without filling in full; the workflow fails with it. */
export const OrderEndCode = {
  canceled: 'ORDER_CANCELED',
  expired: 'ORDER_EXPIRED',
  rejected: 'ORDER_REJECTED',
  partiallyFilled: 'ORDER_PARTIALLY_FILLED',
} as const;
export type OrderEndCode = (typeof OrderEndCode)[keyof typeof OrderEndCode];

export type Settlement =
  | { outcome: 'executed'; tally: OrderTally }
  | { outcome: 'open'; tally: OrderTally }
  | { outcome: 'ended'; errorCode: OrderEndCode; reason: string; tally?: OrderTally }
  /** The store refused the write: the workflow is no longer RUNNING. */
  | { outcome: 'halted' };

export async function settleOrder(io: SettlementIo, input: SettlementInput): Promise<Settlement> {
  const { order, planned } = input;
  switch (order.status) {
    case OrderStatus.filled:
      return recordFill(io, input);
    case OrderStatus.pending:
    case OrderStatus.partiallyFilled: {
      const now = io.now();
      const open: OpenOrder = {
        ...planned,
        brokerOrderId: order.brokerOrderId,
        status: order.status,
        filledQuantity: toDecimalString(order.filledQuantity),
        ...(order.fillPrice !== undefined && order.filledQuantity.gt(0) ? { averagePrice: toDecimalString(order.fillPrice) } : {}),
        causationId: input.causationId,
        placedAt: input.placedAt ?? now,
        updatedAt: now,
      };
      const tally = await io.store.recordOpenOrder(input.correlationId, open);
      return tally.accepted ? { outcome: 'open', tally } : { outcome: 'halted' };
    }
    case OrderStatus.canceled:
    case OrderStatus.expired:
    case OrderStatus.rejected: {
      const what = `${planned.side} ${planned.quantity} ${planned.symbol} (${planned.clientOrderId})`;
      const why = `${order.brokerStatus ?? order.status}${order.rejectReason !== undefined ? `: ${order.rejectReason}` : ''}`;
      if (order.filledQuantity.gt(0)) {
        const settled = await recordFill(io, input);
        if (settled.outcome === 'halted') return settled;
        const reason = `The broker ended ${what} after filling ${toDecimalString(order.filledQuantity)} of ${planned.quantity} (${why}); the partial fill is recorded.`;
        return { outcome: 'ended', errorCode: OrderEndCode.partiallyFilled, reason, tally: settled.tally };
      }
      const code = order.status === OrderStatus.canceled ? OrderEndCode.canceled : order.status === OrderStatus.expired ? OrderEndCode.expired : OrderEndCode.rejected;
      return { outcome: 'ended', errorCode: code, reason: `The broker ended ${what} with nothing filled (${why}).` };
    }
  }
}

async function recordFill(io: SettlementIo, input: SettlementInput): Promise<{ outcome: 'executed'; tally: OrderTally } | { outcome: 'halted' }> {
  const { order, planned } = input;
  // A filled order filled all of it, whatever a broker left in filledQuantity.
  const quantity = order.status === OrderStatus.filled ? order.quantity : order.filledQuantity;
  const price = order.fillPrice ?? dec(planned.price);
  const executedAt = io.now();
  // What the store records and what TradeExecuted carries: the same fill.
  const fill = {
    clientOrderId: planned.clientOrderId,
    brokerOrderId: order.brokerOrderId,
    symbol: planned.symbol,
    side: planned.side,
    quantity: toDecimalString(quantity),
    price: toDecimalString(price),
    notional: toDecimalString(quantity.times(price)),
    orderIndex: planned.orderIndex,
  };
  const tally = await io.store.recordExecutedOrder(input.correlationId, { ...fill, executedAt });
  if (!tally.accepted) return { outcome: 'halted' };
  const trade = makeEvent(
    EventType.tradeExecuted,
    { correlationId: input.correlationId, causationId: input.causationId, producer: io.producer, occurredAt: executedAt },
    { ...fill, orderCount: input.orderCount },
    planned.clientOrderId,
  );
  await io.publish([trade]);
  return { outcome: 'executed', tally };
}

/** Where placing the plan's orders stopped. */
export type PlacementResult =
  | { outcome: 'placed'; tally: OrderTally | undefined; sellsOpen: number; waiting: number }
  | { outcome: 'ended'; errorCode: string; reason: string; clientOrderId: string; rejectReason?: string }
  | { outcome: 'halted'; after: number };

/**
 * Places (or, for ids already used, looks up) `orders` in order and settles each answer. Stops at the
 * first order the broker ended (the caller fails the workflow), when the store refuses a write (the
 * workflow stopped RUNNING), or before the first buy while a sell is open (`waiting` buys left).
 * A refusal on the spot throws OrderRejectedError, like the broker did.
 */
export async function placePlanned(io: SettlementIo, broker: Broker, input: { correlationId: string; causationId: string; orderCount: number; orders: readonly PlanOrder[] }): Promise<PlacementResult> {
  let tally: OrderTally | undefined;
  let sellsOpen = 0;
  for (const [position, planned] of input.orders.entries()) {
    if (planned.side === 'buy' && sellsOpen > 0) return { outcome: 'placed', tally, sellsOpen, waiting: input.orders.length - position };
    const order = await placeOrLookUp(broker, planned);
    const settled = await settleOrder(io, { correlationId: input.correlationId, causationId: input.causationId, planned, orderCount: input.orderCount, order });
    switch (settled.outcome) {
      case 'halted':
        return { outcome: 'halted', after: position + 1 };
      case 'ended':
        return { outcome: 'ended', errorCode: settled.errorCode, reason: settled.reason, clientOrderId: planned.clientOrderId, ...(order.rejectReason !== undefined ? { rejectReason: order.rejectReason } : {}) };
      case 'open':
        if (planned.side === 'sell') sellsOpen += 1;
        tally = settled.tally;
        break;
      case 'executed':
        tally = settled.tally;
    }
  }
  return { outcome: 'placed', tally, sellsOpen, waiting: 0 };
}

/** Places the order; a reused client order id means an earlier run placed it, so look it up. */
export async function placeOrLookUp(broker: Broker, planned: PlanOrder): Promise<BrokerOrder> {
  const cid = planned.clientOrderId;
  try {
    return await broker.placeOrder({ clientOrderId: cid, symbol: planned.symbol, side: planned.side, quantity: dec(planned.quantity), referencePrice: dec(planned.price) });
  } catch (error) {
    if (!(error instanceof DuplicateClientOrderIdError)) throw error;
    const existing = await broker.orderByClientId(cid);
    if (existing === undefined) throw new StepError('ORDER_LOOKUP_FAILED', `The broker refused client order id ${cid} as a duplicate but does not know the order.`, { cause: error });
    if (existing.status === OrderStatus.rejected && existing.filledQuantity.isZero()) {
      throw new OrderRejectedError(cid, (existing.rejectReason as RejectReason | undefined) ?? RejectReason.invalidQuantity, `The broker rejected ${planned.side} ${planned.quantity} ${planned.symbol} (${existing.rejectReason ?? 'no reason given'}).`);
    }
    return existing;
  }
}
