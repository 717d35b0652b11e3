/**
 * The trading workflow's alarms and dashboard section, from its metric contract
 * (src/trading/domain/metric-contract.ts). The Monitoring component creates the alarms next to the
 * healthcheck's, on the same alert topic: these are on-call's alarms, and the trading notification
 * topic carries one email per finished workflow, where an alarm would drown. The section is drawn
 * below the healthcheck's on the one dashboard, after a graph per alarm (threshold included).
 */
import type { AlarmDefinition } from '../src/healthcheck/metric-contract.ts';
import { STEPS } from '../src/trading/domain/events.ts';
import {
  DEFAULT_TRADING_METRICS_NAMESPACE,
  STAGE_LATENCY_LIMIT_MS,
  TRADING_METRICS_SERVICE,
  TradingDimension,
  TradingMetric,
  tradingAlarms,
  WORKFLOW_DURATION_LIMIT_MS,
} from '../src/trading/domain/metric-contract.ts';
import { DEFAULT_WORKFLOW_TIMEOUT_MS } from '../src/trading/domain/sweeper.ts';
import { WorkflowState } from '../src/trading/ports/workflow-store.ts';

export interface TradingObservabilityArgs {
  /** Default Ops/Trading; the trading Lambdas get the same as METRICS_NAMESPACE. */
  metricsNamespace?: string;
  /** The sweeper's WORKFLOW_TIMEOUT_MINUTES (default 15). */
  timeoutMinutes?: number;
  deadLetterQueueNames: readonly string[];
}

export interface TradingObservability {
  alarms: AlarmDefinition[];
  widgets: (region: string) => Record<string, unknown>[];
}

const PERIOD = 300;

export function tradingObservability(args: TradingObservabilityArgs): TradingObservability {
  const namespace = args.metricsNamespace ?? DEFAULT_TRADING_METRICS_NAMESPACE;
  const timeoutSeconds = (args.timeoutMinutes ?? DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000) * 60;
  const alarms = tradingAlarms({ namespace, deadLetterQueueNames: args.deadLetterQueueNames, ...(args.timeoutMinutes !== undefined ? { timeoutMinutes: args.timeoutMinutes } : {}) });
  const line = (metric: TradingMetric, options: Record<string, unknown>, dimensions: Record<string, string> = {}) => [
    namespace,
    metric,
    'service',
    TRADING_METRICS_SERVICE,
    ...Object.entries(dimensions).flat(),
    { period: PERIOD, ...options },
  ];
  const graph = (region: string, title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, metrics, ...extra },
  });

  const widgets = (region: string): Record<string, unknown>[] => [
    {
      type: 'text',
      width: 24,
      height: 2,
      properties: {
        markdown: `## Trading workflow\nNamespace \`${namespace}\`, service \`${TRADING_METRICS_SERVICE}\`. Targets: a stage under ${STAGE_LATENCY_LIMIT_MS / 1000} s, a workflow under ${WORKFLOW_DURATION_LIMIT_MS / 1000} s. Runbooks: runbooks/alarms/Trading*.md; \`ops workflow list --state FAILED\`.`,
      },
    },
    graph(region, 'Workflows by outcome', [line(TradingMetric.WorkflowsCompleted, { stat: 'Sum', label: 'COMPLETED' }), line(TradingMetric.WorkflowsFailed, { stat: 'Sum', label: 'FAILED' })], {
      view: 'bar',
    }),
    graph(region, 'Failures by error code', [
      [{ expression: `SEARCH('{${namespace},service,${TradingDimension.failureCode}} MetricName="${TradingMetric.WorkflowsFailed}"', 'Sum', ${PERIOD})`, id: 'codes', label: '' }],
    ]),
    graph(
      region,
      `Step latency p50 / p99 (event → result; stage < ${STAGE_LATENCY_LIMIT_MS / 1000} s)`,
      STEPS.flatMap((step) => ['p50', 'p99'].map((stat) => line(TradingMetric.StepLatency, { stat, label: `${step} ${stat}` }, { [TradingDimension.step]: step }))),
      { annotations: { horizontal: [{ label: `stage limit ${STAGE_LATENCY_LIMIT_MS / 1000} s`, value: STAGE_LATENCY_LIMIT_MS }] }, yAxis: { left: { label: 'ms', showUnits: false } } },
    ),
    graph(
      region,
      `Workflow duration p50 / p99 (workflow < ${WORKFLOW_DURATION_LIMIT_MS / 1000} s)`,
      [WorkflowState.completed, WorkflowState.failed].flatMap((state) =>
        ['p50', 'p99'].map((stat) => line(TradingMetric.WorkflowDuration, { stat, label: `${state} ${stat}` }, { [TradingDimension.state]: state })),
      ),
      { annotations: { horizontal: [{ label: `workflow limit ${WORKFLOW_DURATION_LIMIT_MS / 1000} s`, value: WORKFLOW_DURATION_LIMIT_MS }] }, yAxis: { left: { label: 'ms', showUnits: false } } },
    ),
    graph(
      region,
      'RUNNING workflows and the oldest one’s age (sweeper)',
      [line(TradingMetric.OldestRunningAge, { stat: 'Maximum', label: 'oldest RUNNING (s)' }), line(TradingMetric.RunningWorkflows, { stat: 'Maximum', label: 'RUNNING', yAxis: 'right' })],
      { annotations: { horizontal: [{ label: `timeout ${timeoutSeconds / 60} min`, value: timeoutSeconds }] } },
    ),
    graph(
      region,
      'Trading dead-letter queues (messages waiting)',
      args.deadLetterQueueNames.map((queue) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue, { stat: 'Maximum', period: PERIOD }]),
      { annotations: { horizontal: [{ label: 'alarm: any message', value: 1 }] } },
    ),
  ];
  return { alarms, widgets };
}
