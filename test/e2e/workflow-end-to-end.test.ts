/**
 * The whole workflow the way it runs on AWS, against the sandbox: the DynamoDB workflow store, the
 * EventBridge bus, a rule delivering every event (to a queue, which stands in for the Lambda
 * invocation moto cannot make), and the step Lambda shell unwrapping each delivery. Every delivery is
 * handled twice, concurrently, by freshly built handlers with their own SDK clients: at-least-once
 * delivery in separate Lambda instances, sharing nothing but the table and the broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../src/aws/eventbridge-bus.ts';
import { DynamoWorkflowStore, ensureWorkflowTable } from '../../src/aws/workflow-store.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { brokerDirectory } from '../../src/trading/domain/broker-directory.ts';
import { clientOrderId } from '../../src/trading/domain/client-order-id.ts';
import { FixtureMarketData } from '../../src/trading/adapters/fixture-market-data.ts';
import type { DeliveryOutcome } from '../../src/trading/domain/gate.ts';
import { createStepLambda, DeliveryDeferredError } from '../../src/entry/lambda/trading/step-lambda.ts';
import { quotesAsOf } from '../../src/entry/wiring/local-workflow.ts';
import { MemoryNotifier } from '../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../src/trading/domain/start-workflow.ts';
import { MemoryLogger } from '../../src/trading/ports/workflow-logger.ts';
import { createConsumers, type ConsumerName } from '../../src/trading/domain/workflow-app.ts';
import { busRoutedToQueue, startAtomicMoto, type RoutedBus } from './workflow-sandbox.ts';

const TABLE = 'ops-workflows-e2e';
const ASOF = '2026-11-20';
let server: MotoServer;
let routed: RoutedBus;

beforeAll(async () => {
  server = await startAtomicMoto();
  const clients = createSandboxClients(server.endpoint, 'us-west-2');
  await ensureWorkflowTable(clients.dynamodb, TABLE);
  routed = await busRoutedToQueue(clients, 'ops-trading-flow');
});

afterAll(async () => {
  await server?.stop();
});

async function runOnSandbox(correlationId: string, cash: string, positions: Record<string, string> = {}) {
  const marketData = new FixtureMarketData();
  const quotes = await quotesAsOf(marketData, await marketData.symbols(), ASOF);
  const broker = new PaperBroker({ cash, positions, quote: (s) => quotes.get(s), nonFractionable: ['GLD', 'TLT'] });
  const notifier = new MemoryNotifier();
  const logger = new MemoryLogger();
  /** A cold Lambda: its own clients, store and bus; only the table, the bus and the broker are shared. */
  const coldLambda = (name: ConsumerName) => {
    const clients = createSandboxClients(server.endpoint, 'us-west-2');
    const deps = {
      store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE }),
      bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: routed.busName }),
      clock: { now: () => new Date() },
      logger,
      marketData,
      brokers: brokerDirectory({ main: broker }),
      notifier,
    };
    const consumer = createConsumers(deps)[name];
    return { consumes: consumer.consumes, handler: createStepLambda({ consumer, logger }) };
  };
  const names: ConsumerName[] = ['strategy', 'portfolio', 'execution', 'notification'];

  const clients = createSandboxClients(server.endpoint, 'us-west-2');
  const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE });
  await startWorkflow(
    { store, bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: routed.busName }), clock: { now: () => new Date() } },
    { correlationId, params: { accountId: 'main', asOf: ASOF, strategy: { kind: 'momentum', universe: await marketData.symbols(), topN: 3, lookbackDays: 63 }, minTradeNotional: '100' } },
  );

  const delivered: string[] = [];
  const outcomes: DeliveryOutcome[] = [];
  const errors: unknown[] = [];
  let retries: unknown[] = [];
  for (let round = 0; round < 50; round++) {
    const bodies = await routed.drain();
    if (bodies.length === 0 && retries.length === 0) break;
    // Later deliveries first, and every delivery twice at once: EventBridge promises no order and no uniqueness.
    const deliveries = [...retries, ...bodies.reverse().flatMap((body) => [body, body])];
    retries = [];
    await Promise.all(
      deliveries.map(async (body) => {
        const { 'detail-type': type, detail } = body as { 'detail-type': string; detail: { eventId: string } };
        delivered.push(`${type} ${detail.eventId}`);
        const lambdas = names.map(coldLambda).filter((l) => (l.consumes as readonly string[]).includes(type));
        for (const lambda of lambdas) {
          try {
            outcomes.push(await lambda.handler(body));
          } catch (error) {
            // Lambda retries a failed invocation: a deferred delivery comes back in the next round.
            if (error instanceof DeliveryDeferredError) retries.push(body);
            else errors.push(error);
          }
        }
      }),
    );
  }
  return { record: await store.get(correlationId), broker, notifier, delivered, outcomes, errors };
}

function distinct(delivered: readonly string[], type: string): string[] {
  return [...new Set(delivered.filter((d) => d.startsWith(`${type} `)))];
}

describe('the trading workflow on the sandbox (DynamoDB + EventBridge)', () => {
  it('completes once, with one order per planned trade, under duplicated concurrent deliveries', async () => {
    const { record, broker, notifier, delivered, outcomes, errors } = await runOnSandbox('wf-e2e-ok', '20000', { TLT: '300', SPY: '50' });
    expect(record?.state).toBe('COMPLETED');
    expect(errors).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'handled').map((o) => o.consumer).sort()).toEqual(['execution', 'notification', 'portfolio', 'strategy']);
    const filled = broker.allOrders().filter((o) => o.status === 'filled');
    expect(filled.length).toBe(record?.expectedOrders);
    expect(filled.map((o) => o.clientOrderId).sort()).toEqual(record?.orders.map((o) => clientOrderId('wf-e2e-ok', o.symbol, o.side)).sort());
    // One WorkflowCompleted event (delivered at least twice), and no WorkflowFailed.
    expect(distinct(delivered, 'WorkflowCompleted')).toHaveLength(1);
    expect(delivered.filter((d) => d.startsWith('WorkflowCompleted ')).length).toBeGreaterThanOrEqual(2);
    expect(distinct(delivered, 'WorkflowFailed')).toHaveLength(0);
    expect(distinct(delivered, 'TradeExecuted')).toHaveLength(filled.length);
    expect(notifier.sent).toHaveLength(1);
    expect(record?.terminalPublishedAt).toBeDefined();
  });

  it('fails once at portfolio when equity is not positive, and nothing runs after', async () => {
    const { record, broker, notifier, delivered } = await runOnSandbox('wf-e2e-fail', '-100');
    expect(record).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'NON_POSITIVE_EQUITY' } });
    expect(distinct(delivered, 'WorkflowFailed')).toHaveLength(1);
    expect(distinct(delivered, 'RebalancePlanned')).toHaveLength(0);
    expect(broker.placeOrderCalls).toEqual([]);
    expect(notifier.sent.map((n) => n.subject)).toEqual(['[ops] Workflow FAILED at portfolio: NON_POSITIVE_EQUITY (wf-e2e-fail)']);
  });
});
