import type { LookupFailure } from '../checks/model.ts';
import { errorMessage, errorName } from '../aws-error.ts';

/** A failed SDK call as the check's data: which IAM action, which error, what AWS said. */
export function toLookupFailure(error: unknown, action: string): LookupFailure {
  return { action, errorName: errorName(error), message: errorMessage(error) };
}
