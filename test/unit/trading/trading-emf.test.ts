/**
 * The trading Lambdas' metrics as CloudWatch sees them: the shells (step-lambda.ts, sweep-handler.ts)
 * write through Powertools Metrics, and these tests parse the EMF documents on stdout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventType, type WorkflowEvent, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { failWorkflow } from '../../../src/trading/domain/terminal.ts';
import { createConsumers } from '../../../src/trading/domain/workflow-app.ts';
import { toEventBridgeLambdaEvent } from '../../../src/trading/ports/eventbridge-envelope.ts';
import type { DeliveryOutcome } from '../../../src/trading/domain/gate.ts';
import type { TradingMetricDatum } from '../../../src/trading/domain/metric-contract.ts';
import { createStepLambda } from '../../../src/entry/lambda/trading/step-lambda.ts';
import { createSweepHandler, workflowTimeoutMs } from '../../../src/entry/lambda/trading/sweep-handler.ts';
import { createTradingMetrics, lambdaTradingMetrics, powertoolsTradingSink, tradingMetricsNamespace } from '../../../src/entry/lambda/trading/trading-metrics.ts';
import type { WorkflowStore } from '../../../src/trading/ports/workflow-store.ts';
import { captureOutput, emfMetrics, type OutputCapture } from '../healthcheck/output-capture.ts';
import { fixtureMarketData, RecordingBus } from './delivery-harness.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const IDS = { id: 'eb-1', account: '123456789012', region: 'us-east-1' };
// Monday 2026-11-23, 10:00 in New York: the NYSE is open.
const T0 = new Date('2026-11-23T15:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

let stdout: OutputCapture | undefined;
afterEach(() => {
  stdout?.restore();
  stdout = undefined;
  vi.unstubAllEnvs();
});

async function world() {
  let now = T0;
  const clock = { now: () => now, set: (d: Date) => (now = d) };
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  const logger = new MemoryLogger();
  const deps = { store, bus, clock, logger, marketData: await fixtureMarketData(), brokers: () => { throw new Error('no broker needed'); }, notifier: new MemoryNotifier() };
  await startWorkflow(deps, { params: PARAMS, correlationId: 'wf-emf' });
  return { ...deps, consumers: createConsumers(deps), started: bus.published[0]! };
}

/** A shell clock that answers the given instants in turn: receivedAt, then finishedAt. */
const readings = (...instants: Date[]) => {
  const queue = [...instants];
  return () => queue.shift() ?? instants[instants.length - 1]!;
};

const deliver = (event: WorkflowEvent) => toEventBridgeLambdaEvent(event, IDS);

