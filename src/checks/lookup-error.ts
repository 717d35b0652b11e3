import { FaultError } from '../errors.ts';
import type { LookupFailure } from './model.ts';

/** A listing call (ListSchedules, ListScheduleGroups) failed; the check reports it as CHECK_INCOMPLETE. */
export class LookupError extends FaultError {
  readonly failure: LookupFailure;

  constructor(failure: LookupFailure, options?: { cause?: unknown }) {
    super('LOOKUP_FAILED', `${failure.action} failed: ${failure.errorName}: ${failure.message}`, options);
    this.failure = failure;
  }
}
