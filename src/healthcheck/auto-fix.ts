/**
 * The healthcheck's auto-fix: the remediation library's plan and apply, with nobody to ask. So it
 * does strictly less than `ops check-schedulers --fix`:
 * - no --cluster and no --map: only automatic plans, where exactly one ACTIVE cluster matches;
 * - a schedule that needs a decision is never touched (the alert names it);
 * - more changes than maxChanges → nothing at all is written, and the run says so (log, the
 *   AutoFixRefused metric, a note in the alert email): a fault that wide wants a person.
 */
import { ecsClusterName } from '../arn.ts';
import type { Finding } from '../checks/finding.ts';
import type { Snapshot } from '../checks/model.ts';
import { ResolvedBy, type ChangeResult, type NeedsDecision, type RemediationPlan } from '../remediate/change.ts';
import { changeLimitRefusal } from '../remediate/change-limit.ts';
import { newRunId } from '../remediate/identifiers.ts';
import type { ClusterDirectory } from '../remediate/ports.ts';
import { applyFix, planFix, type FixPorts } from '../remediate/run-fix.ts';
import type { SelfHealedChange } from '../alerts/index.ts';

export interface AutoFixDeps {
  clusters: ClusterDirectory;
  ports: FixPorts;
}

export type AutoFixOutcome =
  | { status: 'off' }
  | { status: 'nothing-to-fix' }
  /** Every broken schedule needs a person (several clusters match, or none). */
  | { status: 'needs-decision'; decisions: NeedsDecision[] }
  | { status: 'refused'; planned: number; maxChanges: number; decisions: NeedsDecision[]; reason: string }
  | { status: 'applied'; runId: string; who: string; auditLog: string; results: ChangeResult[]; decisions: NeedsDecision[]; healed: number }
  | { status: 'failed'; error: string };

export interface AutoFixOptions {
  maxChanges: number;
  clock: () => Date;
  runId?: string;
  progress?: (message: string) => void;
}

/** The plan auto-fix would apply: automatic matches only; everything else stays a decision. */
export async function planAutoFix(check: { findings: readonly Finding[]; snapshot: Pick<Snapshot, 'schedules'> }, clusters: ClusterDirectory): Promise<RemediationPlan> {
  const plan = await planFix(check, clusters, {});
  // planFix without --cluster/--map only auto-matches; filtering again keeps that true if it ever changes.
  return { ...plan, changes: plan.changes.filter((c) => c.resolvedBy === ResolvedBy.auto) };
}

export async function runAutoFix(plan: RemediationPlan, snapshot: Pick<Snapshot, 'schedules'>, ports: FixPorts, options: AutoFixOptions): Promise<AutoFixOutcome> {
  if (plan.changes.length === 0) return plan.decisions.length > 0 ? { status: 'needs-decision', decisions: plan.decisions } : { status: 'nothing-to-fix' };
  const tooMany = changeLimitRefusal(plan.changes.length, options.maxChanges);
  if (tooMany !== undefined) {
    return {
      status: 'refused',
      planned: tooMany.planned,
      maxChanges: tooMany.limit,
      decisions: plan.decisions,
      reason: `auto-fix planned ${tooMany.planned} changes, more than MAX_CHANGES ${tooMany.limit}; nothing was written`,
    };
  }
  const runId = options.runId ?? newRunId('fix', options.clock());
  const run = await applyFix(plan, snapshot, ports, { now: options.clock, maxChanges: options.maxChanges, runId, ...(options.progress ? { progress: options.progress } : {}) });
  return {
    status: 'applied',
    runId: run.runId,
    who: run.who.known ? run.who.arn : `unknown (${run.who.reason})`,
    auditLog: ports.audit.path,
    results: run.results,
    decisions: plan.decisions,
    healed: run.results.filter((r) => r.status === 'ok').length,
  };
}

/** The rows of the self-healed email: every change tried, with its backup. */
export function selfHealedChanges(results: readonly ChangeResult[]): SelfHealedChange[] {
  return results.map((r) => ({
    schedule: `${r.schedule.group}/${r.schedule.name}`,
    from: r.from,
    to: r.to,
    backup: r.backupFile ?? '(none: nothing was written)',
    result: r.status === 'ok' || r.status === 'unchanged' ? r.status : `${r.status}${r.reason !== undefined ? `: ${r.reason}` : ''}`,
  }));
}

/** A line for the alert email when auto-fix did not (fully) repair the cluster findings. */
export function autoFixNote(outcome: AutoFixOutcome): string | undefined {
  switch (outcome.status) {
    case 'off':
    case 'nothing-to-fix':
      return undefined;
    case 'needs-decision':
      return `Auto-fix changed nothing: ${outcome.decisions.length} schedule(s) need a decision (${outcome.decisions[0]?.reason ?? 'no unambiguous cluster'}).`;
    case 'refused':
      return `Auto-fix REFUSED: ${outcome.reason}. Review the plan with \`ops check-schedulers --fix --dry-run\`.`;
    case 'applied': {
      const notOk = outcome.results.filter((r) => r.status !== 'ok' && r.status !== 'unchanged').length;
      const parts = [`Auto-fix repointed ${outcome.healed} schedule(s) (run ${outcome.runId})`];
      if (notOk > 0) parts.push(`${notOk} change(s) failed or were skipped`);
      if (outcome.decisions.length > 0) parts.push(`${outcome.decisions.length} schedule(s) need a decision`);
      return `${parts.join('; ')}.`;
    }
    case 'failed':
      return `Auto-fix failed: ${outcome.error}`;
  }
}

/**
 * The exact command for the email: the automatic plan as explicit --map entries, so a person who
 * runs it gets exactly what auto-fix would do; the bare command when there is no such plan.
 */
export function fixCommandFor(plan: RemediationPlan | undefined, region: string | undefined, scope?: string): string {
  // Org mode names the account too (`--accounts 111111111111 --regions us-east-1`): see HealthcheckOptions.fixScope.
  const where = scope ?? (region ? `--region ${region}` : undefined);
  const base = `ops check-schedulers${where ? ` ${where}` : ''} --fix`;
  if (plan === undefined || plan.changes.length === 0) return base;
  const maps = new Set(plan.changes.map((c) => `${ecsClusterName(c.from) ?? c.from}=${ecsClusterName(c.to) ?? c.to}`));
  return `${base} ${[...maps].sort().map((m) => `--map ${m}`).join(' ')}`;
}
