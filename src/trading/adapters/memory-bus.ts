/**
 * The in-memory event bus: what EventBridge does, in one process. Publishing validates and accepts
 * events, then returns; deliveries happen afterwards, concurrently, each to a copy of the event (as
 * separate Lambdas would receive their own JSON). A handler's error is counted and reported but never
 * reaches the publisher or the other handlers.
 *
 * Test knobs make it behave like EventBridge's at-least-once, unordered delivery on purpose:
 * `duplicates` adds extra copies of an event, `reorder` shuffles the deliveries waiting to start, and
 * `delay` holds a delivery back (through an injected `sleep`, so tests need no wall clock).
 */
import type { EventHandler, PublishResult, SubscribableBus } from '../ports/bus.ts';
import { EVENT_TYPES, parseWorkflowEvent, type EventType, type WorkflowEvent } from '../domain/events.ts';
import { seededRandom, shuffleInPlace, type Random } from '../domain/seeded-random.ts';

export const DEFAULT_HISTORY_LIMIT = 1_000;

export interface InMemoryBusOptions {
  /** Published events kept for `history()`; the oldest go first (default 1,000). */
  historyLimit?: number;
  /** Extra copies of an event to deliver to every subscriber (default 0). */
  duplicates?: (event: WorkflowEvent) => number;
  /** Shuffle the deliveries waiting to start (default false: publish order). */
  reorder?: boolean;
  /** Milliseconds to hold a delivery back; `copy` is 0 for the original, 1.. for duplicates. */
  delay?: (event: WorkflowEvent, copy: number) => number;
  /** How a delay is waited for; tests pass a fake. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Drives `reorder` (default: a PRNG seeded with `seed`). */
  random?: Random;
  seed?: number;
  /** Told about every handler error (after it was counted); must not throw. */
  onHandlerError?: (error: unknown, event: WorkflowEvent, subscriber: string) => void;
}

export interface EventTypeStats {
  published: number;
  /** Deliveries whose handler returned (or resolved) without error. */
  delivered: number;
  /** Extra deliveries injected by the `duplicates` knob. */
  duplicated: number;
  handlerErrors: number;
  subscribers: number;
}

export interface BusStats {
  byType: Record<EventType, EventTypeStats>;
  historySize: number;
  /** Deliveries accepted but not yet finished. */
  pending: number;
}

interface Subscription {
  readonly id: number;
  readonly types: ReadonlySet<EventType>;
  readonly handler: EventHandler;
  readonly name: string;
}

interface Delivery {
  readonly event: WorkflowEvent;
  readonly subscription: Subscription;
  readonly copy: number;
}

export class InMemoryEventBus implements SubscribableBus {
  private readonly options: InMemoryBusOptions;
  private readonly historyLimit: number;
  private readonly random: Random;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly recent: WorkflowEvent[] = [];
  private readonly counters = new Map<EventType, Omit<EventTypeStats, 'subscribers'>>();
  private readonly waiting: Delivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private pumpScheduled: Promise<void> | undefined;
  private nextId = 1;

