/**
 * The dead-letter consumer: one SQS batch from schedule dead-letter queues → INVOCATION_FAILED
 * findings → the healthcheck's alert policy (same state, same topic, scope `events`) → which messages
 * SQS must keep. The Lambda (src/entry/lambda/dead-letter-alerts.ts) and the sandbox consumer
 * (src/sandbox/dead-letter-consumer.ts) are thin shells over `handleDeadLetters`.
 *
 * A message is deleted only once its alert is recorded, so nothing is lost when SNS or the alert
 * state fails: every record goes back in `batchItemFailures` (Lambda's ReportBatchItemFailures) and SQS
 * delivers it again after the visibility timeout. "Recorded" means the email went out, or the alert
 * state holds every finding of the batch as already announced (the policy stayed silent: one email
 * per fault). The batch is one policy run, so it is recorded as a whole or not at all.
 *
 * What is not covered: if the publish fails AND putting the previous state back fails too
 * (`restoreError`), the state says "announced" although no email went out; the retry then sees it as
 * announced and deletes the messages. That is run-policy.ts's accepted trade-off (a rare lost email
 * over a storm of duplicates); it is logged as an error and counted in AlertPublishFailures, which
 * raises the HealthcheckErrors alarm.
 */
import { fingerprintOf, type AlertStateStore } from '../alerts/index.ts';
import { FindingCode, type Finding } from '../checks/finding.ts';
import { clipText } from '../clip-text.ts';
import type { MarketCalendar } from '../market/index.ts';
import { alertOnFindings, errorText, type AlertDeps, type AlertOutcome, type AlertSettings } from './alerting.ts';
import { readDeadLetter, type DeadLetterRead, type SqsRecord } from './dead-letter-event.ts';
import { deadLetterFindings, deadLetterFixCommand } from './dead-letter-findings.ts';
import { deadLetterReport } from './dead-letter-report.ts';
import { DeadLetterMetric, findingMetricName, HealthMetric, MetricUnitName, type MetricDatum } from './metric-contract.ts';
import type { HealthLog, MetricSink } from './ports.ts';

export interface DeadLetterDeps {
  alerts: AlertDeps;
  metrics: MetricSink;
  log: HealthLog;
  calendar: MarketCalendar;
}

export interface DeadLetterOptions extends AlertSettings {
  now: Date;
  /** The region the report names (the consumer's own). */
  region: string;
}

/** Lambda's partial batch response: the records SQS keeps. */
export interface BatchItemFailure {
  itemIdentifier: string;
}

export interface DeadLetterBatchResult {
  batchItemFailures: BatchItemFailure[];
  /** Whether the batch's alert is recorded (true for an empty batch: nothing to record). */
  recorded: boolean;
  /** Why not, when it is not. */
  notRecorded?: string;
  findings: Finding[];
  reads: DeadLetterRead[];
  alert?: AlertOutcome;
}

/** How much of a message body goes into the log line that keeps it once the message is deleted. */
const LOGGED_BODY_LIMIT = 4_000;

export async function handleDeadLetters(deps: DeadLetterDeps, records: readonly SqsRecord[], options: DeadLetterOptions): Promise<DeadLetterBatchResult> {
  const reads = records.map(readDeadLetter);
  records.forEach((record, i) => logRead(deps.log, record, reads[i]!));
  const findings = deadLetterFindings(reads);
  const counters = { publishFailures: 0, stateErrors: 0 };
  try {
    if (findings.length === 0) return { batchItemFailures: [], recorded: true, findings, reads };
    const alert = await alertStep(deps, findings, options);
    const verdict = await recordedVerdict(deps.alerts.store, alert, findings);
    if (alert.status === 'decided' && alert.publishError !== undefined) counters.publishFailures++;
    if (alert.status === 'failed' || verdict.stateError) counters.stateErrors++;
    const fields = { findings: findings.map(describe), alert, messages: records.length };
    if (verdict.recorded) {
      deps.log.info(alert.status === 'decided' && alert.sent ? 'dead-letter alert published' : 'dead-letter alert already announced', fields);
      return { batchItemFailures: [], recorded: true, findings, reads, alert };
    }
    deps.log.error('alert not recorded: the messages stay in the queue', { ...fields, reason: verdict.reason });
    if (alert.status === 'decided' && alert.restoreError !== undefined) {
      deps.log.error('alert state could not be put back after the failed publish: this email will not be retried', { restoreError: alert.restoreError });
    }
    return {
      batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })),
      recorded: false,
      notRecorded: verdict.reason,
      findings,
      reads,
      alert,
    };
  } finally {
    for (const datum of batchMetrics(records.length, findings.length, counters)) deps.metrics.add(datum);
  }
}

