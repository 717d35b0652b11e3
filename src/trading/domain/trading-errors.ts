/**
 * The workflow's error types. A StepError is a domain failure (bad data, an impossible plan, a broker
 * rejection): it fails the workflow with its code. An InvalidEventError is an event that does not
 * match the schema; it can never become valid, so the Lambda shell lets it go to the DLQ.
 */
import type { z } from 'zod';
import { FaultError, isOpsError, UserError } from '../../errors.ts';

export class StepError extends FaultError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export class InvalidEventError extends UserError {
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[], options?: { cause?: unknown }) {
    super('INVALID_EVENT', `${what} is not a valid workflow event: ${issues.slice(0, 5).join('; ')}`, 'Check the producer: every event must match src/trading/domain/events.ts.', options);
    this.issues = issues;
  }

  override details(): Record<string, unknown> {
    return { issues: this.issues };
  }
}

export function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/** The code recorded as `errorCode` when a step fails. */
export function errorCodeOf(error: unknown): string {
  if (isOpsError(error)) return error.code;
  return 'HANDLER_ERROR';
}

/** A one-line reason for the failure record and the email. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 497)}...` : message || 'unknown error';
}

/**
 * Infrastructure failures a retry may cure (the store or the bus was unavailable or throttled). The
 * gate gives the event back (releases its claim) and rethrows them, so Lambda retries the delivery;
 * every other error fails the workflow, because trading on after an unexplained error is worse than
 * stopping. If the retries run out, the sweeper fails the workflow on timeout.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set(['WORKFLOW_STORE_FAILED', 'WORKFLOW_STORE_THROTTLED', 'EVENT_PUBLISH_FAILED']);

export function isTransient(error: unknown): boolean {
  return isOpsError(error) && TRANSIENT_ERROR_CODES.has(error.code);
}
