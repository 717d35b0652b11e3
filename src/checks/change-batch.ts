/**
 * A burst of CloudTrail changes → one change-driven check. The change rule delivers to an SQS queue,
 * and Lambda's event source hands the healthcheck every message gathered over a few seconds as one
 * batch (infra/change-checks.ts): a deploy that writes 12 schedules is one run and one email, not 12.
 * This module reads what an invocation carries (an SQS batch of EventBridge events, a list of events,
 * or one event) and merges it. Pure.
 *
 * | the records                                   | the reading                                            |
 * |-----------------------------------------------|--------------------------------------------------------|
 * | scoped ones, maybe with failed calls          | `scoped`: the union of what they name, deduplicated;    |
 * |                                               | the failed calls listed as `ignored`                   |
 * | only failed calls                             | `failed-calls`: nothing to check, and why              |
 * | any record unscopable (not JSON, not a        | `unscopable`: the full check, with the reason as its   |
 * | CloudTrail API-call event, a call the parser  | error; the full check covers the scoped records too,   |
 * | cannot narrow)                                | and one unreadable change must not go unchecked        |
 *
 * One record reads exactly as readChangeEvent reads it, so a single event behaves as it always did.
 * SQS is at least once: a message delivered twice is one change (causes are deduplicated by eventID).
 */
import { isCloudTrailApiCall, readChangeEvent } from './change-event.ts';
import { scheduleId } from './model.ts';
import { countByName, type ChangeCause, type ChangedSchedule, type ChangeScope, type IgnoredChange } from './change-scope.ts';

/**
 * The deployed event source's batch (infra/change-checks.ts) and the sandbox consumer's: up to 100
 * messages, gathered for up to 5 seconds. The window is the price of one run per burst.
 */
export const CHANGE_BATCH = { maxRecords: 100, windowSeconds: 5 } as const;

/** One change an invocation carries. */
export interface ChangeRecord {
  /** `message <SQS messageId>`, or `event <n>` for an element of a list: what an error names. */
  label: string;
  event: unknown;
  /** Set when the record holds no event to read (an SQS body that is not JSON, a record without a body). */
  unreadable?: string;
}

export type ChangeBatchReading =
  | { kind: 'scoped'; scope: ChangeScope }
  | { kind: 'failed-calls'; reason: string; cause: ChangeCause; ignored: IgnoredChange[] }
  | { kind: 'unscopable'; reason: string; cause?: ChangeCause };

/**
 * The changes an invocation carries, or undefined when it is not a change (the Scheduler's 5-minute
 * invocation, `{ "at": … }`): an SQS event (`Records` with `eventSource: "aws:sqs"`, each body an
 * EventBridge event), a non-empty list of events, or one CloudTrail API-call event.
 */
export function changeRecordsOf(event: unknown): ChangeRecord[] | undefined {
  if (isCloudTrailApiCall(event)) return [{ label: 'event', event }];
  if (Array.isArray(event)) return event.length === 0 ? undefined : event.map((e, i) => ({ label: `event ${i + 1}`, event: e as unknown }));
  const records = sqsRecords(event);
  return records?.map(recordOf);
}

function sqsRecords(event: unknown): unknown[] | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const records = (event as Record<string, unknown>).Records;
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const fromSqs = records.some((r) => typeof r === 'object' && r !== null && (r as Record<string, unknown>).eventSource === 'aws:sqs');
  return fromSqs ? records : undefined;
}

function recordOf(record: unknown, index: number): ChangeRecord {
  const fields = typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : {};
  const label = typeof fields.messageId === 'string' && fields.messageId !== '' ? `message ${fields.messageId}` : `record ${index + 1}`;
  if (fields.eventSource !== 'aws:sqs') return { label, event: record, unreadable: 'not an SQS record (its eventSource is not "aws:sqs")' };
  if (typeof fields.body !== 'string') return { label, event: record, unreadable: 'the SQS record has no body' };
  try {
    return { label, event: JSON.parse(fields.body) as unknown };
  } catch {
    return { label, event: fields.body, unreadable: 'the message body is not JSON, so not an EventBridge event' };
  }
}

