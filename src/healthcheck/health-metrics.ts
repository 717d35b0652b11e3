/**
 * A run's values for the metric contract (metric-contract.ts), as data. Pure: the Lambda hands them
 * to Powertools Metrics, the CLI prints them.
 */
import { ecsClusterName } from '../arn.ts';
import { CHECKS } from '../checks/registry.ts';
import { scheduleId, type Snapshot } from '../checks/model.ts';
import type { CheckReport } from '../checks/report.ts';
import type { Finding } from '../checks/finding.ts';
import { CLUSTER_DIMENSION, findingMetricName, HealthMetric, MetricUnitName, TASKS_WINDOW_MINUTES, type MetricDatum } from './metric-contract.ts';

export interface RunCounters {
  checkErrors: number;
  alertPublishFailures: number;
  selfHealed: number;
  autoFixRefused: number;
}

const count = (name: string, value: number, dimensions?: Record<string, string>): MetricDatum => ({
  name,
  unit: MetricUnitName.Count,
  value,
  ...(dimensions ? { dimensions } : {}),
});

/** Everything a completed run emits. */
export function runMetrics(check: { snapshot: Snapshot; findings: readonly Finding[]; report: CheckReport }, now: Date, counters: RunCounters): MetricDatum[] {
  const byCode = new Map<string, number>();
  for (const f of check.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  const perCluster = tasksStartedByCluster(check.snapshot, now);
  const total = [...perCluster.values()].reduce((sum, n) => sum + n, 0);
  return [
    count(HealthMetric.SchedulesChecked, check.report.summary.schedules),
    count(HealthMetric.UnhealthySchedules, check.report.summary.unhealthySchedules),
    ...CHECKS.map((c) => count(findingMetricName(c.code), byCode.get(c.code) ?? 0)),
    count(HealthMetric.MarketOpen, check.report.market.open ? 1 : 0),
    count(HealthMetric.TasksStarted10m, total),
    ...[...perCluster].sort(([a], [b]) => a.localeCompare(b)).map(([cluster, n]) => count(HealthMetric.TasksStarted10m, n, { [CLUSTER_DIMENSION]: cluster })),
    ...runHealthMetrics(counters),
  ];
}

/** What a run emits whatever else happened: the heartbeat and its own failures. */
export function runHealthMetrics(counters: RunCounters): MetricDatum[] {
  return [count(HealthMetric.Heartbeat, 1), ...counterMetrics(counters)];
}

/**
 * What a change-driven run emits (see metric-contract.ts): that it ran, and its own failures and
 * repairs. No fleet gauge and no Heartbeat: those belong to the 5-minute run.
 */
export function changeRunMetrics(counters: RunCounters): MetricDatum[] {
  return [count(HealthMetric.ChangeChecks, 1), ...counterMetrics(counters)];
}

/** A run's own failures and repairs, in the order the contract lists them. */
function counterMetrics(counters: RunCounters): MetricDatum[] {
  return [
    count(HealthMetric.CheckErrors, counters.checkErrors),
    count(HealthMetric.AlertPublishFailures, counters.alertPublishFailures),
    count(HealthMetric.SelfHealed, counters.selfHealed),
    count(HealthMetric.AutoFixRefused, counters.autoFixRefused),
  ];
}

/**
 * Runs seen in the last TASKS_WINDOW_MINUTES per cluster name, over every ENABLED ECS schedule's
 * current target (0 for a cluster nothing ran on, so the series exists). See the approximation note
 * in metric-contract.ts.
 */
export function tasksStartedByCluster(snapshot: Snapshot, now: Date): Map<string, number> {
  const since = now.getTime() - TASKS_WINDOW_MINUTES * 60_000;
  const counts = new Map<string, number>();
  for (const schedule of snapshot.schedules) {
    if (schedule.target.kind !== 'ecs' || schedule.state !== 'ENABLED') continue;
    const cluster = ecsClusterName(schedule.target.arn) ?? schedule.target.arn;
    const evidence = snapshot.evidence.get(scheduleId(schedule));
    const runs = evidence === undefined || evidence.source === 'none' ? [] : evidence.runsSince;
    // The ledger's runsSince may be empty while lastRunAt is set; count each run instant once.
    const instants = new Set(runs.map((d) => d.getTime()));
    if (evidence !== undefined && evidence.source !== 'none' && evidence.lastRunAt !== undefined) instants.add(evidence.lastRunAt.getTime());
    const recent = [...instants].filter((t) => t > since && t <= now.getTime()).length;
    counts.set(cluster, (counts.get(cluster) ?? 0) + recent);
  }
  return counts;
}
