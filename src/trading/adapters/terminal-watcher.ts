/**
 * Observing outcomes on the in-memory bus: a subscription to the terminal events that resolves one
 * promise per workflow. This is how a local run learns that its workflow finished, the way the
 * notification step learns it on AWS; nothing reads state in a loop.
 */
import { EventType, isTerminalEvent, type TerminalEvent } from '../domain/events.ts';
import type { InMemoryEventBus } from './memory-bus.ts';

export interface TerminalWatcher {
  /** Resolves with the workflow's terminal event (at once if it was already seen). */
  wait(correlationId: string): Promise<TerminalEvent>;
  /** Resolves with the terminal event, or undefined once the bus is idle without one (a stuck run). */
  waitOrIdle(correlationId: string): Promise<TerminalEvent | undefined>;
  stop(): void;
}

export function watchTerminalEvents(bus: InMemoryEventBus): TerminalWatcher {
  const seen = new Map<string, TerminalEvent>();
  const waiting = new Map<string, ((event: TerminalEvent) => void)[]>();
  const stop = bus.subscribe(
    [EventType.workflowCompleted, EventType.workflowFailed],
    (event) => {
      if (!isTerminalEvent(event) || seen.has(event.correlationId)) return;
      seen.set(event.correlationId, event);
      for (const resolve of waiting.get(event.correlationId) ?? []) resolve(event);
      waiting.delete(event.correlationId);
    },
    'terminal-watcher',
  );
  const wait = (correlationId: string): Promise<TerminalEvent> => {
    const known = seen.get(correlationId);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => waiting.set(correlationId, [...(waiting.get(correlationId) ?? []), resolve]));
  };
  return {
    wait,
    waitOrIdle: (correlationId) => Promise.race([wait(correlationId), bus.idle().then(() => seen.get(correlationId))]),
    stop: () => {
      stop();
    },
  };
}
