import { afterEach, describe, expect, it } from 'vitest';
import { createFakePorts, scheduleFacts } from '../../support/check-fixtures.ts';
import { changeRunMetrics, runMetrics } from '../../../src/healthcheck/health-metrics.ts';
import { DEFAULT_METRICS_NAMESPACE, HEALTHCHECK_SERVICE, HealthMetric, metricNames } from '../../../src/healthcheck/metric-contract.ts';
import { createHealthcheckMetrics, powertoolsSink } from '../../../src/entry/lambda/healthcheck-powertools.ts';
import { recordingLog } from '../../../src/healthcheck/ports.ts';
import { runHealthcheck } from '../../../src/healthcheck/run-healthcheck.ts';
import { captureOutput, emfMetrics, type OutputCapture } from './output-capture.ts';
import { options } from './world.ts';

let stdout: OutputCapture | undefined;
afterEach(() => stdout?.restore());

describe('EMF output through Powertools Metrics', () => {
  it('puts every contract metric in the namespace with the service dimension, per-cluster ones with ClusterName too', async () => {
    const metrics = createHealthcheckMetrics(DEFAULT_METRICS_NAMESPACE);
    const { ports } = createFakePorts({ schedules: [scheduleFacts('a'), scheduleFacts('b', { target: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/other' } })] });
    stdout = captureOutput();

    await runHealthcheck({ check: ports, metrics: powertoolsSink(metrics), log: recordingLog() }, options({ notify: false }));
    metrics.publishStoredMetrics();

    const docs = stdout.emf();
    const emitted = emfMetrics(docs);
    // One buffered document for the service-only metrics, one single-metric document per cluster.
    expect(docs).toHaveLength(3);
    expect(new Set(emitted.map((m) => m.namespace))).toEqual(new Set([DEFAULT_METRICS_NAMESPACE]));
    expect(new Set(emitted.map((m) => m.unit))).toEqual(new Set(['Count']));
    const plain = emitted.filter((m) => m.dimensions.ClusterName === undefined);
    // Every metric but the change-driven run's own counter and org mode's IncompletePairs.
    expect(plain.map((m) => m.name).sort()).toEqual(metricNames().filter((n) => n !== HealthMetric.ChangeChecks && n !== HealthMetric.IncompletePairs).sort());
    for (const m of plain) {
      expect(m.dimensionNames, m.name).toEqual([['service']]);
      expect(m.dimensions, m.name).toEqual({ service: HEALTHCHECK_SERVICE });
    }
    const perCluster = emitted.filter((m) => m.dimensions.ClusterName !== undefined);
    expect(perCluster.map((m) => [m.name, m.dimensions.ClusterName, m.value, m.dimensionNames])).toEqual([
      ['TasksStarted10m', 'other', 0, [['service', 'ClusterName']]],
      ['TasksStarted10m', 'trading', 0, [['service', 'ClusterName']]],
    ]);
    expect(plain.find((m) => m.name === 'Heartbeat')?.value).toBe(1);
    expect(plain.find((m) => m.name === 'SchedulesChecked')?.value).toBe(2);
    expect(plain.find((m) => m.name === 'MarketOpen')?.value).toBe(1);
  });

  it('uses the configured namespace', () => {
    const metrics = createHealthcheckMetrics('Acme/Ops');
    stdout = captureOutput();
    powertoolsSink(metrics).add({ name: 'Heartbeat', unit: 'Count', value: 1 });
    metrics.publishStoredMetrics();

    expect(emfMetrics(stdout.emf())).toEqual([
      { name: 'Heartbeat', unit: 'Count', value: 1, namespace: 'Acme/Ops', dimensionNames: [['service']], dimensions: { service: HEALTHCHECK_SERVICE } },
    ]);
  });

  it('the contract builders cover every metric name, each exactly once per run (per-cluster aside)', () => {
    const names = runMetrics(
      {
        snapshot: { collectedAt: new Date(), region: 'r', groups: [], schedules: [], unreadable: [], clusters: new Map(), taskDefinitions: new Map(), roles: new Map(), functions: new Map(), queues: new Map(), metrics: { window: { start: new Date(), end: new Date() }, byGroup: new Map() }, evidence: new Map(), failures: [] },
        findings: [],
        report: { summary: { schedules: 0, unhealthySchedules: 0 }, market: { open: false } } as never,
      },
      new Date(),
      { checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 },
    ).map((d) => d.name);
    const changeNames = changeRunMetrics({ checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 }).map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(changeNames).size).toBe(changeNames.length);
    // IncompletePairs is org mode's own (org-healthcheck.test.ts).
    expect([...new Set([...names, ...changeNames])].sort()).toEqual(metricNames().filter((n) => n !== HealthMetric.IncompletePairs).sort());
    // A change-driven run: its counter and the run's own failures and repairs, no fleet gauge, no Heartbeat.
    expect(changeNames).toEqual([HealthMetric.ChangeChecks, HealthMetric.CheckErrors, HealthMetric.AlertPublishFailures, HealthMetric.SelfHealed, HealthMetric.AutoFixRefused]);
    expect(names).not.toContain(HealthMetric.ChangeChecks);
  });
});
