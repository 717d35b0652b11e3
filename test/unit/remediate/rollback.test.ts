import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../src/remediate/apply.ts';
import type { ClusterChange } from '../../../src/remediate/change.ts';
import { changeIdOf } from '../../../src/remediate/identifiers.ts';
import type { SchedulerWriter } from '../../../src/remediate/ports.ts';
import { applyRollback, planRollback, previewRollback, type RollbackSelector } from '../../../src/remediate/rollback.ts';
import type { RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { activeCluster, clusterArn, ecsSchedule, memoryAudit, memoryBackups, memoryScheduler, targetChecker, WHO, type MemoryScheduler } from './fakes.ts';

const TO = clusterArn('ops-pipeline-cluster');
const now = () => new Date('2026-01-29T23:01:00Z');
const a = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher', { StartDate: new Date('2026-01-01T00:00:00Z') });
const b = ecsSchedule('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { ScheduleExpression: 'rate(1 minute)' });

function changeFor(s: RawSchedule): ClusterChange {
  const plannedOn = s.LastModificationDate!.toISOString();
  return {
    id: changeIdOf({ scheduleArn: s.Arn!, from: s.Target!.Arn!, to: TO, plannedOn }),
    schedule: { group: s.GroupName!, name: s.Name!, arn: s.Arn! },
    field: 'Target.Arn',
    from: s.Target!.Arn!,
    to: TO,
    resolvedBy: 'auto-match',
    because: 'test',
    plannedOn,
    diff: [],
  };
}

function world() {
  const scheduler = memoryScheduler([a, b]);
  const audit = memoryAudit();
  const backups = memoryBackups();
  const fix = (writer: SchedulerWriter = scheduler) =>
    applyChanges([changeFor(a), changeFor(b)], { writer, backups, audit, targets: targetChecker([activeCluster('ops-pipeline-cluster')]) }, { runId: 'fix-1', who: WHO, now, maxChanges: 25 });
  const rollback = async (selector: RollbackSelector, runId = 'rollback-1', maxChanges = 25) => {
    const plan = await planRollback(selector, { audit, backups });
    return { plan, results: await applyRollback(plan, { writer: scheduler, backups, audit }, { runId, who: WHO, now, maxChanges }) };
  };
  return { scheduler, audit, backups, fix, rollback };
}

const stored = (scheduler: MemoryScheduler, s: RawSchedule) => scheduler.store.get(`${s.GroupName}/${s.Name}`);
const withoutModified = (s: RawSchedule | undefined) => {
  const { LastModificationDate: _modified, ...rest } = s ?? {};
  return rest;
};

describe('rollback --last', () => {
  it('restores every schedule of the last fix run exactly, and records it', async () => {
    const w = world();
    await w.fix();

    const { plan, results } = await w.rollback({ kind: 'last' });

    expect(plan.selected).toBe('the last fix run fix-1');
    expect(results.map((r) => [r.schedule.name, r.status, r.rollsBack])).toEqual([
      ['ops-pipeline-dispatcher', 'ok', 'fix-1.01'],
      ['ops-pipeline-telemetry-ingestor-1m', 'ok', 'fix-1.02'],
    ]);
    expect(withoutModified(stored(w.scheduler, a))).toEqual(withoutModified(a));
    expect(withoutModified(stored(w.scheduler, b))).toEqual(withoutModified(b));
    const rollbackEntries = w.audit.entries.filter((e) => e.action === 'rollback');
    expect(rollbackEntries.map((e) => [e.entryId, e.phase, e.rollsBack, e.after.targetArn])).toEqual([
      ['rollback-1.01', 'pending', 'fix-1.01', clusterArn('ops-pipeline')],
      ['rollback-1.01', 'result', 'fix-1.01', clusterArn('ops-pipeline')],
      ['rollback-1.02', 'pending', 'fix-1.02', clusterArn('ops-pipeline')],
      ['rollback-1.02', 'result', 'fix-1.02', clusterArn('ops-pipeline')],
    ]);
  });

  it('does not undo twice', async () => {
    const w = world();
    await w.fix();
    await w.rollback({ kind: 'last' });
    const writes = w.scheduler.updates.length;

    const { results } = await w.rollback({ kind: 'last' }, 'rollback-2');

    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['unchanged', 'already rolled back by rollback-1.01'],
      ['unchanged', 'already rolled back by rollback-1.02'],
    ]);
    expect(w.scheduler.updates).toHaveLength(writes);
  });

  it("skips a schedule someone changed after the fix, and restores the others", async () => {
    const w = world();
    await w.fix();
    w.scheduler.beforeGet({ group: a.GroupName!, name: a.Name! }, 3, (s) => ({ ...s, State: 'DISABLED' }));

    const { results } = await w.rollback({ kind: 'last' });

    expect(results.map((r) => r.status)).toEqual(['skipped', 'ok']);
    expect(results[0]?.reason).toMatch(/^concurrent edit: LastModificationDate is .*, expected .* \(the LastModificationDate fix fix-1\.01 left\)/);
    expect(stored(w.scheduler, a)).toMatchObject({ State: 'DISABLED', Target: { Arn: TO } });
  });

  it('refuses more rollbacks than --max-changes before the first write', async () => {
    const w = world();
    await w.fix();
    const writes = w.scheduler.updates.length;

    await expect(w.rollback({ kind: 'last' }, 'rollback-1', 1)).rejects.toMatchObject({ code: 'TOO_MANY_CHANGES' });
    expect(w.scheduler.updates).toHaveLength(writes);
  });

  it('says there is nothing to roll back in an empty audit log', async () => {
    const w = world();

    await expect(w.rollback({ kind: 'last' })).rejects.toMatchObject({ code: 'NOTHING_TO_ROLL_BACK', kind: 'user' });
  });
});