describe('the step Lambda shell’s EMF', () => {
  it('writes StepLatency (event → result) and StepDuration by Step, in milliseconds, once per handled delivery', async () => {
    const w = await world();
    const metrics = powertoolsTradingSink(createTradingMetrics('Ops/Trading'));
    const handler = createStepLambda({ consumer: w.consumers.strategy, logger: w.logger, metrics, now: readings(at(1_000), at(2_500)) });
    stdout = captureOutput();

    expect(await handler(deliver(w.started))).toMatchObject({ status: 'handled' });
    expect(await handler(deliver(w.started))).toMatchObject({ status: 'skipped', reason: 'duplicate' });

    const docs = stdout.emf();
    expect(docs).toHaveLength(1);
    expect(emfMetrics(docs)).toEqual([
      { name: 'StepLatency', unit: 'Milliseconds', value: 2_500, namespace: 'Ops/Trading', dimensionNames: [['service', 'Step']], dimensions: { service: 'ops-trading', Step: 'strategy' } },
      { name: 'StepDuration', unit: 'Milliseconds', value: 1_500, namespace: 'Ops/Trading', dimensionNames: [['service', 'Step']], dimensions: { service: 'ops-trading', Step: 'strategy' } },
    ]);
  });

  it('writes a failed workflow’s outcome once, when the notification consumer handles WorkflowFailed', async () => {
    const w = await world();
    w.clock.set(at(4_000));
    const record = (await w.store.get('wf-emf'))!;
    await failWorkflow(w, record, { step: 'portfolio', reason: 'no closes for 2026-11-20', errorCode: 'STALE_MARKET_DATA' }, 'evt-cause', 'portfolio');
    const failed = w.bus.ofType(EventType.workflowFailed)[0]!;
    const handler = createStepLambda({
      consumer: w.consumers.notification,
      logger: w.logger,
      metrics: powertoolsTradingSink(createTradingMetrics('Ops/Trading')),
      now: readings(at(4_100), at(4_300), at(9_000), at(9_100)),
    });
    stdout = captureOutput();

    expect(await handler(deliver(failed))).toMatchObject({ status: 'handled', consumer: 'notification' });
    // The relay or EventBridge delivers it again: the gate skips it, and nothing is counted twice.
    expect(await handler(deliver(failed))).toMatchObject({ status: 'skipped', reason: 'duplicate' });

    const docs = stdout.emf();
    // One document per dimension set: Step, service only, State, FailureCode.
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([[['service', 'Step']], [['service']], [['service', 'State']], [['service', 'FailureCode']]]);
    expect(emfMetrics(docs).map((m) => [m.name, m.unit, m.value, m.dimensions])).toEqual([
      ['StepLatency', 'Milliseconds', 300, { service: 'ops-trading', Step: 'notification' }],
      ['StepDuration', 'Milliseconds', 200, { service: 'ops-trading', Step: 'notification' }],
      ['WorkflowsCompleted', 'Count', 0, { service: 'ops-trading' }],
      ['WorkflowsFailed', 'Count', 1, { service: 'ops-trading' }],
      ['WorkflowsFailedWhileMarketOpen', 'Count', 1, { service: 'ops-trading' }],
      ['WorkflowDuration', 'Milliseconds', 4_000, { service: 'ops-trading', State: 'FAILED' }],
      ['WorkflowsFailed', 'Count', 1, { service: 'ops-trading', FailureCode: 'STALE_MARKET_DATA' }],
    ]);
  });

  it('writes nothing for a step that failed the workflow: the failure is counted from its WorkflowFailed', async () => {
    const w = await world();
    const recorded: TradingMetricDatum[][] = [];
    const failing = Object.assign(async (): Promise<DeliveryOutcome> => ({ status: 'failed', consumer: 'strategy', errorCode: 'INVALID_STRATEGY', won: true }), {
      consumer: 'strategy',
      consumes: [EventType.workflowStarted],
    });
    const handler = createStepLambda({ consumer: failing, logger: w.logger, metrics: (data) => recorded.push([...data]) });
    expect(await handler(deliver(w.started))).toMatchObject({ status: 'failed', errorCode: 'INVALID_STRATEGY' });
    expect(recorded).toEqual([[]]);
  });

  it('still returns the outcome when the metrics cannot be written, and logs why', async () => {
    const w = await world();
    const handler = createStepLambda({
      consumer: w.consumers.strategy,
      logger: w.logger,
      metrics: () => {
        throw new Error('stdout closed');
      },
    });
    expect(await handler(deliver(w.started))).toMatchObject({ status: 'handled' });
    expect(w.logger.lines.find((l) => l.level === 'warn')).toMatchObject({ message: 'could not write the metrics of strategy', fields: { error: 'stdout closed' } });
  });

  it('writes nothing with POWERTOOLS_METRICS_DISABLED=true (a local runtime running these handlers in-process)', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const w = await world();
    const handler = createStepLambda({ consumer: w.consumers.strategy, logger: w.logger, metrics: lambdaTradingMetrics({}) });
    stdout = captureOutput();
    expect(await handler(deliver(w.started))).toMatchObject({ status: 'handled' });
    expect(stdout.emf()).toEqual([]);
  });

  it('reads the namespace from METRICS_NAMESPACE, Ops/Trading by default', async () => {
    expect(tradingMetricsNamespace({})).toBe('Ops/Trading');
    expect(tradingMetricsNamespace({ METRICS_NAMESPACE: ' ' })).toBe('Ops/Trading');
    expect(tradingMetricsNamespace({ METRICS_NAMESPACE: 'Acme/Trading' })).toBe('Acme/Trading');
    const w = await world();
    const handler = createStepLambda({ consumer: w.consumers.strategy, logger: w.logger, metrics: lambdaTradingMetrics({ METRICS_NAMESPACE: 'Acme/Trading' }) });
    stdout = captureOutput();
    await handler(deliver(w.started));
    expect(new Set(emfMetrics(stdout.emf()).map((m) => m.namespace))).toEqual(new Set(['Acme/Trading']));
  });
});

