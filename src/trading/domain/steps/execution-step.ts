/**
 * RebalancePlanned → one TradeExecuted per order, then WorkflowCompleted.
 *
 * Orders go out in plan order (sells first), each with a client order id derived from the workflow,
 * symbol and side. If this step runs twice for one plan (a crashed instance's claim expired, a
 * retry), the broker refuses the reused ids and the step looks the orders up instead of trading again.
 *
 * Completion is counted in the store, never in this process: each fill is added to the workflow's
 * executed-orders map (idempotent per client order id), and only when the store's count reaches the
 * plan's order count does the step ask for the RUNNING → COMPLETED write.
 */
import { StepError } from '../trading-errors.ts';
import { DuplicateClientOrderIdError, OrderRejectedError, OrderStatus, RejectReason, type Broker, type BrokerOrder } from '../../ports/broker.ts';
import type { BrokerDirectory } from '../broker-directory.ts';
import { clientOrderId } from '../client-order-id.ts';
import { makeEvent } from '../event-factory.ts';
import { EventType, Step, type PlannedOrder } from '../events.ts';
import { dec, toDecimalString } from '../money.ts';
import type { StepHandler } from '../step-handler.ts';
import { valueTraded } from '../summary.ts';

export interface ExecutionStepDeps {
  brokers: BrokerDirectory;
}

export function createExecutionStep(deps: ExecutionStepDeps): StepHandler<typeof EventType.rebalancePlanned> {
  return {
    name: 'execution',
    step: Step.execution,
    consumes: [EventType.rebalancePlanned],
    runsWhen: 'running',
    async run(event, ctx) {
      const id = event.correlationId;
      const broker = deps.brokers(ctx.record.params.accountId);
      const orders = event.detail.orders;
      let tally = { executed: ctx.record.orders.length, expected: ctx.record.expectedOrders };
      for (const [index, planned] of orders.entries()) {
        const cid = clientOrderId(id, planned.symbol, planned.side);
        const order = await placeOrLookUp(broker, cid, planned);
        const fillPrice = order.fillPrice ?? dec(planned.price);
        const notional = toDecimalString(order.quantity.times(fillPrice));
        const executedAt = ctx.now();
        // What the store records and what TradeExecuted carries: the same fill.
        const fill = {
          clientOrderId: cid,
          brokerOrderId: order.brokerOrderId,
          symbol: planned.symbol,
          side: planned.side,
          quantity: toDecimalString(order.quantity),
          price: toDecimalString(fillPrice),
          notional,
          orderIndex: index,
        };
        const recorded = await ctx.store.recordExecutedOrder(id, { ...fill, executedAt });
        // The workflow failed or timed out meanwhile: place nothing more.
        if (!recorded.accepted) return { emit: [], halted: `workflow ${id} stopped RUNNING after ${index + 1} of ${orders.length} orders` };
        tally = recorded;
        const trade = makeEvent(
          EventType.tradeExecuted,
          { correlationId: id, causationId: event.eventId, producer: Step.execution, occurredAt: executedAt },
          { ...fill, orderCount: orders.length },
          cid,
        );
        await ctx.publish([trade]);
      }

      if (tally.expected === undefined) throw new StepError('PLAN_NOT_RECORDED', `Workflow ${id} has no recorded plan size; cannot tell whether every order executed.`);
      if (tally.executed < tally.expected) {
        throw new StepError('ORDERS_MISSING', `Workflow ${id}: ${tally.executed} of ${tally.expected} planned orders are recorded as executed after placing all of them.`);
      }
      const now = ctx.now();
      const finalRecord = await ctx.store.get(id);
      const executed = finalRecord?.orders ?? [];
      const complete = makeEvent(
        EventType.workflowCompleted,
        { correlationId: id, causationId: event.eventId, producer: Step.execution, occurredAt: now },
        {
          ordersExecuted: executed.length,
          valueTraded: toDecimalString(valueTraded(executed)),
          startedAt: ctx.record.startedAt.toISOString(),
          durationMs: Math.max(0, now.getTime() - ctx.record.startedAt.getTime()),
        },
      );
      return {
        result: { completedAt: now, summary: { ordersExecuted: executed.length, valueTraded: toDecimalString(valueTraded(executed)) } },
        emit: [],
        complete,
      };
    },
  };
}

/** Places the order; a reused client order id means an earlier run placed it, so look it up. */
async function placeOrLookUp(broker: Broker, cid: string, planned: PlannedOrder): Promise<BrokerOrder> {
  let order: BrokerOrder;
  try {
    order = await broker.placeOrder({ clientOrderId: cid, symbol: planned.symbol, side: planned.side, quantity: dec(planned.quantity), referencePrice: dec(planned.price) });
  } catch (error) {
    if (!(error instanceof DuplicateClientOrderIdError)) throw error;
    const existing = await broker.orderByClientId(cid);
    if (existing === undefined) throw new StepError('ORDER_LOOKUP_FAILED', `The broker refused client order id ${cid} as a duplicate but does not know the order.`, { cause: error });
    order = existing;
  }
  if (order.status === OrderStatus.rejected) {
    throw new OrderRejectedError(cid, (order.rejectReason as RejectReason | undefined) ?? RejectReason.invalidQuantity, `The broker rejected ${planned.side} ${planned.quantity} ${planned.symbol} (${order.rejectReason ?? 'no reason given'}).`);
  }
  return order;
}
