/**
 * The trading Lambdas' metrics over Powertools Metrics: CloudWatch EMF on stdout, which CloudWatch
 * Logs turns into metrics (no PutMetricData call, no IAM permission, no added latency). The values
 * come from src/trading/domain/workflow-metrics.ts; this file only writes them.
 *
 * Outside Lambda (tests, a local runtime that runs these handlers in-process) set
 * POWERTOOLS_METRICS_DISABLED=true and Powertools writes nothing; POWERTOOLS_DEV=true disables it too
 * unless POWERTOOLS_METRICS_DISABLED=false. Or pass another sink: the shells take it as an argument.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DEFAULT_TRADING_METRICS_NAMESPACE,
  TRADING_METRICS_NAMESPACE_ENV,
  TRADING_METRICS_SERVICE,
  TradingUnit,
  type TradingMetricDatum,
} from '../../../trading/domain/metric-contract.ts';

/** Writes one invocation's values. The shells catch what it throws: a metric is not worth a retry. */
export type TradingMetricsSink = (data: readonly TradingMetricDatum[]) => void;

const UNITS = { [TradingUnit.Count]: MetricUnit.Count, [TradingUnit.Milliseconds]: MetricUnit.Milliseconds, [TradingUnit.Seconds]: MetricUnit.Seconds } as const;

export function tradingMetricsNamespace(env: NodeJS.ProcessEnv): string {
  const value = env[TRADING_METRICS_NAMESPACE_ENV]?.trim();
  return value === undefined || value === '' ? DEFAULT_TRADING_METRICS_NAMESPACE : value;
}

export function createTradingMetrics(namespace: string): Metrics {
  return new Metrics({ namespace, serviceName: TRADING_METRICS_SERVICE });
}

/**
 * One EMF document per dimension set: EMF applies a document's dimensions to every metric in it, so
 * StepLatency by Step and WorkflowsFailed by FailureCode cannot share a document with the
 * service-only counts.
 */
export function powertoolsTradingSink(metrics: Metrics): TradingMetricsSink {
  return (data) => {
    const errors: unknown[] = [];
    const groups = new Map<string, { dimensions: [string, string][]; data: TradingMetricDatum[] }>();
    for (const datum of data) {
      const dimensions = Object.entries(datum.dimensions ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const key = JSON.stringify(dimensions);
      const group = groups.get(key) ?? { dimensions, data: [] };
      group.data.push(datum);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      try {
        for (const [name, value] of group.dimensions) metrics.addDimension(name, value);
        for (const datum of group.data) metrics.addMetric(datum.name, UNITS[datum.unit], datum.value);
        metrics.publishStoredMetrics();
      } catch (error) {
        metrics.clearMetrics();
        metrics.clearDimensions();
        errors.push(error);
      }
    }
    // After every group had its chance; the shell logs it and carries on.
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} EMF document(s) not written: ${errors.map(String).join('; ')}`);
  };
}

/** The sink a trading Lambda's module scope builds: the namespace from METRICS_NAMESPACE (the stack sets it). */
export function lambdaTradingMetrics(env: NodeJS.ProcessEnv): TradingMetricsSink {
  return powertoolsTradingSink(createTradingMetrics(tradingMetricsNamespace(env)));
}
