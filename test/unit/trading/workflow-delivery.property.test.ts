/**
 * The workflow under EventBridge's conditions: at-least-once (1–3 copies), any order, a few at once,
 * each delivery in a fresh handler instance that shares only the store. Whatever the seed, a run
 * places exactly one order per planned trade, publishes one WorkflowCompleted and ends COMPLETED.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../../src/trading/domain/client-order-id.ts';
import { EventType, type StrategySpec, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { deliverAll, fixtureMarketData, newCounters, observedStore, RecordingBus, tickingClock, type WorldParts } from './delivery-harness.ts';

const ASOF = '2026-11-20';
const SYMBOLS = ['AAPL', 'EFA', 'GLD', 'IWM', 'NVDA', 'QQQ', 'SPY', 'TLT'] as const;

interface Scenario {
  cash: number;
  positions: Record<string, number>;
  strategy: StrategySpec;
}

const strategyArb: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ topN: fc.integer({ min: 1, max: 5 }), lookbackDays: fc.integer({ min: 5, max: 100 }) }).map(({ topN, lookbackDays }) => ({
    kind: 'momentum' as const,
    universe: [...SYMBOLS],
    topN,
    lookbackDays,
  })),
  fc.subarray([...SYMBOLS], { minLength: 1, maxLength: 4 }).map((symbols) => {
    const each = (1 / symbols.length).toFixed(6);
    const last = (1 - Number(each) * (symbols.length - 1)).toFixed(6);
    return { kind: 'fixed' as const, weights: symbols.map((symbol, i) => ({ symbol, weight: i === symbols.length - 1 ? last : each })) };
  }),
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  cash: fc.integer({ min: 1_000, max: 500_000 }),
  positions: fc.dictionary(fc.constantFrom(...SYMBOLS), fc.integer({ min: 1, max: 400 }), { maxKeys: 4 }),
  strategy: strategyArb,
});

async function runScenario(seed: number, scenario: Scenario) {
  const marketData = await fixtureMarketData();
  const quotes = new Map([...(await marketData.history(marketData.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
  const broker = new PaperBroker({ cash: String(scenario.cash), positions: Object.fromEntries(Object.entries(scenario.positions).map(([s, q]) => [s, String(q)])), quote: (s) => quotes.get(s), nonFractionable: ['GLD', 'TLT'] });
  const bus = new RecordingBus();
  const store = observedStore(new MemoryWorkflowStore());
  const clock = tickingClock();
  const notifier = new MemoryNotifier();
  const counters = newCounters();
  const world: WorldParts = { store, bus, clock, marketData, brokers: { main: broker }, notifier, counters };
  const params: WorkflowParams = { accountId: 'main', asOf: ASOF, strategy: scenario.strategy, minTradeNotional: '100' };
  const { correlationId } = await startWorkflow({ store, bus, clock }, { params, correlationId: `wf-prop-${seed}` });
  const report = await deliverAll(bus, world, { seed });
  return { correlationId, broker, bus, store, notifier, counters, report };
}

describe('the workflow under at-least-once, unordered delivery', () => {
  it('places exactly one order per planned trade, completes once, and ends COMPLETED (any seed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), scenarioArb, async (seed, scenario) => {
        const { correlationId, broker, bus, store, notifier, counters } = await runScenario(seed, scenario);
        const record = await store.get(correlationId);
        expect(record?.state).toBe('COMPLETED');

        const plans = new Map(bus.ofType(EventType.rebalancePlanned).map((e) => [e.eventId, e]));
        expect(plans.size).toBe(1);
        const plan = [...plans.values()][0]!.detail.orders;
        const filled = broker.allOrders().filter((o) => o.status === 'filled');
        expect(filled.map((o) => o.clientOrderId).sort()).toEqual(plan.map((o) => clientOrderId(correlationId, o.symbol, o.side)).sort());
        expect(new Set(filled.map((o) => o.clientOrderId)).size).toBe(filled.length);
        expect(record?.orders).toHaveLength(plan.length);
        expect(record?.expectedOrders).toBe(plan.length);

        expect(bus.ofType(EventType.workflowCompleted)).toHaveLength(1);
        expect(bus.ofType(EventType.workflowFailed)).toHaveLength(0);
        expect(new Set(bus.ofType(EventType.tradeExecuted).map((e) => e.eventId)).size).toBe(plan.length);
        expect(notifier.sent).toHaveLength(1);
        expect(notifier.sent[0]?.attributes.outcome).toBe('COMPLETED');
        // Each step ran once: every other delivery was recognised as a duplicate.
        expect(counters.runs).toEqual({ strategy: 1, portfolio: 1, execution: 1, notification: 1 });
      }),
      { numRuns: 60 },
    );
  });

  it('sells before it buys, and the account can pay for every buy', async () => {
    const { broker } = await runScenario(7, { cash: 1_000, positions: { SPY: 150, TLT: 300 }, strategy: { kind: 'momentum', universe: [...SYMBOLS], topN: 3, lookbackDays: 63 } });
    const sides = broker.placeOrderCalls.map((o) => o.side);
    expect(sides.indexOf('buy')).toBeGreaterThan(sides.lastIndexOf('sell'));
    expect(broker.allOrders().every((o) => o.status === 'filled')).toBe(true);
    expect((await broker.account()).cash.gte(0)).toBe(true);
  });
});