describe('rollback of one entry or one backup file', () => {
  it('restores just that schedule', async () => {
    const w = world();
    const [first] = await w.fix();

    const byEntry = await w.rollback({ kind: 'entry', entryId: 'fix-1.02' });

    expect(byEntry.results.map((r) => [r.schedule.name, r.status])).toEqual([['ops-pipeline-telemetry-ingestor-1m', 'ok']]);
    expect(stored(w.scheduler, a)?.Target?.Arn).toBe(TO);

    const byFile = await w.rollback({ kind: 'backup', path: first!.backupFile! }, 'rollback-2');

    expect(byFile.results.map((r) => [r.schedule.name, r.status])).toEqual([['ops-pipeline-dispatcher', 'ok']]);
    expect(withoutModified(stored(w.scheduler, a))).toEqual(withoutModified(a));
  });

  it('rejects an unknown entry id', async () => {
    const w = world();
    await w.fix();

    await expect(w.rollback({ kind: 'entry', entryId: 'fix-9.01' })).rejects.toMatchObject({ code: 'AUDIT_ENTRY_NOT_FOUND' });
  });
});

describe('after a crash', () => {
  /** A process that dies inside UpdateSchedule: before the request left, or after it landed. */
  function crashingWriter(scheduler: MemoryScheduler, when: 'before-update' | 'after-update'): SchedulerWriter {
    return {
      getScheduleRaw: (ref) => scheduler.getScheduleRaw(ref),
      async updateSchedule(update, token) {
        if (when === 'after-update') await scheduler.updateSchedule(update, token);
        throw new Error('SIGKILL');
      },
    };
  }

  it('between backup and update: leaves a backup and a pending entry that rollback understands (nothing to undo)', async () => {
    const w = world();

    await expect(w.fix(crashingWriter(w.scheduler, 'before-update'))).rejects.toThrow('SIGKILL');

    expect(w.audit.entries.map((e) => [e.entryId, e.phase])).toEqual([['fix-1.01', 'pending']]);
    const backupFile = w.audit.entries[0]?.backupFile;
    expect(w.backups.files.has(backupFile!)).toBe(true);

    const plan = await planRollback({ kind: 'backup', path: backupFile! }, { audit: w.audit, backups: w.backups });
    expect(plan.items[0]).toMatchObject({ sourceEntryId: 'fix-1.01', writeCompleted: false, expected: { lastModificationDate: '2026-01-29T20:47:00.000Z' } });
    const [preview] = await previewRollback(plan, w.scheduler);
    expect(preview).toMatchObject({ action: 'unchanged', reason: 'the schedule already matches the backup; nothing to undo' });

    const { results } = await w.rollback({ kind: 'last' });
    expect(results.map((r) => [r.schedule.name, r.status, r.written])).toEqual([['ops-pipeline-dispatcher', 'unchanged', false]]);
    expect(stored(w.scheduler, a)).toEqual(a);
  });

  it('between update and result entry: recognises its own write and undoes it', async () => {
    const w = world();

    await expect(w.fix(crashingWriter(w.scheduler, 'after-update'))).rejects.toThrow('SIGKILL');
    expect(stored(w.scheduler, a)?.Target?.Arn).toBe(TO);

    const { results } = await w.rollback({ kind: 'last' });

    expect(results.map((r) => r.status)).toEqual(['ok']);
    expect(withoutModified(stored(w.scheduler, a))).toEqual(withoutModified(a));
  });

  it('between update and result entry, then edited by someone: does not overwrite the edit', async () => {
    const w = world();
    await expect(w.fix(crashingWriter(w.scheduler, 'after-update'))).rejects.toThrow('SIGKILL');
    // GetSchedule #1 was the fix's; #2 is the rollback's fresh read.
    w.scheduler.beforeGet({ group: a.GroupName!, name: a.Name! }, 2, (s) => ({ ...s, Description: 'hand edit' }));

    const { results } = await w.rollback({ kind: 'last' });

    expect(results.map((r) => r.status)).toEqual(['skipped']);
    expect(stored(w.scheduler, a)?.Description).toBe('hand edit');
  });
});

