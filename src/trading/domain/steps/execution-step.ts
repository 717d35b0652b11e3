/**
 * RebalancePlanned → one TradeExecuted per filled order, then WorkflowCompleted once every planned
 * order filled.
 *
 * Orders go out in plan order (sells first), each with a client order id derived from the workflow,
 * symbol and side. If this step runs twice for one plan (a crashed instance's claim expired, a
 * retry), the broker refuses the reused ids and the step looks the orders up instead of trading again.
 *
 * Brokers fill asynchronously. What the broker answers is settled by order-settlement.ts: a filled
 * order is recorded and published; an order still open (pending, partially filled) is recorded as
 * open and the step ends without completing the workflow: no wait loop here, the sweeper asks the
 * broker again later, records the fills and completes (or fails) the workflow. An order the broker
 * ended without filling in full fails the workflow with its code (partial fills recorded first).
 * Buys wait for the sells: while a sell is open, the step stops before the first buy and the sweeper
 * places the buys once every sell filled (order-settlement.ts, placePlanned).
 *
 * Completion is counted in the store, never in this process: each fill is added to the workflow's
 * executed-orders map (idempotent per client order id), and only when the store's count reaches the
 * plan's order count with nothing open does the step ask for the RUNNING → COMPLETED write. The tally
 * the store answers with its last write carries the executed orders, so nothing is read again.
 */
import { StepError } from '../trading-errors.ts';
import { OrderRejectedError, RejectReason } from '../../ports/broker.ts';
import type { OrderTally } from '../../ports/workflow-store.ts';
import type { BrokerDirectory } from '../broker-directory.ts';
import { clientOrderId } from '../client-order-id.ts';
import { EventType, Step } from '../events.ts';
import { OrderEndCode, placePlanned } from '../order-settlement.ts';
import type { StepHandler } from '../step-handler.ts';
import { completion } from '../terminal.ts';

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
      const orders = event.detail.orders.map((o, index) => ({ ...o, clientOrderId: clientOrderId(id, o.symbol, o.side), orderIndex: index }));
      const io = { store: ctx.store, publish: ctx.publish, now: ctx.now, producer: Step.execution };
      const placed = await placePlanned(io, broker, { correlationId: id, causationId: event.eventId, orderCount: orders.length, orders });
      switch (placed.outcome) {
        case 'halted':
          // The workflow failed or timed out meanwhile: place nothing more.
          return { emit: [], halted: `workflow ${id} stopped RUNNING after ${placed.after} of ${orders.length} orders` };
        case 'ended': {
          if (placed.errorCode === OrderEndCode.rejected) throw new OrderRejectedError(placed.clientOrderId, (placed.rejectReason as RejectReason | undefined) ?? RejectReason.invalidQuantity, placed.reason);
          throw new StepError(placed.errorCode, placed.reason);
        }
        case 'placed':
          break;
      }
      const tally: OrderTally = placed.tally ?? { accepted: true, executed: ctx.record.orders.length, open: ctx.record.openOrders.length, expected: ctx.record.expectedOrders, orders: ctx.record.orders };

      if (tally.expected === undefined) throw new StepError('PLAN_NOT_RECORDED', `Workflow ${id} has no recorded plan size; cannot tell whether every order executed.`);
      if (tally.executed + tally.open + placed.waiting < tally.expected) {
        throw new StepError('ORDERS_MISSING', `Workflow ${id}: ${tally.executed} of ${tally.expected} planned orders are recorded as executed (${tally.open} open) after placing all of them.`);
      }
      const now = ctx.now();
      const executed = tally.orders;
      if (tally.executed < tally.expected) {
        // Orders still open at the broker (and buys waiting for the sells): the sweeper reconciles and
        // places them; the workflow stays RUNNING. The plan's event id lets it publish the same ids.
        const summary: Record<string, number | string> = { ordersExecuted: executed.length, ordersOpen: tally.open, ordersWaiting: placed.waiting, rebalanceEventId: event.eventId };
        return { result: { completedAt: now, summary }, emit: [] };
      }
      const done = completion(ctx.record, executed, event.eventId, Step.execution, now);
      return { result: done.result, emit: [], complete: done.event };
    },
  };
}
