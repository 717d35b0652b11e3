/**
 * The healthcheck Lambda (src/entry/lambda/healthcheck.ts), its state tables, and the schedule that runs it
 * every 5 minutes from its own schedule group, so a fault in the pipeline's groups (or a bad
 * `pulumi up` of them) cannot stop the thing that watches them.
 *
 * It also runs scoped to changes: CloudTrail's record of a bad write reaches it through the change
 * queue, in batches (infra/change-checks.ts), and with config `changeTrail: create` the stack adds the
 * trail that records them (infra/change-trail.ts).
 *
 * Permissions: exactly the checks' read actions, plus publishing to its alert topic, its own alert
 * state and definition cache, and reading its change queue; auto-fix adds the remediation's actions
 * (see iam/healthcheck-policy.ts). With config `org` it also assumes the member accounts' org access
 * role (iam/org-access-policy.ts) and checks every account × region pair.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ALERT_STATE_TABLE_SCHEMA } from '../../src/aws/alert-state-store.ts';
import { REMEDIATION_TABLE_SCHEMA } from '../../src/aws/remediation-store.ts';
import { SCHEDULE_DEFINITION_TABLE_SCHEMA, SCHEDULE_DEFINITION_TTL_ATTRIBUTE } from '../../src/aws/schedule-definition-store.ts';
import { changeChecks, changeQueues, type ChangeChecks } from '../change-checks.ts';
import { changeTrail, type ChangeTrail } from '../change-trail.ts';
import type { OrgConfig } from '../config.ts';
import { tableKeyArgs } from '../dynamo-schema.ts';
import { autoFixStatements, checkReadStatements, ownStateStatements, type AccountScope, type HealthcheckPolicyArgs } from '../iam/healthcheck-policy.ts';
import { orgAccessStatements } from '../iam/org-access-policy.ts';
import { statusPageBucket, statusPageStatements, type StatusPageBucket } from '../status-page.ts';
import { BundledFunction } from './bundled-function.ts';
import { LambdaSchedule } from './lambda-schedule.ts';

export const HEALTHCHECK_ENTRY = 'src/entry/lambda/healthcheck.ts';
export const HEALTHCHECK_RATE = 'rate(5 minutes)';
/** Under the 5-minute rate: a slow run ends before the next begins. */
export const HEALTHCHECK_TIMEOUT_SECONDS = 240;
/**
 * With config `org` one run checks every account × region pair, `concurrency` at a time, each after an
 * AssumeRole. A single-account run averages ~3 s (README, monthly cost); budgeting a generous 10 s per
 * pair, 300 s fits 30 rounds, 240 pairs at the default concurrency of 8. That is the whole 5-minute period: a
 * run that needs all of it ends as the next begins. Overlap is already possible with change-driven
 * runs, and the alert state's conditional write keeps two runs from double-alerting. A bigger org needs
 * a higher `concurrency`, not a timeout past the rate.
 */
export const ORG_HEALTHCHECK_TIMEOUT_SECONDS = 300;

export function healthcheckTimeoutSeconds(org: OrgConfig | undefined): number {
  return org === undefined ? HEALTHCHECK_TIMEOUT_SECONDS : ORG_HEALTHCHECK_TIMEOUT_SECONDS;
}

export interface HealthcheckArgs {
  namePrefix: string;
  scope: AccountScope;
  alertTopicArn: pulumi.Input<string>;
  runLedgerTable: aws.dynamodb.Table;
  /** The pipeline's schedule groups: the only ones auto-fix may write to. */
  writableGroups: aws.scheduler.ScheduleGroup[];
  /** The pipeline schedules' execution role, which UpdateSchedule passes again. */
  pipelineSchedulerRole: aws.iam.Role;
  autoFix: boolean;
  maxChanges: number;
  reminderHours: number;
  /** Schedule-name globs the healthcheck treats as market-critical (besides the tagged group). */
  marketCriticalPatterns: readonly string[];
  runbookBaseUrl: string | undefined;
  metricsNamespace: string;
  logRetentionDays: number;
  /** `create`: a trail for the change rule's CloudTrail events; `existing`: the account has one. */
  changeTrail: 'create' | 'existing';
  /** Org-wide checks (config `org`): the member accounts, regions and role; undefined: this account only. */
  org: OrgConfig | undefined;
  /** Config `statusPage`: a private bucket for each run's status page, linked from the emails (infra/status-page.ts). */
  statusPage: boolean;
}

