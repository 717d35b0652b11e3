/**
 * The trading workflow's observability as deployed: its metric contract's alarms exist with the
 * contract's thresholds, notify the alert topic and link their runbooks; every dead-letter queue a
 * trading failure path ends in has its alarm; the trading Lambdas write to the namespace the alarms
 * read; the dashboard draws the trading section.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lambda-bundles.ts';
import { STEPS } from '../../src/trading/domain/events.ts';
import { STAGE_LATENCY_LIMIT_MS, TradingAlarmName, tradingAlarms, WORKFLOW_DURATION_LIMIT_MS } from '../../src/trading/domain/metric-contract.ts';
import { runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

const RUNBOOK_BASE = 'https://github.com/example/ops/blob/main';

let stack: StackUnderTest;
let alarms: RecordedResource[];
let tradingQueueNames: string[];

const alarmNamed = (name: string): RecordedResource => {
  const found = alarms.filter((a) => a.inputs.name === `ops-pipeline-${name}`);
  if (found.length !== 1) throw new Error(`expected one alarm ops-pipeline-${name}, found ${found.length}`);
  return found[0]!;
};
const queueNameOf = (arn: unknown): string => String(stack.one('aws:sqs/queue:Queue', (q) => q.state.arn === arn).state.name);

/** The queues the trading failure paths end in, found from the wiring, not from the alarms' names. */
function tradingDeadLetterQueues(): string[] {
  const bus = stack.one('aws:cloudwatch/eventBus:EventBus');
  const ruleDlqs = stack
    .ofType('aws:cloudwatch/eventTarget:EventTarget')
    .filter((t) => t.inputs.eventBusName === bus.state.name)
    .map((t) => (t.inputs.deadLetterConfig as { arn: string }).arn);
  const tradingFunctions = new Set(stack.ofType('aws:lambda/function:Function').filter((f) => String(f.inputs.name).startsWith('ops-pipeline-trading-')).map((f) => f.state.name));
  const failed = stack
    .ofType('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig')
    .filter((c) => tradingFunctions.has(c.inputs.functionName))
    .map((c) => (c.inputs.destinationConfig as { onFailure: { destination: string } }).onFailure.destination);
  const sweeper = stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === 'ops-pipeline-trading-sweeper');
  const sweeperDlq = (sweeper.inputs.target as { deadLetterConfig: { arn: string } }).deadLetterConfig.arn;
  return [...new Set([...ruleDlqs, ...failed, sweeperDlq].map(queueNameOf))].sort();
}

beforeAll(async () => {
  stack = await runProgram({ runbookBaseUrl: `${RUNBOOK_BASE}/` });
  alarms = stack.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
  tradingQueueNames = tradingDeadLetterQueues();
});

describe('the trading alarms', () => {
  it('are the trading contract’s alarms, one per step and one per trading dead-letter queue', () => {
    expect(tradingQueueNames).toEqual(['ops-pipeline-trading-failed', 'ops-pipeline-trading-rule-dlq', 'ops-pipeline-trading-sweeper-dlq']);
    const expected = tradingAlarms({ deadLetterQueueNames: tradingQueueNames }).map((a) => `ops-pipeline-${a.name}`);
    const deployed = alarms.map((a) => String(a.inputs.name)).filter((name) => name.startsWith('ops-pipeline-Trading'));
    expect(deployed.sort()).toEqual(expected.sort());
    expect(deployed.filter((name) => name.includes(TradingAlarmName.stepLatency))).toHaveLength(STEPS.length);
  });

  it('notify the alert topic (on-call), not the trading notification topic, and link a runbook that exists', () => {
    const notifications = stack.one('aws:sns/topic:Topic', (t) => t.inputs.name === 'ops-pipeline-trading-notifications');
    for (const definition of tradingAlarms({ deadLetterQueueNames: tradingQueueNames })) {
      const alarm = alarmNamed(definition.name);
      expect(alarm.inputs.alarmActions, definition.name).toEqual([stack.outputs.alertTopicArn]);
      expect(alarm.inputs.okActions, definition.name).toEqual([stack.outputs.alertTopicArn]);
      expect(alarm.inputs.alarmActions).not.toContain(notifications.state.arn);
      const link = /Runbook: (\S+)$/.exec(String(alarm.inputs.alarmDescription))?.[1];
      expect(link, definition.name).toBe(`${RUNBOOK_BASE}/${definition.runbook}`);
      expect(existsSync(join(REPO_ROOT, definition.runbook)), definition.runbook).toBe(true);
    }
  });

  it('page on a workflow failed while the market is open: Sum ≥ 1, no data = OK', () => {
    expect(alarmNamed(TradingAlarmName.failedWhileMarketOpen).inputs).toMatchObject({
      namespace: 'Ops/Trading',
      metricName: 'WorkflowsFailedWhileMarketOpen',
      dimensions: { service: 'ops-trading' },
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      period: 300,
      treatMissingData: 'notBreaching',
    });
  });

  it('page when the oldest RUNNING workflow outlives the 15-minute timeout, or the sweeper stops reporting', () => {
    expect(alarmNamed(TradingAlarmName.stuckRunning).inputs).toMatchObject({
      metricName: 'OldestRunningAge',
      statistic: 'Maximum',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 15 * 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
    });
  });

  it('hold the seed’s targets: p99 StepLatency per step > 5 s, p99 completed WorkflowDuration > 30 s, as extended statistics', () => {
    for (const step of STEPS) {
      const alarm = alarmNamed(`${TradingAlarmName.stepLatency}-${step}`);
      expect(alarm.inputs).toMatchObject({ metricName: 'StepLatency', dimensions: { service: 'ops-trading', Step: step }, extendedStatistic: 'p99', threshold: STAGE_LATENCY_LIMIT_MS, comparisonOperator: 'GreaterThanThreshold' });
      expect(alarm.inputs.statistic).toBeUndefined();
    }
    const duration = alarmNamed(TradingAlarmName.workflowDuration);
    expect(duration.inputs).toMatchObject({ metricName: 'WorkflowDuration', dimensions: { service: 'ops-trading', State: 'COMPLETED' }, extendedStatistic: 'p99', threshold: WORKFLOW_DURATION_LIMIT_MS });
    expect(duration.inputs.statistic).toBeUndefined();
  });

  it('page on any message in each trading dead-letter queue', () => {
    for (const queue of tradingQueueNames) {
      expect(alarmNamed(`${TradingAlarmName.deadLetters}-${queue}`).inputs, queue).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue },
        statistic: 'Maximum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        treatMissingData: 'notBreaching',
      });
    }
  });
});

