/**
 * The sweeper: a function a schedule or the healthcheck calls, never a loop inside a request.
 *
 * 1. Open orders of RUNNING workflows are reconciled (when `brokers` are given): each is looked up
 *    at the broker by client order id and settled like the execution step settles an answer
 *    (order-settlement.ts): a fill is recorded and published as TradeExecuted; progress is recorded;
 *    an order the broker ended without filling in full fails the workflow with ORDER_CANCELED /
 *    ORDER_EXPIRED / ORDER_REJECTED / ORDER_PARTIALLY_FILLED. Once nothing is open, the buys the
 *    execution step left waiting for its sells are placed (order-settlement.ts, placePlanned). The
 *    sweep whose write brings the executed count to the plan's with nothing open completes the workflow.
 * 2. Every workflow still RUNNING longer than `timeoutMs` is failed with WORKFLOW_TIMEOUT at the step
 *    it was waiting on (conditional, like any transition: if a handler finishes it first, the sweeper
 *    loses and does nothing). A workflow whose only wait is for open orders is exempt until
 *    `fillTimeoutMs` after its start (default 8 h: a day order fills or expires by the close, at most
 *    6.5 h after the open); past that it fails with ORDER_FILL_TIMEOUT, naming the orders to cancel.
 * 3. Every finished workflow whose terminal event was stored but not marked published (the process
 *    died between the write and the publish) gets it re-published: the outbox relay.
 * 4. Every younger RUNNING workflow gets the events its steps stored but no consumer claimed
 *    re-published (outbox-relay.ts), for the same reason.
 */
import type { BrokerDirectory } from './broker-directory.ts';
import { Step } from './events.ts';
import { placePlanned, settleOrder } from './order-settlement.ts';
import { unclaimedEvents } from './outbox-relay.ts';
import { OrderRejectedError } from '../ports/broker.ts';
import { completion, publishTerminal, failWorkflow, finishAndPublish, pendingStep, type TerminalDeps } from './terminal.ts';
import { WorkflowState, type OrderTally, type WorkflowRecord } from '../ports/workflow-store.ts';

export const DEFAULT_WORKFLOW_TIMEOUT_MS = 15 * 60_000;
/** A terminal event unpublished for this long is presumed lost (publishing takes milliseconds). */
export const DEFAULT_REPUBLISH_AFTER_MS = 2 * 60_000;
/** How long a workflow may wait for its open orders to fill (from its start). */
export const DEFAULT_FILL_TIMEOUT_MS = 8 * 60 * 60_000;
/** How far back the relay looks for unpublished terminal events. */
export const DEFAULT_RELAY_LOOKBACK_MS = 24 * 60 * 60_000;

export interface SweepDeps extends TerminalDeps {
  /** The brokers to reconcile open orders with; without them open orders are only timed out. */
  brokers?: BrokerDirectory;
}

export interface SweepOptions {
  timeoutMs?: number;
  fillTimeoutMs?: number;
  republishAfterMs?: number;
  relayLookbackMs?: number;
  /** At most this many workflows per state and run (default 500). */
  limit?: number;
}

export interface SweepReport {
  checkedRunning: number;
  timedOut: { correlationId: string; step: string; ageMs: number }[];
  /** Timed out, but a handler finished it first. */
  lostRaces: string[];
  republished: string[];
  /** Step events of RUNNING workflows that no consumer had claimed, re-published. */
  relayed: { correlationId: string; type: string; eventId: string }[];
  // The order reconciliation's part (always set by sweepWorkflows; optional for reports built elsewhere).
  /** Open orders settled this run (filled, progressed or ended). */
  reconciled?: { correlationId: string; clientOrderId: string; status: string }[];
  /** Workflows the reconciliation completed. */
  completed?: string[];
  /** Workflows failed by an order the broker ended (ORDER_CANCELED, …) or no longer knows. */
  failedOrders?: { correlationId: string; errorCode: string }[];
  /** Past the workflow timeout but waiting for open orders, within the fill timeout. */
  waitingForFills?: string[];
  /** Workflows whose reconciliation failed (the broker was unreachable …); the next sweep retries. */
  reconcileErrors?: { correlationId: string; error: string }[];
}

type FullSweepReport = Required<SweepReport>;

