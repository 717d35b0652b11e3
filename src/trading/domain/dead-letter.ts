/**
 * What a message in one of the trading dead-letter queues says, whatever put it there. Three shapes,
 * as AWS documents them:
 *
 * - EventBridge rule DLQ (`…-trading-rule-dlq`): the rule could not deliver an event to its target
 *   after its retries (or at once, for a missing function or permission). Body: the EventBridge event
 *   exactly as the target would have got it. Message attributes RULE_ARN, TARGET_ARN, ERROR_CODE,
 *   ERROR_MESSAGE (and, where sent, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS).
 * - Lambda on-failure destination (`…-trading-failed`): a step Lambda (or the sweeper) failed an
 *   asynchronous invocation after Lambda's retries. Body: an invocation record `{ version, timestamp,
 *   requestContext: { requestId, functionArn, condition, approximateInvokeCount }, requestPayload,
 *   responseContext, responsePayload: { errorType, errorMessage } }` whose requestPayload is the
 *   EventBridge event the function was invoked with (the sweeper's is the schedule's input: no
 *   workflow event).
 * - EventBridge Scheduler DLQ (`…-trading-sweeper-dlq`): the sweeper schedule could not invoke its
 *   Lambda. Body: the schedule's input; attributes ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION,
 *   RETRY_ATTEMPTS, SCHEDULE_ARN, TARGET_ARN. Never a workflow event: the next run is the retry.
 *
 * Pure: the SQS adapter (src/aws/dead-letter-queues.ts) reads and deletes; this only reads a message.
 */
import { fromEventBridgeLambdaEvent } from '../ports/eventbridge-envelope.ts';
import type { WorkflowEvent } from './events.ts';

export const DeadLetterKind = {
  ruleDelivery: 'eventbridge-rule',
  lambdaFailure: 'lambda-destination',
  schedulerDelivery: 'scheduler',
  unknown: 'unknown',
} as const;
export type DeadLetterKind = (typeof DeadLetterKind)[keyof typeof DeadLetterKind];

/** One message as SQS returns it, before interpretation. */
export interface RawDeadLetter {
  messageId: string;
  body: string;
  /** String message attributes (RULE_ARN, ERROR_CODE, …). */
  attributes: Record<string, string>;
  /** When SQS received it (the SentTimestamp attribute). */
  sentAt?: Date;
  /** How often it was received, including our own looks (ApproximateReceiveCount). */
  receiveCount?: number;
}

export interface DeadLetterError {
  code?: string;
  message?: string;
  /** Lambda: RetriesExhausted, EventAgeExceeded; EventBridge/Scheduler: MaximumRetryAttempts, … */
  condition?: string;
  /** EventBridge/Scheduler: retries after the first attempt (RETRY_ATTEMPTS). */
  retries?: number;
  /** Lambda: invocations made (approximateInvokeCount). */
  invocations?: number;
}

export interface DeadLetter {
  messageId: string;
  kind: DeadLetterKind;
  /** The workflow event inside, when there is one that validates. */
  event?: WorkflowEvent;
  /** Why a body that looked like it carried an event did not yield one. */
  eventProblem?: string;
  error: DeadLetterError;
  /** The rule, target, function or schedule involved (whichever the shape names). */
  source: { ruleArn?: string; targetArn?: string; functionArn?: string; scheduleArn?: string };
  sentAt?: Date;
  receiveCount?: number;
}

export function parseDeadLetter(raw: RawDeadLetter): DeadLetter {
  const attrs = raw.attributes;
  const body = parseJson(raw.body);
  const base = { messageId: raw.messageId, ...(raw.sentAt !== undefined ? { sentAt: raw.sentAt } : {}), ...(raw.receiveCount !== undefined ? { receiveCount: raw.receiveCount } : {}) };
  const attrError = compact<DeadLetterError>({
    code: attrs.ERROR_CODE,
    message: attrs.ERROR_MESSAGE,
    condition: attrs.EXHAUSTED_RETRY_CONDITION,
    retries: attrs.RETRY_ATTEMPTS !== undefined && /^\d+$/.test(attrs.RETRY_ATTEMPTS) ? Number(attrs.RETRY_ATTEMPTS) : undefined,
  });

  if (isInvocationRecord(body)) {
    const context = asObject(body.requestContext) ?? {};
    const response = asObject(body.responsePayload) ?? {};
    const error = compact<DeadLetterError>({
      code: asString(response.errorType) ?? asString(asObject(body.responseContext)?.functionError),
      message: asString(response.errorMessage),
      condition: asString(context.condition),
      invocations: typeof context.approximateInvokeCount === 'number' ? context.approximateInvokeCount : undefined,
    });
    return { ...base, kind: DeadLetterKind.lambdaFailure, error, source: compact({ functionArn: asString(context.functionArn) }), ...eventIn(body.requestPayload) };
  }
  if (attrs.RULE_ARN !== undefined) {
    return { ...base, kind: DeadLetterKind.ruleDelivery, error: attrError, source: compact({ ruleArn: attrs.RULE_ARN, targetArn: attrs.TARGET_ARN }), ...eventIn(body) };
  }
  if (attrs.SCHEDULE_ARN !== undefined) {
    return { ...base, kind: DeadLetterKind.schedulerDelivery, error: attrError, source: compact({ scheduleArn: attrs.SCHEDULE_ARN, targetArn: attrs.TARGET_ARN }), ...eventIn(body, false) };
  }
  // No attribute says who wrote it: an EventBridge event body is still worth recognising.
  return { ...base, kind: DeadLetterKind.unknown, error: attrError, source: compact({ targetArn: attrs.TARGET_ARN }), ...eventIn(body, false) };
}

/** The workflow event in an EventBridge event, or why not. Not complaining about bodies that never claimed to be one. */
function eventIn(value: unknown, expected = true): { event?: WorkflowEvent; eventProblem?: string } {
  const object = asObject(value);
  if (object === undefined || !('detail-type' in object)) {
    return expected ? { eventProblem: 'the body is not an EventBridge event' } : {};
  }
  try {
    return { event: fromEventBridgeLambdaEvent(object) };
  } catch (error) {
    return { eventProblem: error instanceof Error ? error.message : String(error) };
  }
}

function isInvocationRecord(body: unknown): body is Record<string, unknown> & { requestContext: unknown } {
  const object = asObject(body);
  return object !== undefined && asObject(object.requestContext) !== undefined && 'requestPayload' in object;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** One line about what went wrong, for lists. */
export function describeDeadLetterError(error: DeadLetterError): string {
  const parts = [error.code, error.message].filter((p): p is string => p !== undefined);
  const tail = [error.condition, error.retries !== undefined ? `${error.retries} retries` : undefined, error.invocations !== undefined ? `${error.invocations} invocation(s)` : undefined].filter((p): p is string => p !== undefined);
  return `${parts.length > 0 ? parts.join(': ') : '(no error given)'}${tail.length > 0 ? ` (${tail.join(', ')})` : ''}`;
}

/** Matches the filters of `ops workflow dlq list|redrive`. */
export function matchesFilter(letter: DeadLetter, filter: { correlationId?: string }): boolean {
  if (filter.correlationId === undefined) return true;
  return letter.event?.correlationId === filter.correlationId;
}
