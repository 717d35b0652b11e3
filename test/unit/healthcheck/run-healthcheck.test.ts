import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { CHECKS } from '../../../src/checks/registry.ts';
import { findingMetricName, HealthMetric } from '../../../src/healthcheck/metric-contract.ts';
import { recordingLog, recordingSink } from '../../../src/healthcheck/ports.ts';
import { runHealthcheck } from '../../../src/healthcheck/run-healthcheck.ts';
import { MemoryAlertStateStore } from '../../../src/alerts/index.ts';
import { arn, createFakePorts, scheduleFacts } from '../../support/check-fixtures.ts';
import { activeCluster, ecsSchedule } from '../remediate/fakes.ts';
import { alertChecker, dispatcher, metricValue, NOW, options, TO, TOPIC_ARN, world, type World } from './world.ts';

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => {
  w.restore();
});

describe('runHealthcheck: check → metrics → alert', () => {
  it('emits every metric of the contract once, from the check', async () => {
    const result = await runHealthcheck(w.deps, options());

    expect(result.report.summary.schedules).toBe(3);
    expect(metricValue(w.sink, HealthMetric.SchedulesChecked)).toBe(3);
    expect(metricValue(w.sink, HealthMetric.UnhealthySchedules)).toBe(2);
    expect(metricValue(w.sink, findingMetricName('TARGET_CLUSTER_NOT_FOUND'))).toBe(2);
    expect(metricValue(w.sink, findingMetricName('MISSED_RUNS'))).toBe(2);
    for (const check of CHECKS) expect(metricValue(w.sink, findingMetricName(check.code)), check.code).toBeTypeOf('number');
    expect(metricValue(w.sink, HealthMetric.MarketOpen)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.TasksStarted10m)).toBe(0);
    expect(metricValue(w.sink, HealthMetric.TasksStarted10m, { ClusterName: 'ops-pipeline' })).toBe(0);
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.CheckErrors)).toBe(0);
    expect(metricValue(w.sink, HealthMetric.AlertPublishFailures)).toBe(0);
    expect(metricValue(w.sink, HealthMetric.SelfHealed)).toBe(0);
    expect(result.metrics).toEqual(w.sink.data);
    expect(result.ok).toBe(false);
  });

  it('publishes one alert naming the affected schedules, then nothing on the next run', async () => {
    const first = await runHealthcheck(w.deps, options());

    expect(first.alert).toMatchObject({ status: 'decided', send: true, kind: 'alert', sent: true, messageId: 'm-1' });
    expect(w.published).toHaveLength(1);
    expect(w.published[0]?.TopicArn).toBe(TOPIC_ARN);
    expect(w.published[0]?.Subject).toMatch(/^\[CRITICAL\] /);
    expect(w.published[0]?.Subject?.length).toBeLessThanOrEqual(100);
    expect(w.published[0]?.Message).toContain('ops-pipeline-dispatcher');
    expect(w.published[0]?.Message).toContain('ops-pipeline-telemetry-ingestor-1m');
    // The fix command is the automatic plan, spelled out.
    expect(w.published[0]?.Message).toContain('ops check-schedulers --region us-west-2 --fix --map ops-pipeline=ops-pipeline-cluster');

    const second = await runHealthcheck(w.deps, options({ now: new Date(NOW.getTime() + 5 * 60_000) }));
    expect(second.alert).toMatchObject({ status: 'decided', send: false, sent: false });
    expect(w.published).toHaveLength(1);
  });

  it('sends nothing without notify, and previews what it would send', async () => {
    const result = await runHealthcheck(w.deps, options({ notify: false }));

    expect(result.alert).toMatchObject({ status: 'off', preview: { send: true, kind: 'alert' } });
    expect(w.published).toEqual([]);
    expect(await w.store.read()).toBeUndefined();
  });
});

describe('runHealthcheck when SNS refuses the email', () => {
  it('counts AlertPublishFailures = 1, logs it, still emits every metric and does not throw', async () => {
    w.failPublish(Object.assign(new Error('User is not authorized to perform: SNS:Publish'), { name: 'AuthorizationErrorException' }));

    const result = await runHealthcheck(w.deps, options());

    expect(result.alert).toMatchObject({ status: 'decided', send: true, sent: false, publishError: expect.stringContaining('AuthorizationErrorException') as unknown });
    expect(metricValue(w.sink, HealthMetric.AlertPublishFailures)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.SchedulesChecked)).toBe(3);
    expect(w.log.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['alert email not published']);
    // The policy put its state back: the next run, with SNS working again, sends the alert.
    w.failPublish(undefined);
    const retry = await runHealthcheck(w.deps, options({ now: new Date(NOW.getTime() + 5 * 60_000) }));
    expect(retry.alert).toMatchObject({ sent: true, kind: 'alert' });
  });
});

