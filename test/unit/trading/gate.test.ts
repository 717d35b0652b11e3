import { describe, expect, it } from 'vitest';
import { FaultError } from '../../../src/errors.ts';
import type { Broker, BrokerOrder, OrderRequest } from '../../../src/trading/ports/broker.ts';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType, type WorkflowEvent, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { gate } from '../../../src/trading/domain/gate.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import type { StepHandler, StepOutput } from '../../../src/trading/domain/step-handler.ts';
import { StepError } from '../../../src/trading/domain/trading-errors.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { deliverAll, fixtureMarketData, freshConsumers, RecordingBus, tickingClock } from './delivery-harness.ts';
import { completedOutcome, failedOutcome } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };

async function setup(id = 'wf-gate') {
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  const clock = tickingClock();
  const logger = new MemoryLogger();
  await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: id });
  const started = bus.published[0] as WorkflowEvent;
  return { store, bus, clock, logger, started, id };
}

function signalFor(event: WorkflowEvent, at: Date) {
  return makeEvent(EventType.signalGenerated, { correlationId: event.correlationId, causationId: event.eventId, producer: 'strategy', occurredAt: at }, { strategy: 'fixed', asOf: '2026-11-20', targets: [{ symbol: 'SPY', weight: '1' }] });
}

/** A strategy-shaped handler whose behaviour the test scripts. */
function scripted(run: (event: WorkflowEvent) => Promise<StepOutput> | StepOutput, runsWhen: 'running' | 'finished' = 'running'): StepHandler & { calls: number } {
  const handler = {
    name: runsWhen === 'running' ? 'strategy' : 'notification',
    step: runsWhen === 'running' ? ('strategy' as const) : ('notification' as const),
    consumes: runsWhen === 'running' ? [EventType.workflowStarted] : [EventType.workflowCompleted, EventType.workflowFailed],
    runsWhen,
    calls: 0,
    async run(event: WorkflowEvent) {
      handler.calls += 1;
      return run(event);
    },
  };
  return handler;
}

