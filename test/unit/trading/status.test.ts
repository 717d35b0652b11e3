import { describe, expect, it } from 'vitest';
import type { WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { listWorkflows, workflowMetrics, workflowStatus } from '../../../src/trading/domain/status.ts';
import { renderList, renderStatus } from '../../../src/entry/cli/workflow-render.ts';
import { completedOutcome, failedOutcome, order } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'momentum', universe: ['SPY', 'TLT'], lookbackDays: 20, topN: 1 }, minTradeNotional: '100' };
const T0 = new Date('2026-11-23T15:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1_000);

async function seeded() {
  const store = new MemoryWorkflowStore();
  const create = async (id: string, start: number) => (await store.create({ correlationId: id, params: PARAMS, startedAt: at(start) })).record;
  const a = await create('wf-a', 0);
  await store.recordStep('wf-a', 'strategy', { completedAt: at(1), summary: { strategy: 'momentum', targets: 'SPY=1' } });
  await store.recordStep('wf-a', 'portfolio', { completedAt: at(2), summary: { equity: '1000', orders: 1 } }, { expectedOrders: 1 });
  await store.recordExecutedOrder('wf-a', order('ops-1', 0, at(3), { notional: '900.5' }));
  await store.finish('wf-a', completedOutcome(a, at(4), 1), at(4));
  const b = await create('wf-b', 10);
  await store.finish('wf-b', failedOutcome(b, at(12), 'portfolio'), at(12));
  const c = await create('wf-c', 20);
  await store.finish('wf-c', failedOutcome(c, at(30), 'portfolio'), at(30));
  const d = await create('wf-d', 40);
  await store.finish('wf-d', failedOutcome(d, at(41), 'execution'), at(41));
  await create('wf-e', 50);
  return store;
}

describe('workflow status and metrics', () => {
  it('shows the orders still open at the broker, with how much of each filled', async () => {
    const store = await seeded();
    const open = { ...order('ops-open', 0, at(51)), status: 'partially_filled' as const, quantity: '10', filledQuantity: '4', causationId: 'evt-plan', placedAt: at(51), updatedAt: at(52) };
    const { executedAt: _executedAt, ...openOrder } = open;
    await store.recordOpenOrder('wf-e', openOrder);
    const view = await workflowStatus(store, 'wf-e', at(60));
    expect(view?.openOrders).toEqual([{ clientOrderId: 'ops-open', symbol: 'SPY', side: 'buy', quantity: '10', filledQuantity: '4', status: 'partially_filled', placedAt: at(51).toISOString() }]);
    expect(renderStatus(view!)).toContain('Open at the broker (1; the sweeper reconciles them):\n    BUY SPY 4 of 10 filled · partially_filled');
    expect((await workflowStatus(store, 'wf-a', at(100)))?.openOrders).toEqual([]);
  });

  it('shows one workflow: state, steps, orders, value, duration', async () => {
    const store = await seeded();
    const view = await workflowStatus(store, 'wf-a', at(100));
    expect(view).toMatchObject({
      correlationId: 'wf-a',
      state: 'COMPLETED',
      strategy: 'momentum top 1 over 20d',
      durationMs: 4_000,
      expectedOrders: 1,
      ordersExecuted: 1,
      valueTraded: '900.5',
      terminalPublished: false,
    });
    expect(await workflowStatus(store, 'wf-nope', at(100))).toBeUndefined();
    expect((await workflowStatus(store, 'wf-e', at(110)))?.durationMs).toBe(60_000);
    expect(renderStatus(view!)).toContain('wf-a  COMPLETED');
  });

  it('counts by state, with durations per outcome, failure reasons by frequency and the oldest RUNNING age', async () => {
    const store = await seeded();
    const metrics = workflowMetrics(await store.list(), at(110));
    expect(metrics).toEqual({
      total: 5,
      byState: { RUNNING: 1, COMPLETED: 1, FAILED: 3 },
      durations: { COMPLETED: { count: 1, meanMs: 4_000, p50Ms: 4_000, maxMs: 4_000 }, FAILED: { count: 3, meanMs: 4_333, p50Ms: 2_000, maxMs: 10_000 } },
      failureReasons: [
        { step: 'portfolio', errorCode: 'NON_POSITIVE_EQUITY', count: 2, lastReason: 'Equity is -5' },
        { step: 'execution', errorCode: 'NON_POSITIVE_EQUITY', count: 1, lastReason: 'Equity is -5' },
      ],
      oldestRunningAgeMs: 60_000,
    });
  });

  it('lists by state and renders the table and the summary', async () => {
    const store = await seeded();
    const { workflows, metrics } = await listWorkflows(store, { state: 'FAILED' }, at(110));
    expect(workflows.map((w) => w.correlationId)).toEqual(['wf-d', 'wf-c', 'wf-b']);
    const text = renderList(workflows, metrics);
    expect(text).toContain('3 workflow(s): 0 running, 0 completed, 3 failed');
    expect(text).toContain('failures at portfolio: NON_POSITIVE_EQUITY × 2');
    expect(renderList([], workflowMetrics([], at(0)))).toContain('No workflows.');
  });
});
