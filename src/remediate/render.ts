/**
 * Plans and results as text a person reads before and after a write. The JSON document carries the
 * same data in full (ARNs unabbreviated).
 */
import type { ChangeResult, RemediationPlan, WriteResult } from './change.ts';
import type { RollbackPreview, RollbackResult } from './rollback.ts';
import type { FieldDiff } from './schedule-document.ts';

/** `arn:…:cluster/ops-pipeline` → `…/ops-pipeline` when both sides share everything up to the last `/`. */
export function abbreviatePair(before: string, after: string): [string, string] {
  const cut = Math.min(before.lastIndexOf('/'), after.lastIndexOf('/'));
  if (cut > 0 && before.slice(0, cut) === after.slice(0, cut)) return [`…${before.slice(cut)}`, `…${after.slice(cut)}`];
  return [before, after];
}

export function renderFieldDiff(diff: FieldDiff): string {
  const show = (json: string | undefined): string => {
    if (json === undefined) return '(absent)';
    try {
      const value: unknown = JSON.parse(json);
      return typeof value === 'string' ? value : json;
    } catch {
      return json;
    }
  };
  const [before, after] = abbreviatePair(show(diff.before), show(diff.after));
  return `${diff.path}: ${before} → ${after}`;
}

export function renderPlan(plan: RemediationPlan, opts: { maxChanges?: number } = {}): string {
  const lines: string[] = [];
  const { changes, decisions } = plan;
  lines.push(`Fix plan: ${changes.length} change(s) to Target.Arn, ${decisions.length} schedule(s) need a decision`);
  for (const change of changes) {
    lines.push(`  ${change.schedule.group}/${change.schedule.name}`);
    for (const diff of change.diff) lines.push(`    ${renderFieldDiff(diff)}`);
    lines.push(`    why: ${change.resolvedBy}: ${change.because}`);
    lines.push(`    planned on LastModificationDate ${change.plannedOn}`);
  }
  if (changes.length > 0) {
    const to = [...new Set(changes.map((c) => c.to))];
    lines.push(`  new target${to.length > 1 ? 's' : ''}: ${to.join(', ')}`);
  }
  if (decisions.length > 0) {
    lines.push(`Needs a decision (${decisions.length}), not changed:`);
    for (const d of decisions) {
      lines.push(`  ${d.schedule.group}/${d.schedule.name}  targets ${d.from}`);
      lines.push(`    ${d.reason}`);
      if (d.candidates.length > 0) lines.push(`    candidates: ${d.candidates.join(', ')}`);
      lines.push(`    decide: ${d.hint}`);
    }
  }
  if (plan.unusedMappings.length > 0) lines.push(`--map entries that matched no broken schedule: ${plan.unusedMappings.join(', ')}`);
  if (opts.maxChanges !== undefined && changes.length > opts.maxChanges) {
    lines.push(`The plan is larger than --max-changes ${opts.maxChanges}: applying it will be refused.`);
  }
  return lines.join('\n');
}

function statusWord(result: WriteResult): string {
  return result.status.padEnd(9);
}

function writeNotes(result: WriteResult): string[] {
  const notes: string[] = [];
  if (result.reason !== undefined) notes.push(result.reason);
  if (result.startDateDropped) notes.push('StartDate was in the past and AWS rejected it; written without StartDate (cron/at: it gated no future run)');
  if (result.backupFile !== undefined) notes.push(`backup: ${result.backupFile}`);
  return notes;
}

export function renderChangeResults(results: readonly ChangeResult[], context: { runId: string; auditLog: string }): string {
  const lines = [`Applied as run ${context.runId} (audit log ${context.auditLog}):`];
  for (const r of results) {
    const [from, to] = abbreviatePair(r.from, r.to);
    lines.push(`  ${statusWord(r)}${r.schedule.group}/${r.schedule.name}  Target.Arn: ${from} → ${to}`);
    for (const note of writeNotes(r)) lines.push(`             ${note}`);
    if (r.targetCheck !== undefined && r.targetCheck.status !== 'ACTIVE') lines.push(`             new target: ${r.targetCheck.status}${r.targetCheck.detail ? ` (${r.targetCheck.detail})` : ''}`);
    if (r.run !== undefined) {
      lines.push(r.run.seen ? `             ran: ${r.run.evidence} (${r.run.source})` : `             no run seen within ${r.run.waitedMinutes} min${r.run.detail ? ` (${r.run.detail})` : ''}`);
    }
  }
  const count = (status: string) => results.filter((r) => r.status === status).length;
  lines.push(`${count('ok')} ok, ${count('skipped')} skipped, ${count('failed')} failed.${results.some((r) => r.written) ? ' Undo with: ops rollback --last' : ''}`);
  return lines.join('\n');
}

export function renderRollbackPreview(selected: string, previews: readonly RollbackPreview[]): string {
  const lines = [`Rollback of ${selected}: ${previews.filter((p) => p.action === 'restore').length} schedule(s) to restore`];
  for (const p of previews) {
    lines.push(`  ${p.action.padEnd(19)} ${p.item.schedule.group}/${p.item.schedule.name}  (entry ${p.item.sourceEntryId})`);
    for (const diff of p.diff) lines.push(`      ${renderFieldDiff(diff)}`);
    if (p.reason !== undefined) lines.push(`      ${p.reason}`);
    lines.push(`      from backup ${p.item.backupFile}`);
  }
  return lines.join('\n');
}

export function renderRollbackResults(results: readonly RollbackResult[], context: { runId: string; auditLog: string }): string {
  const lines = [`Rolled back as run ${context.runId} (audit log ${context.auditLog}):`];
  for (const r of results) {
    lines.push(`  ${statusWord(r)}${r.schedule.group}/${r.schedule.name}  restored ${r.backupRestored}`);
    for (const note of writeNotes(r)) lines.push(`             ${note}`);
  }
  const count = (status: string) => results.filter((r) => r.status === status).length;
  lines.push(`${count('ok')} restored, ${count('unchanged')} unchanged, ${count('skipped')} skipped, ${count('failed')} failed.`);
  return lines.join('\n');
}
