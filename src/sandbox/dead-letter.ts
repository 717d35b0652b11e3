/**
 * The dead-letter event EventBridge Scheduler puts on a schedule's DLQ once an invocation has failed
 * for good, as AWS documents it: the body is the target's input payload (what the invocation would
 * have delivered), and the facts of the failure travel as String message attributes — ERROR_CODE,
 * ERROR_MESSAGE, EXECUTION_ID, EXHAUSTED_RETRY_CONDITION (only when a retry limit ended it),
 * IS_PAYLOAD_TRUNCATED, RETRY_ATTEMPTS, SCHEDULED_TIME, SCHEDULE_ARN, TARGET_ARN. A consumer
 * (src/healthcheck/dead-letter-event.ts) reads the attributes, never the body.
 */
import type { TargetError } from './firer-ports.ts';

/** Which retry limit ended the invocation; absent for an error Scheduler does not retry at all. */
export const ExhaustedRetryCondition = {
  maximumRetryAttempts: 'MaximumRetryAttempts',
  maximumEventAgeInSeconds: 'MaximumEventAgeInSeconds',
} as const;
export type ExhaustedRetryCondition = (typeof ExhaustedRetryCondition)[keyof typeof ExhaustedRetryCondition];

export interface DeadLetterFacts {
  scheduleArn: string;
  targetArn: string;
  /** The instant the schedule was due, not when it was invoked (a flexible window invokes later). */
  scheduledTime: Date;
  attempts: number;
  error: TargetError;
  exhausted?: ExhaustedRetryCondition;
  /** The schedule target's Input; Scheduler sends `{}` when there is none. */
  input?: string;
  /** A fresh id per invocation (a UUID), as Scheduler gives each execution. */
  executionId: string;
}

export interface DeadLetterMessage {
  body: string;
  attributes: Record<string, string>;
}

/** SQS's message limit, body and attributes together. */
export const SQS_MESSAGE_MAX_BYTES = 262_144;
/** SQS rejects attribute values that are empty; Scheduler's ERROR_MESSAGE is clipped long before 1,000. */
const ERROR_MESSAGE_MAX = 1_000;

/** `2026-01-29T16:37:00Z`: Scheduler's SCHEDULED_TIME has second precision. */
export function scheduledTimeAttribute(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function deadLetterMessage(facts: DeadLetterFacts): DeadLetterMessage {
  const attributes: Record<string, string> = {
    ERROR_CODE: facts.error.code,
    // SQS refuses an empty attribute value: a target that gave no message still has its code.
    ERROR_MESSAGE: facts.error.message.slice(0, ERROR_MESSAGE_MAX) || facts.error.code,
    EXECUTION_ID: facts.executionId,
    ...(facts.exhausted !== undefined ? { EXHAUSTED_RETRY_CONDITION: facts.exhausted } : {}),
    IS_PAYLOAD_TRUNCATED: 'false',
    RETRY_ATTEMPTS: String(Math.max(0, facts.attempts - 1)),
    SCHEDULED_TIME: scheduledTimeAttribute(facts.scheduledTime),
    SCHEDULE_ARN: facts.scheduleArn,
    TARGET_ARN: facts.targetArn,
  };
  const payload = facts.input ?? '{}';
  // The attributes count against the limit too (name, type and value of each).
  const room = SQS_MESSAGE_MAX_BYTES - Object.entries(attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value), 0);
  if (Buffer.byteLength(payload, 'utf8') <= room) return { body: payload, attributes };
  // Cut on a character boundary: decoding a byte slice may split the last multi-byte character.
  const body = Buffer.from(payload, 'utf8').subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
  return { body, attributes: { ...attributes, IS_PAYLOAD_TRUNCATED: 'true' } };
}
