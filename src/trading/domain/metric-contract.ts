/**
 * The trading workflow's metric contract: every metric the trading Lambdas emit (name, unit,
 * dimensions), how each value is computed (workflow-metrics.ts), and the CloudWatch alarms built on
 * them. The infrastructure builds its alarms from `tradingAlarms(...)` and draws its dashboard section
 * from the names here; the runbooks test walks the same list. Nothing else spells these strings.
 *
 * Emission: CloudWatch Embedded Metric Format on stdout through Powertools Metrics
 * (src/entry/lambda/trading/trading-metrics.ts): one EMF document per dimension set per invocation, so
 * no PutMetricData call, no IAM permission and no added latency. Every metric carries `service`.
 *
 * | Metric                         | Unit         | Dimensions            | Value, emitted by                                                            |
 * |--------------------------------|--------------|-----------------------|------------------------------------------------------------------------------|
 * | StepLatency                    | Milliseconds | service, Step         | consumed event's occurredAt → the step's result recorded (every step Lambda, per handled delivery) |
 * | StepDuration                   | Milliseconds | service, Step         | this invocation's share: delivery received → gate returned (same deliveries) |
 * | WorkflowsCompleted             | Count        | service               | 1 per COMPLETED workflow, 0 per FAILED one (notification Lambda, terminal event) |
 * | WorkflowsFailed                | Count        | service               | 1 per FAILED workflow, 0 per COMPLETED one                                   |
 * | WorkflowsFailed                | Count        | service, FailureCode  | 1 per FAILED workflow, by its error code (unknown codes as OTHER)            |
 * | WorkflowsFailedWhileMarketOpen | Count        | service               | 1 when a workflow failed (not aborted by hand) while the NYSE was in session, else 0 |
 * | WorkflowDuration               | Milliseconds | service, State        | start → terminal event (detail.durationMs), State = COMPLETED or FAILED      |
 * | RunningWorkflows               | Count        | service               | workflows RUNNING after the sweep (sweeper Lambda, every 5 minutes)          |
 * | OldestRunningAge               | Seconds      | service               | age of the oldest of them; 0 when none                                       |
 * | WorkflowsTimedOut              | Count        | service               | workflows this sweep failed with WORKFLOW_TIMEOUT                            |
 * | TerminalEventsRepublished      | Count        | service               | terminal events this sweep re-published (their first publish was lost)       |
 *
 * Decisions:
 * - "Stage < 5 s" is StepLatency, the latency the workflow experiences: EventBridge delivery, Lambda
 *   queueing and cold start, the gate's reads and writes, and the step itself, measured from the
 *   consumed event's `occurredAt` to the moment the gate returned the step's recorded result.
 *   StepDuration (the handler's own share) is emitted beside it so a slow stage can be told apart
 *   from a slow delivery; no alarm uses it.
 * - "Workflow < 30 s" is WorkflowDuration of COMPLETED workflows. A FAILED workflow's duration is how
 *   long it took to give up (a timeout is 15 minutes by definition), so it is graphed, never alarmed.
 * - Terminal metrics come from the notification Lambda handling WorkflowCompleted/WorkflowFailed:
 *   only the writer that moved the workflow out of RUNNING stores and publishes a terminal event,
 *   its id is deterministic (the sweeper's relay re-publishes the same id), and the gate claims
 *   (notification, eventId) once, so each workflow is counted once. A delivery that throws (email
 *   failed, store unavailable) emits nothing and is counted by the retry that succeeds.
 * - FailureCode is a CloudWatch dimension, so its values are a closed set: `FAILURE_CODES` (the
 *   codes the trading code raises); anything else is counted as OTHER, and the workflow record still
 *   holds the real code (`ops workflow status <id>`).
 * - "Failed while the market is open" is decided by the notification Lambda with the same NYSE
 *   calendar the healthcheck's MarketOpen uses, at the failure's own instant (the terminal event's
 *   occurredAt). Metric math over MarketOpen would depend on the healthcheck's 5-minute runs landing
 *   in the same period; this does not, and an alarm on one Sum says what it means. Aborts by an
 *   operator (WORKFLOW_ABORTED) are not counted: the person who aborted knows.
 * - The sweeper measures RUNNING workflows after it swept, with ages taken at the instant before it
 *   swept: every workflow past the timeout at that instant was in the sweep, so an age above the
 *   timeout means the sweep could not fail it. It reports every run (0 when nothing runs), so a
 *   missing datapoint means the sweeper did not run.
 */
