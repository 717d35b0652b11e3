/**
 * Asynchronous fills: the execution step places orders a broker fills later, records them as open and
 * leaves the workflow RUNNING; the sweeper asks the broker again, records fills and progress,
 * publishes TradeExecuted only for fills that happened, and completes (or fails) the workflow. The
 * broker is the in-memory PaperBroker with deferred fills and a liquidity limit, moved on by the test.
 */
import { describe, expect, it } from 'vitest';
import { brokerDirectory } from '../../../src/trading/domain/broker-directory.ts';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { PaperBroker, type PaperBrokerOptions } from '../../../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { DEFAULT_FILL_TIMEOUT_MS, sweepWorkflows } from '../../../src/trading/domain/sweeper.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { deliverAll, fixtureMarketData, RecordingBus, tickingClock, type WorldParts } from './delivery-harness.ts';

const ASOF = '2026-11-20';
const PARAMS: WorkflowParams = {
  accountId: 'main',
  asOf: ASOF,
  strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '0.5' }, { symbol: 'TLT', weight: '0.5' }] },
  minTradeNotional: '100',
};

async function world(broker: Partial<PaperBrokerOptions> = {}, id = 'wf-async') {
  const marketData = await fixtureMarketData();
  const quotes = new Map([...(await marketData.history(marketData.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
  const paper = new PaperBroker({ cash: '10000', quote: (s) => quotes.get(s), fills: 'deferred', ...broker });
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  const clock = tickingClock();
  const logger = new MemoryLogger();
  const parts: WorldParts = { store, bus, clock, marketData, brokers: { main: paper }, notifier: new MemoryNotifier(), logger };
  await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: id });
  await deliverAll(bus, parts, { seed: 7 });
  const sweep = (options: Parameters<typeof sweepWorkflows>[1] = {}) => sweepWorkflows({ store, bus, clock, logger, brokers: brokerDirectory({ main: paper }) }, options);
  return { paper, store, bus, clock, parts, sweep, id, quotes };
}

describe('asynchronous fills, reconciled by the sweeper', () => {
  it('open → sweep → partially filled → sweep → filled → COMPLETED, one TradeExecuted per order and only for fills', async () => {
    const w = await world({ liquidity: { SPY: '3' } });
    // The step placed both orders and stopped: nothing filled, nothing published, nothing completed.
    let record = await w.store.get(w.id);
    expect(record?.state).toBe('RUNNING');
    expect(record?.openOrders.map((o) => [o.symbol, o.status, o.filledQuantity])).toEqual([
      ['SPY', 'pending', '0'],
      ['TLT', 'pending', '0'],
    ]);
    expect(record?.orders).toEqual([]);
    expect(record?.steps.execution?.summary).toEqual({ ordersExecuted: 0, ordersOpen: 2, ordersWaiting: 0, rebalanceEventId: w.bus.ofType(EventType.rebalancePlanned)[0]?.eventId });
    expect(w.bus.ofType(EventType.tradeExecuted)).toEqual([]);
    expect(w.paper.placeOrderCalls).toHaveLength(2);

    // Nothing moved at the broker: the sweep writes nothing.
    const idle = await w.sweep();
    expect(idle.reconciled).toEqual([]);
    expect((await w.store.get(w.id))?.updatedAt).toEqual(record?.updatedAt);

    // One fill round: SPY (8.2 shares planned) fills 3, TLT in full.
    w.paper.advanceMarket();
    const first = await w.sweep();
    expect(first.reconciled?.map((r) => r.status)).toEqual(['partially_filled', 'filled']);
    record = await w.store.get(w.id);
    expect(record?.state).toBe('RUNNING');
    expect(record?.openOrders.map((o) => [o.symbol, o.status, o.filledQuantity])).toEqual([['SPY', 'partially_filled', '3']]);
    expect(record?.orders.map((o) => o.symbol)).toEqual(['TLT']);
    expect(w.bus.ofType(EventType.tradeExecuted).map((e) => e.detail)).toMatchObject([{ symbol: 'TLT', orderIndex: 1, orderCount: 2 }]);

    w.paper.advanceMarket();
    await w.sweep();
    expect((await w.store.get(w.id))?.openOrders.map((o) => o.filledQuantity)).toEqual(['6']);
    w.paper.advanceMarket();
    const last = await w.sweep();
    expect(last.completed).toEqual([w.id]);

    record = await w.store.get(w.id);
    expect(record?.state).toBe('COMPLETED');
    expect(record?.openOrders).toEqual([]);
    const planned = record?.plan?.orders.find((o) => o.symbol === 'SPY');
    const spy = record?.orders.find((o) => o.symbol === 'SPY');
    expect(spy?.quantity).toBe(planned?.quantity);
    expect(spy?.price).toBe(w.quotes.get('SPY')?.toFixed());
    expect(w.bus.ofType(EventType.tradeExecuted).map((e) => e.detail.symbol).sort()).toEqual(['SPY', 'TLT']);
    const completed = w.bus.ofType(EventType.workflowCompleted);
    expect(completed).toHaveLength(1);
    expect(completed[0]?.detail.ordersExecuted).toBe(2);
    expect(record?.steps.execution?.summary).toMatchObject({ ordersExecuted: 2 });
    // The notification consumer reacts to the sweeper's WorkflowCompleted like to the step's.
    await deliverAll(w.bus, w.parts, { seed: 8, from: 0 });
    expect((w.parts.notifier).sent).toHaveLength(1);
    expect(w.paper.placeOrderCalls).toHaveLength(2);
    // A later sweep changes nothing.
    const after = await w.sweep();
    expect([after.reconciled, after.completed]).toEqual([[], []]);
  });

  it('buys wait for the sells: the step stops before the first buy while a sell is open, the sweeper places them once it filled', async () => {
    const w = await world({ positions: { GLD: '20' } }, 'wf-sells-first');
    let record = await w.store.get(w.id);
    expect(record?.plan?.orders.map((o) => [o.side, o.symbol])).toEqual([
      ['sell', 'GLD'],
      ['buy', 'SPY'],
      ['buy', 'TLT'],
    ]);
    expect(w.paper.placeOrderCalls.map((c) => c.symbol)).toEqual(['GLD']);
    expect(record?.steps.execution?.summary).toMatchObject({ ordersOpen: 1, ordersWaiting: 2 });
    // Still open: the sweep places nothing.
    await w.sweep();
    expect(w.paper.placeOrderCalls).toHaveLength(1);

    w.paper.advanceMarket();
    const placing = await w.sweep();
    expect(placing.reconciled?.map((r) => r.status)).toEqual(['filled', 'placed', 'placed']);
    expect(w.paper.placeOrderCalls.map((c) => c.symbol)).toEqual(['GLD', 'SPY', 'TLT']);
    record = await w.store.get(w.id);
    expect(record?.orders.map((o) => o.symbol)).toEqual(['GLD']);
    expect(record?.openOrders.map((o) => [o.symbol, o.status])).toEqual([
      ['SPY', 'pending'],
      ['TLT', 'pending'],
    ]);
    // The buys' fills publish the same TradeExecuted ids the execution step would have.
    w.paper.advanceMarket();
    expect((await w.sweep()).completed).toEqual([w.id]);
    expect((await w.store.get(w.id))?.state).toBe('COMPLETED');
    const planned = w.bus.ofType(EventType.rebalancePlanned)[0]!;
    expect(w.bus.ofType(EventType.tradeExecuted).map((e) => [e.detail.symbol, e.causationId])).toEqual([
      ['GLD', planned.eventId],
      ['SPY', planned.eventId],
      ['TLT', planned.eventId],
    ]);
    expect(w.paper.placeOrderCalls).toHaveLength(3);
  });

  it.each([
    ['canceled', 'ORDER_CANCELED'],
    ['expired', 'ORDER_EXPIRED'],
    ['rejected', 'ORDER_REJECTED'],
  ] as const)('an order %s at the broker before any fill fails the workflow with %s', async (status, code) => {
    const w = await world({}, `wf-${status}`);
    const spy = (await w.store.get(w.id))!.openOrders[0]!;
    w.paper.endOrder(spy.clientOrderId, status);
    const report = await w.sweep();
    expect(report.failedOrders).toEqual([{ correlationId: w.id, errorCode: code }]);
    const record = await w.store.get(w.id);
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: code } });
    expect(record?.failure?.reason).toMatch(/with nothing filled/);
    expect(w.bus.ofType(EventType.tradeExecuted)).toEqual([]);
    expect(w.bus.ofType(EventType.workflowFailed)).toHaveLength(1);
  });

  it('a partial fill then canceled: the partial fill is recorded and published, the workflow fails with ORDER_PARTIALLY_FILLED', async () => {
    const w = await world({ liquidity: { SPY: '3' } }, 'wf-partial-cancel');
    w.paper.advanceMarket();
    const spy = (await w.store.get(w.id))!.openOrders[0]!;
    w.paper.endOrder(spy.clientOrderId, 'canceled');
    await w.sweep();
    const record = await w.store.get(w.id);
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: 'ORDER_PARTIALLY_FILLED' } });
    expect(record?.failure?.reason).toMatch(/after filling 3 of 8\.\d+/);
    expect(record?.orders.find((o) => o.symbol === 'SPY')?.quantity).toBe('3');
    expect(w.bus.ofType(EventType.tradeExecuted).find((e) => e.detail.symbol === 'SPY')?.detail.quantity).toBe('3');
  });

  it('the workflow timeout spares a workflow waiting for fills until the fill timeout, then fails it with ORDER_FILL_TIMEOUT', async () => {
    const w = await world({}, 'wf-slow');
    w.clock.advance(20 * 60_000);
    const waiting = await w.sweep({ timeoutMs: 15 * 60_000 });
    expect(waiting.waitingForFills).toEqual([w.id]);
    expect(waiting.timedOut).toEqual([]);
    expect((await w.store.get(w.id))?.state).toBe('RUNNING');

    w.clock.advance(DEFAULT_FILL_TIMEOUT_MS);
    const late = await w.sweep({ timeoutMs: 15 * 60_000 });
    expect(late.timedOut.map((t) => t.correlationId)).toEqual([w.id]);
    const record = await w.store.get(w.id);
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: 'ORDER_FILL_TIMEOUT' } });
    expect(record?.failure?.reason).toContain('cancel them at the broker');
  });

  it('without brokers the sweeper only times out, and still spares workflows waiting for fills', async () => {
    const w = await world({}, 'wf-no-brokers');
    w.clock.advance(20 * 60_000);
    const report = await sweepWorkflows({ store: w.store, bus: w.bus, clock: w.clock, logger: new MemoryLogger() }, { timeoutMs: 15 * 60_000 });
    expect(report.waitingForFills).toEqual([w.id]);
    expect((await w.store.get(w.id))?.state).toBe('RUNNING');
  });

  it('a broker that ends an order in part at once (liquidity, immediate fills) fails the workflow in the execution step', async () => {
    const w = await world({ fills: 'immediate', liquidity: { SPY: '2' } }, 'wf-ioc');
    const record = await w.store.get(w.id);
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: 'ORDER_PARTIALLY_FILLED' } });
    expect(record?.orders.map((o) => [o.symbol, o.quantity])).toEqual([['SPY', '2']]);
    expect(w.bus.ofType(EventType.tradeExecuted).map((e) => e.detail.quantity)).toEqual(['2']);
    // The step stopped at the failing order: TLT was never placed.
    expect(w.paper.placeOrderCalls.map((c) => c.symbol)).toEqual(['SPY']);
  });

  it('a broker that fills at once completes in the execution step, as before', async () => {
    const w = await world({ fills: 'immediate' }, 'wf-immediate');
    const record = await w.store.get(w.id);
    expect(record?.state).toBe('COMPLETED');
    expect(record?.openOrders).toEqual([]);
    expect(record?.orders).toHaveLength(2);
    expect(w.bus.ofType(EventType.workflowCompleted)[0]?.detail.ordersExecuted).toBe(2);
  });
});