describe('previewRollback', () => {
  it('shows the field-level diff from the current definition to the backup', async () => {
    const w = world();
    await w.fix();
    const plan = await planRollback({ kind: 'last' }, { audit: w.audit, backups: w.backups });

    const previews = await previewRollback(plan, w.scheduler);

    expect(previews.map((p) => [p.action, p.diff])).toEqual([
      ['restore', [{ path: 'Target.Arn', before: JSON.stringify(TO), after: JSON.stringify(clusterArn('ops-pipeline')) }]],
      ['restore', [{ path: 'Target.Arn', before: JSON.stringify(TO), after: JSON.stringify(clusterArn('ops-pipeline')) }]],
    ]);
    expect(w.scheduler.updates).toHaveLength(2);
  });

  const unreachable = { action: 'scheduler:GetSchedule', errorName: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' };
  const refuse = (failure: { errorName: string }) => (failure.errorName === 'ECONNREFUSED' ? new Error('session cannot reach Scheduler') : undefined);

  it('throws the refusal when the first read fails for the session, without waiting for the others', async () => {
    const w = world();
    await w.fix();
    const plan = await planRollback({ kind: 'last' }, { audit: w.audit, backups: w.backups });
    for (const s of [a, b]) w.scheduler.failGet({ group: s.GroupName!, name: s.Name! }, unreachable);
    const reads = w.scheduler.gets.length;

    await expect(previewRollback(plan, w.scheduler, { refuse })).rejects.toThrow('session cannot reach Scheduler');
    expect(w.scheduler.gets.length - reads).toBe(1);
  });

  it('after a good read, the same failure is that schedule’s: listed as unreadable', async () => {
    const w = world();
    await w.fix();
    const plan = await planRollback({ kind: 'last' }, { audit: w.audit, backups: w.backups });
    w.scheduler.failGet({ group: b.GroupName!, name: b.Name! }, unreachable);

    const previews = await previewRollback(plan, w.scheduler, { refuse });

    expect(previews.map((p) => p.action)).toEqual(['restore', 'unreadable']);
  });
});