export async function sweepWorkflows(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WORKFLOW_TIMEOUT_MS;
  const fillTimeoutMs = Math.max(timeoutMs, options.fillTimeoutMs ?? DEFAULT_FILL_TIMEOUT_MS);
  const republishAfterMs = options.republishAfterMs ?? DEFAULT_REPUBLISH_AFTER_MS;
  const limit = options.limit ?? 500;
  const now = deps.clock.now();
  const report: FullSweepReport = { checkedRunning: 0, timedOut: [], lostRaces: [], republished: [], relayed: [], reconciled: [], completed: [], failedOrders: [], waitingForFills: [], reconcileErrors: [] };

  // One query: the stale ones, the ones old enough to relay, and (with brokers) the younger ones that wait for fills.
  const running = await deps.store.list(
    deps.brokers === undefined ? { state: WorkflowState.running, startedBefore: new Date(now.getTime() - Math.min(timeoutMs, republishAfterMs)), limit } : { state: WorkflowState.running, limit },
  );
  for (const record of running) {
    let open = record.openOrders.length + waitingBuys(record);
    if (open > 0 && deps.brokers !== undefined) {
      const outcome = await reconcile(deps, deps.brokers, record, report);
      if (outcome === 'finished') continue;
      open = outcome.open;
    }
    const ageMs = now.getTime() - record.startedAt.getTime();
    if (ageMs <= timeoutMs) {
      const events = unclaimedEvents(record, now, republishAfterMs);
      if (events.length === 0) continue;
      await deps.bus.publish(events);
      report.relayed.push(...events.map((e) => ({ correlationId: record.correlationId, type: e.type, eventId: e.eventId })));
      continue;
    }
    report.checkedRunning += 1;
    const step = pendingStep(record);
    const waitingForFills = open > 0 && record.steps.execution !== undefined;
    if (waitingForFills && ageMs <= fillTimeoutMs) {
      report.waitingForFills.push(record.correlationId);
      continue;
    }
    const failure = waitingForFills
      ? {
          step,
          reason: `timed out: ${open} order(s) still open at the broker ${Math.round(ageMs / 60_000)} min after start (limit ${Math.round(fillTimeoutMs / 60_000)} min): ${record.openOrders.map((o) => o.clientOrderId).join(', ')}; cancel them at the broker`,
          errorCode: 'ORDER_FILL_TIMEOUT',
        }
      : {
          step,
          reason: `timed out: still RUNNING ${Math.round(ageMs / 60_000)} min after start (limit ${Math.round(timeoutMs / 60_000)} min), waiting on ${step}`,
          errorCode: 'WORKFLOW_TIMEOUT',
        };
    const result = await failWorkflow(deps, record, failure, record.correlationId, 'sweeper');
    if (result.won) report.timedOut.push({ correlationId: record.correlationId, step, ageMs });
    else report.lostRaces.push(record.correlationId);
  }

  const since = new Date(now.getTime() - (options.relayLookbackMs ?? DEFAULT_RELAY_LOOKBACK_MS));
  for (const state of [WorkflowState.completed, WorkflowState.failed] as const) {
    const finished = await deps.store.list({ state, startedAfter: since, limit });
    for (const record of finished.filter((r) => needsRelay(r, now, republishAfterMs))) {
      if (record.terminalEvent === undefined) continue;
      if (await publishTerminal(deps, record.correlationId, record.terminalEvent)) report.republished.push(record.correlationId);
    }
  }
  if (report.timedOut.length > 0 || report.republished.length > 0 || report.relayed.length > 0 || report.failedOrders.length > 0 || report.reconcileErrors.length > 0) {
    deps.logger.warn(
      `sweeper: ${report.timedOut.length} workflow(s) timed out, ${report.failedOrders.length} failed by their orders, ${report.reconcileErrors.length} could not be reconciled, ${report.republished.length} terminal event(s) re-published, ${report.relayed.length} step event(s) relayed`,
      { ...report },
    );
  }
  return report;
}

/**
 * Asks the broker about each open order of one workflow and settles what changed. Reads that show no
 * change write nothing, so a workflow waiting for fills costs the store nothing per sweep.
 */
