/**
 * Builds events with deterministic ids. A step that runs again (a redelivery after a crash, a Lambda
 * retry) produces the same eventIds for the same inputs, so whatever it re-publishes is recognised as
 * already processed downstream instead of starting a second chain.
 */
import { createHash } from 'node:crypto';
import { EventType, parseWorkflowEvent, SCHEMA_VERSION, type DetailOf, type EventOf } from './events.ts';

export const EVENT_SOURCE_PREFIX = 'ops.trading';

/** `evt-` + 32 hex characters of SHA-256 over the parts. */
export function deriveEventId(...parts: readonly string[]): string {
  return `evt-${createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 32)}`;
}

export interface EventOrigin {
  correlationId: string;
  /** The eventId of the event being handled (WorkflowStarted: the correlation id). */
  causationId: string;
  /** The producing component, e.g. `strategy`; prefixed with `ops.trading.`. */
  producer: string;
  occurredAt: Date;
}

/**
 * `key` distinguishes several events of one type caused by one event (TradeExecuted: the client order
 * id). Terminal events are keyed by correlation id alone: a workflow has at most one of each.
 */
export function makeEvent<T extends EventType>(type: T, origin: EventOrigin, detail: DetailOf<T>, key = ''): EventOf<T> {
  const terminal = type === EventType.workflowCompleted || type === EventType.workflowFailed || type === EventType.workflowStarted;
  const eventId = terminal ? deriveEventId(origin.correlationId, type) : deriveEventId(origin.correlationId, origin.causationId, type, key);
  const event = {
    eventId,
    type,
    correlationId: origin.correlationId,
    causationId: origin.causationId,
    occurredAt: origin.occurredAt.toISOString(),
    source: `${EVENT_SOURCE_PREFIX}.${origin.producer}`,
    schemaVersion: SCHEMA_VERSION,
    detail,
  };
  // Validate on the way out too: a producer bug is caught where it happens, not in the next Lambda.
  return parseWorkflowEvent(event, `${type} event built by ${origin.producer}`) as EventOf<T>;
}