describe('runHealthcheck when the check itself fails', () => {
  it('emits Heartbeat and CheckErrors, logs, and rethrows', async () => {
    const sink = recordingSink();
    const log = recordingLog();
    const boom = new Error('ListSchedules exploded');
    const { ports } = createFakePorts({ schedules: [scheduleFacts('a')], listSchedulesError: boom });

    await expect(runHealthcheck({ check: ports, metrics: sink, log }, options({ notify: false }))).rejects.toBe(boom);

    expect(metricValue(sink, HealthMetric.Heartbeat)).toBe(1);
    expect(metricValue(sink, HealthMetric.CheckErrors)).toBe(1);
    expect(metricValue(sink, HealthMetric.SchedulesChecked)).toBeUndefined();
    expect(log.lines).toMatchObject([{ level: 'error', message: 'check failed', fields: { stage: 'check', error: boom } }]);
  });

  it('keeps going when the alert state cannot be read: CheckErrors = 1, metrics still out', async () => {
    const { ports } = createFakePorts({ schedules: [scheduleFacts('a')] });
    const sink = recordingSink();
    const store = new MemoryAlertStateStore();
    store.read = () => Promise.reject(new Error('ProvisionedThroughputExceededException'));
    const notifier = { destination: TOPIC_ARN, publish: () => Promise.resolve({ messageId: 'x' }) };

    const result = await runHealthcheck({ check: ports, metrics: sink, log: recordingLog(), alerts: { store, notifier } }, options());

    expect(result.alert).toMatchObject({ status: 'failed', error: 'Error: ProvisionedThroughputExceededException' });
    expect(result.errors).toEqual([{ stage: 'alert', message: 'Error: ProvisionedThroughputExceededException' }]);
    expect(metricValue(sink, HealthMetric.CheckErrors)).toBe(1);
    expect(metricValue(sink, HealthMetric.Heartbeat)).toBe(1);
    expect(metricValue(sink, HealthMetric.SchedulesChecked)).toBe(1);
  });
});

describe('TasksStarted10m', () => {
  it('counts runs in the last 10 minutes per target cluster, and in total', async () => {
    const other = arn.cluster('other');
    const schedules = [scheduleFacts('a'), scheduleFacts('b'), scheduleFacts('c', { target: { arn: other } })];
    const { ports } = createFakePorts({
      schedules,
      tasks: {
        [schedules[0]!.target.arn]: [
          { taskArn: 't1', createdAt: new Date(NOW.getTime() - 2 * 60_000), taskDefinitionArn: schedules[0]!.target.ecs!.taskDefinitionArn, startedBy: 'chronos-schedule/a' },
          { taskArn: 't2', createdAt: new Date(NOW.getTime() - 11 * 60_000), taskDefinitionArn: schedules[0]!.target.ecs!.taskDefinitionArn, startedBy: 'chronos-schedule/a' },
          { taskArn: 't3', createdAt: new Date(NOW.getTime() - 9 * 60_000), taskDefinitionArn: schedules[0]!.target.ecs!.taskDefinitionArn, startedBy: 'chronos-schedule/b' },
        ],
      },
    });
    const sink = recordingSink();

    await runHealthcheck({ check: ports, metrics: sink, log: recordingLog() }, options({ notify: false }));

    expect(metricValue(sink, HealthMetric.TasksStarted10m)).toBe(2);
    expect(metricValue(sink, HealthMetric.TasksStarted10m, { ClusterName: 'trading' })).toBe(2);
    expect(metricValue(sink, HealthMetric.TasksStarted10m, { ClusterName: 'other' })).toBe(0);
  });
});

