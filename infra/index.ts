/**
 * The Pulumi program: wires the components; everything else lives in them. Runs under the Pulumi CLI
 * through tsx (Pulumi.yaml: `nodeargs: --import tsx`), and in the unit tests under Pulumi's mocks.
 * The named exports are the stack outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { TASKS } from '../src/entry/task/trading-task.ts';
import { currentDeployment } from './account.ts';
import { loadStackConfig } from './config.ts';
import { Alerting } from './components/alerting.ts';
import { DeadLetterAlerts } from './components/dead-letter-alerts.ts';
import { Healthcheck } from './components/healthcheck.ts';
import { Monitoring } from './components/monitoring.ts';
import { Pipeline } from './components/pipeline.ts';
import { PipelineSchedules } from './components/pipeline-schedules.ts';
import { RunLedger } from './components/run-ledger.ts';
import { Trading } from './components/trading.ts';
import { tradingObservability } from './trading-observability.ts';
import { jobsWithoutImplementation } from './jobs.ts';

const config = loadStackConfig();
const unimplemented = jobsWithoutImplementation(config.jobs, config.jobImages, TASKS);
if (unimplemented.length > 0) {
  void pulumi.log.warn(
    `The project image runs only \`ops-task ${TASKS.join('|')}\`; jobs ${unimplemented.join(', ')} need their worker image in config jobImages, or their tasks exit 2 (usage).`,
  );
}
const deployment = currentDeployment();
// The composition root reads the clock once: the run ledger's coverage starts with this deployment.
const deployedAt = new Date();

const alerting = new Alerting('alerting', { namePrefix: config.namePrefix, alertEmails: config.alertEmails });

const trading = new Trading('trading', {
  namePrefix: config.namePrefix,
  scope: deployment,
  logRetentionDays: config.logRetentionDays,
  notificationEmails: config.tradingEmails,
  marketData: { source: config.marketDataSource, ...(config.marketDataSeed !== undefined ? { seed: config.marketDataSeed } : {}) },
  broker:
    config.broker === 'alpaca'
      ? { kind: 'alpaca', ...(config.alpacaSecretArn !== undefined ? { secretArn: config.alpacaSecretArn } : {}), ...(config.alpacaBaseUrl !== undefined ? { baseUrl: config.alpacaBaseUrl } : {}) }
      : { kind: 'paper' },
});

const pipeline = new Pipeline('pipeline', {
  namePrefix: config.namePrefix,
  jobs: config.jobs,
  imageUri: config.imageUri,
  jobImages: config.jobImages,
  imageRepositories: config.imageRepositories,
  logRetentionDays: config.logRetentionDays,
  region: deployment.region,
  environment: trading.taskEnvironment,
  taskStatements: trading.taskStatements,
});

const schedules = new PipelineSchedules('schedules', {
  namePrefix: config.namePrefix,
  accountId: deployment.accountId,
  cluster: pipeline.cluster,
  tasks: [...pipeline.tasks.values()],
  marketCriticalJobs: config.marketCriticalJobs,
  executionRole: pipeline.executionRole,
  taskRole: pipeline.taskRole,
  subnetIds: config.subnetIds,
  securityGroupIds: config.securityGroupIds,
  assignPublicIp: config.assignPublicIp,
});

const ledger = new RunLedger('run-ledger', {
  namePrefix: config.namePrefix,
  scope: deployment,
  cluster: pipeline.cluster,
  coversSince: deployedAt,
  logRetentionDays: config.logRetentionDays,
});

const healthcheck = new Healthcheck('healthcheck', {
  namePrefix: config.namePrefix,
  scope: deployment,
  alertTopicArn: alerting.topicArn,
  runLedgerTable: ledger.table,
  writableGroups: schedules.groups.map((info) => info.group),
  pipelineSchedulerRole: schedules.role,
  autoFix: config.autoFix,
  maxChanges: config.maxChanges,
  reminderHours: config.reminderHours,
  // Exact schedule names (globs without a wildcard), on top of the market group's tag.
  marketCriticalPatterns: config.marketCriticalJobs.map((job) => `${config.namePrefix}-${job}`),
  runbookBaseUrl: config.runbookBaseUrl,
  metricsNamespace: config.metricsNamespace,
  logRetentionDays: config.logRetentionDays,
  changeTrail: config.changeTrail,
});

// Every schedule the stack creates dead-letters to one of these; the consumer emails each failure.
const deadLetterAlerts = new DeadLetterAlerts('dead-letter-alerts', {
  namePrefix: config.namePrefix,
  queues: [
    { key: 'pipeline', queue: schedules.deadLetterQueue },
    { key: 'healthcheck', queue: healthcheck.deadLetterQueue },
    { key: 'trading-sweeper', queue: trading.sweeperSchedule.deadLetterQueue },
  ],
  alertTopicArn: alerting.topicArn,
  alertStateTable: healthcheck.alertStateTable,
  runbookBaseUrl: config.runbookBaseUrl,
  metricsNamespace: config.metricsNamespace,
  logRetentionDays: config.logRetentionDays,
});

const allScheduleGroups = [...schedules.groups.map((info) => info.name), healthcheck.scheduleGroupName, trading.scheduleGroupName];

// The trading workflow's alarms and dashboard section (same namespace default as the trading Lambdas').
const tradingWatch = tradingObservability({ deadLetterQueueNames: trading.deadLetterQueueNames });

const monitoring = new Monitoring('monitoring', {
  namePrefix: config.namePrefix,
  region: deployment.region,
  alertTopicArn: alerting.topicArn,
  scheduleGroupNames: allScheduleGroups,
  metricsNamespace: config.metricsNamespace,
  runbookBaseUrl: config.runbookBaseUrl,
  healthcheckFunctionName: healthcheck.functionName,
  deadLetterQueueNames: [schedules.deadLetterQueue, healthcheck.deadLetterQueue, healthcheck.changes.deadLetterQueue, ledger.deadLetterQueue, ...trading.deadLetterQueues].map((queue) => queue.name),
  extraAlarms: tradingWatch.alarms,
  extraWidgets: tradingWatch.widgets,
});

export const clusterArn = pipeline.clusterArn;
export const pipelineScheduleGroups = schedules.groups.map((info) => info.name);
export const scheduleGroups = allScheduleGroups;
export const scheduleNames = schedules.scheduleNames;
export const healthcheckScheduleName = healthcheck.schedule.name;
export const alertTopicArn = alerting.topicArn;
export const healthcheckFunctionName = healthcheck.functionName;
export const deadLetterAlertsFunctionName = deadLetterAlerts.functionName;
export const runLedgerTableName = ledger.table.name;
export const remediationTableName = healthcheck.remediationTable.name;
/** For OPS_DEFINITION_CACHE_TABLE (`ops check-schedulers --definition-cache-table`): the healthcheck's cache. */
export const definitionCacheTableName = healthcheck.definitionCacheTable.name;
export const eventBusName = trading.bus.name;
export const workflowTableName = trading.workflowTable.name;
export const paperBrokerTableName = trading.paperBrokerTable.name;
/** broker alpaca: where to put the keys (`aws secretsmanager put-secret-value --secret-id <this>`). */
export const alpacaSecretArn = trading.brokerSecretArn;
export const eventArchiveName = trading.eventArchive.name;
/** For TRADING_DEAD_LETTER_QUEUES (`ops workflow dlq`): join with commas. */
export const tradingDeadLetterQueueNames = trading.deadLetterQueues.map((queue) => queue.name);
export const dashboardUrl = monitoring.dashboardUrl;
