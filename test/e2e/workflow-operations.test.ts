/**
 * `ops workflow abort | retry | replay | replay-status | dlq list | dlq redrive` on the sandbox, in
 * process, against a moto of its own with the trading bus, its archive, the workflow table and the
 * three dead-letter queues. The step Lambdas are the real consumers (createConsumers behind the step
 * Lambda shell, with the DynamoDB store and the EventBridge bus), fed from a queue that a rule fills
 * with every trading event: moto cannot invoke Lambda code. Broker orders are counted in one shared
 * paper broker, so "no new order" is a number, not a belief.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.ts';
import { ensureEventArchive } from '../../src/aws/event-archive.ts';
import { EventBridgeBus } from '../../src/aws/eventbridge-bus.ts';
import { DynamoWorkflowStore, ensureWorkflowTable } from '../../src/aws/workflow-store.ts';
import { createStepLambda } from '../../src/entry/lambda/trading/step-lambda.ts';
import { quotesAsOf } from '../../src/entry/wiring/local-workflow.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients, sandboxEnvironment } from '../../src/sandbox/sandbox.ts';
import { FixtureMarketData } from '../../src/trading/adapters/fixture-market-data.ts';
import { PaperBroker } from '../../src/trading/adapters/paper-broker.ts';
import { brokerDirectory } from '../../src/trading/domain/broker-directory.ts';
import { clientOrderId } from '../../src/trading/domain/client-order-id.ts';
import { EVENT_SOURCE_PREFIX } from '../../src/trading/domain/event-factory.ts';
import type { DeliveryOutcome } from '../../src/trading/domain/gate.ts';
import { createConsumers, type ConsumerName } from '../../src/trading/domain/workflow-app.ts';
import { MemoryNotifier } from '../../src/trading/ports/notifier.ts';
import { MemoryLogger } from '../../src/trading/ports/workflow-logger.ts';
import { runCli } from '../support/cli-harness.ts';
import { busRoutedToQueue, startAtomicMoto, type RoutedBus } from './workflow-sandbox.ts';

const REGION = 'us-west-2';
const TABLE = 'ops-workflows';
const BUS = 'ops-trading';
const ARCHIVE = 'ops-trading-archive';
const QUEUES = ['ops-trading-rule-dlq', 'ops-trading-failed', 'ops-trading-sweeper-dlq'] as const;
const ASOF = '2026-11-20';
const NAMES: ConsumerName[] = ['strategy', 'portfolio', 'execution', 'notification'];

let server: MotoServer;
let clients: AwsClients;
let routed: RoutedBus;
let env: Record<string, string>;
let broker: PaperBroker;
const notifier = new MemoryNotifier();
const queueUrls = new Map<string, string>();

beforeAll(async () => {
  server = await startAtomicMoto();
  clients = createSandboxClients(server.endpoint, REGION);
  await ensureWorkflowTable(clients.dynamodb, TABLE);
  routed = await busRoutedToQueue(clients, BUS);
  const busArn = `arn:aws:events:${REGION}:123456789012:event-bus/${BUS}`;
  // The archive records from now on, as the stack's does (infra/components/trading.ts).
  await ensureEventArchive(clients.eventbridge, ARCHIVE, busArn, { eventPattern: JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }] }) });
  for (const name of QUEUES) {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
    queueUrls.set(name, QueueUrl!);
  }
  const marketData = new FixtureMarketData();
  const quotes = await quotesAsOf(marketData, await marketData.symbols(), ASOF);
  broker = new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s), nonFractionable: ['GLD', 'TLT'] });
  env = { ...sandboxEnvironment(server.endpoint, REGION), WORKFLOW_TABLE: TABLE, EVENT_BUS_NAME: BUS, EVENT_ARCHIVE_NAME: ARCHIVE, TRADING_DEAD_LETTER_QUEUES: QUEUES.join(',') };
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const cli = (argv: string[]) => runCli(argv, { env, now: () => new Date() });

/** Hands every event waiting on the bus's queue to the step Lambdas that consume it, until none is left. */
async function deliverAll(): Promise<{ delivered: { type: string; eventId: string; correlationId: string }[]; outcomes: DeliveryOutcome[] }> {
  const marketData = new FixtureMarketData();
  const logger = new MemoryLogger();
  const deps = {
    store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE }),
    bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: BUS }),
    clock: { now: () => new Date() },
    logger,
    marketData,
    brokers: brokerDirectory({ main: broker }),
    notifier,
  };
  const consumers = createConsumers(deps);
  const delivered: { type: string; eventId: string; correlationId: string }[] = [];
  const outcomes: DeliveryOutcome[] = [];
  for (let round = 0; round < 30; round++) {
    const bodies = await routed.drain();
    if (bodies.length === 0) break;
    for (const body of bodies) {
      const { 'detail-type': type, detail } = body as { 'detail-type': string; detail: { eventId: string; correlationId: string } };
      delivered.push({ type, eventId: detail.eventId, correlationId: detail.correlationId });
      for (const name of NAMES) {
        const consumer = consumers[name];
        if ((consumer.consumes as readonly string[]).includes(type)) outcomes.push(await createStepLambda({ consumer, logger })(body));
      }
    }
  }
  return { delivered, outcomes };
}

