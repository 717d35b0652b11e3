import { FindingCode, Severity, type Finding } from '../finding.ts';
import { scheduleId, type Lookup, type LookupFailure, type ScheduleFacts } from '../model.ts';
import { isMarketCritical, type EvaluateContext } from '../evaluate-context.ts';
import type { Emit } from '../rule.ts';

const LISTED_SCHEDULES = 20;

/**
 * CHECK_INCOMPLETE: one finding per failing IAM action, naming the schedules whose checks could not
 * run, so a denied API never hides silently and never floods the report with one line per schedule.
 * The action that blinded the check is said once, by MONITOR_BLIND, not again here.
 */
export function incompleteFindings(ctx: EvaluateContext, emit: Emit): Finding[] {
  const byAction = new Map<string, { failure: LookupFailure; schedules: Set<string>; critical: Set<string> }>();
  const note = (failure: LookupFailure, schedule?: string, hidesCritical = false) => {
    const entry = byAction.get(failure.action) ?? { failure, schedules: new Set<string>(), critical: new Set<string>() };
    if (schedule !== undefined) entry.schedules.add(schedule);
    if (schedule !== undefined && hidesCritical) entry.critical.add(schedule);
    byAction.set(failure.action, entry);
  };
  const { snapshot } = ctx;
  // While the NYSE is open, a blind spot over a market-critical schedule is as bad as the fault it may hide.
  const critical = (ref: { group: string; name: string }) => ctx.marketOpen && isMarketCritical(ref, ctx);
  for (const failure of snapshot.failures) note(failure);
  for (const group of snapshot.groups) if (group.tagsFailure) note(group.tagsFailure, `${group.name}/*`);
  for (const { ref, failure } of snapshot.unreadable) note(failure, scheduleId(ref), critical(ref));
  for (const schedule of snapshot.schedules) {
    for (const failure of unknownLookups(schedule, ctx)) note(failure, scheduleId(schedule), critical(schedule));
    const evidence = snapshot.evidence.get(scheduleId(schedule));
    if (evidence?.source === 'none' && evidence.failure) note(evidence.failure, scheduleId(schedule), critical(schedule));
  }
  for (const [group, lookup] of snapshot.metrics.byGroup) {
    if (lookup.status === 'unknown') note(lookup.failure, `${group}/*`);
  }

  if (ctx.blind) byAction.delete(ctx.blind.failure.action);
  return [...byAction.values()]
    .sort((a, b) => a.failure.action.localeCompare(b.failure.action))
    .map(({ failure, schedules, critical }) => {
      const names = [...schedules].sort();
      const denied = /denied|unauthori[sz]ed/i.test(failure.errorName);
      const hidden = critical.size > 0 ? `, ${critical.size} of them market-critical while the market is open` : '';
      return emit(FindingCode.CHECK_INCOMPLETE, {
        ...(critical.size > 0 ? { severity: Severity.critical } : {}),
        message: `${failure.action} failed (${failure.errorName})${names.length > 0 ? ` for ${names.length} schedule(s)${hidden}` : ''}; those checks did not run${denied ? `: grant ${failure.action} to the caller` : ''}`,
        evidence: {
          action: failure.action,
          errorName: failure.errorName,
          error: failure.message,
          affected: names.slice(0, LISTED_SCHEDULES),
          affectedCount: names.length,
          ...(critical.size > 0 ? { marketCriticalAffected: [...critical].sort().slice(0, LISTED_SCHEDULES) } : {}),
        },
        fix: denied ? simulateCommand(failure.action) : 'ops check-schedulers   # re-run; the failure may be transient',
      });
    });
}

function unknownLookups(schedule: ScheduleFacts, ctx: EvaluateContext): LookupFailure[] {
  const { snapshot } = ctx;
  const target = schedule.target;
  const lookups: (Lookup<unknown> | undefined)[] = [snapshot.roles.get(target.roleArn)];
  if (target.kind === 'ecs') {
    lookups.push(snapshot.clusters.get(target.arn));
    if (target.ecs) lookups.push(snapshot.taskDefinitions.get(target.ecs.taskDefinitionArn));
  }
  if (target.kind === 'lambda') lookups.push(snapshot.functions.get(target.arn));
  if (target.deadLetterArn !== undefined) lookups.push(snapshot.queues.get(target.deadLetterArn));
  return lookups.flatMap((lookup) => (lookup?.status === 'unknown' ? [lookup.failure] : []));
}

/**
 * simulate-principal-policy wants an IAM user or role ARN, but a session's caller ARN is usually
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>`: the sed turns it into the role's ARN.
 */
function simulateCommand(action: string): string {
  const principal = `"$(aws sts get-caller-identity --query Arn --output text | sed -E 's#:sts::([0-9]+):assumed-role/([^/]+)/.*#:iam::\\1:role/\\2#')"`;
  return `aws iam simulate-principal-policy --action-names ${action} --policy-source-arn ${principal}`;
}
