/**
 * 100 workflows at once on one in-memory bus that duplicates, reorders and delays deliveries: each
 * stays independent (its own account, its own orders, its own outcome), and a failure in some does
 * not touch the others.
 */
import { describe, expect, it } from 'vitest';
import { brokerDirectory } from '../../../src/trading/domain/broker-directory.ts';
import { clientOrderId } from '../../../src/trading/domain/client-order-id.ts';
import { EventType, type EventOf } from '../../../src/trading/domain/events.ts';
import { InMemoryEventBus } from '../../../src/trading/adapters/memory-bus.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';
import { seededRandom } from '../../../src/trading/domain/seeded-random.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { watchTerminalEvents } from '../../../src/trading/adapters/terminal-watcher.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { subscribeWorkflow } from '../../../src/trading/domain/workflow-app.ts';
import { fixtureMarketData, tickingClock } from './delivery-harness.ts';

const ASOF = '2026-11-20';
const COUNT = 100;

/** Waits `turns` macrotask turns: a delay that reorders work without touching the wall clock. */
function yieldTurns(turns: number): Promise<void> {
  return new Promise((resolve) => {
    let left = turns;
    const step = () => (left-- <= 0 ? resolve() : setImmediate(step));
    step();
  });
}

describe('100 concurrent workflows on the in-memory bus', () => {
  it('stay independent under duplicated, reordered and delayed delivery', async () => {
    const marketData = await fixtureMarketData();
    const quotes = new Map([...(await marketData.history(marketData.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const random = seededRandom(2026);
    const bus = new InMemoryEventBus({
      reorder: true,
      seed: 11,
      duplicates: () => Math.floor(random() * 3),
      delay: () => Math.floor(random() * 4),
      sleep: yieldTurns,
    });
    const store = new MemoryWorkflowStore();
    const clock = tickingClock();
    const notifier = new MemoryNotifier();
    const logger = new MemoryLogger();
    const accounts = new Map<string, PaperBroker>();
    for (let i = 0; i < COUNT; i++) {
      // Every tenth account is under water: its workflow must fail at portfolio, alone.
      const cash = i % 10 === 9 ? '-100' : String(10_000 + i * 1_000);
      accounts.set(`acct-${i}`, new PaperBroker({ cash, positions: i % 3 === 0 && i % 10 !== 9 ? { SPY: String(i + 1) } : {}, quote: (s) => quotes.get(s), idPrefix: `acct-${i}` }));
    }
    const brokers = brokerDirectory(accounts);
    subscribeWorkflow(bus, () => ({ store, bus, clock, logger, marketData, brokers, notifier }));
    const watcher = watchTerminalEvents(bus);

    const started = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        startWorkflow(
          { store, bus, clock },
          {
            correlationId: `wf-many-${i}`,
            params: { accountId: `acct-${i}`, asOf: ASOF, strategy: { kind: 'momentum', universe: [...marketData.symbols], topN: 1 + (i % 4), lookbackDays: 20 + i }, minTradeNotional: '50' },
          },
        ),
      ),
    );
    const terminals = await Promise.all(started.map((s) => watcher.wait(s.correlationId)));
    await bus.idle();

    expect(terminals.map((t) => t.correlationId)).toEqual(started.map((s) => s.correlationId));
    const terminalPublished = bus.history({ type: EventType.workflowCompleted }).length + bus.history({ type: EventType.workflowFailed }).length;
    expect(terminalPublished).toBe(COUNT);
    expect(bus.stats().byType.WorkflowStarted.duplicated).toBeGreaterThan(0);

    for (let i = 0; i < COUNT; i++) {
      const id = `wf-many-${i}`;
      const record = (await store.get(id))!;
      const broker = accounts.get(`acct-${i}`)!;
      if (i % 10 === 9) {
        expect(record.state, id).toBe('FAILED');
        expect(record.failure?.step).toBe('portfolio');
        expect(broker.placeOrderCalls).toEqual([]);
        continue;
      }
      expect(record.state, id).toBe('COMPLETED');
      const plan = (await store.get(id))!;
      const planned = bus.history({ correlationId: id, type: EventType.rebalancePlanned })[0] as EventOf<'RebalancePlanned'>;
      const expectedIds = planned.detail.orders.map((o) => clientOrderId(id, o.symbol, o.side)).sort();
      // This account saw exactly this workflow's orders, once each, and nobody else's.
      expect(broker.allOrders().map((o) => o.clientOrderId).sort()).toEqual(expectedIds);
      expect(plan.orders.map((o) => o.clientOrderId).sort()).toEqual(expectedIds);
      expect(plan.params.accountId).toBe(`acct-${i}`);
    }
    const subjects = notifier.sent.map((n) => n.attributes.correlationId).sort();
    expect(subjects).toEqual(started.map((s) => s.correlationId).sort());
    watcher.stop();
  });
});