describe('runHealthcheck auto-fix', () => {
  it('repairs unambiguous clusters within maxChanges, re-checks, and emails the self-healed changes with their backups', async () => {
    const result = await runHealthcheck(w.deps, options({ autoFix: true, maxChanges: 2 }));

    expect(result.autoFix).toMatchObject({ status: 'applied', healed: 2 });
    expect(w.aws.scheduler.updates.map((u) => [u.update.Name, u.update.Target?.Arn])).toEqual([
      ['ops-pipeline-telemetry-ingestor-1m', TO],
      ['ops-pipeline-dispatcher', TO],
    ]);
    // The metrics and the alert describe the healed state.
    expect(result.reportBeforeFix?.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toHaveLength(2);
    expect(result.report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND')).toEqual([]);
    expect(metricValue(w.sink, findingMetricName('TARGET_CLUSTER_NOT_FOUND'))).toBe(0);
    expect(metricValue(w.sink, HealthMetric.SelfHealed)).toBe(2);
    expect(metricValue(w.sink, HealthMetric.AutoFixRefused)).toBe(0);
    expect(w.backups.files.size).toBe(2);
    expect(w.audit.entries.map((e) => e.phase)).toEqual(['pending', 'result', 'pending', 'result']);

    expect(result.selfHealedEmail).toMatchObject({ sent: true });
    const healed = w.published.find((p) => p.Subject?.startsWith('[AUTO-FIXED]'));
    expect(healed?.Subject).toBe('[AUTO-FIXED] 2 schedules repointed to cluster ops-pipeline-cluster');
    for (const path of w.backups.files.keys()) expect(healed?.Message).toContain(path);
    expect(healed?.Message).toContain('ops-pipeline-market/ops-pipeline-dispatcher');
  });

  it('refuses over maxChanges: writes nothing, counts AutoFixRefused, and the alert says so', async () => {
    const result = await runHealthcheck(w.deps, options({ autoFix: true, maxChanges: 1 }));

    expect(result.autoFix).toMatchObject({ status: 'refused', planned: 2, maxChanges: 1 });
    expect(w.aws.scheduler.updates).toEqual([]);
    expect(w.backups.files.size).toBe(0);
    expect(metricValue(w.sink, HealthMetric.AutoFixRefused)).toBe(1);
    expect(metricValue(w.sink, HealthMetric.SelfHealed)).toBe(0);
    expect(w.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'auto-fix refused' }));
    expect(w.published).toHaveLength(1);
    expect(w.published[0]?.Message).toContain('Auto-fix REFUSED: auto-fix planned 2 changes, more than MAX_CHANGES 1; nothing was written');
    expect(result.ok).toBe(false);
  });

  it('skips schedules whose cluster is ambiguous and never applies a decision', async () => {
    w.restore();
    w = world({ clusters: [activeCluster('ops-pipeline-cluster'), activeCluster('ops-pipeline-cluster-v2')] });

    const result = await runHealthcheck(w.deps, options({ autoFix: true }));

    expect(result.autoFix).toMatchObject({ status: 'needs-decision' });
    expect(result.autoFix.status === 'needs-decision' ? result.autoFix.decisions.map((d) => d.schedule.name).sort() : []).toEqual(['ops-pipeline-dispatcher', 'ops-pipeline-telemetry-ingestor-1m']);
    expect(w.aws.scheduler.updates).toEqual([]);
    expect(metricValue(w.sink, HealthMetric.SelfHealed)).toBe(0);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]?.Message).toContain('Auto-fix changed nothing: 2 schedule(s) need a decision');
    expect(w.published[0]?.Message).not.toContain('--map');
  });

  it('does nothing when no cluster is missing', async () => {
    w.restore();
    w = world({ schedules: [ecsSchedule('g', 'fine', { Target: { ...dispatcher.Target!, Arn: TO } }), alertChecker] });

    const result = await runHealthcheck(w.deps, options({ autoFix: true }));

    expect(result.autoFix).toEqual({ status: 'nothing-to-fix' });
    expect(w.aws.scheduler.updates).toEqual([]);
  });
});

describe('runHealthcheck wiring errors', () => {
  it('fails the alert step, not the run, when notify has no notifier', async () => {
    const { ports } = createFakePorts({ schedules: [scheduleFacts('a')] });
    const sink = recordingSink();

    const result = await runHealthcheck({ check: ports, metrics: sink, log: recordingLog() }, options());

    expect(result.alert).toMatchObject({ status: 'failed' });
    expect(metricValue(sink, HealthMetric.CheckErrors)).toBe(1);
  });

  it('a blind check (the listing rejects the credentials) counts CheckErrors, emails MONITOR_BLIND once, and completes', async () => {
    w.aws.restore();
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(ListSchedulesCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' }));
    try {
      const result = await runHealthcheck(w.deps, options());
      expect(result.ok).toBe(false);
      expect(result.report.blind).toMatchObject({ code: 'NO_CREDENTIALS', action: 'scheduler:ListSchedules' });
      expect(result.errors).toEqual([{ stage: 'check', message: expect.stringContaining('the monitor cannot see') as unknown }]);
      expect(metricValue(w.sink, HealthMetric.CheckErrors)).toBe(1);
      expect(metricValue(w.sink, HealthMetric.Heartbeat)).toBe(1);
      expect(metricValue(w.sink, findingMetricName('MONITOR_BLIND'))).toBe(1);
      expect(w.published.map((p) => p.Subject)).toEqual(['[CRITICAL] the monitor cannot see: scheduler:ListSchedules failed (UnrecognizedClientException)']);
      expect(w.log.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['the monitor cannot see']);

      // Still blind five minutes later: CheckErrors again, no second email (the alert policy dedups).
      const again = await runHealthcheck(w.deps, options({ now: new Date(NOW.getTime() + 5 * 60_000) }));
      expect(again.counters.checkErrors).toBe(1);
      expect(w.published).toHaveLength(1);
    } finally {
      scheduler.restore();
    }
  });

});