async function reconcile(deps: SweepDeps, brokers: BrokerDirectory, record: WorkflowRecord, report: FullSweepReport): Promise<'finished' | { open: number }> {
  const id = record.correlationId;
  const io = { store: deps.store, publish: async (events: Parameters<TerminalDeps['bus']['publish']>[0]) => void (await deps.bus.publish(events)), now: () => deps.clock.now(), producer: 'sweeper' };
  const orderCount = record.expectedOrders ?? record.plan?.orders.length ?? record.orders.length + record.openOrders.length;
  let tally: OrderTally | undefined;
  try {
    const broker = brokers(record.params.accountId);
    for (const open of record.openOrders) {
      const order = await broker.orderByClientId(open.clientOrderId);
      if (order === undefined) {
        const failure = { step: Step.execution, reason: `The broker does not know order ${open.clientOrderId} (${open.side} ${open.quantity} ${open.symbol}), which it had accepted as ${open.brokerOrderId}.`, errorCode: 'ORDER_NOT_FOUND' };
        await failWorkflow(deps, record, failure, open.causationId, 'sweeper');
        report.failedOrders.push({ correlationId: id, errorCode: failure.errorCode });
        return 'finished';
      }
      if (order.status === open.status && order.filledQuantity.eq(open.filledQuantity)) continue;
      const { brokerOrderId: _b, status: _s, filledQuantity: _f, averagePrice: _a, causationId, placedAt, updatedAt: _u, ...planned } = open;
      const settled = await settleOrder(io, { correlationId: id, causationId, planned, orderCount, order, placedAt });
      report.reconciled.push({ correlationId: id, clientOrderId: open.clientOrderId, status: order.status });
      switch (settled.outcome) {
        case 'halted':
          return 'finished';
        case 'ended': {
          await failWorkflow(deps, record, { step: Step.execution, reason: settled.reason, errorCode: settled.errorCode }, causationId, 'sweeper');
          report.failedOrders.push({ correlationId: id, errorCode: settled.errorCode });
          return 'finished';
        }
        case 'executed':
        case 'open':
          tally = settled.tally;
      }
    }
    // Buys the execution step left waiting for its sells: placed once nothing is open.
    const rebalanceEventId = record.steps.execution?.summary.rebalanceEventId;
    const executed = tally?.orders ?? record.orders;
    const expected = record.expectedOrders;
    if ((tally?.open ?? record.openOrders.length) === 0 && expected !== undefined && executed.length < expected && typeof rebalanceEventId === 'string' && record.plan !== undefined) {
      const done = new Set(executed.map((o) => o.clientOrderId));
      const remaining = record.plan.orders.filter((o) => !done.has(o.clientOrderId)).sort((a, b) => a.orderIndex - b.orderIndex);
      const placed = await placePlanned(io, broker, { correlationId: id, causationId: rebalanceEventId, orderCount, orders: remaining });
      report.reconciled.push(...remaining.map((o) => ({ correlationId: id, clientOrderId: o.clientOrderId, status: 'placed' })));
      switch (placed.outcome) {
        case 'halted':
          return 'finished';
        case 'ended':
          await failWorkflow(deps, record, { step: Step.execution, reason: placed.reason, errorCode: placed.errorCode }, rebalanceEventId, 'sweeper');
          report.failedOrders.push({ correlationId: id, errorCode: placed.errorCode });
          return 'finished';
        case 'placed':
          tally = placed.tally ?? tally;
          if (placed.waiting > 0) return { open: (tally?.open ?? 0) + placed.waiting };
      }
    }
  } catch (error) {
    if (error instanceof OrderRejectedError) {
      // A waiting buy the broker refused on the spot (buying power after the sells filled lower …).
      await failWorkflow(deps, record, { step: Step.execution, reason: error.message, errorCode: error.code }, id, 'sweeper');
      report.failedOrders.push({ correlationId: id, errorCode: error.code });
      return 'finished';
    }
    // One broker or store hiccup must not stop the sweep of every other workflow: the next run retries.
    report.reconcileErrors.push({ correlationId: id, error: error instanceof Error ? error.message : String(error) });
    return { open: record.openOrders.length };
  }
  if (tally === undefined) return { open: record.openOrders.length };
  if (tally.open > 0 || tally.expected === undefined || tally.executed < tally.expected) return { open: tally.open };

  // This sweep's write completed the count: complete the workflow (the execution step's job, had the fills been
  // immediate), with the execution result in the same write as the transition.
  const lastFill = record.openOrders.at(-1)?.causationId ?? id;
  const done = completion(record, tally.orders, lastFill, 'sweeper', deps.clock.now());
  const finished = await finishAndPublish(deps, id, { state: WorkflowState.completed, event: done.event }, { result: { step: Step.execution, result: done.result } });
  if (finished.won) report.completed.push(id);
  return 'finished';
}

/** Buys the execution step left for the sweeper (its summary says how many); 0 once all are placed. */
function waitingBuys(record: WorkflowRecord): number {
  const waiting = record.steps.execution?.summary.ordersWaiting;
  if (typeof waiting !== 'number' || waiting <= 0) return 0;
  return record.expectedOrders !== undefined && record.orders.length + record.openOrders.length < record.expectedOrders ? waiting : 0;
}

function needsRelay(record: WorkflowRecord, now: Date, republishAfterMs: number): boolean {
  return (
    record.terminalEvent !== undefined &&
    record.terminalPublishedAt === undefined &&
    record.finishedAt !== undefined &&
    now.getTime() - record.finishedAt.getTime() >= republishAfterMs
  );
}
