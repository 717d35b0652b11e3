import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../src/remediate/apply.ts';
import type { ClusterChange } from '../../../src/remediate/change.ts';
import { fieldDiff, projectWritable, type RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { activeCluster, changeFor, clusterArn, ecsSchedule, memoryAudit, memoryBackups, memoryScheduler, targetChecker, WHO } from './fakes.ts';

const TO = clusterArn('ops-pipeline-cluster');
const NOW = new Date('2026-01-29T23:01:00Z');
const RUN = 'fix-20260129T230100000Z-abcd';

function world(schedules: RawSchedule[]) {
  const scheduler = memoryScheduler(schedules);
  const audit = memoryAudit();
  const backups = memoryBackups();
  const targets = targetChecker([activeCluster('ops-pipeline-cluster')]);
  const apply = (changes: ClusterChange[], maxChanges = 25) =>
    applyChanges(changes, { writer: scheduler, backups, audit, targets }, { runId: RUN, who: WHO, now: () => NOW, maxChanges });
  return { scheduler, audit, backups, targets, apply };
}

/** Everything about a stored schedule except what the service sets on write. */
const writable = (s: RawSchedule | undefined) => {
  const projected = projectWritable(s!, { group: s!.GroupName!, name: s!.Name! });
  if (!projected.ok) throw new Error(projected.problems.join('; '));
  return projected.update;
};

describe('applyChanges', () => {
  const a = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher', { StartDate: new Date('2026-01-01T00:00:00Z'), KmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k' });
  const b = ecsSchedule('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { ScheduleExpression: 'rate(1 minute)', ScheduleExpressionTimezone: 'UTC' });

  it('changes only Target.Arn, with a backup, a pending and a result entry, and verifies', async () => {
    const w = world([a, b]);

    const results = await w.apply([changeFor(a), changeFor(b)]);

    expect(results.map((r) => [r.schedule.name, r.status, r.written, r.verification?.definition, r.targetCheck?.status])).toEqual([
      ['ops-pipeline-dispatcher', 'ok', true, 'match', 'ACTIVE'],
      ['ops-pipeline-telemetry-ingestor-1m', 'ok', true, 'match', 'ACTIVE'],
    ]);
    const after = w.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher');
    expect(fieldDiff(writable(a), writable(after)).map((d) => d.path)).toEqual(['Target.Arn']);
    expect(after?.Target?.Arn).toBe(TO);
    // GroupName on every write, and a ClientToken that fits Scheduler's limits.
    expect(w.scheduler.updates.map((u) => u.update.GroupName)).toEqual(['ops-pipeline-market', 'ops-pipeline']);
    for (const { clientToken } of w.scheduler.updates) expect(clientToken).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    expect(w.audit.entries.map((e) => [e.entryId, e.phase, e.result ?? null])).toEqual([
      [`${RUN}.01`, 'pending', null],
      [`${RUN}.01`, 'result', 'ok'],
      [`${RUN}.02`, 'pending', null],
      [`${RUN}.02`, 'result', 'ok'],
    ]);
    const done = w.audit.entries[1]!;
    expect(done).toMatchObject({
      runId: RUN,
      who: WHO.known ? WHO.arn : '',
      action: 'fix',
      schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' },
      before: { targetArn: clusterArn('ops-pipeline') },
      after: { targetArn: TO },
      backupFile: results[0]?.backupFile,
      lastModificationDate: { before: '2026-01-29T20:47:00.000Z', after: after?.LastModificationDate?.toISOString() },
      written: true,
    });
    const backup = await w.backups.read(results[0]!.backupFile!);
    expect(backup.definition).toEqual(a);
    expect(w.targets.calls).toEqual([[TO]]);
  });

  it('skips a schedule edited between plan and apply, and still fixes the others', async () => {
    const w = world([a, b]);
    w.scheduler.beforeGet({ group: a.GroupName!, name: a.Name! }, 1, (s) => ({ ...s, Description: 'edited by a person' }));

    const results = await w.apply([changeFor(a), changeFor(b)]);

    expect(results[0]).toMatchObject({ status: 'skipped', written: false, reason: expect.stringMatching(/^concurrent edit: LastModificationDate is .*, the plan was made on 2026-01-29T20:47:00.000Z/) as unknown });
    expect(results[0]?.backupFile).toBeUndefined();
    expect(w.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher')?.Description).toBe('edited by a person');
    expect(results[1]?.status).toBe('ok');
    expect(w.scheduler.updates.map((u) => u.update.Name)).toEqual(['ops-pipeline-telemetry-ingestor-1m']);
    expect(w.audit.entries.filter((e) => e.entryId === `${RUN}.01`).map((e) => [e.phase, e.result])).toEqual([['result', 'skipped']]);
  });

  it('reports AccessDenied with the IAM action, and iam:PassRole when that is the cause', async () => {
    const c = ecsSchedule('ops-pipeline', 'ops-pipeline-classifier');
    const w = world([a, b, c]);
    w.scheduler.failUpdate({ group: a.GroupName!, name: a.Name! }, { action: 'scheduler:UpdateSchedule', errorName: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/ro/bob is not authorized to perform: scheduler:UpdateSchedule on resource: x' });
    w.scheduler.failUpdate({ group: c.GroupName!, name: c.Name! }, { action: 'scheduler:UpdateSchedule', errorName: 'AccessDeniedException', message: 'User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/ops-pipeline-eventbridge-ecs-role' });

    const results = await w.apply([changeFor(a), changeFor(b), changeFor(c)]);

    expect(results.map((r) => [r.status, r.iamActions ?? []])).toEqual([
      ['failed', ['scheduler:UpdateSchedule']],
      ['ok', []],
      ['failed', ['scheduler:UpdateSchedule', 'iam:PassRole']],
    ]);
    expect(results[2]?.reason).toMatch(/^access denied \(needs scheduler:UpdateSchedule and iam:PassRole\): User: .* iam:PassRole/);
    expect(w.scheduler.store.get('ops-pipeline-market/ops-pipeline-dispatcher')?.Target?.Arn).toBe(clusterArn('ops-pipeline'));
    // The backup was taken before the attempt; the result entry says nothing was written.
    expect(w.audit.entries.find((e) => e.entryId === `${RUN}.01` && e.phase === 'result')).toMatchObject({ result: 'failed', written: false });
  });

  it('retries once without a past StartDate for cron(), and says so', async () => {
    const cron = ecsSchedule('ops-pipeline', 'rss', { ScheduleExpression: 'cron(0/15 * * * ? *)', StartDate: new Date('2026-01-01T00:00:00Z') });
    const w = world([cron]);
    w.scheduler.rejectPastStartDate(NOW);

    const [result] = await w.apply([changeFor(cron)]);

    expect(result).toMatchObject({ status: 'ok', startDateDropped: true, verification: { definition: 'match' } });
    expect(w.scheduler.updates.map((u) => u.update.StartDate?.toISOString() ?? null)).toEqual(['2026-01-01T00:00:00.000Z', null]);
    expect(new Set(w.scheduler.updates.map((u) => u.clientToken)).size).toBe(2);
    expect(fieldDiff(writable(cron), writable(w.scheduler.store.get('ops-pipeline/rss'))).map((d) => d.path)).toEqual(['StartDate', 'Target.Arn']);
    expect(w.audit.entries.at(-1)).toMatchObject({ result: 'ok', startDateDropped: true });
  });

  it('does not drop a rate() StartDate: the change needs a decision and nothing is written', async () => {
    const rate = ecsSchedule('ops-pipeline', 'classifier', { ScheduleExpression: 'rate(5 minutes)', StartDate: new Date('2026-01-01T00:02:00Z') });
    const w = world([rate]);
    w.scheduler.rejectPastStartDate(NOW);

    const [result] = await w.apply([changeFor(rate)]);

    expect(result).toMatchObject({ status: 'failed', needsDecision: true, written: false, startDateDropped: false });
    expect(result?.reason).toContain('for a rate() expression StartDate anchors every fire time, so ops will not drop or move it. Nothing was changed.');
    expect(w.scheduler.updates).toHaveLength(1);
    expect(w.scheduler.store.get('ops-pipeline/classifier')).toEqual(rate);
  });

  it('writes nothing when the backup cannot be saved', async () => {
    const w = world([a]);
    w.backups.failWrites(true);

    const [result] = await w.apply([changeFor(a)]);

    expect(result).toMatchObject({ status: 'failed', written: false, reason: 'not written: the backup could not be saved: ENOSPC: no space left on device' });
    expect(w.scheduler.updates).toEqual([]);
  });

  it('writes nothing when the pending audit entry cannot be appended', async () => {
    const w = world([a]);
    w.audit.failNextAppends(1);

    const [result] = await w.apply([changeFor(a)]);

    expect(result).toMatchObject({ status: 'failed', written: false });
    expect(result?.reason).toMatch(/^not written: the audit log .* could not be appended/);
    expect(w.scheduler.updates).toEqual([]);
  });

  it('fails verification when GetSchedule does not return what was written', async () => {
    const w = world([a]);
    w.scheduler.mangleOnWrite((s) => ({ ...s, Target: { ...s.Target, Input: undefined } }));

    const [result] = await w.apply([changeFor(a)]);

    expect(result).toMatchObject({ status: 'failed', written: true, verification: { definition: 'mismatch', differences: ['Target.Input'] } });
    expect(result?.reason).toContain(result?.backupFile);
  });

  it('fails a change whose new target is gone by the time it is re-checked', async () => {
    const w = world([a]);

    const [result] = await w.apply([changeFor(a, clusterArn('ops-pipeline-cluster-deleted'))]);

    expect(result).toMatchObject({ status: 'failed', written: true, targetCheck: { status: 'MISSING' }, reason: 'the new target cluster does not exist' });
  });

  it('refuses a plan larger than maxChanges before the first call', async () => {
    const w = world([a, b]);

    await expect(w.apply([changeFor(a), changeFor(b)], 1)).rejects.toMatchObject({ code: 'TOO_MANY_CHANGES', kind: 'user' });
    expect(w.scheduler.gets).toEqual([]);
    expect(w.scheduler.updates).toEqual([]);
    expect(w.audit.entries).toEqual([]);
  });

  it('reports a schedule deleted since the plan, and an unreadable one with its IAM action', async () => {
    const w = world([b]);
    w.scheduler.failGet({ group: b.GroupName!, name: b.Name! }, { action: 'scheduler:GetSchedule', errorName: 'AccessDeniedException', message: 'nope' });

    const results = await w.apply([changeFor(a), changeFor(b)]);

    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['failed', 'the schedule no longer exists (schedule ops-pipeline-market/ops-pipeline-dispatcher does not exist)'],
      ['failed', 'access denied (needs scheduler:GetSchedule): nope'],
    ]);
  });
});
