import { describe, expect, it } from 'vitest';
import { runAutoFix } from '../../../src/healthcheck/auto-fix.ts';
import { applyChanges } from '../../../src/remediate/apply.ts';
import { changeLimitRefusal, TooManyChangesError } from '../../../src/remediate/change-limit.ts';
import type { RemediationPlan } from '../../../src/remediate/change.ts';
import { activeCluster, changeFor, ecsSchedule, memoryAudit, memoryBackups, memoryScheduler, targetChecker, WHO } from './fakes.ts';

const NOW = new Date('2026-01-29T23:01:00Z');

function world() {
  const names = ['a', 'b', 'c'];
  const scheduler = memoryScheduler(names.map((n) => ecsSchedule('ops-pipeline', n)));
  const audit = memoryAudit();
  const backups = memoryBackups();
  const identity = { asked: 0, whoAmI: async () => ((identity.asked += 1), WHO) };
  const ports = { writer: scheduler, backups, audit, targets: targetChecker([activeCluster('ops-pipeline-cluster')]), identity };
  const plan: RemediationPlan = { changes: names.map((n) => changeFor(ecsSchedule('ops-pipeline', n))), decisions: [], unusedMappings: [] };
  return { scheduler, audit, backups, identity, ports, plan };
}

describe('changeLimitRefusal: the one maxChanges decision', () => {
  it('lets a plan at the limit through and refuses one over it, with the CLI’s message and hint', () => {
    expect(changeLimitRefusal(25, 25)).toBeUndefined();
    const refusal = changeLimitRefusal(26, 25);
    expect(refusal).toBeInstanceOf(TooManyChangesError);
    expect(refusal).toMatchObject({ code: 'TOO_MANY_CHANGES', kind: 'user', planned: 26, limit: 25 });
    expect(refusal?.message).toBe('The plan has 26 change(s), more than --max-changes 25; nothing was written.');
    expect(refusal?.hint).toBe('Narrow it with --group / --name-prefix, or raise the limit with --max-changes 26 after reading the plan (--dry-run).');
    expect(refusal?.details()).toEqual({ planned: 26, maxChanges: 25 });
    expect(changeLimitRefusal(3, 1, 'rollback')?.message).toBe('The plan has 3 rollback(s), more than --max-changes 1; nothing was written.');
  });

  it('auto-fix reports the refusal before any call: no identity, no read, no backup, no audit entry', async () => {
    const w = world();

    const outcome = await runAutoFix(w.plan, { schedules: [] }, w.ports, { maxChanges: 2, clock: () => NOW });

    expect(outcome).toEqual({ status: 'refused', planned: 3, maxChanges: 2, decisions: [], reason: 'auto-fix planned 3 changes, more than MAX_CHANGES 2; nothing was written' });
    expect(w.identity.asked).toBe(0);
    expect([w.scheduler.gets, w.scheduler.updates, w.audit.entries, [...w.backups.files.keys()]]).toEqual([[], [], [], []]);
  });

  it('the writer refuses with the same decision when called directly', async () => {
    const w = world();

    const applying = applyChanges(w.plan.changes, w.ports, { runId: 'fix-1', who: WHO, now: () => NOW, maxChanges: 2 });

    await expect(applying).rejects.toThrow(changeLimitRefusal(3, 2)!.message);
    expect([w.scheduler.gets, w.scheduler.updates, w.audit.entries]).toEqual([[], [], []]);
  });
});
