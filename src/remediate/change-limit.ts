/**
 * The --max-changes (MAX_CHANGES) decision, in one place, before the first write. The CLI's consent
 * gate asks it before the question (so nobody is asked to approve what would be refused), auto-fix
 * before it applies anything (and reports the refusal as data), and the writers (applyChanges,
 * applyRollback) assert it so that no caller can skip it.
 */
import { UserError } from '../errors.ts';

export const DEFAULT_MAX_CHANGES = 25;

export class TooManyChangesError extends UserError {
  constructor(
    readonly planned: number,
    readonly limit: number,
    what = 'change',
  ) {
    super(
      'TOO_MANY_CHANGES',
      `The plan has ${planned} ${what}(s), more than --max-changes ${limit}; nothing was written.`,
      `Narrow it with --group / --name-prefix, or raise the limit with --max-changes ${planned} after reading the plan (--dry-run).`,
    );
  }

  override details(): Record<string, unknown> {
    return { planned: this.planned, maxChanges: this.limit };
  }
}

/** undefined when `planned` writes are within the limit; otherwise the refusal, to throw or to report. */
export function changeLimitRefusal(planned: number, maxChanges: number, what?: string): TooManyChangesError | undefined {
  return planned > maxChanges ? new TooManyChangesError(planned, maxChanges, what) : undefined;
}

export function assertWithinLimit(planned: number, maxChanges: number, what?: string): void {
  const refusal = changeLimitRefusal(planned, maxChanges, what);
  if (refusal !== undefined) throw refusal;
}
