import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/checks/registry.ts';
import {
  ALARMS,
  AlarmName,
  alarmsFor,
  DEFAULT_METRICS_NAMESPACE,
  healthcheckAlarms,
  HEALTHCHECK_SERVICE,
  HealthMetric,
  metricNames,
  schedulerGroupAlarms,
  type AlarmDefinition,
  type MetricRef,
} from '../../../src/healthcheck/metric-contract.ts';
import { tradingAlarms } from '../../../src/trading/domain/metric-contract.ts';

const HEADINGS = ['## What it means', '## Impact', '## Confirm', '## Fix', '## Verify', '## Prevent'] as const;

/** What is wrong with the runbook at `path`, in words; empty when it exists with its title and six sections in order. */
function runbookProblems(path: string, title: string): string[] {
  if (!existsSync(path)) return [`${path} does not exist`];
  const lines = readFileSync(path, 'utf8').split('\n');
  const problems: string[] = [];
  if (!lines[0]?.startsWith(`# ${title} — `)) problems.push(`the title is not "# ${title} — …"`);
  const positions = HEADINGS.map((heading) => lines.indexOf(heading));
  HEADINGS.forEach((heading, i) => {
    if ((positions[i] ?? -1) < 0) problems.push(`"${heading}" is missing`);
  });
  if (positions.join() !== [...positions].sort((a, b) => a - b).join()) problems.push('the sections are out of order');
  return problems;
}

const metricsOf = (alarm: AlarmDefinition): MetricRef[] => (alarm.source.kind === 'metric' ? [alarm.source.metric] : Object.values(alarm.source.metrics));

describe('runbooks', () => {
  it.each(CHECKS.map((c) => [c.code, c.runbook] as const))('finding %s has its runbook %s', (code, path) => {
    expect(runbookProblems(path, code)).toEqual([]);
  });

  it.each(ALARMS.map((a) => [a.name, a.runbook] as const))('alarm %s has its runbook %s', (name, path) => {
    expect(path).toBe(`runbooks/alarms/${name}.md`);
    expect(runbookProblems(path, name)).toEqual([]);
  });

  it.each(schedulerGroupAlarms('ops-pipeline').map((a) => [a.name, a.runbook] as const))('per-group alarm %s has its runbook %s', (name, path) => {
    const base = name.replace(/-ops-pipeline$/, '');
    expect(path).toBe(`runbooks/alarms/${base}.md`);
    expect(runbookProblems(path, base)).toEqual([]);
  });

  // The trading workflow's alarms (per step and per dead-letter queue share one runbook each).
  it.each(tradingAlarms({ deadLetterQueueNames: ['ops-pipeline-trading-rule-dlq'] }).map((a) => [a.name, a.runbook] as const))('trading alarm %s has its runbook %s', (name, path) => {
    const base = name.replace(/-.*$/, '');
    expect(path).toBe(`runbooks/alarms/${base}.md`);
    expect(runbookProblems(path, base)).toEqual([]);
  });
});

