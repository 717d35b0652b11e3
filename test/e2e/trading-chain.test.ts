/**
 * The whole trading chain on the sandbox, as `ops sandbox up --trading` runs it: the stack's bus,
 * rules, queues and tables on moto, and the local Lambda runtime invoking the step Lambdas'
 * composition for every delivery the rules make, with Lambda's retries and on-failure destination.
 *
 * Runs its own moto with DynamoDB's per-item atomicity (src/sandbox/trading/atomic-moto.py): the
 * handlers run concurrently, and stock moto lets two conditional writes to one item both pass.
 * Nothing waits on the wall clock: drainUntilIdle() runs the runtime until every queue is empty.
 */
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.ts';
import { EventBridgeBus } from '../../src/aws/eventbridge-bus.ts';
import { DynamoWorkflowStore } from '../../src/aws/workflow-store.ts';
import { createSandboxTrading, outcomesByStep, type FaultOptions, type SandboxTrading } from '../../src/entry/sandbox/trading-chain.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { startAtomicMotoServer } from '../../src/sandbox/trading/atomic-moto.ts';
import type { OnFailureRecord } from '../../src/sandbox/trading/on-failure-record.ts';
import { SandboxTradingNames } from '../../src/sandbox/trading/names.ts';
import { seededRandom } from '../../src/trading/domain/seeded-random.ts';
import { currentSessionDate } from '../../src/trading/domain/session-date.ts';
import { startWorkflow } from '../../src/trading/domain/start-workflow.ts';
import { DEFAULT_STRATEGY } from '../../src/trading/domain/strategy.ts';
import { StepError } from '../../src/trading/domain/trading-errors.ts';
import type { ConsumerName, WorkflowDeps } from '../../src/trading/domain/workflow-app.ts';
import { WorkflowState } from '../../src/trading/ports/workflow-store.ts';

const REGION = 'us-west-2';
const CONCURRENT = 20;
const ACCOUNTS = [...Array.from({ length: CONCURRENT }, (_, i) => `acct-${String(i + 1).padStart(2, '0')}`), 'fail-strategy', 'fail-portfolio', 'fail-execution', 'throws'];
let server: MotoServer;
let clients: AwsClients;
let store: DynamoWorkflowStore;
let bus: EventBridgeBus;

beforeAll(async () => {
  server = await startAtomicMotoServer({ killOnSignals: true });
  clients = createSandboxClients(server.endpoint, REGION);
  store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: SandboxTradingNames.workflowTable });
  bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: SandboxTradingNames.eventBus });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

function chain(faults: FaultOptions = {}, decorateDeps?: (consumer: ConsumerName, deps: WorkflowDeps) => WorkflowDeps): Promise<SandboxTrading> {
  return createSandboxTrading({
    clients,
    endpoint: server.endpoint,
    region: REGION,
    environment: { PAPER_ACCOUNTS: ACCOUNTS.join(','), PAPER_CASH: '100000' },
    faults,
    ...(decorateDeps ? { decorateDeps } : {}),
  });
}

async function start(accountId: string, correlationId: string) {
  const params = { accountId, asOf: currentSessionDate(new Date()).session, strategy: DEFAULT_STRATEGY, minTradeNotional: '100' };
  return startWorkflow({ store, bus, clock: { now: () => new Date() } }, { params, correlationId });
}

/** The client order ids of the account's orders, read from the paper-broker table itself. */
async function brokerOrders(dynamodb: DynamoDBClient, accountId: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: SandboxTradingNames.paperBrokerTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :order)',
        ExpressionAttributeValues: { ':pk': { S: `ACCOUNT#${accountId}` }, ':order': { S: 'ORDER#' } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => (item.sk?.S ?? '').slice('ORDER#'.length)));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return ids.sort();
}

async function failedRecords(): Promise<OnFailureRecord[]> {
  const records: OnFailureRecord[] = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: await failedQueueUrl(), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
    if (Messages.length === 0) return records;
    records.push(...Messages.map((m) => JSON.parse(m.Body ?? 'null') as OnFailureRecord));
  }
}
let failedUrl: string | undefined;
async function failedQueueUrl(): Promise<string> {
  failedUrl ??= (await chain()).topology.failedInvocationsQueue.url;
  return failedUrl;
}