describe('the gate', () => {
  it('runs a handler once, records its result before publishing, and skips the duplicate delivery', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    const handler = scripted(async (event) => {
      // Nothing this run emits may be visible before its result is recorded.
      expect(bus.ofType(EventType.signalGenerated)).toHaveLength(0);
      return { result: { completedAt: clock.now(), summary: { targets: 1 } }, emit: [signalFor(event, clock.now())] };
    });
    const deliver = gate(handler, { store, bus, clock, logger });
    expect(await deliver(started)).toMatchObject({ status: 'handled', published: 1, completed: false });
    expect(await deliver(started)).toMatchObject({ status: 'skipped', reason: 'duplicate' });
    expect(handler.calls).toBe(1);
    expect((await store.get(id))?.steps.strategy?.summary).toEqual({ targets: 1 });
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(1);
    expect(logger.lines.at(-1)?.message).toBe(`skipped: event ${started.eventId} (WorkflowStarted) of workflow ${id} already processed by strategy`);
  });

  it('skips a delivery for a FAILED workflow with one structured line naming the failed step', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    const record = (await store.get(id))!;
    await store.finish(id, failedOutcome(record, clock.now(), 'portfolio'), clock.now());
    const handler = scripted(() => ({ emit: [] }));
    const outcome = await gate(handler, { store, bus, clock, logger })(started);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'finished' });
    expect(handler.calls).toBe(0);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'info',
      message: `skipped: workflow ${id} already FAILED at portfolio`,
      fields: { correlationId: id, eventId: started.eventId, eventType: 'WorkflowStarted', consumer: 'strategy', state: 'FAILED', failureStep: 'portfolio' },
    });
  });

  it('skips a delivery for a COMPLETED workflow, and for one the store does not know', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    const handler = scripted(() => ({ emit: [] }));
    const deliver = gate(handler, { store, bus, clock, logger });
    expect(await deliver({ ...started, correlationId: 'wf-unknown' })).toMatchObject({ status: 'skipped', reason: 'unknown-workflow' });
    await store.finish(id, completedOutcome((await store.get(id))!, clock.now()), clock.now());
    expect(await deliver(started)).toMatchObject({ status: 'skipped', reason: 'finished', message: `skipped: workflow ${id} already COMPLETED` });
    expect(handler.calls).toBe(0);
  });

  it('defers a delivery while another holds the claim', async () => {
    const { store, bus, clock, logger, started } = await setup();
    let release!: () => void;
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => (running = resolve));
    const handler = scripted(
      () =>
        new Promise<StepOutput>((resolve) => {
          release = () => resolve({ emit: [] });
          running();
        }),
    );
    const deliver = gate(handler, { store, bus, clock, logger });
    const first = deliver(started);
    await isRunning;
    expect(await deliver(started)).toMatchObject({ status: 'deferred', consumer: 'strategy' });
    release();
    expect(await first).toMatchObject({ status: 'handled' });
    expect(await deliver(started)).toMatchObject({ status: 'skipped', reason: 'duplicate' });
  });

  it('turns a handler error into FAILED (step, reason, code) and one WorkflowFailed', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    const handler = scripted(() => Promise.reject(new StepError('INSUFFICIENT_HISTORY', 'SPY has 2 closes')));
    const deliver = gate(handler, { store, bus, clock, logger });
    expect(await deliver(started)).toEqual({ status: 'failed', consumer: 'strategy', errorCode: 'INSUFFICIENT_HISTORY', won: true });
    expect(await store.get(id)).toMatchObject({ state: 'FAILED', failure: { step: 'strategy', reason: 'SPY has 2 closes', errorCode: 'INSUFFICIENT_HISTORY' } });
    const failed = bus.ofType(EventType.workflowFailed);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ causationId: started.eventId, detail: { step: 'strategy', errorCode: 'INSUFFICIENT_HISTORY' } });
    // Published, but not yet known to be delivered: the notification consumer's claim says so.
    expect((await store.get(id))?.terminalPublishedAt).toBeUndefined();
    // The failed event is done: a redelivery neither runs nor fails anything again.
    expect(await deliver(started)).toMatchObject({ status: 'skipped', reason: 'finished' });
    expect(handler.calls).toBe(1);
  });

  it('gives the event back on a transient infrastructure error, so a retry runs it', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    let attempt = 0;
    const handler = scripted(() => {
      attempt += 1;
      if (attempt === 1) throw new FaultError('WORKFLOW_STORE_THROTTLED', 'DynamoDB throttled');
      return { emit: [] };
    });
    const deliver = gate(handler, { store, bus, clock, logger });
    await expect(deliver(started)).rejects.toThrow(/throttled/);
    expect((await store.get(id))?.state).toBe('RUNNING');
    expect(await deliver(started)).toMatchObject({ status: 'handled' });
    expect(handler.calls).toBe(2);
  });

  it('publishes nothing when the workflow finished while the handler ran', async () => {
    const { store, bus, clock, logger, started, id } = await setup();
    const handler = scripted(async (event) => {
      await store.finish(id, failedOutcome((await store.get(id))!, clock.now(), 'strategy'), clock.now());
      return { result: { completedAt: clock.now(), summary: {} }, emit: [signalFor(event, clock.now())] };
    });
    const outcome = await gate(handler, { store, bus, clock, logger })(started);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'finished' });
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(0);
    expect((await store.get(id))?.steps.strategy).toBeUndefined();
  });

  it('releases the claim when publishing fails, and the retry publishes the same event id', async () => {
    const { store, bus, clock, logger, started } = await setup();
    const handler = scripted((event) => ({ result: { completedAt: clock.now(), summary: {} }, emit: [signalFor(event, new Date('2026-11-23T15:00:00Z'))] }));
    const deliver = gate(handler, { store, bus, clock, logger });
    bus.failNext = 1;
    await expect(deliver(started)).rejects.toThrow(/EventBridge unavailable/);
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(0);
    expect(await deliver(started)).toMatchObject({ status: 'handled', published: 1 });
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(1);
    expect(handler.calls).toBe(2);
  });

  it('runs the notification consumer only for a finished workflow, and retries it when sending fails', async () => {
    const { store, bus, clock, logger, id } = await setup();
    const record = (await store.get(id))!;
    const outcome = completedOutcome(record, clock.now());
    let fail = true;
    const handler = scripted(() => {
      if (fail) throw new Error('SNS down');
      return { emit: [] };
    }, 'finished');
    const deliver = gate(handler, { store, bus, clock, logger });
    expect(await deliver(outcome.event)).toMatchObject({ status: 'skipped', reason: 'not-finished' });
    await store.finish(id, outcome, clock.now());
    await expect(deliver(outcome.event)).rejects.toThrow(/SNS down/);
    expect((await store.get(id))?.state).toBe('COMPLETED');
    fail = false;
    expect(await deliver(outcome.event)).toMatchObject({ status: 'handled' });
    expect(await deliver(outcome.event)).toMatchObject({ status: 'skipped', reason: 'duplicate' });
    expect(handler.calls).toBe(2);
  });
});

