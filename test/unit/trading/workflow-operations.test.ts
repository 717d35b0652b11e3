/** retry and abort over the memory store: the decisions, the links, and what reaches the bus. */
import { describe, expect, it } from 'vitest';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { abortWorkflow, AbortOutcome } from '../../../src/trading/domain/abort.ts';
import { attemptId, MAX_ATTEMPTS, retryLinks, retryWorkflow, RetryAction } from '../../../src/trading/domain/retry.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { workflowView } from '../../../src/trading/domain/status.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { UserError } from '../../../src/errors.ts';
import { RecordingBus } from './delivery-harness.ts';
import { completedOutcome, failedOutcome } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const T0 = new Date('2026-11-23T15:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function setup() {
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  let now = T0;
  const deps = { store, bus, clock: { now: () => now }, logger: new MemoryLogger() };
  return { store, bus, deps, setNow: (d: Date) => void (now = d) };
}

async function failed(store: MemoryWorkflowStore, id: string, when = at(1)) {
  const record = (await store.get(id))!;
  await store.finish(id, failedOutcome(record, when), when);
}

async function rejects(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('retryWorkflow', () => {
  it('creates <id>.r2 from a FAILED original with the same parameters and the link, and publishes its WorkflowStarted', async () => {
    const { store, bus, deps, setNow } = setup();
    await startWorkflow(deps, { correlationId: 'wf-a', params: PARAMS });
    await failed(store, 'wf-a');
    setNow(at(5));
    const result = await retryWorkflow(deps, 'wf-a');
    expect(result).toEqual({
      action: RetryAction.created,
      requested: 'wf-a',
      original: 'wf-a',
      latest: { correlationId: 'wf-a.r2', attempt: 2, state: 'RUNNING' },
      attempts: [
        { correlationId: 'wf-a', attempt: 1, state: 'FAILED' },
        { correlationId: 'wf-a.r2', attempt: 2, state: 'RUNNING' },
      ],
    });
    const attempt = await store.get('wf-a.r2');
    expect(attempt).toMatchObject({ state: 'RUNNING', startedAt: at(5), params: { ...PARAMS, retry: { of: 'wf-a', attempt: 2, previous: 'wf-a' } } });
    const started = bus.ofType(EventType.workflowStarted, 'wf-a.r2');
    expect(started).toHaveLength(1);
    expect(started[0]?.detail).toEqual({ ...PARAMS, retry: { of: 'wf-a', attempt: 2, previous: 'wf-a' } });
    // The original is untouched: a finished workflow never changes.
    expect((await store.get('wf-a'))?.state).toBe('FAILED');
  });

  it('is idempotent: a RUNNING latest attempt gets its WorkflowStarted again (same event id), a COMPLETED one nothing', async () => {
    const { store, bus, deps } = setup();
    await startWorkflow(deps, { correlationId: 'wf-b', params: PARAMS });
    await failed(store, 'wf-b');
    await retryWorkflow(deps, 'wf-b');
    const again = await retryWorkflow(deps, 'wf-b');
    expect(again).toMatchObject({ action: RetryAction.running, latest: { correlationId: 'wf-b.r2', attempt: 2, state: 'RUNNING' } });
    // Asked through the attempt itself: the same answer.
    expect(await retryWorkflow(deps, 'wf-b.r2')).toMatchObject({ action: RetryAction.running, original: 'wf-b', latest: { correlationId: 'wf-b.r2' } });
    const started = bus.ofType(EventType.workflowStarted, 'wf-b.r2');
    expect(started).toHaveLength(3);
    expect(new Set(started.map((e) => e.eventId)).size).toBe(1);
    expect(await store.get('wf-b.r3')).toBeUndefined();

    const r2 = (await store.get('wf-b.r2'))!;
    await store.finish('wf-b.r2', completedOutcome(r2, at(2)), at(2));
    expect(await retryWorkflow(deps, 'wf-b')).toMatchObject({ action: RetryAction.completed, latest: { correlationId: 'wf-b.r2', state: 'COMPLETED' } });
    expect(bus.ofType(EventType.workflowStarted, 'wf-b.r2')).toHaveLength(3);
  });

  it('chains attempts on the original: a FAILED .r2 gets .r3, linked to .r2', async () => {
    const { store, deps } = setup();
    await startWorkflow(deps, { correlationId: 'wf-c', params: PARAMS });
    await failed(store, 'wf-c');
    await retryWorkflow(deps, 'wf-c');
    await failed(store, 'wf-c.r2', at(3));
    const third = await retryWorkflow(deps, 'wf-c.r2');
    expect(third.latest).toEqual({ correlationId: 'wf-c.r3', attempt: 3, state: 'RUNNING' });
    expect((await store.get('wf-c.r3'))?.params.retry).toEqual({ of: 'wf-c', attempt: 3, previous: 'wf-c.r2' });
    // Status shows the link both ways.
    const original = workflowView((await store.get('wf-c'))!, at(4));
    expect(await retryLinks(store, original)).toEqual([
      { correlationId: 'wf-c', attempt: 1, state: 'FAILED' },
      { correlationId: 'wf-c.r2', attempt: 2, state: 'FAILED' },
      { correlationId: 'wf-c.r3', attempt: 3, state: 'RUNNING' },
    ]);
    const attemptView = workflowView((await store.get('wf-c.r3'))!, at(4));
    expect(attemptView.retryOf).toEqual({ of: 'wf-c', attempt: 3, previous: 'wf-c.r2' });
    expect((await retryLinks(store, attemptView))?.map((a) => a.correlationId)).toEqual(['wf-c', 'wf-c.r2', 'wf-c.r3']);
  });

  it('refuses an original that is RUNNING or COMPLETED, and an unknown id, writing nothing', async () => {
    const { store, bus, deps } = setup();
    await startWorkflow(deps, { correlationId: 'wf-run', params: PARAMS });
    const running = await rejects(retryWorkflow(deps, 'wf-run'));
    expect(running.code).toBe('WORKFLOW_NOT_FAILED');
    expect(running.message).toBe('Workflow wf-run is RUNNING: only a FAILED workflow is retried.');
    expect(running.hint).toContain('ops workflow abort wf-run');
    const record = (await store.get('wf-run'))!;
    await store.finish('wf-run', completedOutcome(record, at(1)), at(1));
    expect((await rejects(retryWorkflow(deps, 'wf-run'))).hint).toContain('nothing to retry');
    expect((await rejects(retryWorkflow(deps, 'wf-nope'))).code).toBe('WORKFLOW_NOT_FOUND');
    expect(await store.get('wf-run.r2')).toBeUndefined();
    expect(bus.published).toHaveLength(1);
  });

  it('refuses when the next id is taken by an unrelated workflow, and after MAX_ATTEMPTS', async () => {
    const { store, deps } = setup();
    await startWorkflow(deps, { correlationId: 'wf-d', params: PARAMS });
    await failed(store, 'wf-d');
    await startWorkflow(deps, { correlationId: 'wf-d.r2', params: PARAMS });
    expect((await rejects(retryWorkflow(deps, 'wf-d'))).code).toBe('RETRY_ID_TAKEN');

    await startWorkflow(deps, { correlationId: 'wf-e', params: PARAMS });
    await failed(store, 'wf-e');
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await retryWorkflow(deps, 'wf-e');
      expect(result.latest.correlationId).toBe(attemptId('wf-e', attempt));
      await failed(store, result.latest.correlationId);
    }
    const limit = await rejects(retryWorkflow(deps, 'wf-e'));
    expect(limit.code).toBe('RETRY_LIMIT');
    expect(limit.message).toBe(`Workflow wf-e was already tried ${MAX_ATTEMPTS} times.`);
  });
});