export class Healthcheck extends pulumi.ComponentResource {
  readonly lambda: BundledFunction;
  readonly alertStateTable: aws.dynamodb.Table;
  readonly remediationTable: aws.dynamodb.Table;
  readonly definitionCacheTable: aws.dynamodb.Table;
  readonly runner: LambdaSchedule;
  readonly schedule: aws.scheduler.Schedule;
  readonly deadLetterQueue: aws.sqs.Queue;
  /** The CloudTrail rule, its queue and the event source that run the healthcheck scoped to a burst of changes (infra/change-checks.ts). */
  readonly changes: ChangeChecks;
  /** With `changeTrail: create` only. */
  readonly trail: ChangeTrail | undefined;
  /** With `statusPage: true` only. */
  readonly statusPage: StatusPageBucket | undefined;
  readonly functionName: pulumi.Output<string>;
  /** The Lambda's role: what member accounts trust (config `memberOf.centralPrincipalArns`). */
  readonly roleArn: pulumi.Output<string>;
  readonly timeoutSeconds: number;
  readonly scheduleGroupName: string;

  constructor(name: string, args: HealthcheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:monitoring:Healthcheck', name, {}, opts);
    const parent = { parent: this };
    this.timeoutSeconds = healthcheckTimeoutSeconds(args.org);

    this.alertStateTable = new aws.dynamodb.Table(`${name}-alert-state`, { name: `${args.namePrefix}-alert-state`, ...tableKeyArgs(ALERT_STATE_TABLE_SCHEMA) }, parent);
    // Created whether or not auto-fix is on: turning it off must not delete the backups and audit trail.
    this.remediationTable = new aws.dynamodb.Table(
      `${name}-remediation`,
      { name: `${args.namePrefix}-remediation`, ...tableKeyArgs(REMEDIATION_TABLE_SCHEMA), pointInTimeRecovery: { enabled: true } },
      parent,
    );
    // Schedule definitions by ARN + LastModificationDate, so a cold start skips GetSchedule for every
    // unchanged schedule. Only a cache: no backups; TTL clears the items of deleted schedules.
    this.definitionCacheTable = new aws.dynamodb.Table(
      `${name}-definition-cache`,
      {
        name: `${args.namePrefix}-schedule-definitions`,
        ...tableKeyArgs(SCHEDULE_DEFINITION_TABLE_SCHEMA),
        ttl: { attributeName: SCHEDULE_DEFINITION_TTL_ATTRIBUTE, enabled: true },
      },
      parent,
    );

    this.statusPage = args.statusPage ? statusPageBucket(`${name}-status-page`, { namePrefix: args.namePrefix }, parent) : undefined;

    const queues = changeQueues(`${name}-changes`, { namePrefix: args.namePrefix, functionTimeoutSeconds: this.timeoutSeconds }, parent);
    const policyArgs: HealthcheckPolicyArgs = {
      scope: args.scope,
      runLedgerTableArn: args.runLedgerTable.arn,
      alertStateTableArn: this.alertStateTable.arn,
      definitionCacheTableArn: this.definitionCacheTable.arn,
      changeQueueArn: queues.queue.arn,
      alertTopicArn: args.alertTopicArn,
      remediationTableArn: this.remediationTable.arn,
      writableGroupArns: args.writableGroups.map((group) => group.arn),
      schedulerRoleArns: [args.pipelineSchedulerRole.arn],
    };

    this.lambda = new BundledFunction(
      `${name}-fn`,
      {
        functionName: `${args.namePrefix}-healthcheck`,
        bundleName: 'healthcheck',
        entry: HEALTHCHECK_ENTRY,
        description: 'Proves every schedule targets something that exists and has run; alerts; optional auto-fix',
        timeoutSeconds: this.timeoutSeconds,
        memoryMb: 512,
        logRetentionDays: args.logRetentionDays,
        environment: {
          ...healthcheckEnvironment(args, this.alertStateTable, this.remediationTable, this.definitionCacheTable),
          // The bucket's own output: S3 appends a unique suffix to the prefix.
          ...(this.statusPage ? { STATUS_BUCKET: this.statusPage.bucket.bucket } : {}),
        },
        // Scheduler invokes asynchronously; Lambda's own 2 retries would run a failed check 3 times in a
        // row. The next run, 5 minutes later, is the retry.
        asyncInvoke: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: this.timeoutSeconds },
        policies: {
          'checks-read': checkReadStatements(policyArgs),
          'own-state': ownStateStatements(policyArgs),
          ...(args.autoFix ? { 'auto-fix': autoFixStatements(policyArgs) } : {}),
          ...(args.org !== undefined ? { 'org-access': orgAccessStatements(args.org, args.scope.partition) } : {}),
          ...(this.statusPage ? { 'status-page': statusPageStatements(this.statusPage.bucket.arn, args.runLedgerTable.arn) } : {}),
        },
      },
      parent,
    );
    this.functionName = this.lambda.functionName;
    this.roleArn = this.lambda.role.arn;

