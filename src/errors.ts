/**
 * One error hierarchy for the whole toolkit. Library code throws these; only the CLI and the Lambda
 * shells turn them into exit codes or failed invocations.
 *
 * - UserError: bad input, configuration or credentials. Always carries a hint that says what to do.
 * - FaultError: something broke that the user cannot fix by changing their input (a bug, an AWS outage).
 */
export const ErrorKind = { user: 'user', fault: 'fault' } as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export abstract class OpsError extends Error {
  abstract readonly kind: ErrorKind;
  /** A stable, machine-readable code such as `INVALID_EXPRESSION`. */
  readonly code: string;

  /** Structured facts for the JSON error document (e.g. which cron field is wrong). */
  details(): Record<string, unknown> | undefined {
    return undefined;
  }

  protected constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class UserError extends OpsError {
  readonly kind = ErrorKind.user;
  readonly hint: string;

  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.hint = hint;
  }
}

export class FaultError extends OpsError {
  readonly kind = ErrorKind.fault;
  /** What to do about an outage, when there is something (wait, check the AWS Health Dashboard). */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super(code, message, options);
    this.hint = options?.hint;
  }
}

export function isOpsError(error: unknown): error is OpsError {
  return error instanceof OpsError;
}