async function visibleIn(queue: string): Promise<number> {
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls.get(queue), AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages);
}

describe('abort, retry and replay on the sandbox', () => {
  it('aborts a RUNNING workflow (the gate skips the rest, one email), retries it as .r2 which completes, and replays it without a new order', async () => {
    const start = await cli(['workflow', 'start', '--correlation-id', 'wf-ops-1', '--as-of', ASOF, '--json']);
    expect(start.exitCode).toBe(0);

    // WorkflowStarted is on the bus, not yet delivered: the workflow waits on strategy.
    const abort = await cli(['workflow', 'abort', 'wf-ops-1', '--reason', 'wrong universe', '--json']);
    expect(abort.exitCode).toBe(0);
    expect(abort.json()).toMatchObject({ outcome: 'aborted', state: 'FAILED', step: 'strategy', published: true, errorCode: 'WORKFLOW_ABORTED' });
    const first = await deliverAll();
    expect(first.delivered.map((d) => d.type).sort()).toEqual(['WorkflowFailed', 'WorkflowStarted']);
    expect(first.outcomes.find((o) => o.consumer === 'strategy')).toMatchObject({ status: 'skipped' });
    expect(broker.allOrders()).toHaveLength(0);
    expect(notifier.sent.map((n) => n.subject)).toEqual(['[ops] Workflow FAILED at strategy: WORKFLOW_ABORTED (wf-ops-1)']);

    const again = await cli(['workflow', 'abort', 'wf-ops-1']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('wf-ops-1 was already aborted (aborted by an operator while waiting on strategy: wrong universe); nothing changed.');
    expect(await deliverAll()).toEqual({ delivered: [], outcomes: [] });

    const retry = await cli(['workflow', 'retry', 'wf-ops-1']);
    expect(retry.exitCode).toBe(0);
    expect(retry.stdout).toBe(
      "wf-ops-1.r2 started: attempt 2 of wf-ops-1\nIt re-plans from the account's current positions; its orders get new client order ids.\nFollow it with: ops workflow status wf-ops-1.r2\n",
    );
    const second = await deliverAll();
    expect(second.outcomes.filter((o) => o.status === 'handled').map((o) => o.consumer).sort()).toEqual(['execution', 'notification', 'portfolio', 'strategy']);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE });
    const r2 = await store.get('wf-ops-1.r2');
    expect(r2).toMatchObject({ state: 'COMPLETED', params: { retry: { of: 'wf-ops-1', attempt: 2, previous: 'wf-ops-1' } } });
    const orders = broker.allOrders();
    expect(orders.length).toBe(r2?.expectedOrders);
    expect(orders.length).toBeGreaterThan(0);
    // New client order ids: they derive from the attempt's correlation id, not the original's.
    expect(orders.map((o) => o.clientOrderId).sort()).toEqual(r2?.orders.map((o) => clientOrderId('wf-ops-1.r2', o.symbol, o.side)).sort());
    expect(orders.map((o) => o.clientOrderId)).not.toContain(clientOrderId('wf-ops-1', orders[0]!.symbol, orders[0]!.side));

    const noop = await cli(['workflow', 'retry', 'wf-ops-1', '--json']);
    expect(noop.exitCode).toBe(0);
    expect(noop.json()).toMatchObject({ action: 'completed', latest: { correlationId: 'wf-ops-1.r2', attempt: 2, state: 'COMPLETED' } });
    expect(await store.get('wf-ops-1.r3')).toBeUndefined();

    const status = await cli(['workflow', 'status', 'wf-ops-1']);
    expect(status.exitCode).toBe(1);
    expect(status.stdout).toContain('  attempts: wf-ops-1 (FAILED) → wf-ops-1.r2 (COMPLETED)');
    const attemptStatus = await cli(['workflow', 'status', 'wf-ops-1.r2', '--json']);
    expect(attemptStatus.json()).toMatchObject({ state: 'COMPLETED', retryOf: { of: 'wf-ops-1', attempt: 2, previous: 'wf-ops-1' }, attempts: [{ correlationId: 'wf-ops-1' }, { correlationId: 'wf-ops-1.r2' }] });

    const lateAbort = await cli(['workflow', 'abort', 'wf-ops-1.r2']);
    expect(lateAbort.exitCode).toBe(1);
    expect(lateAbort.stdout).toBe('wf-ops-1.r2 is already COMPLETED; nothing changed.\n');

    // Replay: the archive re-delivers the events; every consumer has claimed them already.
    const ordersBefore = broker.allOrders().length;
    const emailsBefore = notifier.sent.length;
    const replay = await cli(['workflow', 'replay', 'wf-ops-1.r2', '--json']);
    expect(replay.exitCode).toBe(0);
    const replayed = replay.json() as { correlationId: string; state: string; archive: { name: string }; replay: { name: string; state: string } };
    expect(replayed).toMatchObject({ correlationId: 'wf-ops-1.r2', state: 'COMPLETED', archive: { name: ARCHIVE } });
    expect(replayed.replay.name).toMatch(/^wf-wf-ops-1\.r2-\d{8}T\d{9}Z$/);
    const redelivered = await deliverAll();
    const ofR2 = redelivered.delivered.filter((d) => d.correlationId === 'wf-ops-1.r2');
    expect(new Set(ofR2.map((d) => d.eventId)).size).toBe(second.delivered.length);
    expect(redelivered.outcomes.length).toBeGreaterThan(0);
    expect(redelivered.outcomes.filter((o) => o.status !== 'skipped')).toEqual([]);
    expect(broker.allOrders()).toHaveLength(ordersBefore);
    expect(notifier.sent).toHaveLength(emailsBefore);

    const replayStatus = await cli(['workflow', 'replay-status', replayed.replay.name]);
    expect(replayStatus.exitCode).toBe(0);
    expect(replayStatus.stdout).toContain(`Replay ${replayed.replay.name}: COMPLETED`);
  }, 120_000);

  it('says what is wrong: unknown ids, a RUNNING original, an unknown archive or replay', async () => {
    for (const command of ['retry', 'abort', 'replay']) {
      const run = await cli(['workflow', command, 'wf-nope', '--json']);
      expect(run.exitCode).toBe(2);
      expect((run.json() as { error: { code: string; message: string } }).error).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', message: `No workflow wf-nope in table "${TABLE}".` });
    }
    await cli(['workflow', 'start', '--correlation-id', 'wf-ops-run', '--as-of', ASOF]);
    const running = await cli(['workflow', 'retry', 'wf-ops-run']);
    expect(running.exitCode).toBe(2);
    expect(running.stderr).toContain('Workflow wf-ops-run is RUNNING: only a FAILED workflow is retried.');
    const noArchive = await cli(['workflow', 'replay', 'wf-ops-run', '--archive', 'no-such-archive', '--json']);
    expect(noArchive.exitCode).toBe(2);
    expect((noArchive.json() as { error: { code: string; hint: string } }).error).toMatchObject({ code: 'EVENT_ARCHIVE_MISSING', hint: expect.stringContaining('EVENT_ARCHIVE_NAME') as unknown });
    const noReplay = await cli(['workflow', 'replay-status', 'no-such-replay']);
    expect(noReplay.exitCode).toBe(2);
    expect(noReplay.stderr).toContain('No replay no-such-replay.');
    await cli(['workflow', 'abort', 'wf-ops-run']);
    await deliverAll();

    // A retry whose publish fails leaves the attempt RUNNING; the next retry publishes it.
    const noBus = await cli(['workflow', 'retry', 'wf-ops-run', '--bus', 'no-such-bus', '--json']);
    expect(noBus.exitCode).toBe(2);
    expect((noBus.json() as { error: { code: string; message: string; hint: string } }).error).toMatchObject({
      code: 'EVENT_BUS_MISSING',
      message: 'EventBridge bus "no-such-bus" does not exist: the new attempt is recorded (RUNNING) but its WorkflowStarted was not published.',
      hint: expect.stringContaining('run `ops workflow retry wf-ops-run` again') as unknown,
    });
    const healed = await cli(['workflow', 'retry', 'wf-ops-run', '--json']);
    expect(healed.exitCode).toBe(0);
    expect(healed.json()).toMatchObject({ action: 'running', latest: { correlationId: 'wf-ops-run.r2', state: 'RUNNING' } });
    expect((await routed.drain()).map((b) => (b as { detail: { type: string; correlationId: string } }).detail)).toMatchObject([{ type: 'WorkflowStarted', correlationId: 'wf-ops-run.r2' }]);
    await cli(['workflow', 'abort', 'wf-ops-run.r2']);
    await deliverAll();
  }, 60_000);
});

