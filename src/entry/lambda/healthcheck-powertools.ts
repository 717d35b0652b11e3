/**
 * The healthcheck's sink and log over Powertools for AWS Lambda: metrics as CloudWatch EMF on stdout
 * (no PutMetricData call, no extra latency or IAM), logs as one JSON object per line.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { HEALTHCHECK_SERVICE, MetricUnitName, type MetricDatum } from '../../healthcheck/metric-contract.ts';
import type { HealthLog, LogFields, MetricSink } from '../../healthcheck/ports.ts';

export function createHealthcheckMetrics(namespace: string): Metrics {
  return new Metrics({ namespace, serviceName: HEALTHCHECK_SERVICE });
}

const UNITS = { [MetricUnitName.Count]: MetricUnit.Count } as const;

/**
 * Dimensionless metrics are buffered into one EMF document, flushed by `publishStoredMetrics()`.
 * A metric with dimensions of its own (TasksStarted10m by ClusterName) goes out at once as a
 * single-metric document: dimensions in EMF apply to every metric in a document.
 */
export function powertoolsSink(metrics: Metrics): MetricSink {
  return {
    add(datum: MetricDatum) {
      const dimensions = Object.entries(datum.dimensions ?? {});
      if (dimensions.length === 0) {
        metrics.addMetric(datum.name, UNITS[datum.unit], datum.value);
        return;
      }
      const single = metrics.singleMetric();
      for (const [name, value] of dimensions) single.addDimension(name, value);
      single.addMetric(datum.name, UNITS[datum.unit], datum.value);
    },
  };
}

export function powertoolsLog(logger: Logger): HealthLog {
  const extra = (fields: LogFields | undefined): LogFields[] => (fields === undefined ? [] : [fields]);
  return {
    info: (message, fields) => logger.info(message, ...extra(fields)),
    warn: (message, fields) => logger.warn(message, ...extra(fields)),
    error: (message, fields) => logger.error(message, ...extra(fields)),
  };
}