// Types only: the alarm shapes are the healthcheck's (infra/alarms.ts builds both), and a value import
// would pull the healthcheck's check registry into every trading Lambda bundle.
import type { AlarmDefinition, MetricRef } from '../../healthcheck/metric-contract.ts';
import { WORKFLOW_ABORTED } from './abort.ts';
import { DEFAULT_WORKFLOW_TIMEOUT_MS } from './sweeper.ts';
import { RISK_LIMITS } from './risk-limits.ts';
import { STEPS, type Step } from './events.ts';

export const DEFAULT_TRADING_METRICS_NAMESPACE = 'Ops/Trading';
/** The Powertools `service` dimension on every trading metric (the trading Lambdas' log service name too). */
export const TRADING_METRICS_SERVICE = 'ops-trading';
/** The environment variable the trading Lambdas read their namespace from. */
export const TRADING_METRICS_NAMESPACE_ENV = 'METRICS_NAMESPACE';

export const TradingDimension = { step: 'Step', state: 'State', failureCode: 'FailureCode' } as const;
export type TradingDimension = (typeof TradingDimension)[keyof typeof TradingDimension];

export const TradingMetric = {
  StepLatency: 'StepLatency',
  StepDuration: 'StepDuration',
  WorkflowsCompleted: 'WorkflowsCompleted',
  WorkflowsFailed: 'WorkflowsFailed',
  WorkflowsFailedWhileMarketOpen: 'WorkflowsFailedWhileMarketOpen',
  WorkflowDuration: 'WorkflowDuration',
  RunningWorkflows: 'RunningWorkflows',
  OldestRunningAge: 'OldestRunningAge',
  WorkflowsTimedOut: 'WorkflowsTimedOut',
  TerminalEventsRepublished: 'TerminalEventsRepublished',
} as const;
export type TradingMetric = (typeof TradingMetric)[keyof typeof TradingMetric];
export const TRADING_METRICS: readonly TradingMetric[] = Object.values(TradingMetric);

export const TradingUnit = { Count: 'Count', Milliseconds: 'Milliseconds', Seconds: 'Seconds' } as const;
export type TradingUnit = (typeof TradingUnit)[keyof typeof TradingUnit];

/** The unit of each metric: one per name, whatever its dimensions. */
export const METRIC_UNITS: Readonly<Record<TradingMetric, TradingUnit>> = Object.freeze({
  StepLatency: TradingUnit.Milliseconds,
  StepDuration: TradingUnit.Milliseconds,
  WorkflowsCompleted: TradingUnit.Count,
  WorkflowsFailed: TradingUnit.Count,
  WorkflowsFailedWhileMarketOpen: TradingUnit.Count,
  WorkflowDuration: TradingUnit.Milliseconds,
  RunningWorkflows: TradingUnit.Count,
  OldestRunningAge: TradingUnit.Seconds,
  WorkflowsTimedOut: TradingUnit.Count,
  TerminalEventsRepublished: TradingUnit.Count,
});

/** One value to emit. `dimensions` are in addition to `service`. */
export interface TradingMetricDatum {
  name: TradingMetric;
  unit: TradingUnit;
  value: number;
  dimensions?: Partial<Record<TradingDimension, string>>;
}

/** The seed's targets, used as alarm thresholds: a stage under 5 s, a workflow under 30 s. */
export const STAGE_LATENCY_LIMIT_MS = 5_000;
export const WORKFLOW_DURATION_LIMIT_MS = 30_000;

export const OTHER_FAILURE_CODE = 'OTHER';

/**
 * Every error code a failed workflow may carry that gets its own FailureCode series: the steps' and
 * the planner's StepError codes, the risk-limit refusals, the sweeper's timeout, an operator's abort,
 * the catch-all for a non-ops error, order outcomes, and the adapters' coded faults that reach a step.
 * A test scans src/trading for StepError codes, `errorCode: '…'` literals and ORDER_* codes, so a new
 * one cannot be forgotten here.
 */