describe('dead-letter queues on the sandbox', () => {
  it('lists without consuming, refuses to redrive unattended, redrives the workflow events (deleting those messages) and leaves the rest', async () => {
    const start = await cli(['workflow', 'start', '--correlation-id', 'wf-ops-dlq', '--as-of', ASOF]);
    expect(start.exitCode).toBe(0);
    // The rule could not deliver WorkflowStarted: it is in the rule DLQ instead of reaching strategy.
    const [delivery] = await routed.drain();
    const eventJson = JSON.stringify(delivery);
    const eventId = (delivery as { detail: { eventId: string } }).detail.eventId;
    const attr = (value: string) => ({ DataType: 'String', StringValue: value });
    const send = (queue: string, body: string, attributes: Record<string, string> = {}) =>
      clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrls.get(queue), MessageBody: body, MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, attr(v)])) }));
    await send('ops-trading-rule-dlq', eventJson, {
      RULE_ARN: `arn:aws:events:${REGION}:123456789012:rule/${BUS}/ops-WorkflowStarted`,
      TARGET_ARN: `arn:aws:lambda:${REGION}:123456789012:function:ops-trading-strategy`,
      ERROR_CODE: 'RESOURCE_NOT_FOUND',
      ERROR_MESSAGE: 'Function not found',
    });
    // The same event also failed in the Lambda (a second copy: redriving both is harmless).
    const record = (payload: unknown, fn: string) =>
      JSON.stringify({
        version: '1.0',
        timestamp: new Date().toISOString(),
        requestContext: { requestId: 'req-1', functionArn: `arn:aws:lambda:${REGION}:123456789012:function:${fn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        requestPayload: payload,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'FaultError', errorMessage: 'throttled' },
      });
    await send('ops-trading-failed', record(delivery, 'ops-trading-strategy'));
    await send('ops-trading-failed', record({}, 'ops-trading-sweeper'));
    await send('ops-trading-sweeper-dlq', '{}', { ERROR_CODE: 'AWS.Lambda.TooManyRequestsException', ERROR_MESSAGE: 'Rate exceeded', SCHEDULE_ARN: `arn:aws:scheduler:${REGION}:123456789012:schedule/ops-trading/ops-trading-sweeper` });

    const list = await cli(['workflow', 'dlq', 'list', '--json']);
    expect(list.exitCode).toBe(1);
    const listed = list.json() as { queues: { queue: string; matched: number; withEvent: number }[]; messages: { queue: string; kind: string; event?: { type: string; correlationId: string; eventId: string }; error: { code?: string } }[]; total: number };
    expect(listed.queues.map((q) => [q.queue, q.matched, q.withEvent])).toEqual([
      ['ops-trading-rule-dlq', 1, 1],
      ['ops-trading-failed', 2, 1],
      ['ops-trading-sweeper-dlq', 1, 0],
    ]);
    expect(listed.messages.filter((m) => m.event !== undefined).map((m) => [m.queue, m.kind, m.event?.type, m.event?.correlationId, m.event?.eventId])).toEqual([
      ['ops-trading-rule-dlq', 'eventbridge-rule', 'WorkflowStarted', 'wf-ops-dlq', eventId],
      ['ops-trading-failed', 'lambda-destination', 'WorkflowStarted', 'wf-ops-dlq', eventId],
    ]);
    expect(listed.messages.find((m) => m.kind === 'scheduler')?.error.code).toBe('AWS.Lambda.TooManyRequestsException');
    // Looking consumed nothing: every message is visible again at once.
    expect(await Promise.all(QUEUES.map(visibleIn))).toEqual([1, 2, 1]);
    const text = await cli(['workflow', 'dlq', 'list', '--queue', 'ops-trading-rule-dlq']);
    expect(text.stdout).toContain('ops-trading-rule-dlq: 1 message(s), 1 with a workflow event');
    expect(text.stdout).toContain(`eventbridge-rule   WorkflowStarted wf-ops-dlq ${eventId}`);
    expect(text.stdout).toContain('RESOURCE_NOT_FOUND: Function not found');
    const filtered = await cli(['workflow', 'dlq', 'list', '--correlation-id', 'wf-other', '--json']);
    expect(filtered.exitCode).toBe(0);
    expect((filtered.json() as { total: number }).total).toBe(0);

    const unattended = await cli(['workflow', 'dlq', 'redrive']);
    expect(unattended.exitCode).toBe(2);
    expect(unattended.stderr).toContain('Not applied: ops workflow dlq redrive writes only with --yes');
    const dry = await cli(['workflow', 'dlq', 'redrive', '--dry-run', '--json']);
    expect(dry.json()).toMatchObject({ mode: 'dry-run', planned: [{ event: { eventId } }, { event: { eventId } }] });
    const asked: string[] = [];
    const declined = await runCli(['workflow', 'dlq', 'redrive'], {
      env,
      now: () => new Date(),
      stdinIsTTY: true,
      stderrIsTTY: true,
      confirm: (question) => {
        asked.push(question);
        return Promise.resolve(false);
      },
    });
    expect(declined.exitCode).toBe(1);
    expect(asked).toEqual([`Re-publish 2 event(s) to ${BUS} and delete their messages?`]);
    expect(declined.stdout).toContain('Not redriven: declined. Nothing was published or deleted.');
    const tooMany = await cli(['workflow', 'dlq', 'redrive', '--yes', '--max-changes', '1']);
    expect(tooMany.exitCode).toBe(2);
    expect(await Promise.all(QUEUES.map(visibleIn))).toEqual([1, 2, 1]);

    const redrive = await cli(['workflow', 'dlq', 'redrive', '--yes', '--json']);
    expect(redrive.exitCode).toBe(1); // two messages without a workflow event stay for a person
    const done = redrive.json() as { mode: string; results: { queue: string; outcome: string; event?: { eventId: string } }[] };
    expect(done.mode).toBe('applied');
    expect(done.results.map((r) => [r.queue, r.outcome]).sort()).toEqual([
      ['ops-trading-failed', 'left'],
      ['ops-trading-failed', 'redriven'],
      ['ops-trading-rule-dlq', 'redriven'],
      ['ops-trading-sweeper-dlq', 'left'],
    ]);
    expect(await Promise.all(QUEUES.map(visibleIn))).toEqual([0, 1, 1]);

    // The redriven WorkflowStarted (twice) runs the workflow once.
    const ordersBefore = broker.allOrders().length;
    const run = await deliverAll();
    expect(run.delivered.filter((d) => d.type === 'WorkflowStarted').map((d) => d.eventId)).toEqual([eventId, eventId]);
    expect(run.outcomes.filter((o) => o.status === 'handled' && o.consumer === 'strategy')).toHaveLength(1);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE });
    const finished = await store.get('wf-ops-dlq');
    expect(finished?.state).toBe('COMPLETED');
    expect(broker.allOrders().length - ordersBefore).toBe(finished?.orders.length);

    const after = await cli(['workflow', 'dlq', 'redrive', '--yes']);
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain('0 event(s) to re-publish');
    expect(after.stdout).toContain('Nothing to redrive.');
  }, 120_000);

  it('names a queue that does not exist (exit 2)', async () => {
    const run = await cli(['workflow', 'dlq', 'list', '--queue', 'no-such-queue', '--json']);
    expect(run.exitCode).toBe(2);
    expect((run.json() as { error: { code: string; message: string } }).error).toMatchObject({ code: 'DEAD_LETTER_QUEUE_MISSING', message: expect.stringContaining('SQS queue "no-such-queue" does not exist') as unknown });
  });
});
