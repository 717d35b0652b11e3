import { createEvaluateContext, type EvaluateOptions } from './evaluate-context.ts';
import { severityRank, type Finding } from './finding.ts';
import type { ScheduleFacts, Snapshot } from './model.ts';
import { RULES } from './registry.ts';
import { emitterFor, type CheckRule, type ExpressionCheck } from './rule.ts';
import type { ParsedExpression } from '../schedule/index.ts';
import { checkExpression } from './rules/state-rules.ts';

/**
 * Snapshot → findings, by running every registered rule. Pure: the same snapshot, time and calendar
 * always give the same findings. `rules` is for tests; everyone else runs the registry.
 */
export function evaluate(snapshot: Snapshot, options: EvaluateOptions, rules: readonly CheckRule[] = RULES): Finding[] {
  const ctx = createEvaluateContext(snapshot, options);
  const bound = rules.map((rule) => ({ rule, emit: emitterFor(rule) }));
  const findings: Finding[] = [];
  for (const schedule of snapshot.schedules) {
    const expression = checkExpression(schedule);
    const timing = timingOf(schedule, expression);
    for (const { rule, emit } of bound) {
      switch (rule.kind) {
        case 'schedule':
          findings.push(...rule.evaluate(schedule, ctx, emit, expression));
          break;
        case 'timing':
          if (timing !== undefined) findings.push(...rule.evaluate(schedule, ctx, emit, timing));
          break;
        case 'run':
          break;
      }
    }
  }
  for (const { rule, emit } of bound) if (rule.kind === 'run') findings.push(...rule.evaluate(ctx, emit));
  return sortFindings(findings);
}

/**
 * The parsed expression when the schedule can be placed in time; otherwise no timing rule judges it.
 * rate() fires relative to its StartDate or creation; AWS always returns CreationDate, but a schedule
 * without either cannot be placed.
 */
function timingOf(schedule: ScheduleFacts, expression: ExpressionCheck): ParsedExpression | undefined {
  if (!expression.ok) return undefined;
  if (expression.parsed.kind === 'rate' && schedule.startDate === undefined && schedule.creationDate === undefined) return undefined;
  return expression.parsed;
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
