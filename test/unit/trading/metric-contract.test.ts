import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEPS } from '../../../src/trading/domain/events.ts';
import { RISK_LIMITS } from '../../../src/trading/domain/risk-limits.ts';
import { WORKFLOW_ABORTED } from '../../../src/trading/domain/abort.ts';
import {
  DEFAULT_TRADING_METRICS_NAMESPACE,
  FAILURE_CODES,
  failureCodeDimension,
  METRIC_UNITS,
  OTHER_FAILURE_CODE,
  STAGE_LATENCY_LIMIT_MS,
  TRADING_METRICS,
  TRADING_METRICS_SERVICE,
  TradingAlarmName,
  tradingAlarms,
  WORKFLOW_DURATION_LIMIT_MS,
} from '../../../src/trading/domain/metric-contract.ts';
import { TRADING_SERVICE } from '../../../src/entry/lambda/trading/runtime.ts';
import type { AlarmDefinition, MetricRef } from '../../../src/healthcheck/metric-contract.ts';

const QUEUES = ['ops-pipeline-trading-rule-dlq', 'ops-pipeline-trading-failed', 'ops-pipeline-trading-sweeper-dlq'];
const alarms = tradingAlarms({ deadLetterQueueNames: QUEUES });
const named = (name: string): AlarmDefinition => {
  const found = alarms.find((a) => a.name === name);
  if (found === undefined) throw new Error(`no alarm ${name} in ${alarms.map((a) => a.name).join(', ')}`);
  return found;
};
const metricOf = (alarm: AlarmDefinition): MetricRef => {
  if (alarm.source.kind !== 'metric') throw new Error(`${alarm.name} is not a single-metric alarm`);
  return alarm.source.metric;
};

/** Every literal failure code under src/trading: StepError codes, `errorCode: 'CODE'`, ORDER_* codes. */
function stepErrorCodes(): string[] {
  const root = join(import.meta.dirname, '../../../src/trading');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const codes = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/new StepError\(\s*'([A-Z0-9_]+)'/g)) codes.add(match[1]!);
    // Codes passed through a helper: requirePrice(prices, symbol, 'CODE', message).
    for (const match of text.matchAll(/requirePrice\([^)]*?'([A-Z0-9_]+)'/g)) codes.add(match[1]!);
    // Failures written directly (the sweeper's timeouts, order reconciliation) and order outcomes.
    for (const match of text.matchAll(/errorCode: '([A-Z0-9_]+)'/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/'(ORDER_[A-Z0-9_]+)'/g)) codes.add(match[1]!);
  }
  return [...codes].sort();
}

describe('the trading metric contract', () => {
  it('names each metric once with one unit, under Ops/Trading with the trading Lambdas’ service', () => {
    expect(DEFAULT_TRADING_METRICS_NAMESPACE).toBe('Ops/Trading');
    expect(TRADING_METRICS_SERVICE).toBe(TRADING_SERVICE);
    expect(Object.keys(METRIC_UNITS).sort()).toEqual([...TRADING_METRICS].sort());
    expect(METRIC_UNITS.StepLatency).toBe('Milliseconds');
    expect(METRIC_UNITS.WorkflowDuration).toBe('Milliseconds');
    expect(METRIC_UNITS.OldestRunningAge).toBe('Seconds');
    expect(METRIC_UNITS.WorkflowsFailed).toBe('Count');
  });

  it('declares every failure code raised in src/trading (StepErrors, direct failures, order outcomes, risk limits) as a FailureCode', () => {
    const raised = stepErrorCodes();
    expect(raised.length).toBeGreaterThan(10);
    expect(raised.filter((code) => !FAILURE_CODES.has(code))).toEqual([]);
    for (const limit of Object.values(RISK_LIMITS)) expect(FAILURE_CODES.has(limit.code), limit.code).toBe(true);
    for (const code of ['WORKFLOW_TIMEOUT', WORKFLOW_ABORTED, 'HANDLER_ERROR']) expect(FAILURE_CODES.has(code), code).toBe(true);
  });

  it('keeps FailureCode bounded: an undeclared code becomes OTHER', () => {
    expect(failureCodeDimension('STALE_MARKET_DATA')).toBe('STALE_MARKET_DATA');
    expect(failureCodeDimension('WORKFLOW_TIMEOUT')).toBe('WORKFLOW_TIMEOUT');
    expect(failureCodeDimension('SOMETHING_NEW')).toBe(OTHER_FAILURE_CODE);
    expect(failureCodeDimension('evt-1234 <script>')).toBe(OTHER_FAILURE_CODE);
    expect(FAILURE_CODES.has(OTHER_FAILURE_CODE)).toBe(false);
  });
});

