/**
 * The shape of a registered rule (registry.ts lists them; evaluate.ts runs them). A rule never names
 * its own runbook or usual severity: it emits through `emit`, which takes both from the declarations
 * it was registered with, and refuses a code it was not registered for.
 */
import type { ParsedExpression } from '../schedule/index.ts';
import type { EvaluateContext } from './evaluate-context.ts';
import type { Finding, FindingCode, Severity } from './finding.ts';
import type { ScheduleFacts } from './model.ts';

export interface CheckDeclaration {
  code: FindingCode;
  /** The usual severity; a rule may raise it (MISSED_RUNS, CHECK_INCOMPLETE while the market is open). */
  severity: Severity;
  title: string;
  /** Read-only IAM actions the collector needs for this check. */
  iamActions: readonly string[];
  runbook: string;
}

/** A finding as a rule writes it: the code's declaration supplies the runbook and, unless raised, the severity. */
export type FindingDraft = Omit<Finding, 'code' | 'severity' | 'runbook'> & { severity?: Severity };
export type Emit = (code: FindingCode, draft: FindingDraft) => Finding;

/** The schedule's expression and timezone, parsed once per schedule for every rule that needs them. */
export type ExpressionCheck = { ok: true; parsed: ParsedExpression } | { ok: false; reason: string };

interface Registered {
  /** One declaration per code the rule may emit. */
  checks: readonly CheckDeclaration[];
}

/** Judged for every schedule. */
export interface ScheduleRule extends Registered {
  kind: 'schedule';
  evaluate(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit, expression: ExpressionCheck): Finding[];
}

/** Judged only for a schedule whose expression is valid and that can be placed in time. */
export interface TimingRule extends Registered {
  kind: 'timing';
  evaluate(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit, parsed: ParsedExpression): Finding[];
}

/** Judged once per check, over the whole snapshot. */
export interface RunRule extends Registered {
  kind: 'run';
  evaluate(ctx: EvaluateContext, emit: Emit): Finding[];
}

export type CheckRule = ScheduleRule | TimingRule | RunRule;

export function declareCheck(code: FindingCode, severity: Severity, title: string, iamActions: readonly string[]): CheckDeclaration {
  return { code, severity, title, iamActions, runbook: `runbooks/${code}.md` };
}

export function emitterFor(rule: CheckRule): Emit {
  return (code, draft) => {
    const declared = rule.checks.find((check) => check.code === code);
    if (declared === undefined) throw new Error(`A rule registered for ${rule.checks.map((c) => c.code).join(', ')} emitted ${code}`);
    // Key order is the order reports and JSON documents print them in.
    const { severity, schedule, group, message, evidence, fix } = draft;
    return {
      code,
      severity: severity ?? declared.severity,
      ...(schedule !== undefined ? { schedule } : {}),
      ...(group !== undefined ? { group } : {}),
      message,
      evidence,
      fix,
      runbook: declared.runbook,
    };
  };
}
