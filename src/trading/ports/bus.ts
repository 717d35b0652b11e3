/**
 * The one publishing interface every producer depends on. Two implementations: InMemoryEventBus
 * (src/trading/adapters/memory-bus.ts: local runs and tests) and EventBridgeBus (src/aws/eventbridge-bus.ts).
 *
 * Delivery is not part of this interface on purpose: on AWS, EventBridge rules invoke one Lambda per
 * event, in whichever instance is free; in memory, `subscribe` plays that role. Producers therefore
 * can never wait for consumers: publishing returns once the bus has accepted the events.
 */
import type { EventType, WorkflowEvent } from '../domain/events.ts';

export interface PublishResult {
  /** Events the bus accepted. */
  published: number;
}

export interface EventBus {
  /** Validates and accepts events; resolves when the bus has them, not when anyone handled them. */
  publish(events: readonly WorkflowEvent[]): Promise<PublishResult>;
}

/** A subscriber; sync or async. Its result is ignored and its errors are isolated from other handlers. */
export type EventHandler = (event: WorkflowEvent) => unknown;

/**
 * A bus that also delivers in this process (the in-memory bus): what local runs and tests subscribe
 * the step handlers to. On AWS, EventBridge rules do the subscribing.
 */
export interface SubscribableBus extends EventBus {
  /** Subscribes to one or more event types; returns the matching unsubscribe. */
  subscribe(types: EventType | readonly EventType[], handler: EventHandler, name?: string): () => boolean;
}
