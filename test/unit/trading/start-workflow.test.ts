import { describe, expect, it } from 'vitest';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { newCorrelationId, startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { InvalidEventError } from '../../../src/trading/domain/trading-errors.ts';
import { RecordingBus } from './delivery-harness.ts';
import { completedOutcome } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const NOW = new Date('2026-11-23T15:00:00.456Z');

describe('startWorkflow', () => {
  it('creates the RUNNING record, publishes WorkflowStarted and returns the id at once', async () => {
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const result = await startWorkflow({ store, bus, clock: { now: () => NOW }, randomSuffix: () => 'beef' }, { params: PARAMS });
    expect(result).toEqual({ correlationId: 'wf-20261123T150000Z-beef', created: true, state: 'RUNNING', published: true });
    expect(await store.get(result.correlationId)).toMatchObject({ state: 'RUNNING', params: PARAMS, startedAt: NOW });
    expect(bus.published).toHaveLength(1);
    expect(bus.published[0]).toMatchObject({ type: 'WorkflowStarted', correlationId: result.correlationId, causationId: result.correlationId, detail: PARAMS });
  });

  it('is idempotent per correlation id: a RUNNING workflow gets the same WorkflowStarted again, a finished one nothing', async () => {
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const deps = { store, bus, clock: { now: () => NOW } };
    await startWorkflow(deps, { params: PARAMS, correlationId: 'wf-x' });
    const again = await startWorkflow({ ...deps, clock: { now: () => new Date(NOW.getTime() + 60_000) } }, { params: { ...PARAMS, accountId: 'other' }, correlationId: 'wf-x' });
    expect(again).toEqual({ correlationId: 'wf-x', created: false, state: 'RUNNING', published: true });
    const [first, second] = bus.ofType(EventType.workflowStarted);
    expect(second).toEqual(first);
    await store.finish('wf-x', completedOutcome((await store.get('wf-x'))!, NOW), NOW);
    expect(await startWorkflow(deps, { params: PARAMS, correlationId: 'wf-x' })).toEqual({ correlationId: 'wf-x', created: false, state: 'COMPLETED', published: false });
    expect(bus.published).toHaveLength(2);
  });

  it('refuses invalid parameters and correlation ids before writing anything', async () => {
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    const deps = { store, bus, clock: { now: () => NOW } };
    await expect(startWorkflow(deps, { params: { ...PARAMS, minTradeNotional: '1e2' } })).rejects.toBeInstanceOf(InvalidEventError);
    await expect(startWorkflow(deps, { params: PARAMS, correlationId: 'wf#1' })).rejects.toThrow(/correlation id/);
    expect(await store.list()).toEqual([]);
    expect(bus.published).toEqual([]);
  });

  it('generates sortable ids from the clock', () => {
    expect(newCorrelationId(new Date('2026-01-02T03:04:05.678Z'), () => '0a0b0c0d')).toBe('wf-20260102T030405Z-0a0b0c0d');
    expect(newCorrelationId(NOW)).toMatch(/^wf-20261123T150000Z-[0-9a-f]{8}$/);
  });
});
