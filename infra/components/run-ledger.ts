/**
 * The run ledger: durable proof that schedules ran (ECS lists stopped tasks for about an hour). An
 * EventBridge rule on the default bus sends every "ECS Task State Change" of the pipeline cluster to
 * the ledger Lambda (src/entry/lambda/run-ledger.ts), which credits the schedule that started the task.
 *
 * The coverage marker (`pk=LEDGER, sk=COVERAGE`, as DynamoRunLedger.markCoverage writes it) says since
 * when the ledger has been listening, so the healthcheck does not call runs before that "missed". It
 * is written once, when the table is created, and never moved by later deployments.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RUN_LEDGER_TABLE_SCHEMA, RUN_LEDGER_TTL_ATTRIBUTE } from '../../src/aws/run-ledger-store.ts';
import { ECS_EVENT_SOURCE, TASK_STATE_CHANGE_DETAIL_TYPE } from '../../src/ledger/index.ts';
import { allowEventBridgeRules, deadLetterQueue } from '../dead-letter.ts';
import { tableKeyArgs } from '../dynamo-schema.ts';
import { routeToFunction } from '../event-routing.ts';
import type { AccountScope } from '../iam/healthcheck-policy.ts';
import { BundledFunction } from './bundled-function.ts';

export const RUN_LEDGER_ENTRY = 'src/entry/lambda/run-ledger.ts';
export const COVERAGE_KEY = { pk: 'LEDGER', sk: 'COVERAGE' } as const;
/** The ledger's key attributes, named by RUN_LEDGER_TABLE_SCHEMA. */
const COVERAGE_KEY_NAMES = {
  hash: RUN_LEDGER_TABLE_SCHEMA.KeySchema.find((key) => key.KeyType === 'HASH')!.AttributeName,
  range: RUN_LEDGER_TABLE_SCHEMA.KeySchema.find((key) => key.KeyType === 'RANGE')!.AttributeName,
};

export interface RunLedgerArgs {
  namePrefix: string;
  scope: AccountScope;
  cluster: aws.ecs.Cluster;
  /** When the ledger starts listening: the deployment's start, read once by the program. */
  coversSince: Date;
  logRetentionDays: number;
}

/** The coverage item in DynamoDB JSON, attribute for attribute what markCoverage writes. */
export function coverageItem(since: Date): string {
  return JSON.stringify({
    pk: { S: COVERAGE_KEY.pk },
    sk: { S: COVERAGE_KEY.sk },
    coversSince: { N: String(since.getTime()) },
    coversSinceIso: { S: since.toISOString() },
  });
}

export class RunLedger extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly lambda: BundledFunction;
  readonly rule: aws.cloudwatch.EventRule;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly coverage: aws.dynamodb.TableItem;

  constructor(name: string, args: RunLedgerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:ledger:RunLedger', name, {}, opts);
    const parent = { parent: this };
    const { scope } = args;

    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        name: `${args.namePrefix}-run-ledger`,
        ...tableKeyArgs(RUN_LEDGER_TABLE_SCHEMA),
        ttl: { attributeName: RUN_LEDGER_TTL_ATTRIBUTE, enabled: true },
        pointInTimeRecovery: { enabled: true },
      },
      parent,
    );

    this.deadLetterQueue = deadLetterQueue(`${name}-dlq`, `${args.namePrefix}-run-ledger-dlq`, parent);
    this.lambda = new BundledFunction(
      `${name}-fn`,
      {
        functionName: `${args.namePrefix}-run-ledger`,
        bundleName: 'run-ledger',
        entry: RUN_LEDGER_ENTRY,
        description: 'Records which schedule started each ECS task of the pipeline cluster',
        timeoutSeconds: 30,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        environment: { RUN_LEDGER_TABLE: this.table.name },
        // An event the handler failed on (throttled table, bug) is kept, not lost: it is a run's only proof.
        asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 6 * 3600, onFailureQueueArn: this.deadLetterQueue.arn },
        policies: {
          ledger: [
            { Sid: 'RecordRuns', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: [this.table.arn] },
            { Sid: 'ListSchedules', Effect: 'Allow', Action: ['scheduler:ListSchedules'], Resource: '*' },
            {
              // Any group: a task on the cluster is credited to whichever schedule started it.
              Sid: 'ReadSchedules',
              Effect: 'Allow',
              Action: ['scheduler:GetSchedule'],
              Resource: [pulumi.interpolate`arn:${scope.partition}:scheduler:${scope.region}:${scope.accountId}:schedule/*/*`],
            },
          ],
        },
      },
      parent,
    );

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-ecs-events`,
      {
        name: `${args.namePrefix}-ecs-task-state`,
        description: 'ECS task state changes of the pipeline cluster → run ledger',
        eventPattern: pulumi.jsonStringify({
          source: [ECS_EVENT_SOURCE],
          'detail-type': [TASK_STATE_CHANGE_DETAIL_TYPE],
          detail: { clusterArn: [args.cluster.arn] },
        }),
      },
      parent,
    );
    const queuePolicy = allowEventBridgeRules(`${name}-dlq-policy`, this.deadLetterQueue, [this.rule.arn], parent);
    const route = routeToFunction(
      `${name}-route`,
      {
        rule: this.rule,
        functionArn: this.lambda.functionArn,
        functionName: this.lambda.functionName,
        deadLetterQueueArn: this.deadLetterQueue.arn,
        // A state change is worth recording hours later: the run happened either way.
        retry: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      },
      { parent: this, dependsOn: [queuePolicy] },
    );

    this.coverage = new aws.dynamodb.TableItem(
      `${name}-coverage`,
      { tableName: this.table.name, hashKey: COVERAGE_KEY_NAMES.hash, rangeKey: COVERAGE_KEY_NAMES.range, item: coverageItem(args.coversSince) },
      // Written after the rule can deliver; `item` is ignored afterwards so a later `pulumi up` never
      // moves the start of coverage forward (runs recorded before it would then look unverifiable).
      { parent: this, dependsOn: [route.target, route.permission], ignoreChanges: ['item'] },
    );
    this.registerOutputs({ tableName: this.table.name });
  }
}
