/**
 * EventBridge's delivery, played adversarially: every published event is handed to fresh handler
 * instances (a cold Lambda each) 1–3 times, in shuffled order, a few deliveries at once. The
 * instances share nothing but the store, the broker (the outside world) and immutable market data.
 *
 * Also: counters per step handler, a store wrapper that notes when a workflow failed, and an
 * in-memory MarketData loaded once from the fixture CSVs.
 */
import { brokerDirectory } from '../../../src/trading/domain/broker-directory.ts';
import type { Broker } from '../../../src/trading/ports/broker.ts';
import type { EventBus, PublishResult } from '../../../src/trading/ports/bus.ts';
import { parseWorkflowEvent, type EventOf, type EventType, type WorkflowEvent } from '../../../src/trading/domain/events.ts';
import { FixtureMarketData } from '../../../src/trading/adapters/fixture-market-data.ts';
import { gate, type DeliveryOutcome } from '../../../src/trading/domain/gate.ts';
import type { MarketData, PriceBar } from '../../../src/trading/ports/market-data.ts';
import type { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { randomInt, seededRandom, shuffleInPlace } from '../../../src/trading/domain/seeded-random.ts';
import type { Clock, StepHandler } from '../../../src/trading/domain/step-handler.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { createStepHandlers, type ConsumerName } from '../../../src/trading/domain/workflow-app.ts';
import { WorkflowState, type WorkflowStore } from '../../../src/trading/ports/workflow-store.ts';

/** A bus that only records: the harness decides when and how often each event is delivered. */
export class RecordingBus implements EventBus {
  readonly published: WorkflowEvent[] = [];
  /** Makes the next N publish calls throw, like an EventBridge outage. */
  failNext = 0;

  async publish(events: readonly WorkflowEvent[]): Promise<PublishResult> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('EventBridge unavailable'), { code: 'EVENT_PUBLISH_FAILED' });
    }
    const valid = events.map((e) => parseWorkflowEvent(structuredClone(e)));
    this.published.push(...valid);
    return { published: valid.length };
  }

  ofType<T extends EventType>(type: T, correlationId?: string): EventOf<T>[] {
    return this.published.filter((e): e is EventOf<T> => e.type === type && (correlationId === undefined || e.correlationId === correlationId));
  }
}

/** A clock that moves 1 ms per reading, so durations are positive and nothing waits. */
export function tickingClock(start = new Date('2026-11-23T15:00:00.000Z')): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t++),
    advance: (ms) => {
      t += ms;
    },
  };
}

let fixtureCache: Promise<Map<string, PriceBar[]>> | undefined;

/** The fixture closes, read once per test file and served from memory (immutable). */
export async function fixtureMarketData(): Promise<MarketData & { symbols: string[] }> {
  fixtureCache ??= (async () => {
    const source = new FixtureMarketData();
    return source.history(await source.symbols(), '9999-12-31', 10_000);
  })();
  const all = await fixtureCache;
  return {
    symbols: [...all.keys()],
    async history(symbols, asOf, count) {
      const result = new Map<string, PriceBar[]>();
      for (const symbol of symbols) {
        const bars = all.get(symbol);
        if (bars === undefined) continue;
        const upTo = bars.filter((b) => b.date <= asOf);
        result.set(symbol, upTo.slice(Math.max(0, upTo.length - count)));
      }
      return result;
    },
  };
}

export interface RunCounters {
  runs: Record<ConsumerName, number>;
  /** Handler runs that began after the workflow's FAILED transition had been written. */
  runsAfterFailure: Record<ConsumerName, number>;
}

export function newCounters(): RunCounters {
  const zero = () => ({ strategy: 0, portfolio: 0, execution: 0, notification: 0 });
  return { runs: zero(), runsAfterFailure: zero() };
}