describe('the trading Lambdas’ metrics', () => {
  it('go to the namespace the alarms read (METRICS_NAMESPACE on every trading Lambda, the sweeper included); EMF needs no IAM action', () => {
    const functions = stack.ofType('aws:lambda/function:Function').filter((f) => String(f.inputs.name).startsWith('ops-pipeline-trading-'));
    expect(functions.map((f) => String(f.inputs.name)).sort()).toEqual([...STEPS.map((s) => `ops-pipeline-trading-${s}`), 'ops-pipeline-trading-sweeper'].sort());
    for (const fn of functions) {
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables.METRICS_NAMESPACE, String(fn.inputs.name)).toBe('Ops/Trading');
    }
    const actions = stack
      .ofType('aws:iam/rolePolicy:RolePolicy')
      .flatMap((p) => (JSON.parse(String(p.inputs.policy)) as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => s.Action));
    expect(actions).not.toContain('cloudwatch:PutMetricData');
  });
});

describe('the dashboard’s trading section', () => {
  interface Widget {
    type: string;
    properties: { title?: string; markdown?: string; alarms?: string[]; metrics?: unknown[]; annotations?: { horizontal: { value: number }[] } };
  }
  let widgets: Widget[];
  beforeAll(() => {
    widgets = (JSON.parse(String(stack.one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody)) as { widgets: Widget[] }).widgets;
  });
  const titled = (prefix: string): Widget => {
    const found = widgets.find((w) => w.properties.title?.startsWith(prefix));
    if (found === undefined) throw new Error(`no widget titled "${prefix}…" in ${widgets.map((w) => w.properties.title).join(' | ')}`);
    return found;
  };
  const lines = (widget: Widget) => JSON.stringify(widget.properties.metrics);

  it('lists the trading alarms in the alarm widget and graphs each with its threshold', () => {
    const arns = widgets.find((w) => w.type === 'alarm')!.properties.alarms!;
    for (const alarm of alarms.filter((a) => String(a.inputs.name).startsWith('ops-pipeline-Trading'))) {
      expect(arns).toContain(alarm.state.arn);
      expect(titled(String(alarm.inputs.name).replace('ops-pipeline-', '')).properties.annotations?.horizontal[0]?.value).toBe(alarm.inputs.threshold);
    }
  });

  it('has a header and panels: outcomes, failures by code, step latency p50/p99 with the 5 s line, duration with the 30 s line, oldest RUNNING, DLQ depth', () => {
    expect(widgets.some((w) => w.type === 'text' && w.properties.markdown?.startsWith('## Trading workflow'))).toBe(true);
    expect(lines(titled('Workflows by outcome'))).toContain('WorkflowsCompleted');
    expect(lines(titled('Workflows by outcome'))).toContain('WorkflowsFailed');
    expect(lines(titled('Failures by error code'))).toContain('SEARCH(\'{Ops/Trading,service,FailureCode} MetricName=\\"WorkflowsFailed\\"\'');
    const latency = titled('Step latency p50 / p99');
    expect(latency.properties.annotations?.horizontal[0]?.value).toBe(5_000);
    for (const step of STEPS) for (const stat of ['p50', 'p99']) expect(lines(latency)).toContain(`"Step","${step}",{"period":300,"stat":"${stat}"`);
    const duration = titled('Workflow duration p50 / p99');
    expect(duration.properties.annotations?.horizontal[0]?.value).toBe(30_000);
    expect(lines(duration)).toContain('"State","COMPLETED"');
    const running = titled('RUNNING workflows');
    expect(running.properties.annotations?.horizontal[0]?.value).toBe(900);
    expect(lines(running)).toContain('OldestRunningAge');
    const queues = titled('Trading dead-letter queues');
    for (const queue of tradingQueueNames) expect(lines(queues)).toContain(`"QueueName","${queue}"`);
  });
});
