/**
 * The healthcheck's metric contract: every metric it emits (name, unit, dimensions), how each value
 * is computed, and the CloudWatch alarms built on them. The infrastructure builds its alarms from
 * `alarmsFor(groups)`; dashboards and runbooks name metrics through `HealthMetric`. Change a name here
 * and the alarms, the runbooks test and the infra follow; nothing else spells these strings.
 *
 * Emission: CloudWatch Embedded Metric Format on stdout through Powertools Metrics (emf-sink.ts), one
 * invocation = one document for the dimensionless-but-`service` metrics plus one single-metric
 * document per cluster for `TasksStarted10m` by `ClusterName`.
 *
 * | Metric                | Unit  | Dimensions              | Value per run                                               |
 * |-----------------------|-------|-------------------------|-------------------------------------------------------------|
 * | SchedulesChecked      | Count | service                 | schedules listed and read (report.summary.schedules)        |
 * | UnhealthySchedules    | Count | service                 | schedules whose worst finding is warning or critical        |
 * | Finding_<CODE>        | Count | service                 | findings with that code; 0 for every declared code not seen  |
 * | MarketOpen            | Count | service                 | 1 while the NYSE is in session at the check's instant, else 0 |
 * | TasksStarted10m       | Count | service                 | ECS runs seen in the last 10 minutes, all clusters          |
 * | TasksStarted10m       | Count | service, ClusterName    | the same, per cluster an ENABLED ECS schedule targets        |
 * | Heartbeat             | Count | service                 | 1 per run, also when the run fails                           |
 * | CheckErrors           | Count | service                 | a blind check (MONITOR_BLIND) or an error (check, auto-fix, alert state); 0 normally |
 * | AlertPublishFailures  | Count | service                 | SNS Publish calls that failed (missing topic, denied, ...)  |
 * | SelfHealed            | Count | service                 | schedules auto-fix repaired in this run                      |
 * | AutoFixRefused        | Count | service                 | 1 when auto-fix planned more than MAX_CHANGES and wrote nothing |
 * | ChangeChecks          | Count | service                 | 1 per change-driven run (a CloudTrail event scoped the check) |
 * | IncompletePairs       | Count | service                 | org mode: account × region pairs not checked (not entered, failed, blind, not started) |
 *
 * Org mode (src/healthcheck/org-healthcheck.ts) checks many account × region pairs in one run. Each
 * pair emits its run's metrics with `Account` and `Region` dimensions (`TasksStarted10m` by cluster
 * with `Account`, `Region` and `ClusterName`), except `Finding_<CODE>` and `MarketOpen`: 17 code
 * series per pair would multiply the custom-metric bill by the pair count and say nothing the totals,
 * the result document and the email do not. The run then emits the totals without those dimensions,
 * so every alarm below keeps working unchanged over the whole org: `SchedulesChecked`,
 * `UnhealthySchedules`, `Finding_<CODE>` and `TasksStarted10m` summed over the pairs, `MarketOpen` and
 * `Heartbeat` once, `CheckErrors` summed plus one per incomplete pair, `AlertPublishFailures`,
 * `SelfHealed`, `AutoFixRefused` summed, and `IncompletePairs` (org mode only).
 *
 * A change-driven run checks only the schedules one change can affect, so it emits ChangeChecks and
 * the run's own counters (CheckErrors, AlertPublishFailures, SelfHealed, AutoFixRefused) and nothing
 * else: the fleet gauges (SchedulesChecked, UnhealthySchedules, Finding_<CODE>, MarketOpen,
 * TasksStarted10m) would drop to the subset and flap their alarms, and its Heartbeat would hide a
 * 5-minute schedule that stopped firing.
 *
 * The dead-letter consumer (dead-letter-alerts.ts) emits under the same namespace and `service`, per
 * SQS batch: DeadLetterMessages (messages received; `DeadLetterMetric`, not in `metricNames()`),
 * Finding_INVOCATION_FAILED (findings raised), AlertPublishFailures and CheckErrors (alert state
 * unusable), so the HealthcheckErrors alarm covers its failures too. For the same reason as a
 * change-driven run it never emits Heartbeat or the fleet gauges.
 *
 * Decisions:
 * - One metric per finding code (`Finding_<CODE>`) rather than `FindingCount` with a `Code` dimension:
 *   all of them fit in the one EMF document, and a zero for every declared code keeps each series
 *   continuous, so "no data" means "the healthcheck did not run", never "no findings".
 * - Powertools always adds the `service` dimension; it is fixed to `HEALTHCHECK_SERVICE` so alarms can
 *   name it. Alarms never use the per-cluster series (an alarm cannot sum a SEARCH).
 * - `TasksStarted10m` is an approximation: it counts the run evidence the check already collected, by
 *   the cluster the schedule targets now. With the run ledger, evidence holds only each schedule's
 *   last run, so a schedule counts at most once per window (a 1-minute schedule that ran 10 times
 *   counts 1); with ECS listings every listed task counts. Zero is exact either way, and zero while
 *   the market is open is what the alarm is for.
 */
