/**
 * What arrives from a schedule's dead-letter queue, read into facts. Lambda's SQS event source hands
 * the consumer `{ Records: [...] }` (the sandbox consumer builds the same shape from ReceiveMessage);
 * each record carries Scheduler's dead-letter attributes (src/sandbox/dead-letter.ts writes them the
 * way AWS documents them) and the target's input as its body, which the consumer never needs.
 *
 * Decisions:
 * - An event that is not an SQS batch at all is bad input and throws: the whole batch stays in the
 *   queue and the error says what was wrong. A single record never throws.
 * - A record without a valid SCHEDULE_ARN is `unrecognised`, not dropped: something other than
 *   Scheduler wrote to a schedule DLQ, and that is alerted on like a failure (see dead-letter-findings.ts).
 * - With a valid SCHEDULE_ARN the record is a dead letter even when other attributes are missing or
 *   malformed: the schedule is known, so the alert goes out with what is there, and `problems` says
 *   what was not.
 */
import * as z from 'zod';
import { scheduleArnParts } from '../arn.ts';
import type { ScheduleRef } from '../checks/model.ts';
import { clipText } from '../clip-text.ts';
import { UserError } from '../errors.ts';

/** One record of a Lambda SQS event, the fields the consumer reads (Lambda sends more). */
export interface SqsRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  messageAttributes: Record<string, { stringValue?: string; dataType?: string }>;
  /** The queue's ARN. */
  eventSourceARN: string;
}

export interface DeadLetterFact {
  kind: 'dead-letter';
  messageId: string;
  queueArn: string;
  schedule: ScheduleRef;
  /** When the lost run was due (SCHEDULED_TIME), not when Scheduler tried it. */
  scheduledTime?: Date;
  errorCode?: string;
  errorMessage?: string;
  targetArn?: string;
  retryAttempts?: number;
  /** MaximumRetryAttempts or MaximumEventAgeInSeconds; absent when the error was not retried. */
  exhaustedRetryCondition?: string;
  executionId?: string;
  payloadTruncated?: boolean;
  /** Attributes the alert needs that were missing or malformed, in words. */
  problems: string[];
}

export interface UnrecognisedMessage {
  kind: 'unrecognised';
  messageId: string;
  queueArn: string;
  /** Why it is not a Scheduler dead letter. */
  reason: string;
  attributeNames: string[];
  body: string;
}

export type DeadLetterRead = DeadLetterFact | UnrecognisedMessage;

const attributeValue = z.looseObject({ stringValue: z.string().optional(), dataType: z.string().optional() });
const recordSchema = z.looseObject({
  messageId: z.string().min(1, 'must be a non-empty string'),
  receiptHandle: z.string().optional(),
  body: z.string(),
  messageAttributes: z.record(z.string(), attributeValue).default({}),
  eventSourceARN: z.string().default(''),
});
const eventSchema = z.looseObject({ Records: z.array(recordSchema) });

/** The records of a Lambda SQS event; throws a UserError naming the first fields that are wrong. */
export function parseSqsEvent(event: unknown): SqsRecord[] {
  const parsed = eventSchema.safeParse(event);
  if (parsed.success) return parsed.data.Records;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(event)'} ${issue.message}`);
  throw new UserError(
    'INVALID_DEAD_LETTER_EVENT',
    `The dead-letter consumer expects a Lambda SQS event ({"Records":[{"messageId","body","messageAttributes",…}]}): ${problems.join('; ')}.`,
    'Invoke it only through the SQS event source mapping of a schedule dead-letter queue (or the sandbox consumer).',
  );
}

/** SCHEDULED_TIME is ISO 8601 with a zone, second precision (`2026-01-29T16:37:00Z`). */
const instant = z.iso.datetime({ offset: true, message: 'is not an ISO-8601 instant' }).transform((v) => new Date(v));
const OPTIONAL_FIELDS = {
  ERROR_CODE: z.string().min(1),
  ERROR_MESSAGE: z.string(),
  EXECUTION_ID: z.string().min(1),
  EXHAUSTED_RETRY_CONDITION: z.string().min(1),
  IS_PAYLOAD_TRUNCATED: z.enum(['true', 'false'], { message: 'is not "true" or "false"' }).transform((v) => v === 'true'),
  RETRY_ATTEMPTS: z.string().regex(/^\d{1,6}$/, 'is not a count').transform(Number),
  SCHEDULED_TIME: instant,
  TARGET_ARN: z.string().startsWith('arn:', 'is not an ARN'),
} as const;
type Field = keyof typeof OPTIONAL_FIELDS;
/** What an alert cannot do without: missing ones are reported in `problems`. */
const EXPECTED: readonly Field[] = ['ERROR_CODE', 'SCHEDULED_TIME', 'TARGET_ARN'];

/** One record → a dead-letter fact, or why it is not one. Never throws. */
export function readDeadLetter(record: SqsRecord): DeadLetterRead {
  const values = stringAttributes(record);
  const base = { messageId: record.messageId, queueArn: record.eventSourceARN };
  const scheduleArn = values.SCHEDULE_ARN;
  const unrecognised = (reason: string): UnrecognisedMessage => ({ kind: 'unrecognised', ...base, reason, attributeNames: Object.keys(record.messageAttributes).sort(), body: record.body });
  if (scheduleArn === undefined) return unrecognised('no SCHEDULE_ARN message attribute: not an EventBridge Scheduler dead-letter event');
  const parts = scheduleArnParts(scheduleArn);
  if (parts === undefined) return unrecognised(`SCHEDULE_ARN "${clipText(scheduleArn)}" is not a schedule ARN (arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>)`);

  const problems: string[] = [];
  const read = <F extends Field>(field: F): z.output<(typeof OPTIONAL_FIELDS)[F]> | undefined => {
    const raw = values[field];
    if (raw === undefined) {
      if (EXPECTED.includes(field)) problems.push(`${field} is missing`);
      return undefined;
    }
    const parsed = OPTIONAL_FIELDS[field].safeParse(raw);
    if (parsed.success) return parsed.data as z.output<(typeof OPTIONAL_FIELDS)[F]>;
    problems.push(`${field} "${clipText(raw, 60)}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    return undefined;
  };
  const fields = {
    scheduledTime: read('SCHEDULED_TIME'),
    errorCode: read('ERROR_CODE'),
    errorMessage: read('ERROR_MESSAGE'),
    targetArn: read('TARGET_ARN'),
    retryAttempts: read('RETRY_ATTEMPTS'),
    exhaustedRetryCondition: read('EXHAUSTED_RETRY_CONDITION'),
    executionId: read('EXECUTION_ID'),
    payloadTruncated: read('IS_PAYLOAD_TRUNCATED'),
  };
  const present = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<typeof fields>;
  return { kind: 'dead-letter', ...base, schedule: { group: parts.group, name: parts.name, arn: scheduleArn }, ...present, problems };
}

/** Attribute name → string value; Scheduler sends every attribute as String, anything else is ignored. */
function stringAttributes(record: SqsRecord): Partial<Record<string, string>> {
  const values: Partial<Record<string, string>> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes)) {
    if (typeof attribute.stringValue === 'string' && attribute.stringValue !== '') values[name] = attribute.stringValue;
  }
  return values;
}