describe('the sweeper Lambda’s EMF', () => {
  const minutes = (m: number) => at(m * 60_000);

  async function sweeperWorld(store: WorkflowStore = new MemoryWorkflowStore()) {
    let now = T0;
    const clock = { now: () => now, set: (d: Date) => (now = d) };
    const deps = { store, bus: new RecordingBus(), clock, logger: new MemoryLogger() };
    await startWorkflow(deps, { params: PARAMS, correlationId: 'wf-old' });
    clock.set(minutes(14));
    await startWorkflow(deps, { params: PARAMS, correlationId: 'wf-young' });
    clock.set(minutes(20));
    return deps;
  }

  it('times out the stuck workflow and reports what still runs, aged from the instant before the sweep', async () => {
    const deps = await sweeperWorld();
    stdout = captureOutput();
    const report = await createSweepHandler(deps, { timeoutMs: 15 * 60_000, metrics: powertoolsTradingSink(createTradingMetrics('Ops/Trading')) })();

    expect(report.timedOut.map((t) => t.correlationId)).toEqual(['wf-old']);
    const docs = stdout.emf();
    expect(docs).toHaveLength(1);
    expect(emfMetrics(docs).map((m) => [m.name, m.unit, m.value, m.dimensions])).toEqual([
      ['RunningWorkflows', 'Count', 1, { service: 'ops-trading' }],
      ['OldestRunningAge', 'Seconds', 6 * 60, { service: 'ops-trading' }],
      ['WorkflowsTimedOut', 'Count', 1, { service: 'ops-trading' }],
      ['TerminalEventsRepublished', 'Count', 0, { service: 'ops-trading' }],
    ]);
  });

  it('reports an age above the timeout when the sweep could not fail a workflow (the alarm’s case)', async () => {
    const store = new MemoryWorkflowStore();
    // The conditional write never wins (a broken store, or a bug): the workflow stays RUNNING.
    const stuck: WorkflowStore = Object.assign(Object.create(store) as WorkflowStore, { finish: async () => ({ won: false, record: undefined }) });
    const deps = await sweeperWorld(stuck);
    const recorded: TradingMetricDatum[] = [];
    await createSweepHandler(deps, { timeoutMs: 15 * 60_000, metrics: (data) => recorded.push(...data) })();
    expect(recorded.find((d) => d.name === 'OldestRunningAge')?.value).toBe(20 * 60);
    expect(recorded.find((d) => d.name === 'RunningWorkflows')?.value).toBe(2);
  });

  it('still sees a workflow past the timeout when the RUNNING listing is cut at its limit', async () => {
    const store = new MemoryWorkflowStore();
    const stuck: WorkflowStore = Object.assign(Object.create(store) as WorkflowStore, { finish: async () => ({ won: false, record: undefined }) });
    const deps = await sweeperWorld(stuck);
    const recorded: TradingMetricDatum[] = [];
    await createSweepHandler(deps, { timeoutMs: 15 * 60_000, runningLimit: 1, metrics: (data) => recorded.push(...data) })();
    // The newest (wf-young, 6 min) fills the listing; the stale query adds wf-old.
    expect(recorded.find((d) => d.name === 'OldestRunningAge')?.value).toBe(20 * 60);
  });

  it('sweeps and returns the report without metrics when listing fails, and logs it', async () => {
    const deps = await sweeperWorld();
    const list = deps.store.list.bind(deps.store);
    // The sweep's own listings pass; the measurement after it (recognised by its limit) fails.
    deps.store.list = async (query) => {
      if (query?.limit === 777) throw new Error('throttled');
      return list(query);
    };
    const recorded: TradingMetricDatum[][] = [];
    const report = await createSweepHandler(deps, { timeoutMs: 15 * 60_000, runningLimit: 777, metrics: (data) => recorded.push([...data]) })();
    expect(report.timedOut).toHaveLength(1);
    expect(recorded).toEqual([]);
    expect(deps.logger.lines.find((l) => l.level === 'warn' && l.message.includes('could not measure'))).toBeDefined();
  });

  it('takes WORKFLOW_TIMEOUT_MINUTES, 15 by default and for nonsense', () => {
    expect(workflowTimeoutMs({})).toBe(15 * 60_000);
    expect(workflowTimeoutMs({ WORKFLOW_TIMEOUT_MINUTES: '30' })).toBe(30 * 60_000);
    expect(workflowTimeoutMs({ WORKFLOW_TIMEOUT_MINUTES: '-1' })).toBe(15 * 60_000);
    expect(workflowTimeoutMs({ WORKFLOW_TIMEOUT_MINUTES: 'soon' })).toBe(15 * 60_000);
  });
});
