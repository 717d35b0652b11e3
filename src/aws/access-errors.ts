/**
 * Failures that are the caller's setup, not AWS's: no or rejected credentials, an endpoint that does
 * not answer. Every call of a session fails the same way, so the CLI reports them once as a
 * configuration error (exit 2) with something to do, instead of a fault or a list of unreadable items.
 *
 * Two entry points, for the two shapes failures take here: a thrown error (an adapter's FaultError
 * wrapping the SDK error in `cause`, or the SDK error itself) and a `LookupFailure` that adapters
 * return as data (what `ops check-schedulers` and `ops rollback` read).
 *
 * Access denied is deliberately not classified here: it is per resource and per action (one denied
 * GetSchedule says nothing about the next), so adapters name the IAM action themselves.
 *
 * This module only classifies; adapters stay as they are. Lambdas must keep treating a network error
 * as transient (the workflow gate retries it), so only a CLI turns these into UserErrors.
 */
import type { LookupFailure } from '../checks/model.ts';
import { isOpsError, UserError } from '../errors.ts';
import { errorMessage, errorName } from '../aws-error.ts';

export { AccessErrorCode, accessErrorCodeOf, ENDPOINT_UNREACHABLE_HINT, NO_CREDENTIALS_HINT } from '../access-failure.ts';
import { AccessErrorCode, accessErrorCodeOf, ENDPOINT_UNREACHABLE_HINT, NO_CREDENTIALS_HINT } from '../access-failure.ts';

/**
 * The UserError for a look-up that failed for lack of access, or undefined.
 * `api` names what could not be reached in the message, e.g. `the Scheduler API`.
 */
export function accessErrorFromFailure(failure: Pick<LookupFailure, 'errorName' | 'message'>, api: string): UserError | undefined {
  const code = accessErrorCodeOf(failure);
  return code === undefined ? undefined : accessError(code, failure.message, api);
}

/**
 * The same for a thrown error. The chain of causes is searched because adapters wrap the SDK error
 * (`WORKFLOW_STORE_FAILED` with the ECONNREFUSED as cause); the message keeps the outermost text,
 * which says which call failed. A UserError is already explained and is never reclassified.
 */
export function accessErrorOf(error: unknown, api: string): UserError | undefined {
  if (error instanceof UserError) return undefined;
  let link: unknown = error;
  for (let depth = 0; depth < 5 && typeof link === 'object' && link !== null; depth++) {
    // An OpsError's name is its class (FaultError); its code is what says what happened.
    const code = accessErrorCodeOf({ errorName: isOpsError(link) ? link.code : errorName(link), message: errorMessage(link) });
    if (code !== undefined) return accessError(code, errorMessage(error), api, error);
    link = (link as { cause?: unknown }).cause;
  }
  return undefined;
}

function accessError(code: AccessErrorCode, message: string, api: string, cause?: unknown): UserError {
  const options = cause !== undefined ? { cause } : undefined;
  switch (code) {
    case AccessErrorCode.noCredentials:
      return new UserError(code, `AWS rejected or could not find credentials: ${message}`, NO_CREDENTIALS_HINT, options);
    case AccessErrorCode.endpointUnreachable:
      return new UserError(code, `Cannot reach ${api}: ${message}`, ENDPOINT_UNREACHABLE_HINT, options);
    default: {
      const never: never = code;
      throw new Error(`unhandled access error ${String(never)}`);
    }
  }
}

/** Runs AWS calls, turning a failure for lack of access into its UserError; other errors pass unchanged. */
export async function explainingAccess<T>(api: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw accessErrorOf(error, api) ?? error;
  }
}
