/**
 * The dead-letter event EventBridge Scheduler puts on a schedule's DLQ once an invocation has failed
 * for good. AWS documents that the message carries the invocation details and the target's error;
 * the sandbox writes a JSON body with those facts and message attributes named as in Scheduler's
 * dead-letter events (ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS,
 * SCHEDULE_ARN, TARGET_ARN), so a consumer can filter without parsing the body.
 */
import type { TargetError } from './firer-ports.ts';

export const ExhaustedRetryCondition = {
  /** A permanent (non-retryable) error: Scheduler does not retry at all. */
  nonRetryable: 'NonRetryableError',
  maximumRetryAttempts: 'MaximumRetryAttempts',
} as const;
export type ExhaustedRetryCondition = (typeof ExhaustedRetryCondition)[keyof typeof ExhaustedRetryCondition];

export interface DeadLetterFacts {
  scheduleArn: string;
  group: string;
  name: string;
  targetArn: string;
  scheduledTime: Date;
  invokedAt: Date;
  attempts: number;
  error: TargetError;
  exhausted: ExhaustedRetryCondition;
  input?: string;
}

export interface DeadLetterMessage {
  body: string;
  attributes: Record<string, string>;
}

export function deadLetterMessage(facts: DeadLetterFacts): DeadLetterMessage {
  const body = {
    scheduleArn: facts.scheduleArn,
    scheduleGroup: facts.group,
    scheduleName: facts.name,
    targetArn: facts.targetArn,
    scheduledTime: facts.scheduledTime.toISOString(),
    invokedAt: facts.invokedAt.toISOString(),
    attempts: facts.attempts,
    errorCode: facts.error.code,
    errorMessage: facts.error.message,
    ...(facts.input !== undefined ? { input: facts.input } : {}),
  };
  return {
    body: JSON.stringify(body),
    attributes: {
      ERROR_CODE: facts.error.code,
      ERROR_MESSAGE: facts.error.message.slice(0, 1_000) || facts.error.code,
      EXHAUSTED_RETRY_CONDITION: facts.exhausted,
      RETRY_ATTEMPTS: String(Math.max(0, facts.attempts - 1)),
      SCHEDULE_ARN: facts.scheduleArn,
      TARGET_ARN: facts.targetArn,
    },
  };
}