describe('abortWorkflow', () => {
  it('fails a RUNNING workflow at the step it waits on, with WORKFLOW_ABORTED, and publishes WorkflowFailed once', async () => {
    const { store, bus, deps, setNow } = setup();
    await startWorkflow(deps, { correlationId: 'wf-x', params: PARAMS });
    await store.recordStep('wf-x', 'strategy', { completedAt: at(1), summary: {} });
    setNow(at(3));
    const result = await abortWorkflow(deps, 'wf-x', '  wrong universe  ');
    expect(result).toEqual({
      correlationId: 'wf-x',
      outcome: AbortOutcome.aborted,
      state: 'FAILED',
      step: 'portfolio',
      published: true,
      errorCode: 'WORKFLOW_ABORTED',
      reason: 'aborted by an operator while waiting on portfolio: wrong universe',
    });
    expect(await store.get('wf-x')).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'WORKFLOW_ABORTED' }, finishedAt: at(3) });
    const [event] = bus.ofType(EventType.workflowFailed, 'wf-x');
    expect(event).toMatchObject({ source: 'ops.trading.operator', detail: { step: 'portfolio', errorCode: 'WORKFLOW_ABORTED', durationMs: 3 * 60_000 } });
    // Handed to the bus; the notification consumer's claim marks it delivered.
    expect((await store.get('wf-x'))?.terminalPublishedAt).toBeUndefined();

    // Again: already aborted, nothing new on the bus.
    expect(await abortWorkflow(deps, 'wf-x')).toMatchObject({ outcome: AbortOutcome.alreadyAborted, state: 'FAILED', step: 'portfolio' });
    expect(bus.ofType(EventType.workflowFailed)).toHaveLength(1);
  });

  it('changes nothing on a finished workflow, reports an unknown one, and keeps the outbox when the bus is down', async () => {
    const { store, bus, deps } = setup();
    await startWorkflow(deps, { correlationId: 'wf-done', params: PARAMS });
    const record = (await store.get('wf-done'))!;
    await store.finish('wf-done', completedOutcome(record, at(1)), at(1));
    expect(await abortWorkflow(deps, 'wf-done')).toEqual({ correlationId: 'wf-done', outcome: AbortOutcome.finished, state: 'COMPLETED' });
    expect(await abortWorkflow(deps, 'wf-gone')).toEqual({ correlationId: 'wf-gone', outcome: AbortOutcome.notFound });

    await startWorkflow(deps, { correlationId: 'wf-y', params: PARAMS });
    bus.failNext = 1;
    const result = await abortWorkflow(deps, 'wf-y');
    expect(result).toMatchObject({ outcome: AbortOutcome.aborted, step: 'strategy', published: false });
    const stored = await store.get('wf-y');
    expect(stored?.terminalEvent?.type).toBe('WorkflowFailed');
    expect(stored?.terminalPublishedAt).toBeUndefined();
  });
});
