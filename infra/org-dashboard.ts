/**
 * The dashboard's org section (config `org` only): how many account × region pairs the last runs
 * could not check, and the unhealthy schedules per pair. Per-pair series carry the `Account` and
 * `Region` dimensions the org healthcheck adds (src/healthcheck/org-metrics.ts); a SEARCH draws every
 * pair that reported, so a new account appears without a deploy.
 */
import { ACCOUNT_DIMENSION, HEALTHCHECK_SERVICE, HealthMetric, REGION_DIMENSION } from '../src/healthcheck/metric-contract.ts';

export function orgWidgets(region: string, namespace: string): Record<string, unknown>[] {
  const search = (metric: string) => `SEARCH('{${namespace},service,${ACCOUNT_DIMENSION},${REGION_DIMENSION}} MetricName="${metric}" service="${HEALTHCHECK_SERVICE}"', 'Maximum', 300)`;
  return [
    {
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: 'Org: account × region pairs not checked',
        region,
        view: 'timeSeries',
        metrics: [[namespace, HealthMetric.IncompletePairs, 'service', HEALTHCHECK_SERVICE, { stat: 'Maximum', period: 300 }]],
        annotations: { horizontal: [{ label: 'every pair checked', value: 0 }] },
      },
    },
    {
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: 'Org: unhealthy schedules by account and region',
        region,
        view: 'timeSeries',
        metrics: [[{ expression: search(HealthMetric.UnhealthySchedules), id: 'pairs', label: '' }]],
      },
    },
  ];
}
