/**
 * The change-driven healthcheck: runHealthcheck scoped by a CloudTrail event, over the same small
 * account as the 5-minute run's tests (test/unit/healthcheck/world.ts). dispatcher and telemetry target
 * the missing cluster ops-pipeline; alertChecker is healthy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readChangeEvent } from '../../../src/checks/change-event.ts';
import type { ChangeScope } from '../../../src/checks/change-scope.ts';
import { runHealthcheckForEvent } from '../../../src/healthcheck/change-trigger.ts';
import { findingMetricName, HealthMetric } from '../../../src/healthcheck/metric-contract.ts';
import { runHealthcheck } from '../../../src/healthcheck/run-healthcheck.ts';
import { ACTOR, cloudTrailEvent, deleteClusterEvent, sqsBatch, updateScheduleEvent } from '../../support/cloudtrail-events.ts';
import { alertChecker, dispatcher, metricValue, NOW, options, telemetry, TO, world, type World } from './world.ts';

const DISPATCHER = 'ops-pipeline-market/ops-pipeline-dispatcher';
const TELEMETRY = 'ops-pipeline/ops-pipeline-telemetry-ingestor-1m';
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function scopeOf(event: unknown): ChangeScope {
  const reading = readChangeEvent(event);
  if (reading.kind !== 'scoped') throw new Error(`not scoped: ${reading.kind}`);
  return reading.scope;
}
const dispatcherChanged = () => scopeOf(updateScheduleEvent(dispatcher.GroupName!, dispatcher.Name!, { eventTime: NOW.toISOString() }));
const FLEET_GAUGES = [HealthMetric.Heartbeat, HealthMetric.SchedulesChecked, HealthMetric.UnhealthySchedules, HealthMetric.MarketOpen, HealthMetric.TasksStarted10m, findingMetricName('TARGET_CLUSTER_NOT_FOUND')];

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => {
  w.restore();
});

describe('a change-driven run', () => {
  it('checks only the changed schedule, alerts on it once, and says why it checked', async () => {
    const result = await runHealthcheck(w.deps, options({ change: dispatcherChanged() }));

    expect(result.report.schedules.map((s) => `${s.group}/${s.name}`)).toEqual([DISPATCHER]);
    expect(result.change).toEqual({
      cause: expect.objectContaining({ eventName: 'UpdateSchedule', actor: ACTOR, eventTime: NOW.toISOString() }) as unknown,
      requested: { schedules: [DISPATCHER], clusters: [], taskDefinitions: [] },
      checked: [DISPATCHER],
      nothingToCheck: false,
    });
    expect(result.alert).toMatchObject({ status: 'decided', sent: true, kind: 'alert' });
    expect(w.published).toHaveLength(1);
    const body = w.published[0]?.Message ?? '';
    expect(body).toContain(`Checked because of UpdateSchedule by ${ACTOR} at ${NOW.toISOString()}.`);
    expect(body).toContain('ops-pipeline-dispatcher');
    // The other broken schedule is the 5-minute run's to announce.
    expect(body).not.toContain('telemetry');
  });

  it('emits ChangeChecks and its own counters, never the fleet gauges or the Heartbeat', async () => {
    const result = await runHealthcheck(w.deps, options({ change: dispatcherChanged() }));

    expect(result.metrics.map((m) => m.name)).toEqual([HealthMetric.ChangeChecks, HealthMetric.CheckErrors, HealthMetric.AlertPublishFailures, HealthMetric.SelfHealed, HealthMetric.AutoFixRefused]);
    expect(metricValue(w.sink, HealthMetric.ChangeChecks)).toBe(1);
    for (const name of FLEET_GAUGES) expect(metricValue(w.sink, name), name).toBeUndefined();
  });

  it('the 5-minute run that sees the same fault afterwards sends no second email for it', async () => {
    w.restore();
    w = world({ schedules: [dispatcher, alertChecker] });
    await runHealthcheck(w.deps, options({ change: dispatcherChanged() }));
    expect(w.published).toHaveLength(1);

    const fleet = await runHealthcheck(w.deps, options({ now: minutes(4) }));

    expect(fleet.report.findings.some((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toBe(true);
    expect(fleet.alert).toMatchObject({ status: 'decided', sent: false });
    expect(w.published).toHaveLength(1);
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
  });

  it('with auto-fix: repairs the changed schedule only, with a backup, and the run its own write triggers is silent', async () => {
    const result = await runHealthcheck(w.deps, options({ change: dispatcherChanged(), autoFix: true }));

    expect(result.autoFix).toMatchObject({ status: 'applied', healed: 1 });
    expect(w.aws.scheduler.updates.map((u) => [u.update.Name, u.update.Target?.Arn])).toEqual([['ops-pipeline-dispatcher', TO]]);
    expect(w.backups.files.size).toBe(1);
    expect(w.audit.entries.map((e) => e.phase)).toEqual(['pending', 'result']);
    expect(result.report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toEqual([]);
    expect(metricValue(w.sink, HealthMetric.SelfHealed)).toBe(1);
    // The repair is announced; the fault was never alerted, so there is nothing to recover from.
    expect(w.published.map((p) => p.Subject)).toEqual(['[AUTO-FIXED] 1 schedule repointed to cluster ops-pipeline-cluster']);

    // AWS dates the write when it happens (the fake's clock starts in January): runs due before it are history.
    const repaired = w.aws.scheduler.store.get(DISPATCHER);
    if (repaired) repaired.LastModificationDate = NOW;
    // Auto-fix's UpdateSchedule comes back as a CloudTrail event: that run finds it healthy, writes and sends nothing.
    const echo = await runHealthcheckForEvent(w.deps, updateScheduleEvent(dispatcher.GroupName!, dispatcher.Name!, { eventTime: minutes(1).toISOString() }), options({ now: minutes(1), autoFix: true }));

    expect(echo.status).toBe('ran');
    const echoed = echo.status === 'ran' ? echo.result : undefined;
    expect(echoed?.autoFix).toEqual({ status: 'nothing-to-fix' });
    expect(echoed?.report.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    expect(echoed?.alert).toMatchObject({ status: 'decided', sent: false });
    expect(w.aws.scheduler.updates).toHaveLength(1);
    expect(w.published).toHaveLength(1);
  });

  it('a cluster nothing targets is nothing to check: ok, no finding, no email', async () => {
    const result = await runHealthcheck(w.deps, options({ change: scopeOf(deleteClusterEvent('unused')) }));

    expect(result.change).toMatchObject({ checked: [], nothingToCheck: true });
    expect(result.report.findings).toEqual([]);
    expect(result.ok).toBe(true);
    expect(w.published).toEqual([]);
  });

  it('a deleted cluster checks every schedule on it', async () => {
    const result = await runHealthcheck(w.deps, options({ change: scopeOf(deleteClusterEvent('ops-pipeline')) }));

    expect(result.change?.checked).toEqual([TELEMETRY, DISPATCHER].sort());
    expect(w.published).toHaveLength(1);
    expect(w.published[0]?.Message).toContain('telemetry');
  });

  it('a check that throws still counts as a change check with an error, and emits no Heartbeat', async () => {
    // A bug, not a denied call (those are data): collect rethrows it.
    const deps = { ...w.deps, check: { ...w.deps.check, scheduler: { ...w.deps.check.scheduler, listGroups: () => Promise.reject(new Error('boom')) } } };
    await expect(runHealthcheck(deps, options({ change: dispatcherChanged() }))).rejects.toThrow('boom');
    expect(metricValue(w.sink, HealthMetric.ChangeChecks)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.CheckErrors)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBeUndefined();
  });
});

describe('runHealthcheckForEvent', () => {
  it('ignores a failed call (errorCode): no AWS call, no email, and says why', async () => {
    const run = await runHealthcheckForEvent(w.deps, updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher', { errorCode: 'ValidationException' }), options());

    expect(run).toMatchObject({ status: 'ignored', reason: 'UpdateSchedule failed (ValidationException): it changed nothing, so there is nothing to check', cause: { actor: ACTOR } });
    expect(w.sink.data).toEqual([]);
    expect(w.published).toEqual([]);
    expect(w.log.lines.map((l) => l.message)).toEqual(['change event ignored']);
  });

  it('an event it cannot scope runs the full check, as the 5-minute run, and reports the event as an error', async () => {
    const run = await runHealthcheckForEvent(w.deps, cloudTrailEvent({ source: 'aws.scheduler', eventName: 'UpdateSchedule', requestParameters: {} }), options());

    expect(run.status).toBe('ran');
    const result = run.status === 'ran' ? run.result : undefined;
    expect(result?.change).toBeUndefined();
    expect(result?.report.summary.schedules).toBe(3);
    expect(result?.errors).toEqual([{ stage: 'event', message: 'the event could not scope the check, so everything was checked: UpdateSchedule: neither responseElements.scheduleArn nor requestParameters.name names the schedule' }]);
    expect(result?.ok).toBe(false);
    expect(metricValue(w.sink, HealthMetric.CheckErrors)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
    expect(w.log.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['event could not scope the check; checking every schedule']);
  });

  it('a batch of changes is ONE run: with auto-fix, both broken schedules repaired and one [AUTO-FIXED] email', async () => {
    const batch = sqsBatch([
      updateScheduleEvent(telemetry.GroupName!, telemetry.Name!, { eventId: 'evt-t', eventTime: NOW.toISOString() }),
      updateScheduleEvent(dispatcher.GroupName!, dispatcher.Name!, { eventId: 'evt-d', eventTime: NOW.toISOString() }),
      updateScheduleEvent(dispatcher.GroupName!, dispatcher.Name!, { eventId: 'evt-d2', eventTime: minutes(-1).toISOString() }),
    ]);

    const run = await runHealthcheckForEvent(w.deps, batch, options({ autoFix: true }));

    const result = run.status === 'ran' ? run.result : undefined;
    expect(result?.change).toMatchObject({ checked: [TELEMETRY, DISPATCHER].sort(), cause: { eventId: 'evt-d2' } });
    expect(result?.change?.causes?.map((c) => c.eventId)).toEqual(['evt-d2', 'evt-t', 'evt-d']);
    expect(result?.autoFix).toMatchObject({ status: 'applied', healed: 2 });
    expect(w.published.map((p) => p.Subject)).toEqual(['[AUTO-FIXED] 2 schedules repointed to cluster ops-pipeline-cluster']);
    expect(metricValue(w.sink, HealthMetric.ChangeChecks)).toBe(1);
    expect(w.log.lines.filter((l) => l.message === 'change-driven check')).toHaveLength(1);
  });

  it('any other event is the 5-minute run', async () => {
    const run = await runHealthcheckForEvent(w.deps, {}, options());
    expect(run.status === 'ran' ? run.result.report.summary.schedules : undefined).toBe(3);
    expect(run.status === 'ran' ? run.result.change : 'not run').toBeUndefined();
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
  });
});

// Keep the fixture honest: the schedules these tests name exist in the world.
it('the world has the schedules the tests change', () => {
  expect([dispatcher, telemetry, alertChecker].map((s) => `${s.GroupName}/${s.Name}`)).toContain(DISPATCHER);
});
