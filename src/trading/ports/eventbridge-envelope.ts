/**
 * Our events on EventBridge, both ways, without the SDK (src/aws/eventbridge-bus.ts sends them):
 *
 * - out: one PutEvents entry per event: `Source` = envelope.source, `DetailType` = envelope.type,
 *   `Detail` = the whole envelope as JSON (so eventId, correlationId and causationId survive; the id
 *   EventBridge assigns is its own), `EventBusName`, `Time` = occurredAt.
 * - in: the event EventBridge hands a Lambda target (`detail-type`, `source`, `detail`, ...) →
 *   validated envelope; `detail-type` must agree with the envelope's type.
 * - batching: PutEvents takes at most 10 entries and 256 KB per call, entry sizes counted as AWS
 *   documents them (UTF-8 bytes of Source, DetailType, Detail and Resources, plus 14 for Time).
 */
import * as z from 'zod';
import { parseWorkflowEvent, type WorkflowEvent } from '../domain/events.ts';
import { InvalidEventError, zodIssues } from '../domain/trading-errors.ts';

export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const TIME_FIELD_BYTES = 14;

/** The fields of a PutEventsRequestEntry we use (structurally what the SDK accepts). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time?: Date;
  Resources?: string[];
}

export function toPutEventsEntry(event: WorkflowEvent, eventBusName: string): PutEventsEntry {
  return { Source: event.source, DetailType: event.type, Detail: JSON.stringify(event), EventBusName: eventBusName, Time: new Date(event.occurredAt) };
}

export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? TIME_FIELD_BYTES : 0;
  size += Buffer.byteLength(entry.Source, 'utf8') + Buffer.byteLength(entry.DetailType, 'utf8') + Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

export class EventTooLargeError extends InvalidEventError {
  constructor(size: number, limit: number) {
    super('a PutEvents entry', [`it is ${size} bytes; EventBridge accepts at most ${limit} bytes per call`]);
  }
}

/** Greedy, order-preserving batches within both limits. An entry above the byte limit alone throws. */
export function batchEntries<T extends PutEventsEntry>(entries: readonly T[], limits = { maxEntries: PUT_EVENTS_MAX_ENTRIES, maxBytes: PUT_EVENTS_MAX_BYTES }): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > limits.maxBytes) throw new EventTooLargeError(size, limits.maxBytes);
    if (current.length === limits.maxEntries || bytes + size > limits.maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The EventBridge-to-Lambda event envelope (the parts we read). */
const lambdaEventSchema = z.object({
  id: z.string().optional(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  time: z.string().optional(),
  detail: z.unknown(),
});

export function fromEventBridgeLambdaEvent(raw: unknown): WorkflowEvent {
  const outer = lambdaEventSchema.safeParse(raw);
  if (!outer.success) throw new InvalidEventError('the EventBridge delivery', zodIssues(outer.error), { cause: outer.error });
  const where = `EventBridge event ${outer.data.id ?? '(no id)'}`;
  const event = parseWorkflowEvent(outer.data.detail, where);
  if (event.type !== outer.data['detail-type']) {
    throw new InvalidEventError(where, [`detail-type "${outer.data['detail-type']}" does not match the envelope's type "${event.type}"`]);
  }
  return event;
}

/** What EventBridge would hand a Lambda for `event` (tests and the local harness use it). */
export function toEventBridgeLambdaEvent(event: WorkflowEvent, ids: { id: string; account: string; region: string }): Record<string, unknown> {
  return {
    version: '0',
    id: ids.id,
    'detail-type': event.type,
    source: event.source,
    account: ids.account,
    time: event.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
    region: ids.region,
    resources: [],
    detail: JSON.parse(JSON.stringify(event)) as unknown,
  };
}