import { CHECKS } from '../checks/registry.ts';
import type { FindingCode } from '../checks/finding.ts';

export const DEFAULT_METRICS_NAMESPACE = 'Ops/Healthcheck';
/** The Powertools `service` dimension on every metric. */
export const HEALTHCHECK_SERVICE = 'ops-healthcheck';
export const CLUSTER_DIMENSION = 'ClusterName';
/** Org mode: the account id and region of the pair a datum belongs to. */
export const ACCOUNT_DIMENSION = 'Account';
export const REGION_DIMENSION = 'Region';
export const TASKS_WINDOW_MINUTES = 10;

export const HealthMetric = {
  SchedulesChecked: 'SchedulesChecked',
  UnhealthySchedules: 'UnhealthySchedules',
  MarketOpen: 'MarketOpen',
  TasksStarted10m: 'TasksStarted10m',
  Heartbeat: 'Heartbeat',
  CheckErrors: 'CheckErrors',
  AlertPublishFailures: 'AlertPublishFailures',
  SelfHealed: 'SelfHealed',
  AutoFixRefused: 'AutoFixRefused',
  ChangeChecks: 'ChangeChecks',
  /** Org mode only: account × region pairs the run could not check. */
  IncompletePairs: 'IncompletePairs',
} as const;
export type HealthMetric = (typeof HealthMetric)[keyof typeof HealthMetric];

/** Metrics only the dead-letter consumer emits: the healthcheck run never does. */
export const DeadLetterMetric = { DeadLetterMessages: 'DeadLetterMessages' } as const;
export type DeadLetterMetric = (typeof DeadLetterMetric)[keyof typeof DeadLetterMetric];

export function findingMetricName(code: FindingCode): string {
  return `Finding_${code}`;
}

/** Every metric name the healthcheck may emit (the per-code ones for every declared check). */
export function metricNames(): string[] {
  return [...Object.values(HealthMetric), ...CHECKS.map((c) => findingMetricName(c.code))];
}

export const MetricUnitName = { Count: 'Count' } as const;
export type MetricUnitName = (typeof MetricUnitName)[keyof typeof MetricUnitName];

/** One value to emit. `dimensions` are in addition to `service`. */
export interface MetricDatum {
  name: string;
  unit: MetricUnitName;
  value: number;
  dimensions?: Record<string, string>;
}

// ── Alarms ──────────────────────────────────────────────────────────────────────────────────────

/** A percentile statistic such as `p99` (CloudWatch's extended statistic; the trading latency alarms use it). */
export type Percentile = `p${number}`;

export function isPercentile(statistic: MetricRef['statistic']): statistic is Percentile {
  return /^p\d+(\.\d+)?$/.test(statistic);
}

export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount' | Percentile;
}

export type AlarmSource =
  | { kind: 'metric'; metric: MetricRef }
  /** Metric math: `expression` refers to the keys of `metrics` (CloudWatch query ids: lower-case first). */
  | { kind: 'expression'; expression: string; label: string; metrics: Record<string, MetricRef> };

export const ComparisonOperator = {
  gte: 'GreaterThanOrEqualToThreshold',
  gt: 'GreaterThanThreshold',
  lt: 'LessThanThreshold',
  lte: 'LessThanOrEqualToThreshold',
} as const;
export type ComparisonOperator = (typeof ComparisonOperator)[keyof typeof ComparisonOperator];

export const TreatMissingData = { breaching: 'breaching', notBreaching: 'notBreaching', ignore: 'ignore', missing: 'missing' } as const;
export type TreatMissingData = (typeof TreatMissingData)[keyof typeof TreatMissingData];

export interface AlarmDefinition {
  /** The CloudWatch AlarmName; the infra may prefix it with the stack name. */
  name: string;
  description: string;
  source: AlarmSource;
  comparison: ComparisonOperator;
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
  /** Repository path of the runbook an on-call engineer opens from the alarm. */
  runbook: string;
}

export const AlarmName = {
  unhealthySchedules: 'HealthcheckUnhealthySchedules',
  noTasksWhileMarketOpen: 'HealthcheckNoTasksWhileMarketOpen',
  heartbeatMissing: 'HealthcheckHeartbeatMissing',
  errors: 'HealthcheckErrors',
  /** Per schedule group: `<name>-<group>`. */
  schedulerTargetErrors: 'SchedulerTargetErrors',
  schedulerInvocationsDropped: 'SchedulerInvocationsDropped',
} as const;
export type AlarmName = (typeof AlarmName)[keyof typeof AlarmName];

export const alarmRunbook = (name: AlarmName): string => `runbooks/alarms/${name}.md`;

/** The healthcheck runs every 5 minutes; one period holds one run. */
const PERIOD = 300;

export interface AlarmOptions {
  namespace?: string;
  service?: string;
}

