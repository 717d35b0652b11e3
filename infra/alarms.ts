/**
 * CloudWatch alarm arguments from the healthcheck's metric contract (src/healthcheck/metric-contract.ts).
 * Nothing about an alarm is decided here except where it sends and how its runbook is linked: names,
 * metrics, thresholds, periods and missing-data handling all come from the contract.
 */
import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { isPercentile, type AlarmDefinition, type MetricRef } from '../src/healthcheck/metric-contract.ts';

/** The id of the expression a math alarm evaluates (CloudWatch ids start with a lower-case letter). */
export const EXPRESSION_ID = 'result';
/** CloudWatch's limit on AlarmDescription. */
const MAX_DESCRIPTION = 1024;

export function runbookLink(runbookPath: string, baseUrl: string | undefined): string {
  return baseUrl === undefined ? runbookPath : `${baseUrl}/${runbookPath}`;
}

export function alarmDescription(definition: AlarmDefinition, baseUrl: string | undefined): string {
  const runbook = ` Runbook: ${runbookLink(definition.runbook, baseUrl)}`;
  const room = MAX_DESCRIPTION - runbook.length;
  const text = definition.description.length > room ? `${definition.description.slice(0, room - 1)}…` : definition.description;
  return `${text}${runbook}`;
}

const queryMetric = (metric: MetricRef, period: number) => ({
  namespace: metric.namespace,
  metricName: metric.metricName,
  dimensions: { ...metric.dimensions },
  stat: metric.statistic,
  period,
});

export interface AlarmTarget {
  namePrefix: string;
  topicArn: pulumi.Input<string>;
  runbookBaseUrl: string | undefined;
}

export function metricAlarmArgs(definition: AlarmDefinition, target: AlarmTarget): aws.cloudwatch.MetricAlarmArgs {
  const common = {
    name: `${target.namePrefix}-${definition.name}`,
    alarmDescription: alarmDescription(definition, target.runbookBaseUrl),
    comparisonOperator: definition.comparison,
    threshold: definition.threshold,
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm,
    treatMissingData: definition.treatMissingData,
    actionsEnabled: true,
    // OK too: the email that says it is over is what lets on-call stand down.
    alarmActions: [target.topicArn],
    okActions: [target.topicArn],
  } satisfies aws.cloudwatch.MetricAlarmArgs;

  const source = definition.source;
  switch (source.kind) {
    case 'metric':
      return {
        ...common,
        namespace: source.metric.namespace,
        metricName: source.metric.metricName,
        dimensions: { ...source.metric.dimensions },
        // A percentile (p99) is an extended statistic in PutMetricAlarm, not a statistic.
        ...(isPercentile(source.metric.statistic) ? { extendedStatistic: source.metric.statistic } : { statistic: source.metric.statistic }),
        period: definition.periodSeconds,
      };
    case 'expression':
      if (Object.hasOwn(source.metrics, EXPRESSION_ID)) throw new Error(`Alarm ${definition.name}: metric id "${EXPRESSION_ID}" is reserved for the expression`);
      return {
        ...common,
        metricQueries: [
          { id: EXPRESSION_ID, expression: source.expression, label: source.label, returnData: true },
          ...Object.entries(source.metrics).map(([id, metric]) => ({ id, metric: queryMetric(metric, definition.periodSeconds), returnData: false })),
        ],
      };
  }
}
