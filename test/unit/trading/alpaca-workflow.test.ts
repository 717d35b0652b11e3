/**
 * The workflow trading through the Alpaca adapter against the contract server on 127.0.0.1: every
 * order status through the port (accepted → partially_filled → filled | canceled | rejected), a 403
 * that fails the workflow with a coded reason, and no second order when the execution step runs
 * twice on one plan (counted at the server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../../src/trading/adapters/alpaca/broker.ts';
import { brokerDirectory } from '../../../src/trading/domain/broker-directory.ts';
import { EventType, type EventOf, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { createExecutionStep } from '../../../src/trading/domain/steps/execution-step.ts';
import { sweepWorkflows } from '../../../src/trading/domain/sweeper.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import type { AlpacaOrderStatus } from '../../../src/trading/adapters/alpaca/order-status.ts';
import { deliverAll, fixtureMarketData, RecordingBus, tickingClock } from './delivery-harness.ts';
import { startHarness, type Harness } from './alpaca-support.ts';

const ASOF = '2026-11-20';
const PARAMS: WorkflowParams = {
  accountId: 'main',
  asOf: ASOF,
  strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '0.5' }, { symbol: 'TLT', weight: '0.5' }] },
  minTradeNotional: '100',
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.server.close();
  harness = undefined;
});

async function run(fill: 'immediate' | 'accept', id: string) {
  const marketData = await fixtureMarketData();
  const closes = await marketData.history(['SPY', 'TLT'], ASOF, 1);
  const quotes = Object.fromEntries([...closes].map(([s, bars]) => [s, bars.at(-1)!.close.toFixed()]));
  harness = await startHarness({ cash: '10000', quotes, assets: { SPY: { fractionable: true }, TLT: { fractionable: true } }, fill });
  const broker = new AlpacaBroker(harness.client);
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  const clock = tickingClock();
  const logger = new MemoryLogger();
  const parts = { store, bus, clock, marketData, brokers: { main: broker }, notifier: new MemoryNotifier(), logger };
  await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: id });
  await deliverAll(bus, parts, { seed: 3 });
  const sweep = () => sweepWorkflows({ store, bus, clock, logger, brokers: brokerDirectory({ main: broker }) });
  return { server: harness.server, broker, store, bus, clock, parts, sweep };
}

describe('the workflow on Alpaca (contract server)', () => {
  it('fills at once: COMPLETED in the execution step, one Alpaca order per planned trade', async () => {
    const w = await run('immediate', 'wf-alpaca-now');
    expect((await w.store.get('wf-alpaca-now'))?.state).toBe('COMPLETED');
    expect(w.server.allOrders().map((o) => [o.symbol, o.status])).toEqual([
      ['SPY', 'filled'],
      ['TLT', 'filled'],
    ]);
    expect(w.bus.ofType(EventType.tradeExecuted)).toHaveLength(2);
  });

  it('accepted → new → partially_filled → filled, reconciled by the sweeper into COMPLETED', async () => {
    const w = await run('accept', 'wf-alpaca-async');
    const [spy, tlt] = w.server.allOrders();
    let record = await w.store.get('wf-alpaca-async');
    expect(record?.state).toBe('RUNNING');
    expect(record?.openOrders.map((o) => o.status)).toEqual(['pending', 'pending']);
    expect(w.bus.ofType(EventType.tradeExecuted)).toEqual([]);

    w.server.setOrderStatus(spy!.client_order_id, 'new');
    w.server.setOrderStatus(tlt!.client_order_id, 'partially_filled', { filledQty: '10', filledAvgPrice: '90.5' });
    await w.sweep();
    record = await w.store.get('wf-alpaca-async');
    expect(record?.openOrders.map((o) => [o.symbol, o.status, o.filledQuantity, o.averagePrice])).toEqual([
      ['SPY', 'pending', '0', undefined],
      ['TLT', 'partially_filled', '10', '90.5'],
    ]);
    expect(w.bus.ofType(EventType.tradeExecuted)).toEqual([]);

    w.server.setOrderStatus(spy!.client_order_id, 'filled', { filledQty: spy!.qty, filledAvgPrice: '601.25' });
    w.server.setOrderStatus(tlt!.client_order_id, 'filled', { filledQty: tlt!.qty, filledAvgPrice: '90.4' });
    const report = await w.sweep();
    expect(report.completed).toEqual(['wf-alpaca-async']);
    record = await w.store.get('wf-alpaca-async');
    expect(record?.state).toBe('COMPLETED');
    expect(record?.orders.map((o) => [o.symbol, o.quantity, o.price])).toEqual([
      ['SPY', spy!.qty, '601.25'],
      ['TLT', tlt!.qty, '90.4'],
    ]);
    expect(w.bus.ofType(EventType.tradeExecuted)).toHaveLength(2);
    expect(w.bus.ofType(EventType.workflowCompleted)).toHaveLength(1);
    expect(w.server.allOrders()).toHaveLength(2);
  });

  it.each([
    ['canceled', undefined, 'ORDER_CANCELED'],
    ['rejected', undefined, 'ORDER_REJECTED'],
    ['expired', undefined, 'ORDER_EXPIRED'],
    ['canceled', '1', 'ORDER_PARTIALLY_FILLED'],
  ] as const)('an order %s after acceptance (filled %s) fails the workflow with %s', async (status: AlpacaOrderStatus, filledQty, code) => {
    const w = await run('accept', `wf-alpaca-${status}-${filledQty ?? 0}`);
    const [spy] = w.server.allOrders();
    w.server.setOrderStatus(spy!.client_order_id, status, filledQty === undefined ? {} : { filledQty, filledAvgPrice: '600' });
    await w.sweep();
    const record = (await w.store.list())[0];
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: code } });
    expect(w.bus.ofType(EventType.tradeExecuted).map((e) => e.detail.quantity)).toEqual(filledQty === undefined ? [] : [filledQty]);
  });

  it('a 403 (insufficient buying power) fails the workflow with ORDER_REJECTED and the reason, and places nothing', async () => {
    const marketData = await fixtureMarketData();
    harness = await startHarness({ cash: '10000', quotes: { SPY: '600', TLT: '90' }, assets: { SPY: { fractionable: true }, TLT: { fractionable: true } } });
    harness.server.inject({ status: 403, method: 'POST', path: '/v2/orders', times: 5 });
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const clock = tickingClock();
    await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: 'wf-alpaca-403' });
    await deliverAll(bus, { store, bus, clock, marketData, brokers: { main: new AlpacaBroker(harness.client) }, notifier: new MemoryNotifier() }, { seed: 4 });
    const record = await store.get('wf-alpaca-403');
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'execution', errorCode: 'ORDER_REJECTED' } });
    expect(record?.failure?.reason).toMatch(/Alpaca refused buy .* SPY \(403: insufficient buying power\)/);
    expect(harness.server.allOrders()).toEqual([]);
    expect((bus.ofType(EventType.workflowFailed)[0])?.detail.errorCode).toBe('ORDER_REJECTED');
  });

  it('places no duplicate order when the execution step runs twice on the same plan', async () => {
    const w = await run('accept', 'wf-alpaca-replay');
    const planned = w.bus.ofType(EventType.rebalancePlanned)[0] as EventOf<typeof EventType.rebalancePlanned>;
    const step = createExecutionStep({ brokers: brokerDirectory({ main: w.broker }) });
    for (let run = 0; run < 2; run++) {
      const record = (await w.store.get('wf-alpaca-replay'))!;
      await step.run(planned, { record, store: w.store, now: () => w.clock.now(), publish: async (events) => void (await w.bus.publish(events)) });
    }
    const posts = w.server.requests.filter((r) => r.method === 'POST' && r.path === '/v2/orders');
    // 2 planned orders × 3 runs (the delivery's, then two more): 6 submissions, 2 orders.
    expect(posts).toHaveLength(6);
    expect(w.server.allOrders()).toHaveLength(planned.detail.orders.length);
    expect(new Set(w.server.allOrders().map((o) => o.client_order_id)).size).toBe(2);
    expect((await w.store.get('wf-alpaca-replay'))?.openOrders).toHaveLength(2);
  });
});
