import type { EvaluateContext } from '../evaluate-context.ts';
import { FindingCode, type Finding } from '../finding.ts';
import type { Emit } from '../rule.ts';
import { clipText } from '../../clip-text.ts';

/** MONITOR_BLIND: the check saw nothing it could vouch for, so "no findings" would be a lie. */
export function blindFindings(ctx: EvaluateContext, emit: Emit): Finding[] {
  const { blind } = ctx;
  if (!blind) return [];
  return [
    emit(FindingCode.MONITOR_BLIND, {
      message: blind.reason,
      evidence: { action: blind.failure.action, errorName: blind.failure.errorName, error: clipText(blind.failure.message, 300), cause: blind.cause, errorCode: blind.code },
      fix: blind.hint,
    }),
  ];
}

/**
 * SCOPE_EMPTY: the schedules were listed and none matched. A typo in --group or --name-prefix, or the
 * wrong --region, otherwise reads as "all healthy". Not for a change-driven check: a change that
 * touches no schedule (a cluster nothing targets) is nothing to check, not a mistyped scope.
 */
export function scopeFindings(ctx: EvaluateContext, emit: Emit): Finding[] {
  const { snapshot } = ctx;
  if (snapshot.change !== undefined) return [];
  if (snapshot.schedules.length > 0 || snapshot.unreadable.length > 0) return [];
  if (snapshot.failures.some((f) => f.action === 'scheduler:ListSchedules')) return [];
  const scope = snapshot.scope ?? {};
  const named = [
    scope.group !== undefined ? `--group ${clipText(scope.group)}` : undefined,
    scope.namePrefix !== undefined ? `--name-prefix ${clipText(scope.namePrefix)}` : undefined,
    scope.state !== undefined ? `--state ${scope.state}` : undefined,
  ].filter((s) => s !== undefined);
  const where = named.length > 0 ? `${named.join(' ')} in ${snapshot.region}` : `region ${snapshot.region}`;
  const groupsKnown = !snapshot.failures.some((f) => f.action === 'scheduler:ListScheduleGroups');
  const groupMissing = scope.group !== undefined && groupsKnown && !snapshot.groups.some((g) => g.name === scope.group);
  const groupNames = snapshot.groups.map((g) => g.name).sort();
  const note = groupMissing ? ` (no schedule group named "${clipText(scope.group ?? '')}"; groups: ${groupNames.slice(0, 10).join(', ') || 'none'}${groupNames.length > 10 ? ', …' : ''})` : '';
  return [
    emit(FindingCode.SCOPE_EMPTY, {
      message: `no schedule matches ${where}${note}: nothing was checked; list the groups with \`aws scheduler list-schedule-groups --region ${snapshot.region}\``,
      evidence: { scope, region: snapshot.region, groups: groupNames.slice(0, 20), groupCount: groupNames.length, ...(groupMissing ? { groupMissing: true } : {}) },
      fix: `aws scheduler list-schedule-groups --region ${snapshot.region} --query 'ScheduleGroups[].Name'   # then aws scheduler list-schedules --group-name <group>`,
    }),
  ];
}
