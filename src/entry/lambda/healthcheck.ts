/**
 * The healthcheck Lambda, invoked every 5 minutes by EventBridge Scheduler. A thin shell over
 * runHealthcheck: everything that can live across invocations is built once at module scope (config,
 * SDK clients, the schedule definition cache, Powertools Logger and Metrics); each invocation gets a
 * run id in every log line, runs the check, and flushes its EMF metrics whatever happened.
 *
 * Event: ignored, except an optional `{ "at": "<ISO instant>" }` to evaluate as of another instant
 * (replays on the sandbox's virtual clock), and the change queue's SQS batch (infra/change-checks.ts:
 * the change rule's CloudTrail "AWS API Call via CloudTrail" events, up to 100 gathered over 5 s),
 * which scopes ONE run to what all those changes can affect (src/healthcheck/change-trigger.ts); one
 * such event on its own works too. The result summary is the invocation's return value. A batch
 * succeeds or fails as a whole: when the run throws, SQS hands the whole batch out again and, after
 * the third time, to the changes' dead-letter queue.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../aws/clients.ts';
import { createScheduleDefinitionCache } from '../../aws/scheduler-reader.ts';
import { DynamoAlertStateStore } from '../../aws/alert-state-store.ts';
import { createDynamoAuditLog, createDynamoBackupStore } from '../../aws/remediation-store.ts';
import { nyse } from '../../market/index.ts';
import { countCalls, createHealthcheckDeps } from '../wiring/healthcheck-aws.ts';
import { loadHealthcheckConfig, type HealthcheckConfig } from '../../healthcheck/config.ts';
import { runHealthMetrics } from '../../healthcheck/health-metrics.ts';
import { HEALTHCHECK_SERVICE } from '../../healthcheck/metric-contract.ts';
import { createHealthcheckMetrics, powertoolsLog, powertoolsSink } from './healthcheck-powertools.ts';
import { runHealthcheck, type HealthcheckResult } from '../../healthcheck/run-healthcheck.ts';
import { healthcheckRunId, invocationInstant, resultSummary, type HealthcheckSummary } from '../../healthcheck/invocation.ts';
import { healthcheckTrigger, ignoredSummary, logIgnored, triggerOptions } from '../../healthcheck/change-trigger.ts';

const logger = new Logger({ serviceName: HEALTHCHECK_SERVICE });

function configOrFail(): HealthcheckConfig {
  try {
    return loadHealthcheckConfig(process.env);
  } catch (error) {
    // The init fails either way; this line makes the reason one searchable JSON log entry.
    logger.error('invalid configuration: the healthcheck cannot start', { error });
    throw error;
  }
}

const config = configOrFail();
const metrics = createHealthcheckMetrics(config.metricsNamespace);
// The default credentials chain (the function's role); region and endpoint from the environment.
const clients = createAwsClients({ region: config.region, ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}) }, process.env);
const counter = countCalls(clients);
const definitionCache = createScheduleDefinitionCache();
const deps = createHealthcheckDeps(clients, {
  metrics: powertoolsSink(metrics),
  log: powertoolsLog(logger),
  definitionCache,
  counter,
  ...(config.runLedgerTable !== undefined ? { ledgerTable: config.runLedgerTable } : {}),
  ...(config.definitionCacheTable !== undefined ? { definitionTable: config.definitionCacheTable } : {}),
  alerts: {
    store: new DynamoAlertStateStore({ client: clients.dynamodb, tableName: config.alertStateTable, key: config.alertStateKey }),
    topicArn: config.alertTopicArn,
  },
  ...(config.remediationTable !== undefined
    ? {
        remediation: {
          backups: createDynamoBackupStore({ client: clients.dynamodb, tableName: config.remediationTable }),
          audit: createDynamoAuditLog({ client: clients.dynamodb, tableName: config.remediationTable }),
        },
      }
    : {}),
});

export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<HealthcheckSummary> {
  const wallClock = new Date();
  logger.resetKeys();
  logger.appendKeys({ runId: healthcheckRunId(wallClock, context?.awsRequestId) });
  counter.reset();
  try {
    const now = invocationInstant(event) ?? wallClock;
    const runId = healthcheckRunId(now, context?.awsRequestId);
    logger.appendKeys({ runId });
    const trigger = healthcheckTrigger(event);
    if (trigger.kind === 'ignored') {
      logIgnored(deps.log, trigger);
      const summary = ignoredSummary(runId, trigger, nyse.isOpen(now));
      logger.info('healthcheck done', { result: summary, calls: counter.counts() });
      return summary;
    }
    const result: HealthcheckResult = await runHealthcheck(deps, {
      runId,
      now,
      // Backups and audit entries carry the real time of the write even on a replay.
      clock: () => new Date(),
      region: config.region,
      calendar: nyse,
      marketCriticalPatterns: config.marketCritical,
      notify: true,
      alert: {
        minSeverity: config.alertMinSeverity,
        reminderHours: config.reminderHours,
        ...(config.runbookBaseUrl !== undefined ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      },
      autoFix: config.autoFix,
      maxChanges: config.maxChanges,
      ...triggerOptions(trigger),
    });
    const summary = resultSummary(result);
    logger.info('healthcheck done', { result: summary, calls: counter.counts() });
    return summary;
  } catch (error) {
    // runHealthcheck records its own failure metrics; an error before it (a bad event) must not
    // leave the run without its Heartbeat and CheckErrors either.
    if (!metrics.hasStoredMetrics()) for (const datum of runHealthMetrics({ checkErrors: 1, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 })) deps.metrics.add(datum);
    logger.error('healthcheck failed', { error, calls: counter.counts() });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
