/**
 * The Pulumi program: wires the components; everything else lives in them. Runs under the Pulumi CLI
 * through tsx (Pulumi.yaml: `nodeargs: --import tsx`), and in the unit tests under Pulumi's mocks.
 * The named exports are the stack outputs.
 *
 * One program, two kinds of stack: the central stack (the default), and, with config `memberOf`, a
 * member account's stack that deploys only the role the central healthcheck assumes for org-wide
 * checks (config `org`, issue 16). A member stack's outputs are orgRoleName and orgAccessRoleArn only.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TASKS } from '../src/entry/task/trading-task.ts';
import { currentDeployment } from './account.ts';
import { loadProgramConfig, type MemberConfig, type StackConfig } from './config.ts';
import { Alerting } from './components/alerting.ts';
import { DeadLetterAlerts } from './components/dead-letter-alerts.ts';
import { Healthcheck } from './components/healthcheck.ts';
import { Monitoring } from './components/monitoring.ts';
import { OrgMemberAccess } from './components/org-member-access.ts';
import { Pipeline } from './components/pipeline.ts';
import { PipelineSchedules } from './components/pipeline-schedules.ts';
import { RunLedger } from './components/run-ledger.ts';
import { Trading } from './components/trading.ts';
import { tradingObservability } from './trading-observability.ts';
import { orgWidgets } from './org-dashboard.ts';
import { jobsWithoutImplementation } from './jobs.ts';

/** The central stack: the pipeline, the trading workflow and everything that watches them. */
function centralStack(config: StackConfig) {
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
    org: config.org,
    statusPage: config.statusPage,
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
    extraWidgets: (region) => [...tradingWatch.widgets(region), ...(config.org !== undefined ? orgWidgets(region, config.metricsNamespace) : [])],
  });

  return {
    clusterArn: pipeline.clusterArn,
    pipelineScheduleGroups: schedules.groups.map((info) => info.name),
    scheduleGroups: allScheduleGroups,
    scheduleNames: schedules.scheduleNames,
    healthcheckScheduleName: healthcheck.schedule.name,
    alertTopicArn: alerting.topicArn,
    healthcheckFunctionName: healthcheck.functionName,
    deadLetterAlertsFunctionName: deadLetterAlerts.functionName,
    runLedgerTableName: ledger.table.name,
    remediationTableName: healthcheck.remediationTable.name,
    definitionCacheTableName: healthcheck.definitionCacheTable.name,
    eventBusName: trading.bus.name,
    workflowTableName: trading.workflowTable.name,
    paperBrokerTableName: trading.paperBrokerTable.name,
    alpacaSecretArn: trading.brokerSecretArn,
    eventArchiveName: trading.eventArchive.name,
    tradingDeadLetterQueueNames: trading.deadLetterQueues.map((queue) => queue.name),
    dashboardUrl: monitoring.dashboardUrl,
    healthcheckRoleArn: healthcheck.roleArn,
    orgRoleName: config.org?.roleName,
    statusBucketName: healthcheck.statusPage?.bucket.bucket,
  };
}

/** A member account's stack (config `memberOf`): only the role the central healthcheck assumes. */
function memberStack(member: MemberConfig) {
  const access = new OrgMemberAccess('org-access', {
    centralPrincipalArns: member.centralPrincipalArns,
    roleName: member.roleName,
    externalId: member.externalId,
    scope: currentDeployment(),
    // Looked up, not typed: `pulumi preview` fails here when the table or a role does not exist.
    runLedgerTableArn: member.runLedgerTable !== undefined ? aws.dynamodb.getTableOutput({ name: member.runLedgerTable }).arn : undefined,
    autoFix: member.autoFix,
    writableGroupNames: member.fixScheduleGroups,
    schedulerRoleArns: member.fixSchedulerRoles.map((name) => aws.iam.getRoleOutput({ name }).arn),
  });
  return { roleArn: access.roleArn, roleName: access.roleName };
}

const program = loadProgramConfig();
const central = program.kind === 'central' ? centralStack(program.stack) : undefined;
const member = program.kind === 'member' ? memberStack(program.member) : undefined;

export const clusterArn = central?.clusterArn;
export const pipelineScheduleGroups = central?.pipelineScheduleGroups;
export const scheduleGroups = central?.scheduleGroups;
export const scheduleNames = central?.scheduleNames;
export const healthcheckScheduleName = central?.healthcheckScheduleName;
export const alertTopicArn = central?.alertTopicArn;
export const healthcheckFunctionName = central?.healthcheckFunctionName;
export const deadLetterAlertsFunctionName = central?.deadLetterAlertsFunctionName;
export const runLedgerTableName = central?.runLedgerTableName;
export const remediationTableName = central?.remediationTableName;
/** For OPS_DEFINITION_CACHE_TABLE (`ops check-schedulers --definition-cache-table`): the healthcheck's cache. */
export const definitionCacheTableName = central?.definitionCacheTableName;
export const eventBusName = central?.eventBusName;
export const workflowTableName = central?.workflowTableName;
export const paperBrokerTableName = central?.paperBrokerTableName;
/** broker alpaca: where to put the keys (`aws secretsmanager put-secret-value --secret-id <this>`). */
export const alpacaSecretArn = central?.alpacaSecretArn;
export const eventArchiveName = central?.eventArchiveName;
/** For TRADING_DEAD_LETTER_QUEUES (`ops workflow dlq`): join with commas. */
export const tradingDeadLetterQueueNames = central?.tradingDeadLetterQueueNames;
export const dashboardUrl = central?.dashboardUrl;
/** The healthcheck Lambda's role: member stacks trust it (config `memberOf.centralPrincipalArns`). */
export const healthcheckRoleArn = central?.healthcheckRoleArn;
/** The role the healthcheck assumes in member accounts (config `org.roleName`); in a member stack, the role it created. */
export const orgRoleName = central?.orgRoleName ?? member?.roleName;
/** Config statusPage: the bucket of the healthcheck's status pages (`ops healthcheck --status-bucket`). */
export const statusBucketName = central?.statusBucketName;
/** Member stacks only: the ARN of the role the central healthcheck assumes. */
export const orgAccessRoleArn = member?.roleArn;