describe('a step that dies half-way (its claim expires) is re-run safely', () => {
  it('places each order once: the re-run finds the orders already at the broker by client order id', async () => {
    const marketData = await fixtureMarketData();
    const quotes = new Map([...(await marketData.history(marketData.symbols, '2026-11-20', 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const paper = new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s) });
    let hang = true;
    let hung!: () => void;
    const isHung = new Promise<void>((resolve) => (hung = resolve));
    // Fills the second order, then never answers: the Lambda timed out with the order placed.
    const broker: Broker = {
      account: () => paper.account(),
      assets: (s) => paper.assets(s),
      orderByClientId: (cid) => paper.orderByClientId(cid),
      placeOrder: async (request: OrderRequest): Promise<BrokerOrder> => {
        const order = await paper.placeOrder(request);
        if (hang && paper.allOrders().length === 2) {
          hung();
          return new Promise<BrokerOrder>(() => undefined);
        }
        return order;
      },
    };
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const clock = tickingClock();
    const notifier = new MemoryNotifier();
    const world = { store, bus, clock, marketData, brokers: { main: broker }, notifier, leaseMs: 60_000 };
    const params: WorkflowParams = { ...PARAMS, strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '0.4' }, { symbol: 'QQQ', weight: '0.3' }, { symbol: 'EFA', weight: '0.3' }] } };
    const { correlationId } = await startWorkflow({ store, bus, clock }, { params, correlationId: 'wf-crash' });
    const consumers = () => freshConsumers(world);
    const consume = async (type: string) => {
      const event = bus.published.find((e) => e.type === type)!;
      return consumers().find((c) => c.consumes.includes(event.type))!(event);
    };
    await consume('WorkflowStarted');
    await consume('SignalGenerated');
    const plan = bus.published.find((e) => e.type === 'RebalancePlanned')!;
    void consume('RebalancePlanned');
    await isHung;
    expect(paper.allOrders()).toHaveLength(2);
    expect((await store.get(correlationId))?.orders).toHaveLength(1);

    // A redelivery within the lease is deferred; after it, the step runs again.
    expect(await consumers().find((c) => c.consumer === 'execution')!(plan)).toMatchObject({ status: 'deferred' });
    hang = false;
    clock.advance(60_001);
    await deliverAll(bus, world, { seed: 3, from: bus.published.indexOf(plan) });

    const record = await store.get(correlationId);
    expect(record?.state).toBe('COMPLETED');
    expect(record?.orders).toHaveLength(3);
    expect(paper.allOrders()).toHaveLength(3);
    expect(paper.placeOrderCalls).toHaveLength(5);
    expect(bus.ofType(EventType.workflowCompleted)).toHaveLength(1);
    expect(new Set(bus.ofType(EventType.tradeExecuted).map((e) => e.eventId)).size).toBe(3);
  });
});

describe("the portfolio step's plan under redelivery", () => {
  it('is stored once with the step result: a duplicate SignalGenerated and a re-run after an expired claim leave one plan', async () => {
    const marketData = await fixtureMarketData();
    const quotes = new Map([...(await marketData.history(marketData.symbols, '2026-11-20', 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const paper = new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s), nonFractionable: ['TLT'] });
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const clock = tickingClock();
    const world = { store, bus, clock, marketData, brokers: { main: paper }, notifier: new MemoryNotifier(), leaseMs: 60_000 };
    // SPY → one buy; EFA (90 of 100,000: below the 100 minimum) and TLT (10: under one whole share) are skipped.
    const weights = [{ symbol: 'SPY', weight: '0.999' }, { symbol: 'EFA', weight: '0.0009' }, { symbol: 'TLT', weight: '0.0001' }];
    const params: WorkflowParams = { ...PARAMS, strategy: { kind: 'fixed', weights } };
    const { correlationId } = await startWorkflow({ store, bus, clock }, { params, correlationId: 'wf-plan-redelivery' });
    const deliver = (event: WorkflowEvent, parts = world) => freshConsumers(parts).find((c) => c.consumes.includes(event.type))!(event);
    await deliver(bus.ofType(EventType.workflowStarted)[0]!);
    const signal = bus.ofType(EventType.signalGenerated)[0]!;

    // The first run records the result (the plan, the outbox, the claim's completion), then publishing fails: the claim is given back.
    const down = { publish: () => Promise.reject(new Error('EventBridge unavailable')) };
    await expect(deliver(signal, { ...world, bus: down as unknown as RecordingBus })).rejects.toThrow(/EventBridge unavailable/);
    const first = await store.get(correlationId);
    expect(first?.plan?.orders.map((o) => [o.side, o.symbol, o.orderIndex])).toEqual([['buy', 'SPY', 0]]);
    expect(first?.plan?.skipped.map((s) => s.symbol).sort()).toEqual(['EFA', 'TLT']);
    expect(first?.outbox.portfolio?.map((e) => e.type)).toEqual(['RebalancePlanned']);

    // The retry runs the step again and publishes; once done, duplicates are skipped.
    expect(await deliver(signal)).toMatchObject({ status: 'handled' });
    expect(await deliver(signal)).toMatchObject({ status: 'skipped', reason: 'duplicate' });

    const record = await store.get(correlationId);
    expect(record?.plan).toEqual(first?.plan);
    expect(record?.expectedOrders).toBe(1);
    const planned = bus.ofType(EventType.rebalancePlanned);
    expect(planned).toHaveLength(1);
    // The re-run's copy replaced the stored one: what the outbox holds is what was published, same id as the first.
    expect(record?.outbox.portfolio).toEqual(planned);
    expect(planned[0]?.eventId).toBe(first?.outbox.portfolio?.[0]?.eventId);
    expect(new Set(planned.map((e) => e.eventId)).size).toBe(1);
    expect(record?.plan?.orders[0]?.clientOrderId).toMatch(/^ops-[0-9a-f]{40}$/);
  });
});