describe('tradingAlarms', () => {
  it('holds the three workflow alarms, one latency alarm per step and one alarm per dead-letter queue', () => {
    expect(alarms.map((a) => a.name)).toEqual([
      TradingAlarmName.failedWhileMarketOpen,
      TradingAlarmName.stuckRunning,
      TradingAlarmName.workflowDuration,
      ...STEPS.map((step) => `TradingStepLatency-${step}`),
      ...QUEUES.map((queue) => `TradingDeadLetters-${queue}`),
    ]);
    for (const alarm of alarms) {
      expect(alarm.datapointsToAlarm, alarm.name).toBeLessThanOrEqual(alarm.evaluationPeriods);
      expect(alarm.runbook, alarm.name).toBe(`runbooks/alarms/${alarm.name.replace(/-.*$/, '')}.md`);
      expect(alarm.description.length, alarm.name).toBeGreaterThan(40);
    }
  });

  it('alarms on any failed workflow while the market is open, from the notification Lambda’s count', () => {
    const alarm = named(TradingAlarmName.failedWhileMarketOpen);
    expect(metricOf(alarm)).toEqual({ namespace: 'Ops/Trading', metricName: 'WorkflowsFailedWhileMarketOpen', dimensions: { service: 'ops-trading' }, statistic: 'Sum' });
    expect(alarm).toMatchObject({ comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, periodSeconds: 300, evaluationPeriods: 1, treatMissingData: 'notBreaching' });
  });

  it('alarms when the oldest RUNNING workflow outlives the timeout, or the sweeper falls silent (missing = breaching)', () => {
    const alarm = named(TradingAlarmName.stuckRunning);
    expect(metricOf(alarm)).toMatchObject({ metricName: 'OldestRunningAge', statistic: 'Maximum' });
    expect(alarm).toMatchObject({ comparison: 'GreaterThanThreshold', threshold: 15 * 60, treatMissingData: 'breaching', evaluationPeriods: 2, datapointsToAlarm: 2 });
    const thirty = tradingAlarms({ deadLetterQueueNames: [], timeoutMinutes: 30 }).find((a) => a.name === TradingAlarmName.stuckRunning);
    expect(thirty?.threshold).toBe(30 * 60);
    expect(thirty?.description).toContain('30 minutes');
  });

  it('makes the seed’s targets thresholds: p99 step latency > 5 s per step, p99 completed-workflow duration > 30 s', () => {
    expect(STAGE_LATENCY_LIMIT_MS).toBe(5_000);
    expect(WORKFLOW_DURATION_LIMIT_MS).toBe(30_000);
    for (const step of STEPS) {
      const alarm = named(`TradingStepLatency-${step}`);
      expect(metricOf(alarm)).toEqual({ namespace: 'Ops/Trading', metricName: 'StepLatency', dimensions: { service: 'ops-trading', Step: step }, statistic: 'p99' });
      expect(alarm).toMatchObject({ comparison: 'GreaterThanThreshold', threshold: 5_000, treatMissingData: 'notBreaching' });
    }
    const duration = named(TradingAlarmName.workflowDuration);
    expect(metricOf(duration)).toEqual({ namespace: 'Ops/Trading', metricName: 'WorkflowDuration', dimensions: { service: 'ops-trading', State: 'COMPLETED' }, statistic: 'p99' });
    expect(duration).toMatchObject({ comparison: 'GreaterThanThreshold', threshold: 30_000, treatMissingData: 'notBreaching' });
  });

  it('alarms on a single message in any trading dead-letter queue', () => {
    for (const queue of QUEUES) {
      const alarm = named(`TradingDeadLetters-${queue}`);
      expect(metricOf(alarm)).toEqual({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue }, statistic: 'Maximum' });
      expect(alarm).toMatchObject({ comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, treatMissingData: 'notBreaching' });
    }
  });

  it('takes another namespace for the trading metrics, never for AWS/SQS', () => {
    const other = tradingAlarms({ namespace: 'Acme/Trading', deadLetterQueueNames: ['q'] });
    expect(new Set(other.map((a) => metricOf(a).namespace))).toEqual(new Set(['Acme/Trading', 'AWS/SQS']));
  });
});
