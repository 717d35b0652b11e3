/**
 * Org mode's metrics (metric-contract.ts, "Org mode"): each pair's run through a sink that adds the
 * pair's `Account` and `Region` dimensions and drops the series that only make sense as totals, and
 * the run's totals without those dimensions, which the alarms read exactly as they read a
 * single-account run's. Pure apart from the sink it wraps.
 */
import { CHECKS } from '../checks/registry.ts';
import type { Finding } from '../checks/finding.ts';
import type { RunCounters } from './health-metrics.ts';
import { ACCOUNT_DIMENSION, findingMetricName, HealthMetric, MetricUnitName, REGION_DIMENSION, type MetricDatum } from './metric-contract.ts';
import type { MetricSink } from './ports.ts';

/** Totals only: per pair they would multiply the series by the pair count and say nothing new. */
const TOTAL_ONLY: ReadonlySet<string> = new Set([HealthMetric.MarketOpen, ...CHECKS.map((c) => findingMetricName(c.code))]);

export function isPerPairMetric(name: string): boolean {
  return !TOTAL_ONLY.has(name);
}

/** A pair's sink: its datums with Account and Region added (after any of their own, e.g. ClusterName). */
export function placedMetricSink(sink: MetricSink, place: { account: string; region: string }): MetricSink {
  return {
    add(datum) {
      if (!isPerPairMetric(datum.name)) return;
      sink.add({ ...datum, dimensions: { [ACCOUNT_DIMENSION]: place.account, [REGION_DIMENSION]: place.region, ...(datum.dimensions ?? {}) } });
    },
  };
}

/** What the org run adds up from its pairs. */
export interface OrgTotals {
  schedulesChecked: number;
  unhealthySchedules: number;
  /** Findings of every pair that was checked, plus one CHECK_INCOMPLETE per incomplete pair or unentered account. */
  findings: readonly Pick<Finding, 'code'>[];
  marketOpen: boolean;
  tasksStarted10m: number;
  counters: RunCounters;
  incompletePairs: number;
}

const count = (name: string, value: number): MetricDatum => ({ name, unit: MetricUnitName.Count, value });

/** The run's totals, without Account/Region: the same names and order as a single-account run, plus IncompletePairs. */
export function orgTotalMetrics(totals: OrgTotals): MetricDatum[] {
  const byCode = new Map<string, number>();
  for (const f of totals.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  return [
    count(HealthMetric.SchedulesChecked, totals.schedulesChecked),
    count(HealthMetric.UnhealthySchedules, totals.unhealthySchedules),
    ...CHECKS.map((c) => count(findingMetricName(c.code), byCode.get(c.code) ?? 0)),
    count(HealthMetric.MarketOpen, totals.marketOpen ? 1 : 0),
    count(HealthMetric.TasksStarted10m, totals.tasksStarted10m),
    count(HealthMetric.Heartbeat, 1),
    count(HealthMetric.CheckErrors, totals.counters.checkErrors),
    count(HealthMetric.AlertPublishFailures, totals.counters.alertPublishFailures),
    count(HealthMetric.SelfHealed, totals.counters.selfHealed),
    count(HealthMetric.AutoFixRefused, totals.counters.autoFixRefused),
    count(HealthMetric.IncompletePairs, totals.incompletePairs),
  ];
}
