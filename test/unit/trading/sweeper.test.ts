import { describe, expect, it } from 'vitest';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { sweepWorkflows } from '../../../src/trading/domain/sweeper.ts';
import { finishAndPublish } from '../../../src/trading/domain/terminal.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { RecordingBus } from './delivery-harness.ts';
import { completedOutcome } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const T0 = new Date('2026-11-23T15:00:00Z');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

function world() {
  let now = T0;
  const clock = { now: () => now };
  return { store: new MemoryWorkflowStore(), bus: new RecordingBus(), logger: new MemoryLogger(), clock, setNow: (d: Date) => (now = d) };
}

describe('sweepWorkflows', () => {
  it('fails workflows RUNNING past the timeout at the step they wait on, and leaves younger ones alone', async () => {
    const w = world();
    await startWorkflow(w, { params: PARAMS, correlationId: 'wf-old' });
    await w.store.recordStep('wf-old', 'strategy', { completedAt: minutes(1), summary: {} });
    w.setNow(minutes(10));
    await startWorkflow(w, { params: PARAMS, correlationId: 'wf-young' });
    w.setNow(minutes(16));

    const report = await sweepWorkflows(w, { timeoutMs: 15 * 60_000 });

    expect(report.timedOut).toEqual([{ correlationId: 'wf-old', step: 'portfolio', ageMs: 16 * 60_000 }]);
    expect(await w.store.get('wf-old')).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'WORKFLOW_TIMEOUT' } });
    expect((await w.store.get('wf-old'))?.failure?.reason).toMatch(/still RUNNING 16 min after start \(limit 15 min\), waiting on portfolio/);
    expect((await w.store.get('wf-young'))?.state).toBe('RUNNING');
    expect(w.bus.ofType(EventType.workflowFailed).map((e) => e.correlationId)).toEqual(['wf-old']);
    // Handed to the bus; the notification consumer's claim, not the sweeper, marks it delivered.
    expect((await w.store.get('wf-old'))?.terminalPublishedAt).toBeUndefined();
    // wf-young's WorkflowStarted was never claimed by the strategy step: relayed, like any unclaimed step event.
    expect(report.relayed).toEqual([{ correlationId: 'wf-young', type: 'WorkflowStarted', eventId: expect.any(String) as string }]);
  });

  it('loses gracefully to a handler that finished the workflow first', async () => {
    const w = world();
    await startWorkflow(w, { params: PARAMS, correlationId: 'wf-race' });
    w.setNow(minutes(20));
    const stale = await w.store.list({ state: 'RUNNING' });
    await w.store.finish('wf-race', completedOutcome(stale[0]!, minutes(20)), minutes(20));
    // The sweeper read the list before the handler's write landed.
    const racing = { ...w, store: Object.assign(Object.create(w.store) as MemoryWorkflowStore, { list: async () => stale }) };
    const report = await sweepWorkflows(racing, { timeoutMs: 15 * 60_000, relayLookbackMs: 0 });
    expect(report.timedOut).toEqual([]);
    expect(report.lostRaces).toEqual(['wf-race']);
    expect((await w.store.get('wf-race'))?.state).toBe('COMPLETED');
    expect(w.bus.ofType(EventType.workflowFailed)).toEqual([]);
  });

  it('re-publishes a terminal event whose publication was lost (the outbox relay), once', async () => {
    const w = world();
    await startWorkflow(w, { params: PARAMS, correlationId: 'wf-lost' });
    w.setNow(minutes(1));
    const record = (await w.store.get('wf-lost'))!;
    w.bus.failNext = 1;
    const result = await finishAndPublish(w, 'wf-lost', completedOutcome(record, minutes(1)));
    expect(result).toMatchObject({ won: true, published: false });
    expect(w.bus.ofType(EventType.workflowCompleted)).toHaveLength(0);
    expect(w.logger.lines.at(-1)?.message).toMatch(/publishing WorkflowCompleted failed; the sweeper will re-publish it/);

    w.setNow(minutes(2));
    expect((await sweepWorkflows(w, { republishAfterMs: 2 * 60_000 })).republished).toEqual([]);
    w.setNow(minutes(3));
    expect((await sweepWorkflows(w, { republishAfterMs: 2 * 60_000 })).republished).toEqual(['wf-lost']);
    expect(w.bus.ofType(EventType.workflowCompleted).map((e) => e.eventId)).toEqual([(await w.store.get('wf-lost'))!.terminalEvent!.eventId]);
    expect((await w.store.get('wf-lost'))?.terminalPublishedAt).toEqual(minutes(3));
    expect((await sweepWorkflows(w, { republishAfterMs: 2 * 60_000 })).republished).toEqual([]);
  });
});
