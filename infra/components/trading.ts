/**
 * The trading workflow on AWS: a custom EventBridge bus, one rule per event type delivering to the
 * step Lambda that consumes it, the DynamoDB workflow table (the single source of truth), the SNS
 * topic the notification step reports outcomes to, and the paper-broker table (cash, positions, orders
 * and fills of the paper accounts; src/aws/paper-broker-store.ts), which only the two steps that
 * trade (portfolio reads the account, execution places orders) get in their environment and policy.
 *
 * Failure paths are explicit: a rule that cannot deliver after its retries sends the event to the rule
 * dead-letter queue; a step Lambda that fails an asynchronous invocation after Lambda's retries sends
 * it to the failed-invocations queue (its on-failure destination). Nothing is dropped silently.
 *
 * The broker (`broker`, stack config broker): paper by default. With alpaca the keys live in a Secrets
 * Manager secret, either given (`alpacaSecretArn`) or created here without a value (the operator puts
 * the JSON key pair with `aws secretsmanager put-secret-value`); the Lambdas that trade (portfolio,
 * execution) and the sweeper (which reconciles open orders) get `secretsmanager:GetSecretValue` on
 * that secret alone and BROKER / ALPACA_SECRET_ID in their environment; no other Lambda gets either.
 * With paper, the same three get the paper-broker table (the sweeper only reads orders).
 *
 * Market data (`marketData`, stack config marketDataSource / marketDataSeed): synthetic by default, a
 * close for every NYSE session computed in the Lambda, so the stack trades on any day and the archives
 * carry no data files. With fixtures the CSVs ship inside every trading archive (MARKET_DATA_DIR); their
 * bundles are named `…-fixtures` so the two variants never overwrite each other's directory.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PAPER_BROKER_TABLE_SCHEMA } from '../../src/aws/paper-broker-store.ts';
import { WORKFLOW_TABLE_SCHEMA, WORKFLOW_TTL_ATTRIBUTE } from '../../src/aws/workflow-store.ts';
import { DEFAULT_TTL_DAYS } from '../../src/trading/ports/workflow-store.ts';
import { EVENT_SOURCE_PREFIX } from '../../src/trading/domain/event-factory.ts';
import { ConsumerName } from '../../src/trading/domain/workflow-app.ts';
import { DEFAULT_TRADING_METRICS_NAMESPACE, TRADING_METRICS_NAMESPACE_ENV } from '../../src/trading/domain/metric-contract.ts';
import { DEFAULT_MARKET_DATA_SOURCE, type MarketDataSourceName } from '../../src/trading/adapters/market-data-source.ts';
import { allowEventBridgeRules, deadLetterQueue } from '../dead-letter.ts';
import { indexArns, tableKeyArgs } from '../dynamo-schema.ts';
import { routeToFunction } from '../event-routing.ts';
import type { Statement } from '../iam/policy.ts';
import type { AccountScope } from '../iam/healthcheck-policy.ts';
import { tradingConsumers, type TradingConsumer } from '../trading-routes.ts';
import { LAMBDA_TASK_ROOT, type BundleAsset } from '../lambda-bundles.ts';
import { BundledFunction } from './bundled-function.ts';
import { LambdaSchedule } from './lambda-schedule.ts';

export interface TradingArgs {
  namePrefix: string;
  scope: AccountScope;
  logRetentionDays: number;
  /** Subscribed to the notification topic (each must confirm). */
  notificationEmails: readonly string[];
  consumers?: readonly TradingConsumer[];
  /** CloudWatch namespace of the trading metrics (METRICS_NAMESPACE of every trading Lambda); default Ops/Trading. */
  metricsNamespace?: string;
  /** Default synthetic (seed 0). */
  marketData?: { source: MarketDataSourceName; seed?: number };
  /** How long the event archive keeps events (default ARCHIVE_RETENTION_DAYS). */
  archiveRetentionDays?: number;
  /** Default paper. */
  broker?: TradingBroker;
}

export type TradingBroker = { kind: 'paper' } | { kind: 'alpaca'; secretArn?: string; baseUrl?: string };

export const SWEEPER_ENTRY = 'src/entry/lambda/trading/sweeper.ts';
export const SWEEPER_RATE = 'rate(5 minutes)';
/** As long as the workflow records live (DEFAULT_TTL_DAYS), so a replayable workflow can still be read. */
export const ARCHIVE_RETENTION_DAYS = DEFAULT_TTL_DAYS;
/** The fixture closes: read from disk by FixtureMarketData, so with the fixtures source they ship inside each archive. */
export const FIXTURE_MARKET_DATA: BundleAsset = { source: 'fixtures/market-data', target: 'market-data' };

