import { createEvaluateContext, type EvaluateOptions } from './evaluate-context.ts';
import { severityRank, type Finding } from './finding.ts';
import type { Snapshot } from './model.ts';
import { incompleteFindings } from './rules/incomplete-rules.ts';
import { metricFindings } from './rules/metric-rules.ts';
import { runFindings } from './rules/run-rules.ts';
import { blindFindings, scopeFindings } from './rules/sight-rules.ts';
import { checkExpression, stateFindings } from './rules/state-rules.ts';
import { targetFindings } from './rules/target-rules.ts';

/** Snapshot → findings. Pure: the same snapshot, time and calendar always give the same findings. */
export function evaluate(snapshot: Snapshot, options: EvaluateOptions): Finding[] {
  const ctx = createEvaluateContext(snapshot, options);
  const findings: Finding[] = [];
  for (const schedule of snapshot.schedules) {
    findings.push(...targetFindings(schedule, ctx));
    const expression = checkExpression(schedule);
    if (!expression.ok) {
      findings.push(expression.finding);
      continue;
    }
    // rate() fires relative to its StartDate or creation; AWS always returns CreationDate, but a
    // schedule without either cannot be placed in time, so only its targets are judged.
    if (expression.parsed.kind === 'rate' && schedule.startDate === undefined && schedule.creationDate === undefined) continue;
    findings.push(...stateFindings(schedule, expression.parsed, ctx));
    findings.push(...runFindings(schedule, expression.parsed, ctx));
  }
  const blind = blindFindings(ctx);
  // The action that blinded the check is said once, by MONITOR_BLIND, not again as CHECK_INCOMPLETE.
  const blindActions = new Set(blind.map((f) => f.evidence.action));
  const incomplete = incompleteFindings(ctx).filter((f) => !blindActions.has(f.evidence.action));
  findings.push(...metricFindings(ctx), ...incomplete, ...blind, ...scopeFindings(ctx));
  return sortFindings(findings);
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.schedule?.group ?? a.group ?? '').localeCompare(b.schedule?.group ?? b.group ?? '') ||
      (a.schedule?.name ?? '').localeCompare(b.schedule?.name ?? '') ||
      a.code.localeCompare(b.code),
  );
}