export const FAILURE_CODES: ReadonlySet<string> = new Set([
  // Steps and the planner (src/trading/domain).
  'INSUFFICIENT_HISTORY',
  'INVALID_PRICE',
  'INVALID_STRATEGY',
  'INVALID_WEIGHTS',
  'NON_POSITIVE_EQUITY',
  'ORDERS_MISSING',
  'ORDER_LOOKUP_FAILED',
  'PLAN_NOT_RECORDED',
  'POSITION_WITHOUT_PRICE',
  'SHORT_POSITION',
  'STALE_MARKET_DATA',
  'TARGET_WITHOUT_PRICE',
  'WEIGHTS_NOT_NORMALIZED',
  ...Object.values(RISK_LIMITS).map((limit) => limit.code),
  // The workflow's lifecycle.
  'WORKFLOW_TIMEOUT',
  WORKFLOW_ABORTED,
  'HANDLER_ERROR',
  // Orders the broker refused or ended without filling (the execution step, the sweeper's reconciliation).
  'ORDER_REJECTED',
  'ORDER_CANCELED',
  'ORDER_EXPIRED',
  'ORDER_PARTIALLY_FILLED',
  'ORDER_FILL_TIMEOUT',
  'ORDER_NOT_FOUND',
  'ORDER_FORBIDDEN',
  'BROKER_REJECTED',
  // Brokers and market data, when their fault fails a step.
  'UNKNOWN_ACCOUNT',
  'NO_RECENT_SESSION',
  'PAPER_ACCOUNT_MISSING',
  'PAPER_ORDER_UNREADABLE',
  'MARKET_DATA_INVALID',
  'MARKET_DATA_UNREADABLE',
  'ALPACA_BAD_RESPONSE',
  'ALPACA_CREDENTIALS_MISSING',
  'ALPACA_DATA_FORBIDDEN',
  'ALPACA_RATE_LIMITED',
  'ALPACA_SHORT_POSITION',
  'ALPACA_UNAUTHORIZED',
  'ALPACA_UNAVAILABLE',
]);

/** The FailureCode dimension value for an error code: itself when declared, else OTHER. */
export function failureCodeDimension(code: string): string {
  return FAILURE_CODES.has(code) ? code : OTHER_FAILURE_CODE;
}

/** Failures an operator caused on purpose; they are counted but never page. */
export const OPERATOR_FAILURE_CODES: ReadonlySet<string> = new Set([WORKFLOW_ABORTED]);

// ── Alarms ──────────────────────────────────────────────────────────────────────────────────────

export const TradingAlarmName = {
  failedWhileMarketOpen: 'TradingWorkflowFailedWhileMarketOpen',
  stuckRunning: 'TradingWorkflowStuckRunning',
  /** Per dead-letter queue: `<name>-<queue>`. */
  deadLetters: 'TradingDeadLetters',
  /** Per step: `<name>-<step>`. */
  stepLatency: 'TradingStepLatency',
  workflowDuration: 'TradingWorkflowDuration',
} as const;
export type TradingAlarmName = (typeof TradingAlarmName)[keyof typeof TradingAlarmName];

export const tradingAlarmRunbook = (name: TradingAlarmName): string => `runbooks/alarms/${name}.md`;

export const SQS_NAMESPACE = 'AWS/SQS';
/** The sweeper runs every 5 minutes; one period holds one sweep. */
const PERIOD = 300;

export interface TradingAlarmOptions {
  namespace?: string;
  /** WORKFLOW_TIMEOUT_MINUTES of the sweeper (default 15): the oldest RUNNING age the alarm allows. */
  timeoutMinutes?: number;
  /** Every trading dead-letter queue (rule DLQ, failed invocations, sweeper schedule DLQ). */
  deadLetterQueueNames: readonly string[];
  /** The steps whose latency is alarmed (default: every step). */
  steps?: readonly Step[];
}

