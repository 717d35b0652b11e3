import { describe, expect, it } from 'vitest';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { RELAYED_CONSUMER, unclaimedEvents } from '../../../src/trading/domain/outbox-relay.ts';
import { startedEvent, startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { sweepWorkflows } from '../../../src/trading/domain/sweeper.ts';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { createStepHandlers } from '../../../src/trading/domain/workflow-app.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { WorkflowState } from '../../../src/trading/ports/workflow-store.ts';
import { RecordingBus } from './delivery-harness.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
const T0 = new Date('2026-11-23T15:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

async function startedWithSignal() {
  const store = new MemoryWorkflowStore();
  const bus = new RecordingBus();
  await startWorkflow({ store, bus, clock: { now: () => T0 } }, { params: PARAMS, correlationId: 'wf-relay' });
  const record = (await store.get('wf-relay'))!;
  const claim = await store.claimDelivery({ consumer: 'strategy', eventId: startedEvent(record).eventId, correlationId: 'wf-relay' }, at(10), 90_000, WorkflowState.running);
  if (claim.status !== 'claimed') throw new Error('expected a claim');
  const signal = makeEvent(EventType.signalGenerated, { correlationId: 'wf-relay', causationId: startedEvent(record).eventId, producer: 'strategy', occurredAt: at(20) }, { strategy: 'fixed', asOf: '2026-11-20', targets: [{ symbol: 'SPY', weight: '1' }] });
  // The strategy step stored its result and its event, then its process died before publishing.
  await store.recordStep('wf-relay', 'strategy', { completedAt: at(20), summary: {} }, { outbox: [signal], claim: claim.claim });
  return { store, bus, signal };
}

describe('the outbox relay', () => {
  it('names, for each relayed event type, the consumer whose handler consumes it', () => {
    const untouchable = new Proxy({}, { get: () => { throw new Error('not for listing'); } }) as never;
    const handlers = createStepHandlers({ marketData: untouchable, brokers: untouchable, notifier: untouchable });
    for (const [type, consumer] of Object.entries(RELAYED_CONSUMER)) {
      expect(Object.values(handlers).filter((h) => h.runsWhen === 'running' && h.consumes.includes(type as EventType)).map((h) => h.name)).toEqual([consumer]);
    }
    // Every event a running step consumes can be relayed.
    for (const handler of Object.values(handlers).filter((h) => h.runsWhen === 'running')) for (const type of handler.consumes) expect(RELAYED_CONSUMER[type]).toBe(handler.name);
  });

  it('finds the stored event no consumer claimed, only once it is overdue, and not once it is claimed', async () => {
    const { store, signal } = await startedWithSignal();
    const record = (await store.get('wf-relay'))!;
    expect(unclaimedEvents(record, at(20 + 119_999), 120_000)).toEqual([]);
    expect(unclaimedEvents(record, at(20 + 120_000), 120_000)).toEqual([signal]);
    await store.claimDelivery({ consumer: 'portfolio', eventId: signal.eventId, correlationId: 'wf-relay' }, at(200_000), 90_000, WorkflowState.running);
    expect(unclaimedEvents((await store.get('wf-relay'))!, at(300_000), 120_000)).toEqual([]);
  });

  it('is run by the sweeper, which re-publishes the lost event with its own id', async () => {
    const { store, bus, signal } = await startedWithSignal();
    const report = await sweepWorkflows({ store, bus, clock: { now: () => at(5 * 60_000) }, logger: new MemoryLogger() });
    expect(report.relayed).toEqual([{ correlationId: 'wf-relay', type: 'SignalGenerated', eventId: signal.eventId }]);
    expect(bus.ofType(EventType.signalGenerated)).toEqual([signal]);
    expect(report.timedOut).toEqual([]);
  });
});
