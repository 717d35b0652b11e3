import { describe, expect, it, vi } from 'vitest';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType, type WorkflowEvent } from '../../../src/trading/domain/events.ts';
import { DEFAULT_HISTORY_LIMIT, InMemoryEventBus } from '../../../src/trading/adapters/memory-bus.ts';

const AT = new Date('2026-11-23T15:00:00Z');

function started(correlationId: string): WorkflowEvent {
  return makeEvent(
    EventType.workflowStarted,
    { correlationId, causationId: correlationId, producer: 'starter', occurredAt: AT },
    { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' },
  );
}

function completed(correlationId: string): WorkflowEvent {
  return makeEvent(EventType.workflowCompleted, { correlationId, causationId: 'c', producer: 'execution', occurredAt: AT }, { ordersExecuted: 0, valueTraded: '0', startedAt: AT.toISOString(), durationMs: 0 });
}

describe('InMemoryEventBus', () => {
  it('returns from publish before any handler ran, then delivers to every subscriber of the type', async () => {
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    bus.subscribe(EventType.workflowStarted, (e) => void seen.push(`sync:${e.correlationId}`));
    bus.subscribe([EventType.workflowStarted, EventType.workflowCompleted], async (e) => {
      await Promise.resolve();
      seen.push(`async:${e.type}`);
    });
    const result = await bus.publish([started('wf-1'), completed('wf-1')]);
    expect(result).toEqual({ published: 2 });
    expect(seen).toEqual([]);
    await bus.idle();
    expect(seen.sort()).toEqual(['async:WorkflowCompleted', 'async:WorkflowStarted', 'sync:wf-1']);
  });

  it('hands each handler its own copy of the event', async () => {
    const bus = new InMemoryEventBus();
    const received: WorkflowEvent[] = [];
    bus.subscribe(EventType.workflowStarted, (e) => {
      (e as { correlationId: string }).correlationId = 'mutated';
    });
    bus.subscribe(EventType.workflowStarted, (e) => void received.push(e));
    const event = started('wf-1');
    await bus.publish([event]);
    await bus.idle();
    expect(event.correlationId).toBe('wf-1');
    expect(bus.history()[0]?.correlationId).toBe('wf-1');
  });

  it('unsubscribes by the returned function and by type', async () => {
    const bus = new InMemoryEventBus();
    const a = vi.fn();
    const b = vi.fn();
    const stopA = bus.subscribe(EventType.workflowStarted, a);
    bus.subscribe([EventType.workflowStarted, EventType.workflowCompleted], b);
    expect(stopA()).toBe(true);
    expect(bus.unsubscribe(EventType.workflowStarted, b)).toBe(true);
    expect(bus.unsubscribe(EventType.workflowStarted, b)).toBe(false);
    await bus.publish([started('wf-1'), completed('wf-1')]);
    await bus.idle();
    expect(a).not.toHaveBeenCalled();
    expect(b.mock.calls.map(([e]) => (e as WorkflowEvent).type)).toEqual(['WorkflowCompleted']);
    expect(bus.stats().byType.WorkflowCompleted.subscribers).toBe(1);
  });

  it('isolates handler errors: sync and async throws are counted and reported, others still run', async () => {
    const errors: string[] = [];
    const bus = new InMemoryEventBus({ onHandlerError: (error, event, name) => errors.push(`${name}:${event.type}:${(error as Error).message}`) });
    const ok = vi.fn();
    bus.subscribe(EventType.workflowStarted, () => {
      throw new Error('sync boom');
    }, 'sync-thrower');
    bus.subscribe(EventType.workflowStarted, async () => Promise.reject(new Error('async boom')), 'async-thrower');
    bus.subscribe(EventType.workflowStarted, ok, 'ok');
    await expect(bus.publish([started('wf-1')])).resolves.toEqual({ published: 1 });
    await bus.idle();
    expect(ok).toHaveBeenCalledTimes(1);
    expect(errors.sort()).toEqual(['async-thrower:WorkflowStarted:async boom', 'sync-thrower:WorkflowStarted:sync boom']);
    expect(bus.stats().byType.WorkflowStarted).toMatchObject({ published: 1, delivered: 1, handlerErrors: 2, subscribers: 3 });
  });

  it('rejects an invalid batch as a whole: nothing is accepted or delivered', async () => {
    const bus = new InMemoryEventBus();
    const handler = vi.fn();
    bus.subscribe(EventType.workflowStarted, handler);
    const bad = { ...started('wf-2'), detail: { accountId: 'main' } } as unknown as WorkflowEvent;
    await expect(bus.publish([started('wf-1'), bad])).rejects.toThrow(/event 1 of the batch/);
    await bus.idle();
    expect(handler).not.toHaveBeenCalled();
    expect(bus.history()).toEqual([]);
  });

  it('keeps a bounded history (1,000 by default), oldest dropped first, filterable', async () => {
    const bus = new InMemoryEventBus();
    expect(DEFAULT_HISTORY_LIMIT).toBe(1_000);
    await bus.publish(Array.from({ length: 1_005 }, (_, i) => started(`wf-${i}`)));
    expect(bus.history()).toHaveLength(1_000);
    expect(bus.history()[0]?.correlationId).toBe('wf-5');
    expect(bus.history({ correlationId: 'wf-1004' })).toHaveLength(1);
    expect(bus.history({ limit: 2 }).map((e) => e.correlationId)).toEqual(['wf-1003', 'wf-1004']);
    const small = new InMemoryEventBus({ historyLimit: 2 });
    await small.publish([started('a'), completed('a'), started('b')]);
    expect(small.history().map((e) => e.type)).toEqual(['WorkflowCompleted', 'WorkflowStarted']);
    expect(small.history({ type: EventType.workflowStarted })).toHaveLength(1);
  });

  it('injects duplicate deliveries and counts them', async () => {
    const bus = new InMemoryEventBus({ duplicates: (e) => (e.correlationId === 'wf-dup' ? 2 : 0) });
    const seen: string[] = [];
    bus.subscribe(EventType.workflowStarted, (e) => void seen.push(e.correlationId));
    await bus.publish([started('wf-dup'), started('wf-once')]);
    await bus.idle();
    expect(seen.sort()).toEqual(['wf-dup', 'wf-dup', 'wf-dup', 'wf-once']);
    expect(bus.stats().byType.WorkflowStarted).toMatchObject({ published: 2, delivered: 4, duplicated: 2 });
  });

  it('reorders deliveries reproducibly from a seed', async () => {
    const order = async (seed: number) => {
      const bus = new InMemoryEventBus({ reorder: true, seed });
      const seen: string[] = [];
      bus.subscribe(EventType.workflowStarted, (e) => void seen.push(e.correlationId));
      await bus.publish(Array.from({ length: 12 }, (_, i) => started(`wf-${i}`)));
      await bus.idle();
      return seen;
    };
    const inOrder = Array.from({ length: 12 }, (_, i) => `wf-${i}`);
    expect(await order(3)).toEqual(await order(3));
    expect(await order(3)).not.toEqual(inOrder);
    expect([...(await order(3))].sort()).toEqual([...inOrder].sort());
  });

  it('delays deliveries through the injected sleep, so a later event can overtake an earlier one', async () => {
    const sleeps: number[] = [];
    const releases: (() => void)[] = [];
    const bus = new InMemoryEventBus({
      delay: (e) => (e.type === EventType.workflowStarted ? 50 : 0),
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    });
    const seen: string[] = [];
    bus.subscribe([EventType.workflowStarted, EventType.workflowCompleted], (e) => void seen.push(e.type));
    await bus.publish([started('wf-1'), completed('wf-1')]);
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['WorkflowCompleted']);
    expect(sleeps).toEqual([50]);
    for (const release of releases) release();
    await bus.idle();
    expect(seen).toEqual(['WorkflowCompleted', 'WorkflowStarted']);
  });

  it('idle() also waits for what handlers publish in turn', async () => {
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    bus.subscribe(EventType.workflowStarted, async (e) => {
      await bus.publish([completed(e.correlationId)]);
    });
    bus.subscribe(EventType.workflowCompleted, (e) => void seen.push(e.correlationId));
    await bus.publish([started('wf-chain')]);
    await bus.idle();
    expect(seen).toEqual(['wf-chain']);
    expect(bus.stats().pending).toBe(0);
  });
});
