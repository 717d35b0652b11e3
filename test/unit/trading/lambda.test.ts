import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { toEventBridgeLambdaEvent } from '../../../src/trading/ports/eventbridge-envelope.ts';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { DeliveryDeferredError, createStepLambda } from '../../../src/entry/lambda/trading/step-lambda.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { InvalidEventError } from '../../../src/trading/domain/trading-errors.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { createConsumers, subscribeWorkflow } from '../../../src/trading/domain/workflow-app.ts';
import { FixtureMarketData } from '../../../src/trading/adapters/fixture-market-data.ts';
import { createLambdaRuntime, paperBrokers } from '../../../src/entry/lambda/trading/runtime.ts';
import { InMemoryEventBus } from '../../../src/trading/adapters/memory-bus.ts';
import { dec } from '../../../src/trading/domain/money.ts';
import { SyntheticMarketData } from '../../../src/trading/adapters/synthetic-market-data.ts';
import { runDispatcher } from '../../../src/entry/task/trading-task.ts';
import { watchTerminalEvents } from '../../../src/trading/adapters/terminal-watcher.ts';
import { DEFAULT_STRATEGY } from '../../../src/trading/domain/strategy.ts';
import { nyse } from '../../../src/market/index.ts';
import { fixtureMarketData, RecordingBus, tickingClock } from './delivery-harness.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const IDS = { id: 'eb-1', account: '123456789012', region: 'us-west-2' };

async function setup() {
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  const clock = tickingClock();
  const logger = new MemoryLogger();
  const marketData = await fixtureMarketData();
  const consumers = createConsumers({ store, bus, clock, logger, marketData, brokers: () => { throw new Error('no broker needed'); }, notifier: new MemoryNotifier() });
  await startWorkflow({ store, bus, clock }, { params: PARAMS, correlationId: 'wf-lambda' });
  return { store, bus, logger, consumers, started: bus.published[0]! };
}

describe('the step Lambda shell', () => {
  it('unwraps the EventBridge event, runs the gated step and returns its outcome', async () => {
    const { bus, logger, consumers, started } = await setup();
    const context: Record<string, string>[] = [];
    const handler = createStepLambda({ consumer: consumers.strategy, logger, setContext: (keys) => context.push(keys) });
    const outcome = await handler(toEventBridgeLambdaEvent(started, IDS));
    expect(outcome).toMatchObject({ status: 'handled', consumer: 'strategy', published: 1 });
    expect(bus.ofType(EventType.signalGenerated)).toHaveLength(1);
    expect(context).toEqual([{ correlationId: 'wf-lambda', eventId: started.eventId, eventType: 'WorkflowStarted' }]);
    expect(await handler(toEventBridgeLambdaEvent(started, { ...IDS, id: 'eb-2' }))).toMatchObject({ status: 'skipped', reason: 'duplicate' });
  });

  it('throws on an invalid event (so it ends in the failed-invocations queue) and logs why', async () => {
    const { logger, consumers } = await setup();
    const handler = createStepLambda({ consumer: consumers.strategy, logger });
    await expect(handler({ 'detail-type': 'WorkflowStarted', source: 'x', detail: { nope: true } })).rejects.toBeInstanceOf(InvalidEventError);
    expect(logger.lines[0]).toMatchObject({ level: 'error', message: 'rejected an invalid event for strategy' });
  });

  it('throws DeliveryDeferredError while another invocation holds the event, so Lambda retries later', async () => {
    const { store, logger, consumers, started } = await setup();
    await store.claimDelivery({ consumer: 'strategy', eventId: started.eventId, correlationId: 'wf-lambda' }, new Date('2026-11-23T15:00:00Z'), 90_000);
    const handler = createStepLambda({ consumer: consumers.strategy, logger });
    await expect(handler(toEventBridgeLambdaEvent(started, IDS))).rejects.toBeInstanceOf(DeliveryDeferredError);
  });
});

