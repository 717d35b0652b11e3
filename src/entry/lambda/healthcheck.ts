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
 *
 * Org mode (ORG_ACCOUNTS or ORG_DISCOVER, src/healthcheck/org-healthcheck.ts): the 5-minute run checks
 * this account in its own region (the home pair, as without org mode) and every target account ×
 * region through the member role, ORG_CONCURRENCY pairs at once, starting no pair in the last 30 s of
 * the invocation. Role sessions (`ops-healthcheck`) and each pair's clients and definition cache live
 * at module scope, so warm invocations reuse them until a session nears its expiry. Change-driven
 * runs stay on the home pair: the change rule sees this account's CloudTrail in this region only
 * (member accounts' events would need cross-account event buses, which the stack does not wire), so
 * every change it delivers is the home pair's, checked and alerted exactly as without org mode.
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
import { createIdentityPort } from '../../aws/caller-identity.ts';
import { FaultError } from '../../errors.ts';
import { pairPlace } from '../../healthcheck/org-entry-alerts.ts';
import { orgResultSummary, runOrgHealthcheck } from '../../healthcheck/org-healthcheck.ts';
import type { OrgModeConfig } from '../../healthcheck/config.ts';
import type { TargetSpec } from '../../org/targets.ts';
import { createOrgClients } from '../wiring/org-clients.ts';
import { createOrgHealthcheckDeps, definitionCaches, placedRemediation } from '../wiring/org-healthcheck-aws.ts';

/** What the handler reads of the Lambda context (tests pass less or nothing). */
export interface HealthcheckContext {
  awsRequestId?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?: () => number;
}

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
// Backups and audit entries of every auto-fix, the home account's and (org mode, stamped with their account and region) every pair's.
const remediation =
  config.remediationTable !== undefined
    ? { backups: createDynamoBackupStore({ client: clients.dynamodb, tableName: config.remediationTable }), audit: createDynamoAuditLog({ client: clients.dynamodb, tableName: config.remediationTable }) }
    : undefined;
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
  ...(remediation !== undefined ? { remediation } : {}),
  // The S3 publisher loads on the first run that publishes (see lazyStatusPagePublisher).
  ...(config.statusPage !== undefined ? { statusPage: config.statusPage } : {}),
});

// Org mode: one credential cache and one client set per pair for the container's lifetime.
const org =
  config.org === undefined
    ? undefined
    : {
        config: config.org,
        clients: createOrgClients(clients, {
          aws: { region: config.region, ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}) },
          env: process.env,
          clock: () => new Date(),
          sessionName: 'ops-healthcheck',
          ...(config.org.externalId !== undefined ? { externalId: config.org.externalId } : {}),
          counter,
        }),
        definitionCaches: definitionCaches(clients, {
          ...(config.definitionCacheTable !== undefined ? { table: config.definitionCacheTable } : {}),
          clock: () => new Date(),
          warn: (message) => deps.log.warn(message, { stage: 'definition-cache' }),
        }),
      };
let homeAccountId: string | undefined;

/** This function's account: from the invoked ARN, else (tests, the sandbox) STS GetCallerIdentity, once. */
async function homeAccount(context: HealthcheckContext | undefined): Promise<string> {
  const fromArn = context?.invokedFunctionArn?.split(':')[4];
  if (fromArn !== undefined && /^\d{12}$/.test(fromArn)) return fromArn;
  if (homeAccountId !== undefined) return homeAccountId;
  const me = await createIdentityPort(clients.sts).whoAmI();
  if (!me.known) throw new FaultError('HOME_ACCOUNT_UNKNOWN', `Org mode needs the healthcheck's own account id: ${me.reason}`);
  homeAccountId = me.account;
  return me.account;
}

function targetSpec(o: OrgModeConfig): TargetSpec {
  return {
    source: o.accounts.kind === 'listed' ? { kind: 'accounts', ids: o.accounts.ids } : { kind: 'org', ous: o.accounts.ous },
    exclude: o.accounts.kind === 'discover' ? o.accounts.exclude : [],
    regions: o.regions,
    roleName: o.roleName,
  };
}

/** Returns the run's summary; in org mode an OrgHealthcheckSummary (the same fields as org totals, plus `org`). */
export async function handler(event: unknown, context?: HealthcheckContext): Promise<HealthcheckSummary> {
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
    const alert = {
      minSeverity: config.alertMinSeverity,
      reminderHours: config.reminderHours,
      ...(config.runbookBaseUrl !== undefined ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    };
    const common = {
      runId,
      now,
      // Backups and audit entries carry the real time of the write even on a replay.
      clock: () => new Date(),
      calendar: nyse,
      marketCriticalPatterns: config.marketCritical,
      notify: true,
      autoFix: config.autoFix,
      maxChanges: config.maxChanges,
    };
    const home = org !== undefined ? await homeAccount(context) : undefined;
    if (org !== undefined && home !== undefined && trigger.kind === 'schedule') {
      const remaining = context?.getRemainingTimeInMillis;
      const orgDeps = createOrgHealthcheckDeps({
        org: org.clients,
        metrics: deps.metrics,
        log: deps.log,
        alertStore: (key) => new DynamoAlertStateStore({ client: clients.dynamodb, tableName: config.alertStateTable, key }),
        topicArn: config.alertTopicArn,
        ...(config.runLedgerTable !== undefined ? { ledgerTable: config.runLedgerTable } : {}),
        definitionCaches: org.definitionCaches,
        ...(remediation !== undefined ? { remediation: placedRemediation(remediation) } : {}),
        home: { account: home, region: config.region, deps: { check: deps.check, ...(deps.fix ? { fix: deps.fix } : {}) } },
        calls: () => ({ ...counter.counts(), 'STS.AssumeRole': org.clients.assumeRoleCalls() }),
        ...(remaining !== undefined ? { remainingMs: () => remaining.call(context) } : {}),
      });
      const result = await runOrgHealthcheck(orgDeps, {
        ...common,
        alert,
        targets: targetSpec(org.config),
        pairConcurrency: org.config.concurrency,
        alertStateKey: config.alertStateKey,
        elapsed: () => performance.now(),
      });
      const summary = orgResultSummary(result);
      logger.info('healthcheck done', { result: summary, calls: result.calls });
      return summary;
    }
    const result: HealthcheckResult = await runHealthcheck(deps, {
      ...common,
      region: config.region,
      // Org mode: the email names this account like every pair's (see the header on change-driven runs).
      alert: { ...alert, ...(home !== undefined ? { where: pairPlace({ id: home, name: home }, config.region) } : {}) },
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