/** Wraps a store so the test knows which workflows have been failed (and when). */
export function observedStore(inner: WorkflowStore): WorkflowStore & { failedIds: Set<string> } {
  const failedIds = new Set<string>();
  return {
    failedIds,
    create: (input) => inner.create(input),
    get: (id) => inner.get(id),
    recordStep: (id, step, result, extra) => inner.recordStep(id, step, result, extra),
    recordExecutedOrder: (id, order) => inner.recordExecutedOrder(id, order),
    recordOpenOrder: (id, order) => inner.recordOpenOrder(id, order),
    finish: async (id, outcome, at, extra) => {
      const result = await inner.finish(id, outcome, at, extra);
      if (result.won && outcome.state === WorkflowState.failed) failedIds.add(id);
      return result;
    },
    markTerminalPublished: (id, at) => inner.markTerminalPublished(id, at),
    claimDelivery: (key, at, lease, required) => inner.claimDelivery(key, at, lease, required),
    completeClaim: (claim, outcome, at) => inner.completeClaim(claim, outcome, at),
    releaseClaim: (claim) => inner.releaseClaim(claim),
    list: (query) => inner.list(query),
  };
}

export interface WorldParts {
  store: WorkflowStore & { failedIds?: Set<string> };
  bus: EventBus;
  clock: Clock;
  marketData: MarketData;
  brokers: Record<string, Broker>;
  notifier: MemoryNotifier;
  logger?: MemoryLogger;
  counters?: RunCounters;
  leaseMs?: number;
}

/** A fresh set of gated consumers over the shared parts: what one cold Lambda would build. */
export function freshConsumers(world: WorldParts) {
  const logger = world.logger ?? new MemoryLogger();
  const handlers = createStepHandlers({ marketData: world.marketData, brokers: brokerDirectory(world.brokers), notifier: world.notifier });
  const counted = (name: ConsumerName, handler: StepHandler): StepHandler => ({
    ...handler,
    run: async (event, ctx) => {
      if (world.counters !== undefined) {
        world.counters.runs[name] += 1;
        if (world.store.failedIds?.has(event.correlationId)) world.counters.runsAfterFailure[name] += 1;
      }
      return handler.run(event, ctx);
    },
  });
  const deps = { store: world.store, bus: world.bus, clock: world.clock, logger, ...(world.leaseMs !== undefined ? { leaseMs: world.leaseMs } : {}) };
  return (Object.keys(handlers) as ConsumerName[]).map((name) => gate(counted(name, handlers[name]), deps));
}

export interface HarnessReport {
  deliveries: number;
  outcomes: DeliveryOutcome[];
}

export interface DeliverOptions {
  seed: number;
  /** Copies of each event: 1..maxCopies (default 3). */
  maxCopies?: number;
  /** Deliveries running at once: 1..maxConcurrency (default 4). */
  maxConcurrency?: number;
  /** Start from this index of bus.published (to re-deliver history, pass 0 again). */
  from?: number;
}

/**
 * Delivers everything on the bus (and everything the handlers publish in turn) until nothing is left.
 * A `deferred` delivery (another delivery held the claim) is queued again, as Lambda retries it.
 */
export async function deliverAll(bus: RecordingBus, world: WorldParts, options: DeliverOptions): Promise<HarnessReport> {
  const random = seededRandom(options.seed);
  const maxCopies = options.maxCopies ?? 3;
  const maxConcurrency = options.maxConcurrency ?? 4;
  let cursor = options.from ?? 0;
  const queue: WorkflowEvent[] = [];
  const outcomes: DeliveryOutcome[] = [];
  let deliveries = 0;
  for (;;) {
    while (cursor < bus.published.length) {
      const event = bus.published[cursor++] as WorkflowEvent;
      for (let copy = randomInt(random, 1, maxCopies); copy > 0; copy--) queue.push(event);
    }
    if (queue.length === 0) return { deliveries, outcomes };
    if (deliveries > 20_000) throw new Error('the harness delivered 20,000 events without draining: a delivery loop');
    shuffleInPlace(queue, random);
    const batch = queue.splice(0, randomInt(random, 1, Math.min(maxConcurrency, queue.length)));
    const results = await Promise.all(
      batch.map(async (event) => {
        const consumers = freshConsumers(world).filter((c) => c.consumes.includes(event.type));
        return Promise.all(consumers.map(async (consume) => ({ event, outcome: await consume(structuredClone(event)) })));
      }),
    );
    for (const { event, outcome } of results.flat()) {
      deliveries += 1;
      outcomes.push(outcome);
      if (outcome.status === 'deferred') queue.push(event);
    }
  }
}