/**
 * What the DynamoDB workflow store (src/aws/workflow-store.ts) calls: conditional item writes and reads.
 * No DeleteItem: claims live in the workflow item, and releasing one is an UpdateItem.
 */
const WORKFLOW_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * What the durable paper broker (src/aws/paper-broker-store.ts) calls, per step: every user reads the
 * account (GetItem, Query) and may seed it (a conditional PutItem); only execution fills orders, whose
 * TransactWriteItems is authorised as its Put and Update parts (PutItem, UpdateItem).
 */
export const PAPER_BROKER_ACTIONS: Partial<Record<ConsumerName, readonly string[]>> = {
  [ConsumerName.portfolio]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  [ConsumerName.execution]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
};
/**
 * The sweeper reconciles open orders: it looks them up by client order id (GetItem), nothing more. A
 * paper order never stays open (it fills, or its remainder is canceled, at once), so the sweeper never
 * places the buys that wait for open sells on the paper broker; on Alpaca it does, with the same key.
 */
export const SWEEPER_PAPER_BROKER_ACTIONS: readonly string[] = ['dynamodb:GetItem'];

export class Trading extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;
  readonly workflowTable: aws.dynamodb.Table;
  readonly paperBrokerTable: aws.dynamodb.Table;
  /** broker alpaca without alpacaSecretArn: the secret the stack created (without a value). */
  readonly brokerSecret: aws.secretsmanager.Secret | undefined;
  /** broker alpaca: the ARN of the secret holding the keys. */
  readonly brokerSecretArn: pulumi.Output<string> | undefined;
  readonly notificationTopic: aws.sns.Topic;
  readonly functions: ReadonlyMap<string, BundledFunction>;
  readonly rules: ReadonlyMap<string, aws.cloudwatch.EventRule>;
  readonly ruleDeadLetterQueue: aws.sqs.Queue;
  readonly failedInvocationsQueue: aws.sqs.Queue;
  readonly deadLetterQueues: aws.sqs.Queue[];
  /** Their names, known at construction: the TradingDeadLetters alarms are built from them. */
  readonly deadLetterQueueNames: string[];
  readonly sweeperSchedule: LambdaSchedule;
  /** Every trading event, kept for `ops workflow replay` (re-delivery is idempotent by event id). */
  readonly eventArchive: aws.cloudwatch.EventArchive;
  readonly scheduleGroupName: string;
  /** Environment and permissions of the ECS tasks that start workflows (`ops-task dispatcher`). */
  readonly taskEnvironment: Record<string, pulumi.Output<string>>;
  readonly taskStatements: Statement[];

  constructor(name: string, args: TradingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:trading:Trading', name, {}, opts);
    const parent = { parent: this };

    this.bus = new aws.cloudwatch.EventBus(`${name}-bus`, { name: `${args.namePrefix}-trading` }, parent);
    this.eventArchive = new aws.cloudwatch.EventArchive(
      `${name}-archive`,
      {
        name: `${args.namePrefix}-trading-archive`,
        eventSourceArn: this.bus.arn,
        description: 'Trading workflow events, for `ops workflow replay`',
        eventPattern: JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }] }),
        retentionDays: args.archiveRetentionDays ?? ARCHIVE_RETENTION_DAYS,
      },
      parent,
    );
    this.workflowTable = new aws.dynamodb.Table(
      `${name}-workflows`,
      {
        name: `${args.namePrefix}-workflows`,
        ...tableKeyArgs(WORKFLOW_TABLE_SCHEMA),
        ttl: { attributeName: WORKFLOW_TTL_ATTRIBUTE, enabled: true },
        pointInTimeRecovery: { enabled: true },
      },
      parent,
    );
    this.paperBrokerTable = new aws.dynamodb.Table(
      `${name}-paper-broker`,
      { name: `${args.namePrefix}-paper-broker`, ...tableKeyArgs(PAPER_BROKER_TABLE_SCHEMA), pointInTimeRecovery: { enabled: true } },
      parent,
    );
    this.notificationTopic = new aws.sns.Topic(`${name}-notifications`, { name: `${args.namePrefix}-trading-notifications` }, parent);
    for (const email of new Set(args.notificationEmails)) {
      new aws.sns.TopicSubscription(`${name}-notify-${email}`, { topic: this.notificationTopic.arn, protocol: 'email', endpoint: email }, parent);
    }
    this.ruleDeadLetterQueue = deadLetterQueue(`${name}-rule-dlq`, `${args.namePrefix}-trading-rule-dlq`, parent);
    this.failedInvocationsQueue = deadLetterQueue(`${name}-failed`, `${args.namePrefix}-trading-failed`, parent);
    this.deadLetterQueues = [this.ruleDeadLetterQueue, this.failedInvocationsQueue];

    // The names src/entry/lambda/trading/runtime.ts and src/entry/task/trading-task.ts read.
    const environment = { EVENT_BUS_NAME: this.bus.name, WORKFLOW_TABLE: this.workflowTable.name };
    const marketSource = args.marketData?.source ?? DEFAULT_MARKET_DATA_SOURCE;
    const shipsFixtures = marketSource === 'fixtures';
    const assets = shipsFixtures ? [FIXTURE_MARKET_DATA] : [];
    const bundleSuffix = shipsFixtures ? '-fixtures' : '';
    const marketSeed = marketSource === 'synthetic' ? args.marketData?.seed : undefined;
    const lambdaEnvironment = {
      ...environment,
      NOTIFICATION_TOPIC_ARN: this.notificationTopic.arn,
      // Where the EMF metrics go; the alarms (infra/trading-observability.ts) read the same namespace.
      [TRADING_METRICS_NAMESPACE_ENV]: args.metricsNamespace ?? DEFAULT_TRADING_METRICS_NAMESPACE,
      MARKET_DATA_SOURCE: marketSource,
      ...(shipsFixtures ? { MARKET_DATA_DIR: `${LAMBDA_TASK_ROOT}/${FIXTURE_MARKET_DATA.target}` } : {}),
      ...(marketSeed !== undefined ? { MARKET_DATA_SEED: String(marketSeed) } : {}),
    };
    const publish: Statement = { Sid: 'PublishWorkflowEvents', Effect: 'Allow', Action: ['events:PutEvents'], Resource: [this.bus.arn] };
    // The broker of the Lambdas that trade or reconcile: its environment and its one grant.
    const broker = args.broker ?? { kind: 'paper' };
    this.brokerSecret =
      broker.kind === 'alpaca' && broker.secretArn === undefined
        ? new aws.secretsmanager.Secret(`${name}-alpaca-keys`, { name: `${args.namePrefix}/alpaca-keys`, description: 'Alpaca API key pair as JSON {"keyId","secretKey"}; put the value with `aws secretsmanager put-secret-value`' }, parent)
        : undefined;
    this.brokerSecretArn = broker.kind === 'alpaca' ? (this.brokerSecret?.arn ?? pulumi.output(broker.secretArn!)) : undefined;
    const brokerAccess = (paperActions: readonly string[]): { environment: Record<string, pulumi.Input<string>>; statement: Statement } =>
      this.brokerSecretArn !== undefined && broker.kind === 'alpaca'
        ? {
            environment: { BROKER: 'alpaca', ALPACA_SECRET_ID: this.brokerSecretArn, ...(broker.baseUrl !== undefined ? { ALPACA_BASE_URL: broker.baseUrl } : {}) },
            statement: { Sid: 'AlpacaKeys', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [this.brokerSecretArn] },
          }
        : {
            environment: { BROKER: 'paper', PAPER_BROKER_TABLE: this.paperBrokerTable.name },
            statement: { Sid: 'PaperBrokerAccount', Effect: 'Allow', Action: [...paperActions], Resource: [this.paperBrokerTable.arn] },
          };
    const store: Statement[] = [
      { Sid: 'WorkflowItems', Effect: 'Allow', Action: [...WORKFLOW_ITEM_ACTIONS], Resource: [this.workflowTable.arn] },
      // Listing by state (status, sweeper) reads the byState index.
      {
        Sid: 'WorkflowQueries',
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: [this.workflowTable.arn, ...indexArns(this.workflowTable.arn, WORKFLOW_TABLE_SCHEMA)],
      },
    ];

    const functions = new Map<string, BundledFunction>();
    const rules = new Map<string, aws.cloudwatch.EventRule>();
    const ruleArns: pulumi.Output<string>[] = [];
    const routes: { consumer: TradingConsumer; type: string; rule: aws.cloudwatch.EventRule }[] = [];
    for (const consumer of args.consumers ?? tradingConsumers()) {
      const notifies = consumer.name === 'notification';
      const brokerActions = PAPER_BROKER_ACTIONS[consumer.name];
      const brokerAccessOf = brokerActions === undefined ? undefined : brokerAccess(brokerActions);
      const fn = new BundledFunction(
        `${name}-${consumer.name}`,
        {
          functionName: `${args.namePrefix}-trading-${consumer.name}`,
          bundleName: `trading-${consumer.name}${bundleSuffix}`,
          entry: consumer.entry,
          assets,
          description: `Trading step "${consumer.name}": ${consumer.consumes.join(', ')}`,
          timeoutSeconds: 60,
          memoryMb: 256,
          logRetentionDays: args.logRetentionDays,
          environment: brokerAccessOf === undefined ? lambdaEnvironment : { ...lambdaEnvironment, ...brokerAccessOf.environment },
          // Steps are idempotent per event id (claims in the store), so Lambda's retries are safe.
          asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600, onFailureQueueArn: this.failedInvocationsQueue.arn },
          policies: {
            step: [
              ...store,
              publish,
              ...(brokerAccessOf === undefined ? [] : [brokerAccessOf.statement]),
              ...(notifies ? [{ Sid: 'NotifyOutcome', Effect: 'Allow', Action: ['sns:Publish'], Resource: [this.notificationTopic.arn] } satisfies Statement] : []),
            ],
          },
        },
        parent,
      );
      functions.set(consumer.name, fn);
      for (const type of consumer.consumes) {
        const rule = new aws.cloudwatch.EventRule(
          `${name}-${type}`,
          {
            name: `${args.namePrefix}-${type}`,
            eventBusName: this.bus.name,
            description: `${type} → ${consumer.name}`,
            eventPattern: JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }], 'detail-type': [type] }),
          },
          parent,
        );
        rules.set(type, rule);
        ruleArns.push(rule.arn);
        routes.push({ consumer, type, rule });
      }
    }
    const queuePolicy = allowEventBridgeRules(`${name}-rule-dlq-policy`, this.ruleDeadLetterQueue, ruleArns, parent);
    for (const { consumer, type, rule } of routes) {
      const fn = functions.get(consumer.name)!;
      routeToFunction(
        `${name}-${type}`,
        {
          rule,
          eventBusName: this.bus.name,
          functionArn: fn.functionArn,
          functionName: fn.functionName,
          deadLetterQueueArn: this.ruleDeadLetterQueue.arn,
          // A trading event is worth delivering within the hour, not the next day.
          retry: { maximumRetryAttempts: 20, maximumEventAgeInSeconds: 3600 },
        },
        { parent: this, dependsOn: [queuePolicy] },
      );
    }

    // Reconciles open orders with the broker, fails workflows stuck RUNNING and re-publishes terminal events whose publish was lost.
    const sweeperBroker = brokerAccess(SWEEPER_PAPER_BROKER_ACTIONS);
    const sweeper = new BundledFunction(
      `${name}-sweeper`,
      {
        functionName: `${args.namePrefix}-trading-sweeper`,
        bundleName: `trading-sweeper${bundleSuffix}`,
        entry: SWEEPER_ENTRY,
        assets,
        description: 'Times out stuck workflows; re-publishes lost terminal events',
        timeoutSeconds: 120,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        environment: { ...lambdaEnvironment, ...sweeperBroker.environment },
        // The next run, 5 minutes later, is the retry.
        asyncInvoke: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 240, onFailureQueueArn: this.failedInvocationsQueue.arn },
        policies: { sweep: [...store, publish, sweeperBroker.statement] },
      },
      parent,
    );
    functions.set('sweeper', sweeper);
    this.sweeperSchedule = new LambdaSchedule(
      `${name}-sweeper-every-5m`,
      {
        accountId: args.scope.accountId,
        groupName: `${args.namePrefix}-trading`,
        scheduleName: `${args.namePrefix}-trading-sweeper`,
        description: 'Trading workflow sweeper, every 5 minutes',
        expression: SWEEPER_RATE,
        functionArn: sweeper.functionArn,
        deadLetterQueueName: `${args.namePrefix}-trading-sweeper-dlq`,
        retry: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 240 },
      },
      parent,
    );
    this.scheduleGroupName = `${args.namePrefix}-trading`;
    this.deadLetterQueues.push(this.sweeperSchedule.deadLetterQueue);
    this.deadLetterQueueNames = [`${args.namePrefix}-trading-rule-dlq`, `${args.namePrefix}-trading-failed`, `${args.namePrefix}-trading-sweeper-dlq`];

    this.functions = functions;
    this.rules = rules;
    this.taskEnvironment = environment;
    this.taskStatements = [publish, ...store];
    this.registerOutputs({ eventBusName: this.bus.name, workflowTableName: this.workflowTable.name, paperBrokerTableName: this.paperBrokerTable.name });
  }
}