/** Every record read, then merged: see the table above. */
export function readChangeBatch(records: readonly ChangeRecord[]): ChangeBatchReading {
  const scopes: ChangeScope[] = [];
  const ignored: IgnoredChange[] = [];
  const unscopable: { label: string; reason: string; cause?: ChangeCause }[] = [];
  for (const record of records) {
    if (record.unreadable !== undefined) {
      unscopable.push({ label: record.label, reason: record.unreadable });
      continue;
    }
    const reading = readChangeEvent(record.event);
    switch (reading.kind) {
      case 'scoped':
        scopes.push(reading.scope);
        break;
      case 'failed-call':
        ignored.push({ cause: reading.cause, reason: reading.reason });
        break;
      case 'unscopable':
        unscopable.push({ label: record.label, reason: reading.reason, ...(reading.cause ? { cause: reading.cause } : {}) });
        break;
    }
  }

  const first = unscopable[0];
  if (first !== undefined) {
    // One event alone keeps its own words; in a batch, say which record and how many.
    const reason =
      records.length === 1
        ? first.reason
        : `${unscopable.length} of ${records.length} changes cannot be scoped; ${unscopable.length === 1 ? '' : 'the first, '}${first.label}: ${first.reason}`;
    return { kind: 'unscopable', reason, ...(first.cause ? { cause: first.cause } : {}) };
  }
  const failed = uniqueIgnored(ignored);
  if (scopes.length === 0) {
    const earliest = failed[0];
    if (earliest === undefined) return { kind: 'unscopable', reason: 'the batch holds no change' };
    const reason = failed.length === 1 ? earliest.reason : `all ${failed.length} calls failed (${countByName(failed.map((f) => f.cause))}): they changed nothing, so there is nothing to check`;
    return { kind: 'failed-calls', reason, cause: earliest.cause, ignored: failed };
  }
  const scope = mergeChangeScopes(scopes);
  return { kind: 'scoped', scope: failed.length > 0 ? { ...scope, ignored: failed } : scope };
}

/**
 * One scope for many: the union of their schedules, clusters and task definitions (each once), the
 * earliest change as `cause`, and every change in `causes` when there is more than one.
 */
export function mergeChangeScopes(scopes: readonly ChangeScope[]): ChangeScope {
  const [only] = scopes;
  if (only === undefined) throw new RangeError('mergeChangeScopes needs at least one scope');
  if (scopes.length === 1) return only;
  const schedules = new Map<string, ChangedSchedule>();
  for (const scope of scopes) for (const s of scope.schedules) if (!schedules.has(scheduleId(s))) schedules.set(scheduleId(s), s);
  const causes = uniqueCauses(scopes.flatMap((s) => s.causes ?? [s.cause]));
  const ignored = uniqueIgnored(scopes.flatMap((s) => s.ignored ?? []));
  return {
    schedules: [...schedules.values()],
    clusters: [...new Set(scopes.flatMap((s) => s.clusters))],
    taskDefinitions: [...new Set(scopes.flatMap((s) => s.taskDefinitions))],
    cause: causes[0] ?? only.cause,
    ...(causes.length > 1 ? { causes } : {}),
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/** Earliest first; a change without a readable time last; one entry per CloudTrail eventID. */
function uniqueCauses(causes: readonly ChangeCause[]): ChangeCause[] {
  const seen = new Set<string>();
  const unique = causes.filter((c) => {
    if (c.eventId === undefined) return true;
    if (seen.has(c.eventId)) return false;
    seen.add(c.eventId);
    return true;
  });
  return unique.map((c, i) => ({ c, i, t: instantOf(c) })).sort((a, b) => a.t - b.t || a.i - b.i).map(({ c }) => c);
}

function uniqueIgnored(ignored: readonly IgnoredChange[]): IgnoredChange[] {
  const byCause = new Map(ignored.map((i) => [i.cause, i] as const));
  return uniqueCauses(ignored.map((i) => i.cause)).flatMap((cause) => byCause.get(cause) ?? []);
}

function instantOf(cause: ChangeCause): number {
  const t = Date.parse(cause.eventTime);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}
