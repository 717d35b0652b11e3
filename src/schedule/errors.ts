import { clipText } from '../clip-text.ts';
import { UserError } from '../errors.ts';

export const SCHEDULE_TYPES_DOC = 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html';

/** Cron field names in AWS order; index + 1 is the field number used in messages. */
export const CRON_FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
export type CronFieldName = (typeof CRON_FIELD_NAMES)[number];

export interface ExpressionErrorDetails {
  readonly expression: string;
  readonly reason: string;
  /** Full message; defaults to the reason prefixed with the field, if any. */
  readonly message?: string;
  readonly field?: number;
  readonly hint?: string;
  readonly cause?: unknown;
}

/** A schedule expression that EventBridge Scheduler would reject. */
export class ExpressionError extends UserError {
  readonly expression: string;
  /** 1-based cron field number, or undefined when the problem is not in one cron field. */
  readonly field: number | undefined;
  readonly fieldName: CronFieldName | undefined;
  readonly reason: string;

  constructor(details: ExpressionErrorDetails) {
    const fieldName = details.field === undefined ? undefined : CRON_FIELD_NAMES[details.field - 1];
    const message =
      details.message ?? (fieldName === undefined ? details.reason : `cron field ${details.field} (${fieldName}): ${details.reason}`);
    super(
      'INVALID_EXPRESSION',
      message,
      details.hint ?? `Fix the expression "${clipText(details.expression.trim())}"; the accepted cron(), rate() and at() syntax is described at ${SCHEDULE_TYPES_DOC}`,
      'cause' in details ? { cause: details.cause } : undefined,
    );
    this.expression = details.expression;
    this.field = details.field;
    this.fieldName = fieldName;
    this.reason = details.reason;
  }

  override details(): Record<string, unknown> {
    // The document says what is wrong; echoing a 100,000-character input back would bury that.
    return { expression: clipText(this.expression), field: this.field ?? null, fieldName: this.fieldName ?? null, reason: this.reason };
  }
}