export function tradingAlarms(options: TradingAlarmOptions): AlarmDefinition[] {
  const namespace = options.namespace ?? DEFAULT_TRADING_METRICS_NAMESPACE;
  const timeoutMinutes = options.timeoutMinutes ?? DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000;
  const metric = (metricName: TradingMetric, statistic: MetricRef['statistic'], dimensions: Partial<Record<TradingDimension, string>> = {}): MetricRef => ({
    namespace,
    metricName,
    dimensions: { service: TRADING_METRICS_SERVICE, ...dimensions },
    statistic,
  });
  const once = { periodSeconds: PERIOD, evaluationPeriods: 1, datapointsToAlarm: 1 } as const;
  return [
    {
      name: TradingAlarmName.failedWhileMarketOpen,
      description: 'A trading workflow failed while the NYSE is in session (not an operator abort): its orders were not all placed. The WorkflowFailed email names the workflow, step and error code.',
      source: { kind: 'metric', metric: metric(TradingMetric.WorkflowsFailedWhileMarketOpen, 'Sum') },
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      ...once,
      // No workflow finished in the period: nothing failed.
      treatMissingData: 'notBreaching',
      runbook: tradingAlarmRunbook(TradingAlarmName.failedWhileMarketOpen),
    },
    {
      name: TradingAlarmName.stuckRunning,
      description: `A trading workflow is still RUNNING more than ${timeoutMinutes} minutes (WORKFLOW_TIMEOUT_MINUTES) after it started although the sweeper ran, or the sweeper has not reported for 10 minutes: stuck workflows are not being timed out.`,
      source: { kind: 'metric', metric: metric(TradingMetric.OldestRunningAge, 'Maximum') },
      comparison: 'GreaterThanThreshold',
      threshold: timeoutMinutes * 60,
      periodSeconds: PERIOD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // The sweeper reports every 5 minutes, 0 when nothing runs: silence means it is not sweeping.
      treatMissingData: 'breaching',
      runbook: tradingAlarmRunbook(TradingAlarmName.stuckRunning),
    },
    {
      name: TradingAlarmName.workflowDuration,
      description: `Completed trading workflows took longer than ${WORKFLOW_DURATION_LIMIT_MS / 1000} s (p99 of WorkflowDuration, State=COMPLETED): orders go out later than the strategy assumes.`,
      source: { kind: 'metric', metric: metric(TradingMetric.WorkflowDuration, 'p99', { [TradingDimension.state]: 'COMPLETED' }) },
      comparison: 'GreaterThanThreshold',
      threshold: WORKFLOW_DURATION_LIMIT_MS,
      ...once,
      treatMissingData: 'notBreaching',
      runbook: tradingAlarmRunbook(TradingAlarmName.workflowDuration),
    },
    ...(options.steps ?? STEPS).map(
      (step): AlarmDefinition => ({
        name: `${TradingAlarmName.stepLatency}-${step}`,
        description: `The trading step "${step}" took longer than ${STAGE_LATENCY_LIMIT_MS / 1000} s from its event to its recorded result (p99 of StepLatency, Step=${step}).`,
        source: { kind: 'metric', metric: metric(TradingMetric.StepLatency, 'p99', { [TradingDimension.step]: step }) },
        comparison: 'GreaterThanThreshold',
        threshold: STAGE_LATENCY_LIMIT_MS,
        ...once,
        // No delivery in the period: nothing was slow.
        treatMissingData: 'notBreaching',
        runbook: tradingAlarmRunbook(TradingAlarmName.stepLatency),
      }),
    ),
    ...options.deadLetterQueueNames.map(
      (queue): AlarmDefinition => ({
        name: `${TradingAlarmName.deadLetters}-${queue}`,
        description: `The trading dead-letter queue ${queue} holds a message: an event, invocation or sweep that exhausted its retries and needs a person.`,
        source: { kind: 'metric', metric: { namespace: SQS_NAMESPACE, metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue }, statistic: 'Maximum' } },
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        ...once,
        // SQS stops publishing for a queue idle for hours: an empty queue.
        treatMissingData: 'notBreaching',
        runbook: tradingAlarmRunbook(TradingAlarmName.deadLetters),
      }),
    ),
  ];
}