describe('src/entry/lambda/trading/strategy.ts (module-scope clients from the environment)', () => {
  const doc = mockClient(DynamoDBDocumentClient);
  const events = mockClient(EventBridgeClient);

  beforeEach(() => {
    doc.reset();
    events.reset();
    vi.stubEnv('AWS_REGION', 'us-west-2');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('WORKFLOW_TABLE', 'ops-workflows');
    vi.stubEnv('EVENT_BUS_NAME', 'ops-trading');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('claims the event and reads the workflow in one DynamoDB call, records the result with the claim in a second, publishes SignalGenerated', async () => {
    const startedAt = Date.parse('2026-11-23T15:00:00Z');
    const item = { pk: 'WF#wf-aws', sk: 'WORKFLOW', correlationId: 'wf-aws', workflowState: 'RUNNING', params: PARAMS, startedAt, updatedAt: startedAt, steps: {}, orders: {}, expiresAt: 1_900_000_000 };
    doc.on(UpdateCommand).resolves({ Attributes: item });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-out-1' }] });
    const { handler } = await import('../../../src/entry/lambda/trading/strategy.ts');
    const started = makeEvent(EventType.workflowStarted, { correlationId: 'wf-aws', causationId: 'wf-aws', producer: 'starter', occurredAt: new Date(startedAt) }, PARAMS);

    expect(await handler(toEventBridgeLambdaEvent(started, IDS))).toMatchObject({ status: 'handled', consumer: 'strategy', published: 1 });

    expect(doc.commandCalls(GetCommand)).toHaveLength(0);
    const updates = doc.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({ TableName: 'ops-workflows', Key: { pk: 'WF#wf-aws', sk: 'WORKFLOW' }, ExpressionAttributeNames: { '#k': `strategy#${started.eventId}` } });
    expect(updates[1]?.UpdateExpression).toContain('#claims.#k.#st = :done');
    expect(updates[1]?.UpdateExpression).toContain('#outbox.#step = :outbox');
    const put = events.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(put.Entries).toHaveLength(1);
    expect(put.Entries?.[0]).toMatchObject({ EventBusName: 'ops-trading', DetailType: 'SignalGenerated', Source: 'ops.trading.strategy' });
  });
});

describe('emailNotifier', () => {
  it('sends the summary through the alert email sender (SNS): subject and body', async () => {
    const { emailNotifier } = await import('../../../src/entry/lambda/trading/runtime.ts');
    const publish = vi.fn(async (_message: { subject: string; body: string }) => ({ messageId: 'm-1' }));
    await emailNotifier({ publish }).notify({ subject: '[ops] Workflow COMPLETED', body: 'done\n', attributes: { outcome: 'COMPLETED' } });
    expect(publish).toHaveBeenCalledWith({ subject: '[ops] Workflow COMPLETED', body: 'done\n' });
  });
});

describe('the Lambda runtime\'s market data (MARKET_DATA_SOURCE)', () => {
  const base = { WORKFLOW_TABLE: 'ops-workflows', EVENT_BUS_NAME: 'ops-trading', AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

  it('is synthetic by default (seed from MARKET_DATA_SEED), the fixture CSVs when asked', () => {
    const synthetic = createLambdaRuntime(base, 'test').marketData;
    expect(synthetic).toBeInstanceOf(SyntheticMarketData);
    expect((synthetic as SyntheticMarketData).seed).toBe(0);
    expect((createLambdaRuntime({ ...base, MARKET_DATA_SEED: '7' }, 'test').marketData as SyntheticMarketData).seed).toBe(7);
    const fixtures = createLambdaRuntime({ ...base, MARKET_DATA_SOURCE: 'fixtures', MARKET_DATA_DIR: '/var/task/market-data' }, 'test');
    expect(fixtures.marketData).toBeInstanceOf(FixtureMarketData);
    expect(fixtures.deps.marketData).toBe(fixtures.marketData);
  });

  it('refuses an unknown source or a bad seed (a configuration error, before any event)', () => {
    expect(() => createLambdaRuntime({ ...base, MARKET_DATA_SOURCE: 'live' }, 'test')).toThrow(expect.objectContaining({ code: 'INVALID_MARKET_DATA_SOURCE' }));
    expect(() => createLambdaRuntime({ ...base, MARKET_DATA_SEED: 'abc' }, 'test')).toThrow(expect.objectContaining({ code: 'INVALID_MARKET_DATA_SEED' }));
  });

  it("fills paper orders at the close of the clock's session, and reloads the quotes when the date moves on", async () => {
    const marketData = new SyntheticMarketData();
    let now = new Date('2026-12-04T15:00:00Z');
    const broker = paperBrokers({ PAPER_ACCOUNTS: 'main' }, marketData, { now: () => now })('main');
    const closeOn = async (date: string) => (await marketData.history(['SPY'], date, 1)).get('SPY')![0]!.close;
    const order = (id: string) => broker.placeOrder({ clientOrderId: id, symbol: 'SPY', side: 'buy', quantity: dec(1), referencePrice: dec(1) });
    expect((await order('a')).fillPrice?.toFixed()).toBe((await closeOn('2026-12-04')).toFixed());
    now = new Date('2026-12-06T15:00:00Z'); // Sunday: still Friday's close
    expect((await order('b')).fillPrice?.toFixed()).toBe((await closeOn('2026-12-04')).toFixed());
    now = new Date('2026-12-07T15:00:00Z');
    const monday = await closeOn('2026-12-07');
    expect(monday.eq(await closeOn('2026-12-04'))).toBe(false);
    expect((await order('c')).fillPrice?.toFixed()).toBe(monday.toFixed());
  });

  it.each(['2026-12-04T15:00:00Z', '2027-11-26T17:00:00Z', '2028-02-29T20:59:00Z', '2031-06-06T14:30:00Z', '2099-12-31T15:00:00Z'])(
    'completes the dispatcher\'s workflow of the session open at %s with the default wiring',
    async (instant) => {
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      const runtime = createLambdaRuntime(base, 'test');
      let t = Date.parse(instant);
      const clock = { now: () => new Date(t++) };
      const store = new MemoryWorkflowStore();
      const bus = new InMemoryEventBus();
      const logger = new MemoryLogger();
      const brokers = paperBrokers({}, runtime.marketData, clock);
      subscribeWorkflow(bus, () => ({ ...runtime.deps, store, bus, clock, logger, brokers, notifier: new MemoryNotifier() }));
      const watcher = watchTerminalEvents(bus);
      const outcome = await runDispatcher(
        { now: clock.now, calendar: nyse, logger, start: (correlationId, params) => startWorkflow({ store, bus, clock }, { correlationId, params }) },
        { accountId: 'main', strategy: DEFAULT_STRATEGY, minTradeNotional: '100' },
      );
      expect(outcome).toMatchObject({ started: true, correlationId: `wf-main-${instant.slice(0, 10)}` });
      const terminal = await watcher.waitOrIdle(`wf-main-${instant.slice(0, 10)}`);
      watcher.stop();
      expect(terminal?.type, JSON.stringify((await store.get(`wf-main-${instant.slice(0, 10)}`))?.failure)).toBe('WorkflowCompleted');
      vi.unstubAllEnvs();
    },
  );
});
