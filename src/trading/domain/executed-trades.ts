/**
 * The TradeExecuted events of a workflow, rebuilt from its executed orders. The execution step and
 * the sweeper publish TradeExecuted straight after recording the fill (order-settlement.ts) rather
 * than through the step outbox, so the record holds the fill but not the event; the event's id
 * derives from the RebalancePlanned id and the client order id, so the rebuilt event has the id the
 * bus carried. Its `source` says `execution` even when the sweeper published it: the record does not
 * say which one did.
 */
import { makeEvent } from './event-factory.ts';
import { EventType, Step, type EventOf } from './events.ts';
import type { WorkflowRecord } from '../ports/workflow-store.ts';

export function executedTradeEvents(record: Pick<WorkflowRecord, 'correlationId' | 'orders' | 'openOrders' | 'outbox' | 'steps' | 'expectedOrders'>): EventOf<typeof EventType.tradeExecuted>[] {
  const planned = record.outbox[Step.portfolio]?.find((event) => event.type === EventType.rebalancePlanned);
  const fromSummary = record.steps[Step.execution]?.summary.rebalanceEventId;
  const causationId = planned?.eventId ?? (typeof fromSummary === 'string' ? fromSummary : undefined) ?? record.openOrders[0]?.causationId;
  // Without the RebalancePlanned id the event ids cannot be derived; a fill alone is not an event.
  if (causationId === undefined) return [];
  const orderCount = (planned?.type === EventType.rebalancePlanned ? planned.detail.orders.length : undefined) ?? record.expectedOrders ?? record.orders.length;
  return record.orders.map((order) =>
    makeEvent(
      EventType.tradeExecuted,
      { correlationId: record.correlationId, causationId, producer: 'execution', occurredAt: order.executedAt },
      {
        clientOrderId: order.clientOrderId,
        brokerOrderId: order.brokerOrderId,
        symbol: order.symbol,
        side: order.side,
        quantity: order.quantity,
        price: order.price,
        notional: order.notional,
        orderIndex: order.orderIndex,
        orderCount: Math.max(1, orderCount),
      },
      order.clientOrderId,
    ),
  );
}