describe('the trading chain on the sandbox', () => {
  it('creates the stack on moto idempotently: a second call finds every resource', async () => {
    const first = await chain();
    const second = await chain();
    expect(second.topology.created).toEqual({ workflowTable: false, paperBrokerTable: false, eventBus: false, archive: false });
    expect(second.topology.deliveries).toEqual(first.topology.deliveries);
    expect(first.topology.routes.map((r) => [r.consumer, r.consumes])).toEqual([
      ['strategy', ['WorkflowStarted']],
      ['portfolio', ['SignalGenerated']],
      ['execution', ['RebalancePlanned']],
      ['notification', ['WorkflowCompleted', 'WorkflowFailed']],
    ]);
    expect(first.topology.archive?.name).toBe('ops-trading-archive');
    expect(first.environment).toEqual({
      WORKFLOW_TABLE: 'ops-workflows',
      EVENT_BUS_NAME: 'ops-trading',
      PAPER_BROKER_TABLE: 'ops-paper-broker',
      TRADING_DEAD_LETTER_QUEUES: 'ops-trading-rule-dlq,ops-trading-failed,ops-trading-sweeper-dlq',
      EVENT_ARCHIVE_NAME: 'ops-trading-archive',
    });
  });

  it(`${CONCURRENT} workflows started at once, every delivery duplicated and shuffled: all COMPLETE with one broker order per planned trade`, async () => {
    const { runtime } = await chain({ duplicates: 2, shuffle: true, random: seededRandom(14) });
    const ids = ACCOUNTS.slice(0, CONCURRENT).map((account) => ({ account, correlationId: `wf-chain-${account}-${Date.now()}` }));
    const started = await Promise.all(ids.map(({ account, correlationId }) => start(account, correlationId)));
    expect(started.every((s) => s.created && s.published)).toBe(true);

    const drained = await runtime.drainUntilIdle();
    expect(drained.invocations).toBeGreaterThanOrEqual(CONCURRENT * 4 * 2);

    let plannedTotal = 0;
    for (const { account, correlationId } of ids) {
      const record = await store.get(correlationId);
      expect(record?.state, correlationId).toBe(WorkflowState.completed);
      const planned = (record?.plan?.orders ?? []).map((o) => o.clientOrderId).sort();
      expect(planned.length, correlationId).toBe(record?.expectedOrders);
      expect(planned.length, correlationId).toBeGreaterThan(0);
      expect(await brokerOrders(clients.dynamodb, account), correlationId).toEqual(planned);
      expect(record?.orders.map((o) => o.clientOrderId).sort(), correlationId).toEqual(planned);
      plannedTotal += planned.length;
    }
    expect(plannedTotal).toBeGreaterThanOrEqual(CONCURRENT);

    // Each step's handler ran once per workflow; every other copy was skipped by the gate (or deferred
    // while its twin held the claim, thrown as DeliveryDeferredError, and skipped on Lambda's retry).
    const counts = outcomesByStep(runtime.invocations());
    for (const step of ['strategy', 'portfolio', 'execution', 'notification']) expect(counts[step]?.handled, step).toBe(CONCURRENT);
    for (const step of ['strategy', 'portfolio', 'execution', 'notification']) expect((counts[step]?.skipped ?? 0) + (counts[step]?.threw ?? 0), step).toBeGreaterThanOrEqual(CONCURRENT);
    const threw = runtime.invocations().filter((r) => r.outcome === 'threw');
    expect(threw.every((r) => r.error?.type === 'DeliveryDeferredError'), JSON.stringify(threw.slice(0, 3))).toBe(true);
    expect(runtime.stats().sentToFailedQueue).toBe(0);
  }, 240_000);

  for (const step of ['strategy', 'portfolio', 'execution'] as const) {
    it(`a failure injected at ${step} fails the workflow there and no later step's handler runs; notification runs once`, async () => {
      const injected = new StepError('INJECTED_FAULT', `injected at ${step}`);
      const { runtime } = await chain({ duplicates: 2, shuffle: true, random: seededRandom(7) }, (consumer, deps) => {
        if (consumer !== step) return deps;
        if (step === 'strategy') return { ...deps, marketData: { history: () => Promise.reject(injected) } };
        return {
          ...deps,
          brokers: (accountId) => {
            const broker = deps.brokers(accountId);
            return step === 'portfolio' ? { ...broker, account: () => Promise.reject(injected) } : { ...broker, placeOrder: () => Promise.reject(injected) };
          },
        };
      });
      const correlationId = `wf-fail-${step}-${Date.now()}`;
      await start(`fail-${step}`, correlationId);
      await runtime.drainUntilIdle();

      const record = await store.get(correlationId);
      expect(record?.state).toBe(WorkflowState.failed);
      expect(record?.failure).toMatchObject({ step, errorCode: 'INJECTED_FAULT', reason: `injected at ${step}` });
      const order = ['strategy', 'portfolio', 'execution'];
      const counts = outcomesByStep(runtime.invocations(), correlationId);
      for (const earlier of order.slice(0, order.indexOf(step))) expect(counts[earlier]?.handled, earlier).toBe(1);
      expect(counts[step]?.failed).toBe(1);
      expect(counts[step]?.handled).toBeUndefined();
      // After the failure: no handler of a later step ran (no delivery even reached one).
      for (const later of order.slice(order.indexOf(step) + 1)) expect(counts[later], later).toBeUndefined();
      expect(counts.notification?.handled).toBe(1);
      expect(await brokerOrders(clients.dynamodb, `fail-${step}`)).toEqual([]);
    }, 120_000);
  }

  it('a handler that keeps throwing is retried twice, then its event lands in ops-trading-failed as an on-failure record', async () => {
    await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: await failedQueueUrl() }));
    const correlationId = `wf-throws-${Date.now()}`;
    const { runtime, topology } = await chain({
      intercept: (call) => {
        const detail = (call.event as { detail?: { correlationId?: string } }).detail;
        if (call.functionName === 'ops-trading-strategy' && detail?.correlationId === correlationId) throw new TypeError(`strategy crashed (attempt ${call.attempt})`);
      },
    });
    await start('throws', correlationId);
    await runtime.drainUntilIdle();

    const attempts = runtime.invocations().filter((r) => r.correlationId === correlationId);
    expect(attempts.map((r) => [r.functionName, r.attempt, r.outcome, r.sentToFailedQueue])).toEqual([
      ['ops-trading-strategy', 1, 'threw', false],
      ['ops-trading-strategy', 2, 'threw', false],
      ['ops-trading-strategy', 3, 'threw', true],
    ]);
    expect(new Set(attempts.map((r) => r.requestId)).size).toBe(1);
    const records = await failedRecords();
    expect(records).toHaveLength(1);
    const [failure] = records;
    expect(failure).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      requestContext: {
        requestId: attempts[0]?.requestId,
        functionArn: `arn:aws:lambda:${REGION}:${topology.account}:function:ops-trading-strategy:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: expect.objectContaining({ 'detail-type': 'WorkflowStarted', source: expect.stringMatching(/^ops\.trading\./) as unknown }) as unknown,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'strategy crashed (attempt 3)' },
    });
    expect((failure?.requestPayload as { detail: { correlationId: string } }).detail.correlationId).toBe(correlationId);
    // Nothing ran the step, so the workflow waits for the sweeper (or `ops workflow dlq redrive`).
    expect((await store.get(correlationId))?.state).toBe(WorkflowState.running);

    // The sweeper's run, 20 minutes on (past the 15-minute timeout): FAILED at strategy, and the
    // notification step reports it.
    const later = await createSandboxTrading({ clients, endpoint: server.endpoint, region: REGION, clock: { now: () => new Date(Date.now() + 20 * 60_000) } });
    await later.runtime.runScheduled();
    expect(later.runtime.invocations().map((r) => [r.functionName, r.outcome])).toEqual([['ops-trading-sweeper', 'returned']]);
    expect((await store.get(correlationId))?.failure).toMatchObject({ step: 'strategy', errorCode: 'WORKFLOW_TIMEOUT' });
    await later.runtime.drainUntilIdle();
    expect(outcomesByStep(later.runtime.invocations(), correlationId)).toEqual({ notification: { handled: 1 } });
  }, 120_000);
});