describe('ALARMS', () => {
  it('holds the four healthcheck alarms on the Ops/Healthcheck metrics, each with its service dimension', () => {
    expect(ALARMS.map((a) => a.name)).toEqual([AlarmName.unhealthySchedules, AlarmName.noTasksWhileMarketOpen, AlarmName.heartbeatMissing, AlarmName.errors]);
    const known = new Set(metricNames());
    for (const alarm of ALARMS) {
      for (const metric of metricsOf(alarm)) {
        expect(metric.namespace).toBe(DEFAULT_METRICS_NAMESPACE);
        expect(metric.dimensions).toEqual({ service: HEALTHCHECK_SERVICE });
        expect(known.has(metric.metricName), metric.metricName).toBe(true);
      }
      expect(alarm.description.length).toBeGreaterThan(20);
      expect(alarm.datapointsToAlarm).toBeLessThanOrEqual(alarm.evaluationPeriods);
    }
  });

  it('alarms on a missing heartbeat after 15 minutes, treating missing data as breaching', () => {
    const heartbeat = ALARMS.find((a) => a.name === AlarmName.heartbeatMissing);
    expect(heartbeat).toMatchObject({ comparison: 'LessThanThreshold', threshold: 1, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' });
    expect(heartbeat?.source).toMatchObject({ kind: 'metric', metric: { metricName: HealthMetric.Heartbeat, statistic: 'Sum' } });
    // Every other alarm leaves a silent healthcheck to this one.
    expect(ALARMS.filter((a) => a !== heartbeat).map((a) => a.treatMissingData)).toEqual(['notBreaching', 'notBreaching', 'notBreaching']);
  });

  it('alarms on no task in 10 minutes only while the market is open, by metric math over MarketOpen and the all-cluster TasksStarted10m', () => {
    const alarm = ALARMS.find((a) => a.name === AlarmName.noTasksWhileMarketOpen);
    expect(alarm?.source).toEqual({
      kind: 'expression',
      expression: 'IF(tasks == 0, open, 0)',
      label: expect.any(String) as unknown,
      metrics: {
        open: { namespace: DEFAULT_METRICS_NAMESPACE, metricName: 'MarketOpen', dimensions: { service: HEALTHCHECK_SERVICE }, statistic: 'Maximum' },
        tasks: { namespace: DEFAULT_METRICS_NAMESPACE, metricName: 'TasksStarted10m', dimensions: { service: HEALTHCHECK_SERVICE }, statistic: 'Maximum' },
      },
    });
    expect(alarm).toMatchObject({ comparison: 'GreaterThanOrEqualToThreshold', threshold: 1 });
  });

  it('alarms on unhealthy schedules ≥ 1 and on healthcheck errors including failed publishes', () => {
    expect(ALARMS.find((a) => a.name === AlarmName.unhealthySchedules)).toMatchObject({
      source: { kind: 'metric', metric: { metricName: 'UnhealthySchedules' } },
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    const errors = ALARMS.find((a) => a.name === AlarmName.errors);
    expect(errors?.source.kind === 'expression' ? Object.values(errors.source.metrics).map((m) => m.metricName) : []).toEqual(['CheckErrors', 'AlertPublishFailures']);
  });

  it('builds per-group AWS/Scheduler alarms and takes another namespace', () => {
    const all = alarmsFor(['ops-pipeline', 'ops-pipeline-market'], { namespace: 'Acme/Ops' });
    expect(all.map((a) => a.name)).toEqual([
      ...healthcheckAlarms().map((a) => a.name),
      'SchedulerTargetErrors-ops-pipeline',
      'SchedulerInvocationsDropped-ops-pipeline',
      'SchedulerTargetErrors-ops-pipeline-market',
      'SchedulerInvocationsDropped-ops-pipeline-market',
    ]);
    expect(all.slice(4).map((a) => metricsOf(a)[0])).toEqual([
      { namespace: 'AWS/Scheduler', metricName: 'TargetErrorCount', dimensions: { ScheduleGroup: 'ops-pipeline' }, statistic: 'Sum' },
      { namespace: 'AWS/Scheduler', metricName: 'InvocationDroppedCount', dimensions: { ScheduleGroup: 'ops-pipeline' }, statistic: 'Sum' },
      { namespace: 'AWS/Scheduler', metricName: 'TargetErrorCount', dimensions: { ScheduleGroup: 'ops-pipeline-market' }, statistic: 'Sum' },
      { namespace: 'AWS/Scheduler', metricName: 'InvocationDroppedCount', dimensions: { ScheduleGroup: 'ops-pipeline-market' }, statistic: 'Sum' },
    ]);
    expect(new Set(all.slice(0, 4).flatMap(metricsOf).map((m) => m.namespace))).toEqual(new Set(['Acme/Ops']));
  });
});