async function alertStep(deps: DeadLetterDeps, findings: Finding[], options: DeadLetterOptions): Promise<AlertOutcome> {
  const report = deadLetterReport(findings, { now: options.now, region: options.region, calendar: deps.calendar });
  try {
    return await alertOnFindings(deps.alerts, { findings, report }, {
      now: options.now,
      marketOpen: report.market.open,
      scope: { kind: 'events' },
      fixCommand: async () => deadLetterFixCommand(findings),
      notes: [],
      minSeverity: options.minSeverity,
      reminderHours: options.reminderHours,
      ...(options.runbookBaseUrl !== undefined ? { runbookBaseUrl: options.runbookBaseUrl } : {}),
      ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    });
  } catch (error) {
    return { status: 'failed', error: `alert state: ${errorText(error)}` };
  }
}

/**
 * Sent: recorded. A failed publish or alert state: not. Silent (or a lost write race): recorded only if
 * the stored state holds every finding as announced, read back to be sure.
 */
async function recordedVerdict(store: AlertStateStore, alert: AlertOutcome, findings: Finding[]): Promise<{ recorded: boolean; reason?: string; stateError?: boolean }> {
  switch (alert.status) {
    case 'failed':
      return { recorded: false, reason: alert.error };
    case 'off':
      return { recorded: false, reason: 'alerting is off' };
    case 'decided':
      break;
  }
  if (alert.publishError !== undefined) return { recorded: false, reason: `SNS publish failed: ${alert.publishError}` };
  if (alert.sent) return { recorded: true };
  try {
    const stored = await store.read();
    const state = stored?.state;
    const announced = state !== undefined && (state.lastSentKind === 'alert' || state.lastSentKind === 'reminder');
    const missing = findings.map(fingerprintOf).filter((fingerprint) => !announced || state.failing[fingerprint] === undefined);
    if (missing.length === 0) return { recorded: true };
    const why = alert.conflict ? 'another run kept winning the alert-state write' : alert.reason;
    return { recorded: false, reason: `not announced in the alert state (${why}): ${missing.join(', ')}` };
  } catch (error) {
    return { recorded: false, reason: `alert state: ${errorText(error)}`, stateError: true };
  }
}

function batchMetrics(messages: number, findings: number, counters: { publishFailures: number; stateErrors: number }): MetricDatum[] {
  const count = (name: string, value: number): MetricDatum => ({ name, unit: MetricUnitName.Count, value });
  return [
    count(DeadLetterMetric.DeadLetterMessages, messages),
    count(findingMetricName(FindingCode.INVOCATION_FAILED), findings),
    count(HealthMetric.AlertPublishFailures, counters.publishFailures),
    count(HealthMetric.CheckErrors, counters.stateErrors),
  ];
}

/** Every message in the log, whole: once deleted, this line is the only copy. */
function logRead(log: HealthLog, record: SqsRecord, read: DeadLetterRead): void {
  const base = { messageId: record.messageId, queueArn: record.eventSourceARN, body: clipText(record.body, LOGGED_BODY_LIMIT) };
  switch (read.kind) {
    case 'dead-letter':
      log.info('dead letter received', {
        ...base,
        schedule: `${read.schedule.group}/${read.schedule.name}`,
        scheduleArn: read.schedule.arn,
        scheduledTime: read.scheduledTime?.toISOString(),
        errorCode: read.errorCode,
        errorMessage: read.errorMessage,
        targetArn: read.targetArn,
        retryAttempts: read.retryAttempts,
        exhaustedRetryCondition: read.exhaustedRetryCondition,
        executionId: read.executionId,
        ...(read.problems.length > 0 ? { problems: read.problems } : {}),
      });
      return;
    case 'unrecognised':
      log.warn('dead letter received: not a Scheduler dead-letter event', { ...base, reason: read.reason, attributes: record.messageAttributes });
      return;
  }
}

function describe(finding: Finding): Record<string, unknown> {
  return { schedule: finding.schedule ? `${finding.schedule.group}/${finding.schedule.name}` : undefined, message: finding.message };
}
