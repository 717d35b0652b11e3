/**
 * Did `--fix` leave things healthy? Pure. Exit 1 when any change was not applied (failed, skipped as
 * a concurrent edit), a schedule still needs a decision, a run was waited for and not seen, or a
 * finding at or above --fail-on remains that the fix does not address. The fix addresses, on each
 * schedule it changed successfully, TARGET_CLUSTER_NOT_FOUND and the MISSED_RUNS that follow from it,
 * and TARGET_ERRORS of a group all of whose missing-cluster schedules it fixed.
 */
import { atLeast, FindingCode, type Finding, type Severity } from '../checks/finding.ts';
import type { ChangeResult, RemediationPlan } from './change.ts';

export function unaddressedFindings(findings: readonly Finding[], failOn: Severity, results: readonly ChangeResult[]): Finding[] {
  const fixed = new Set(results.filter((r) => r.status === 'ok').map((r) => `${r.schedule.group}/${r.schedule.name}`));
  const brokenByGroup = new Map<string, string[]>();
  for (const f of findings) {
    if (f.code === FindingCode.TARGET_CLUSTER_NOT_FOUND && f.schedule) {
      brokenByGroup.set(f.schedule.group, [...(brokenByGroup.get(f.schedule.group) ?? []), `${f.schedule.group}/${f.schedule.name}`]);
    }
  }
  return findings.filter((f) => {
    if (!atLeast(f.severity, failOn)) return false;
    if (f.schedule && fixed.has(`${f.schedule.group}/${f.schedule.name}`)) {
      return f.code !== FindingCode.TARGET_CLUSTER_NOT_FOUND && f.code !== FindingCode.MISSED_RUNS;
    }
    if (f.code === FindingCode.TARGET_ERRORS && f.group !== undefined) {
      const broken = brokenByGroup.get(f.group) ?? [];
      return !(broken.length > 0 && broken.every((id) => fixed.has(id)));
    }
    return true;
  });
}

export function fixExitCode(input: { findings: readonly Finding[]; failOn: Severity; plan: RemediationPlan; results: readonly ChangeResult[] }): 0 | 1 {
  if (input.plan.decisions.length > 0) return 1;
  if (input.results.some((r) => r.status !== 'ok' && r.status !== 'unchanged')) return 1;
  if (input.results.some((r) => r.run !== undefined && !r.run.seen)) return 1;
  return unaddressedFindings(input.findings, input.failOn, input.results).length > 0 ? 1 : 0;
}
