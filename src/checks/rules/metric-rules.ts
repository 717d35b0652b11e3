import { FindingCode, type Finding } from '../finding.ts';
import type { EvaluateContext } from '../evaluate-context.ts';
import type { Emit } from '../rule.ts';

/** TARGET_ERRORS: the group's AWS/Scheduler metrics show failed or dropped invocations in the window. */
export function metricFindings(ctx: EvaluateContext, emit: Emit): Finding[] {
  const { metrics } = ctx.snapshot;
  const findings: Finding[] = [];
  for (const [group, lookup] of [...metrics.byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    if (lookup.status !== 'found') continue;
    const { targetErrors, dropped, invocationAttempts, sentToDeadLetter } = lookup.value;
    if (targetErrors === 0 && dropped === 0) continue;
    findings.push(
      emit(FindingCode.TARGET_ERRORS, {
        group,
        message: `schedule group ${group}: ${targetErrors} target error(s) and ${dropped} dropped invocation(s) out of ${invocationAttempts} attempt(s) since ${metrics.window.start.toISOString()}`,
        evidence: { invocationAttempts, targetErrors, dropped, sentToDeadLetter, windowStart: metrics.window.start.toISOString(), windowEnd: metrics.window.end.toISOString() },
        fix: `ops check-schedulers --group ${group}`,
      }),
    );
  }
  return findings;
}