  constructor(options: InMemoryBusOptions = {}) {
    const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`historyLimit must be a non-negative integer, got ${limit}`);
    this.options = options;
    this.historyLimit = limit;
    this.random = options.random ?? seededRandom(options.seed ?? 0x5eed);
    // The only timer in src/trading: a test knob, never a wait for another component's progress.
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (const type of EVENT_TYPES) this.counters.set(type, { published: 0, delivered: 0, duplicated: 0, handlerErrors: 0 });
  }

  /** Subscribes to one or more event types; returns the matching unsubscribe. */
  subscribe(types: EventType | readonly EventType[], handler: EventHandler, name?: string): () => boolean {
    const id = this.nextId++;
    const typeSet = new Set<EventType>(typeof types === 'string' ? [types] : types);
    this.subscriptions.set(id, { id, types: typeSet, handler, name: name ?? (handler.name || `subscriber-${id}`) });
    return () => this.subscriptions.delete(id);
  }

  /** Removes every subscription of `handler` to `type` (other types stay subscribed). */
  unsubscribe(type: EventType, handler: EventHandler): boolean {
    let removed = false;
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.handler !== handler || !sub.types.has(type)) continue;
      this.subscriptions.delete(sub.id);
      removed = true;
      const rest = [...sub.types].filter((t) => t !== type);
      if (rest.length > 0) this.subscriptions.set(sub.id, { ...sub, types: new Set(rest) });
    }
    return removed;
  }

  async publish(events: readonly WorkflowEvent[]): Promise<PublishResult> {
    // All or nothing, like a PutEvents call that fails validation: nothing is accepted when one is bad.
    const accepted = events.map((event, i) => parseWorkflowEvent(event, `event ${i} of the batch`));
    for (const event of accepted) {
      this.remember(event);
      const counter = this.counter(event.type);
      counter.published += 1;
      const copies = 1 + Math.max(0, Math.floor(this.options.duplicates?.(event) ?? 0));
      for (const subscription of this.subscriptions.values()) {
        if (!subscription.types.has(event.type)) continue;
        for (let copy = 0; copy < copies; copy++) this.waiting.push({ event, subscription, copy });
        counter.duplicated += copies - 1;
      }
    }
    this.schedulePump();
    return { published: accepted.length };
  }

  /** Published events, oldest first (at most `historyLimit`), optionally of one type / workflow. */
  history(filter: { type?: EventType; correlationId?: string; limit?: number } = {}): WorkflowEvent[] {
    const matching = this.recent.filter(
      (e) => (filter.type === undefined || e.type === filter.type) && (filter.correlationId === undefined || e.correlationId === filter.correlationId),
    );
    return filter.limit !== undefined ? matching.slice(-filter.limit) : matching;
  }

  stats(): BusStats {
    const byType = {} as Record<EventType, EventTypeStats>;
    for (const type of EVENT_TYPES) {
      let subscribers = 0;
      for (const sub of this.subscriptions.values()) if (sub.types.has(type)) subscribers += 1;
      byType[type] = { ...this.counter(type), subscribers };
    }
    return { byType, historySize: this.recent.length, pending: this.waiting.length + this.inFlight.size };
  }

  /**
   * Resolves once every accepted delivery (and everything those handlers published) has finished.
   * It awaits the deliveries' own promises; there is no timer and no polling.
   */
  async idle(): Promise<void> {
    while (this.pumpScheduled !== undefined || this.waiting.length > 0 || this.inFlight.size > 0) {
      if (this.pumpScheduled !== undefined) await this.pumpScheduled;
      else if (this.waiting.length > 0) this.schedulePump();
      else await Promise.allSettled([...this.inFlight]);
    }
  }

  private remember(event: WorkflowEvent): void {
    if (this.historyLimit === 0) return;
    this.recent.push(event);
    if (this.recent.length > this.historyLimit) this.recent.splice(0, this.recent.length - this.historyLimit);
  }

  private counter(type: EventType): Omit<EventTypeStats, 'subscribers'> {
    const counter = this.counters.get(type);
    if (counter === undefined) throw new RangeError(`unknown event type ${type}`);
    return counter;
  }

  private schedulePump(): void {
    if (this.pumpScheduled !== undefined) return;
    this.pumpScheduled = Promise.resolve().then(() => {
      this.pumpScheduled = undefined;
      this.pump();
    });
  }

  private pump(): void {
    const batch = this.waiting.splice(0);
    if (this.options.reorder) shuffleInPlace(batch, this.random);
    for (const delivery of batch) {
      const running: Promise<void> = this.deliver(delivery).finally(() => {
        this.inFlight.delete(running);
      });
      this.inFlight.add(running);
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { event, subscription, copy } = delivery;
    const ms = this.options.delay?.(event, copy) ?? 0;
    if (ms > 0) await this.sleep(ms);
    else await Promise.resolve();
    // Unsubscribed while the delivery waited: the handler is gone, as a deleted EventBridge rule's target.
    if (this.subscriptions.get(subscription.id)?.types.has(event.type) !== true) return;
    const counter = this.counter(event.type);
    try {
      await subscription.handler(structuredClone(event));
      counter.delivered += 1;
    } catch (error) {
      counter.handlerErrors += 1;
      try {
        this.options.onHandlerError?.(error, event, subscription.name);
      } catch {
        // A broken error hook must not turn one handler's failure into everyone's.
      }
    }
  }
}
