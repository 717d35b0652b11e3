/**
 * What the trading Lambdas measure, as values: a handled delivery → its step's latency and duration,
 * a terminal event → the workflow's outcome, duration and failure code, a sweep → what still runs.
 * Pure (time and the calendar come in as arguments), so the contract's rules are table-tested here
 * and the Lambda shells only hand the result to a sink (metric-contract.ts says why each is so).
 */
import { nyse, type MarketCalendar } from '../../market/index.ts';
import { EventType, Step, isTerminalEvent, type TerminalEvent, type WorkflowEvent } from './events.ts';
import type { DeliveryOutcome } from './gate.ts';
import type { SweepReport } from './sweeper.ts';
import { METRIC_UNITS, OPERATOR_FAILURE_CODES, TradingDimension, TradingMetric, failureCodeDimension, type TradingMetricDatum } from './metric-contract.ts';
import { WorkflowState, type WorkflowRecord } from '../ports/workflow-store.ts';

const datum = (name: TradingMetric, value: number, dimensions?: TradingMetricDatum['dimensions']): TradingMetricDatum => ({
  name,
  unit: METRIC_UNITS[name],
  value,
  ...(dimensions !== undefined ? { dimensions } : {}),
});

const nonNegative = (ms: number): number => Math.max(0, Math.round(ms));

export interface DeliveryTiming {
  /** When this invocation started handling the delivery (before the gate). */
  receivedAt: Date;
  /** When the gate returned. */
  finishedAt: Date;
}

export type MarketHours = Pick<MarketCalendar, 'isOpen'>;

/**
 * The metrics of one delivery: step latency and duration when the step ran and its result stands
 * (`handled`); the workflow's terminal metrics too when the notification consumer handled a terminal
 * event. Skipped, deferred and failed deliveries add nothing: a failure is counted once, from its
 * WorkflowFailed event, and a skipped duplicate is not a second run.
 */
export function deliveryMetrics(event: WorkflowEvent, outcome: DeliveryOutcome, timing: DeliveryTiming, calendar: MarketHours = nyse): TradingMetricDatum[] {
  if (outcome.status !== 'handled') return [];
  const step = { [TradingDimension.step]: outcome.consumer };
  const data = [
    datum(TradingMetric.StepLatency, nonNegative(timing.finishedAt.getTime() - Date.parse(event.occurredAt)), step),
    datum(TradingMetric.StepDuration, nonNegative(timing.finishedAt.getTime() - timing.receivedAt.getTime()), step),
  ];
  if (outcome.consumer === Step.notification && isTerminalEvent(event)) data.push(...terminalMetrics(event, calendar));
  return data;
}

/** A workflow's outcome, from its terminal event's detail. */
export function terminalMetrics(event: TerminalEvent, calendar: MarketHours = nyse): TradingMetricDatum[] {
  switch (event.type) {
    case EventType.workflowCompleted:
      return [
        datum(TradingMetric.WorkflowsCompleted, 1),
        datum(TradingMetric.WorkflowsFailed, 0),
        datum(TradingMetric.WorkflowsFailedWhileMarketOpen, 0),
        datum(TradingMetric.WorkflowDuration, event.detail.durationMs, { [TradingDimension.state]: WorkflowState.completed }),
      ];
    case EventType.workflowFailed: {
      const pages = !OPERATOR_FAILURE_CODES.has(event.detail.errorCode) && marketOpenAt(new Date(event.occurredAt), calendar);
      return [
        datum(TradingMetric.WorkflowsCompleted, 0),
        datum(TradingMetric.WorkflowsFailed, 1),
        datum(TradingMetric.WorkflowsFailedWhileMarketOpen, pages ? 1 : 0),
        datum(TradingMetric.WorkflowDuration, event.detail.durationMs, { [TradingDimension.state]: WorkflowState.failed }),
        datum(TradingMetric.WorkflowsFailed, 1, { [TradingDimension.failureCode]: failureCodeDimension(event.detail.errorCode) }),
      ];
    }
  }
}

/** Outside the calendar's years counts as open: a failure must not go unseen for want of a calendar. */
function marketOpenAt(instant: Date, calendar: MarketHours): boolean {
  try {
    return calendar.isOpen(instant);
  } catch {
    return true;
  }
}

export interface SweepMeasurement {
  report: SweepReport;
  /** The workflows RUNNING after the sweep (store.list with state RUNNING). */
  running: readonly WorkflowRecord[];
  /** The instant just before the sweep: ages are taken from it (see metric-contract.ts). */
  measuredAt: Date;
}

/** The sweeper's metrics, every run: 0 running and age 0 when nothing runs. */
export function sweepMetrics(measurement: SweepMeasurement): TradingMetricDatum[] {
  const running = measurement.running.filter((record) => record.state === WorkflowState.running);
  // A workflow that only waits for its orders to fill is allowed past the timeout (up to the fill
  // timeout): it is not stuck, so it does not count towards the stuck-running alarm's age.
  const waiting = new Set(measurement.report.waitingForFills ?? []);
  const oldestMs = running.filter((record) => !waiting.has(record.correlationId)).reduce((oldest, record) => Math.max(oldest, measurement.measuredAt.getTime() - record.startedAt.getTime()), 0);
  return [
    datum(TradingMetric.RunningWorkflows, running.length),
    datum(TradingMetric.OldestRunningAge, Math.floor(oldestMs / 1000)),
    datum(TradingMetric.WorkflowsTimedOut, measurement.report.timedOut.length),
    datum(TradingMetric.TerminalEventsRepublished, measurement.report.republished.length),
  ];
}
