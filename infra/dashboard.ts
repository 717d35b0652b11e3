/**
 * The CloudWatch dashboard body: the alarms' states first, then one graph per alarm drawn from the same
 * metric contract (so the graph shows exactly what the alarm evaluates, threshold included), then the
 * healthcheck Lambda itself and the dead-letter queues' depth.
 */
import { EXPRESSION_ID } from './alarms.ts';
import type { AlarmDefinition, MetricRef } from '../src/healthcheck/metric-contract.ts';

export interface DashboardInput {
  region: string;
  alarmArns: string[];
  definitions: readonly AlarmDefinition[];
  healthcheckFunctionName: string;
  deadLetterQueueNames: string[];
  /** Sections drawn below the healthcheck's (the trading workflow's: infra/trading-observability.ts). */
  extraWidgets?: Record<string, unknown>[];
}

type MetricLine = (string | Record<string, unknown>)[];

const metricLine = (metric: MetricRef, options: Record<string, unknown>): MetricLine => [
  metric.namespace,
  metric.metricName,
  ...Object.entries(metric.dimensions).flat(),
  { stat: metric.statistic, ...options },
];

function alarmGraph(definition: AlarmDefinition, region: string): Record<string, unknown> {
  const source = definition.source;
  const metrics: MetricLine[] =
    source.kind === 'metric'
      ? [metricLine(source.metric, { period: definition.periodSeconds, label: source.metric.metricName })]
      : [
          [{ expression: source.expression, label: source.label, id: EXPRESSION_ID }],
          ...Object.entries(source.metrics).map(([id, metric]) => metricLine(metric, { id, period: definition.periodSeconds, visible: false })),
        ];
  return {
    type: 'metric',
    width: 12,
    height: 6,
    properties: {
      title: definition.name,
      region,
      view: 'timeSeries',
      stacked: false,
      metrics,
      annotations: { horizontal: [{ label: 'alarm threshold', value: definition.threshold }] },
    },
  };
}

export function dashboardBody(input: DashboardInput): string {
  const widgets: Record<string, unknown>[] = [
    { type: 'alarm', width: 24, height: 4, properties: { title: 'Alarms', alarms: input.alarmArns, sortBy: 'stateUpdatedTimestamp' } },
    ...input.definitions.map((definition) => alarmGraph(definition, input.region)),
    {
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: 'Healthcheck Lambda',
        region: input.region,
        view: 'timeSeries',
        metrics: ['Invocations', 'Errors', 'Throttles'].map((name) => ['AWS/Lambda', name, 'FunctionName', input.healthcheckFunctionName, { stat: 'Sum', period: 300 }]),
      },
    },
    {
      type: 'metric',
      width: 12,
      height: 6,
      properties: {
        title: 'Dead-letter queues (messages waiting)',
        region: input.region,
        view: 'timeSeries',
        metrics: input.deadLetterQueueNames.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue, { stat: 'Maximum', period: 300 }]),
      },
    },
    ...(input.extraWidgets ?? []),
  ];
  return JSON.stringify({ widgets });
}