/** The healthcheck's own alarms, for a namespace (METRICS_NAMESPACE) other than the default if need be. */
export function healthcheckAlarms(options: AlarmOptions = {}): AlarmDefinition[] {
  const namespace = options.namespace ?? DEFAULT_METRICS_NAMESPACE;
  const dimensions = { service: options.service ?? HEALTHCHECK_SERVICE };
  const metric = (metricName: string, statistic: MetricRef['statistic']): MetricRef => ({ namespace, metricName, dimensions, statistic });
  return [
    {
      name: AlarmName.unhealthySchedules,
      description: 'At least one schedule has a warning or critical finding (target missing, disabled, expired, missed runs, ...). The alert email lists them.',
      source: { kind: 'metric', metric: metric(HealthMetric.UnhealthySchedules, 'Maximum') },
      comparison: ComparisonOperator.gte,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // A silent healthcheck is HealthcheckHeartbeatMissing's business, not a healthy fleet.
      treatMissingData: TreatMissingData.notBreaching,
      runbook: alarmRunbook(AlarmName.unhealthySchedules),
    },
    {
      name: AlarmName.noTasksWhileMarketOpen,
      description: 'The NYSE is open and no ECS task started in the last 10 minutes: the trading pipeline is not running (the 2026-01-29 freeze).',
      source: {
        kind: 'expression',
        // Equals MarketOpen when no task started, else 0: breaches only while the market is open.
        expression: 'IF(tasks == 0, open, 0)',
        label: 'No ECS task in 10 minutes while the market is open',
        metrics: { open: metric(HealthMetric.MarketOpen, 'Maximum'), tasks: metric(HealthMetric.TasksStarted10m, 'Maximum') },
      },
      comparison: ComparisonOperator.gte,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.notBreaching,
      runbook: alarmRunbook(AlarmName.noTasksWhileMarketOpen),
    },
    {
      name: AlarmName.heartbeatMissing,
      description: 'The healthcheck has not reported for 15 minutes: nothing is watching the schedules.',
      source: { kind: 'metric', metric: metric(HealthMetric.Heartbeat, 'Sum') },
      comparison: ComparisonOperator.lt,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.breaching,
      runbook: alarmRunbook(AlarmName.heartbeatMissing),
    },
    {
      name: AlarmName.errors,
      description: 'The healthcheck itself failed (unexpected error, or an alert it could not publish): its verdict or its email may be missing.',
      source: {
        kind: 'expression',
        expression: 'FILL(errors, 0) + FILL(publish, 0)',
        label: 'Healthcheck errors and failed alert publishes',
        metrics: { errors: metric(HealthMetric.CheckErrors, 'Sum'), publish: metric(HealthMetric.AlertPublishFailures, 'Sum') },
      },
      comparison: ComparisonOperator.gte,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.notBreaching,
      runbook: alarmRunbook(AlarmName.errors),
    },
  ];
}

export const SCHEDULER_NAMESPACE = 'AWS/Scheduler';

/**
 * AWS/Scheduler publishes per ScheduleGroup only; these catch failing invocations between two
 * healthcheck runs and without any run evidence (Lambda, SQS, SNS targets too).
 */
export function schedulerGroupAlarms(group: string): AlarmDefinition[] {
  const metric = (metricName: string): MetricRef => ({ namespace: SCHEDULER_NAMESPACE, metricName, dimensions: { ScheduleGroup: group }, statistic: 'Sum' });
  return [
    {
      name: `${AlarmName.schedulerTargetErrors}-${group}`,
      description: `EventBridge Scheduler could not invoke a target in schedule group ${group} (cluster, role, function or queue missing or denied).`,
      source: { kind: 'metric', metric: metric('TargetErrorCount') },
      comparison: ComparisonOperator.gte,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // Scheduler publishes nothing while all is well.
      treatMissingData: TreatMissingData.notBreaching,
      runbook: alarmRunbook(AlarmName.schedulerTargetErrors),
    },
    {
      name: `${AlarmName.schedulerInvocationsDropped}-${group}`,
      description: `EventBridge Scheduler gave up on invocations in schedule group ${group} (retries exhausted, no dead-letter queue took them).`,
      source: { kind: 'metric', metric: metric('InvocationDroppedCount') },
      comparison: ComparisonOperator.gte,
      threshold: 1,
      periodSeconds: PERIOD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.notBreaching,
      runbook: alarmRunbook(AlarmName.schedulerInvocationsDropped),
    },
  ];
}

/** The healthcheck alarms with the default namespace. Per-group alarms: `alarmsFor(groups)`. */
export const ALARMS: readonly AlarmDefinition[] = Object.freeze(healthcheckAlarms());

/** Every alarm the infrastructure creates for these schedule groups. */
export function alarmsFor(groups: readonly string[], options: AlarmOptions = {}): AlarmDefinition[] {
  return [...healthcheckAlarms(options), ...groups.flatMap(schedulerGroupAlarms)];
}
