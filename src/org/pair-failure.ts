/**
 * A pair's failure as data: the IAM action that failed, AWS's error name and what it said. Work for a
 * pair throws PairIncompleteError (the adapters' RoleAssumptionError is one) to say which action
 * failed; anything else is recorded with action `unknown`.
 */
import { errorMessage, errorName } from '../aws-error.ts';
import { clipText } from '../clip-text.ts';

export interface PairFailure {
  /** The IAM action that failed (sts:AssumeRole, scheduler:ListSchedules, …), or `unknown`. */
  action: string;
  errorName: string;
  reason: string;
}

/** Thrown by pair work to fail its pair with a known action (a blind check names the call that blinded it). */
export class PairIncompleteError extends Error {
  constructor(
    readonly failure: PairFailure,
    message = `${failure.action}: ${failure.errorName}: ${failure.reason}`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PairIncompleteError';
  }
}

export function pairFailureOf(error: unknown): PairFailure {
  if (error instanceof PairIncompleteError) return error.failure;
  return { action: 'unknown', errorName: errorName(error), reason: clipText(errorMessage(error), 300) };
}
