/**
 * A failure at any step ends the workflow once: one WorkflowFailed, state FAILED with the step, the
 * reason and the code, and from then on no step handler runs for it, however many deliveries (late,
 * duplicated, replayed) still arrive. Counted on the handlers themselves, not read from logs.
 */
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/trading/ports/broker.ts';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import type { MarketData } from '../../../src/trading/ports/market-data.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import type { Dec } from '../../../src/trading/domain/money.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { failWorkflow } from '../../../src/trading/domain/terminal.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { deliverAll, fixtureMarketData, freshConsumers, newCounters, observedStore, RecordingBus, tickingClock, type WorldParts } from './delivery-harness.ts';

const ASOF = '2026-11-20';
const PARAMS: WorkflowParams = { accountId: 'main', asOf: ASOF, strategy: { kind: 'momentum', universe: ['AAPL', 'EFA', 'GLD', 'IWM', 'NVDA', 'QQQ', 'SPY', 'TLT'], topN: 3, lookbackDays: 63 }, minTradeNotional: '100' };

interface Injection {
  name: string;
  step: 'strategy' | 'portfolio' | 'execution';
  errorCode: string;
  reason: RegExp;
  marketData?: (real: MarketData) => MarketData;
  broker: (quotes: Map<string, Dec>) => Broker;
}

const injections: Injection[] = [
  {
    name: 'the strategy throws (market data feed down)',
    step: 'strategy',
    errorCode: 'HANDLER_ERROR',
    reason: /market data feed down/,
    marketData: () => ({
      history: () => Promise.reject(new Error('market data feed down')),
    }),
    broker: (quotes) => new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s) }),
  },
  {
    name: 'equity is not positive',
    step: 'portfolio',
    errorCode: 'NON_POSITIVE_EQUITY',
    reason: /Equity is -50/,
    broker: (quotes) => new PaperBroker({ cash: '-50', quote: (s) => quotes.get(s) }),
  },
  {
    name: 'the broker rejects an order (it fills at three times the planned price)',
    step: 'execution',
    errorCode: 'ORDER_REJECTED',
    reason: /buying power/,
    broker: (quotes) => new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s)?.times(3) }),
  },
];

describe.each(injections)('failure injected: $name', (injection) => {
  it.each([1, 2, 3, 42, 1234])('fails once and runs no step handler for the workflow afterwards (seed %i)', async (seed) => {
    const real = await fixtureMarketData();
    const quotes = new Map([...(await real.history(real.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const bus = new RecordingBus();
    const store = observedStore(new MemoryWorkflowStore());
    const clock = tickingClock();
    const notifier = new MemoryNotifier();
    const counters = newCounters();
    const logger = new MemoryLogger();
    const world: WorldParts = {
      store,
      bus,
      clock,
      marketData: injection.marketData?.(real) ?? real,
      brokers: { main: injection.broker(quotes) },
      notifier,
      counters,
      logger,
    };
    const { correlationId } = await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: `wf-fail-${injection.step}-${seed}` });
    await deliverAll(bus, world, { seed });

    const record = await store.get(correlationId);
    expect(record?.state).toBe('FAILED');
    expect(record?.failure).toMatchObject({ step: injection.step, errorCode: injection.errorCode });
    expect(record?.failure?.reason).toMatch(injection.reason);
    expect(bus.ofType(EventType.workflowFailed)).toHaveLength(1);
    expect(bus.ofType(EventType.workflowCompleted)).toHaveLength(0);
    expect(bus.ofType(EventType.workflowFailed)[0]?.detail).toMatchObject({ step: injection.step, errorCode: injection.errorCode });

    // Replay the whole history twice more, duplicated and shuffled: late and repeated deliveries.
    await deliverAll(bus, world, { seed: seed + 1, from: 0 });
    await deliverAll(bus, world, { seed: seed + 2, from: 0 });

    expect(counters.runsAfterFailure).toEqual({ strategy: 0, portfolio: 0, execution: 0, notification: counters.runs.notification });
    // The failing step ran once; nothing after it ever ran.
    const order = ['strategy', 'portfolio', 'execution'] as const;
    for (const step of order) {
      const expected = order.indexOf(step) <= order.indexOf(injection.step) ? 1 : 0;
      expect(counters.runs[step], step).toBe(expected);
    }
    expect(counters.runs.notification).toBe(1);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.subject).toContain(`FAILED at ${injection.step}: ${injection.errorCode}`);
    expect(await store.get(correlationId)).toEqual(record);
    // Skips are logged once per skipped delivery, in one line that names the state and the step.
    expect(logger.lines.some((l) => l.message === `skipped: workflow ${correlationId} already FAILED at ${injection.step}`)).toBe(true);
  });
});

describe('a workflow failed while its events are still in flight', () => {
  it.each([5, 6, 7])('skips every later delivery for it: no step handler runs after the failure (seed %i)', async (seed) => {
    const real = await fixtureMarketData();
    const quotes = new Map([...(await real.history(real.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const bus = new RecordingBus();
    const store = observedStore(new MemoryWorkflowStore());
    const clock = tickingClock();
    const counters = newCounters();
    const logger = new MemoryLogger();
    const notifier = new MemoryNotifier();
    const world: WorldParts = { store, bus, clock, marketData: real, brokers: { main: new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s) }) }, notifier, counters, logger };
    const { correlationId } = await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: `wf-in-flight-${seed}` });
    const strategy = freshConsumers(world).find((c) => c.consumer === 'strategy')!;
    await strategy(bus.published[0]!);
    // SignalGenerated is on the bus, not yet delivered, when something else fails the workflow.
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(1);
    const running = (await store.get(correlationId))!;
    const failed = await failWorkflow({ store, bus, clock, logger }, running, { step: 'portfolio', reason: 'timed out', errorCode: 'WORKFLOW_TIMEOUT' }, correlationId, 'sweeper');
    expect(failed.won).toBe(true);

    await deliverAll(bus, world, { seed, from: 0 });

    expect(counters.runs).toEqual({ strategy: 1, portfolio: 0, execution: 0, notification: 1 });
    expect(counters.runsAfterFailure).toEqual({ strategy: 0, portfolio: 0, execution: 0, notification: 1 });
    expect(logger.lines.map((l) => l.message)).toContain(`skipped: workflow ${correlationId} already FAILED at portfolio`);
    expect(bus.ofType(EventType.rebalancePlanned)).toHaveLength(0);
    expect(notifier.sent.map((n) => n.attributes.errorCode)).toEqual(['WORKFLOW_TIMEOUT']);
  });
});