    this.scheduleGroupName = `${args.namePrefix}-monitoring`;
    this.runner = new LambdaSchedule(
      `${name}-every-5m`,
      {
        accountId: args.scope.accountId,
        groupName: this.scheduleGroupName,
        scheduleName: `${args.namePrefix}-healthcheck`,
        description: 'Healthcheck of every schedule, every 5 minutes',
        expression: HEALTHCHECK_RATE,
        functionArn: this.lambda.functionArn,
        deadLetterQueueName: `${args.namePrefix}-healthcheck-dlq`,
        retry: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: this.timeoutSeconds },
      },
      parent,
    );
    this.schedule = this.runner.schedule;
    this.deadLetterQueue = this.runner.deadLetterQueue;
    this.changes = changeChecks(`${name}-changes`, { namePrefix: args.namePrefix, queues, functionArn: this.lambda.functionArn, dependsOn: [this.lambda] }, parent);
    this.trail = args.changeTrail === 'create' ? changeTrail(`${name}-trail`, { namePrefix: args.namePrefix, scope: args.scope }, parent) : undefined;
    this.registerOutputs({ functionName: this.functionName, scheduleName: this.schedule.name });
  }
}

/** The variables src/healthcheck/config.ts reads; the names are that module's contract. */
function healthcheckEnvironment(
  args: HealthcheckArgs,
  alertState: aws.dynamodb.Table,
  remediation: aws.dynamodb.Table,
  definitionCache: aws.dynamodb.Table,
): Record<string, pulumi.Input<string>> {
  return {
    ALERT_TOPIC_ARN: args.alertTopicArn,
    ALERT_STATE_TABLE: alertState.name,
    RUN_LEDGER_TABLE: args.runLedgerTable.name,
    DEFINITION_CACHE_TABLE: definitionCache.name,
    AUTO_FIX: String(args.autoFix),
    MAX_CHANGES: String(args.maxChanges),
    REMINDER_HOURS: String(args.reminderHours),
    MARKET_CRITICAL: args.marketCriticalPatterns.join(','),
    METRICS_NAMESPACE: args.metricsNamespace,
    ...(args.autoFix ? { REMEDIATION_TABLE: remediation.name } : {}),
    ...(args.runbookBaseUrl !== undefined ? { RUNBOOK_BASE_URL: args.runbookBaseUrl } : {}),
    ...(args.org !== undefined ? orgEnvironment(args.org) : {}),
  };
}

/** The org-mode variables of the healthcheck's runtime (issue 16); lists are comma-separated, unset when empty. */
export function orgEnvironment(org: OrgConfig): Record<string, string> {
  const list = (name: string, values: readonly string[]) => (values.length > 0 ? { [name]: values.join(',') } : {});
  return {
    ORG_ROLE_NAME: org.roleName,
    ORG_REGIONS: org.regions.join(','),
    ...(org.accounts.kind === 'listed' ? list('ORG_ACCOUNTS', org.accounts.ids) : { ORG_DISCOVER: 'organization', ...list('ORG_OUS', org.accounts.ous), ...list('ORG_EXCLUDE_ACCOUNTS', org.accounts.excludeAccounts) }),
    ...(org.externalId !== undefined ? { ORG_EXTERNAL_ID: org.externalId } : {}),
    ORG_CONCURRENCY: String(org.concurrency),
  };
}
