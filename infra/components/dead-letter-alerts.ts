/**
 * Dead-letter alerts: the Lambda (src/entry/lambda/dead-letter-alerts.ts) that reads every schedule
 * dead-letter queue through an SQS event source mapping and emails INVOCATION_FAILED through the
 * healthcheck's alert state and topic, so a failed invocation reaches a person within seconds instead
 * of waiting in a queue nobody reads.
 *
 * - ReportBatchItemFailures: the function returns the messages whose alert was not recorded (SNS or
 *   the alert state failed) and SQS keeps exactly those; the rest are deleted.
 * - The queues' visibility timeout is 6× the function's timeout (AWS's guidance for SQS event sources;
 *   set where the queues are made, infra/dead-letter.ts `scheduleDeadLetterQueue`).
 * - Permissions: the three SQS actions the event source needs, on exactly these queues (declared with
 *   INVOCATION_FAILED in the check registry); the alert state's GetItem/PutItem on its table;
 *   sns:Publish on the alert topic; its own logs.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { FindingCode } from '../../src/checks/finding.ts';
import { declarationOf } from '../../src/checks/registry.ts';
import { SCHEDULE_DLQ_CONSUMER_TIMEOUT_SECONDS } from '../dead-letter.ts';
import { OWN_STATE_ACTIONS } from '../iam/healthcheck-policy.ts';
import type { Statement } from '../iam/policy.ts';
import { BundledFunction } from './bundled-function.ts';

export const DEAD_LETTER_ALERTS_ENTRY = 'src/entry/lambda/dead-letter-alerts.ts';
/** Lambda's maximum for a standard queue without a batching window; one alert policy run per batch. */
export const DEAD_LETTER_BATCH_SIZE = 10;
/**
 * The lowest limit Lambda allows: two batches at most alert at once, so the alert state's conditional
 * write (one item shared with the healthcheck) rarely has to retry.
 */
export const DEAD_LETTER_MAX_CONCURRENCY = 2;

export interface ScheduleDeadLetterQueue {
  /** Short, stable name for the mapping's logical name, e.g. `pipeline`. */
  key: string;
  queue: aws.sqs.Queue;
}

export interface DeadLetterAlertsArgs {
  namePrefix: string;
  /** Every schedule dead-letter queue of the stack. */
  queues: readonly ScheduleDeadLetterQueue[];
  alertTopicArn: pulumi.Input<string>;
  /** The healthcheck's alert-state table: one email per fault, whichever of the two saw it first. */
  alertStateTable: aws.dynamodb.Table;
  runbookBaseUrl: string | undefined;
  metricsNamespace: string;
  logRetentionDays: number;
}

export class DeadLetterAlerts extends pulumi.ComponentResource {
  readonly lambda: BundledFunction;
  readonly mappings: aws.lambda.EventSourceMapping[];
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: DeadLetterAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:monitoring:DeadLetterAlerts', name, {}, opts);
    const parent = { parent: this };
    const keys = args.queues.map((q) => q.key);
    if (keys.length === 0 || new Set(keys).size !== keys.length) {
      throw new Error(`DeadLetterAlerts needs at least one queue and distinct keys, got [${keys.join(', ')}].`);
    }

    this.lambda = new BundledFunction(
      `${name}-fn`,
      {
        functionName: `${args.namePrefix}-dead-letter-alerts`,
        bundleName: 'dead-letter-alerts',
        entry: DEAD_LETTER_ALERTS_ENTRY,
        description: 'Emails INVOCATION_FAILED for every Scheduler dead letter; deletes a message only once its alert is recorded',
        timeoutSeconds: SCHEDULE_DLQ_CONSUMER_TIMEOUT_SECONDS,
        memoryMb: 256,
        logRetentionDays: args.logRetentionDays,
        environment: {
          ALERT_TOPIC_ARN: args.alertTopicArn,
          ALERT_STATE_TABLE: args.alertStateTable.name,
          METRICS_NAMESPACE: args.metricsNamespace,
          ...(args.runbookBaseUrl !== undefined ? { RUNBOOK_BASE_URL: args.runbookBaseUrl } : {}),
        },
        policies: { 'dead-letters': deadLetterConsumerStatements(args) },
      },
      parent,
    );
    this.functionName = this.lambda.functionName;

    this.mappings = args.queues.map(
      ({ key, queue }) =>
        new aws.lambda.EventSourceMapping(
          `${name}-${key}`,
          {
            eventSourceArn: queue.arn,
            functionName: this.lambda.functionArn,
            batchSize: DEAD_LETTER_BATCH_SIZE,
            functionResponseTypes: ['ReportBatchItemFailures'],
            scalingConfig: { maximumConcurrency: DEAD_LETTER_MAX_CONCURRENCY },
          },
          // Lambda checks the role's SQS permissions when the mapping is created.
          { parent: this, dependsOn: [this.lambda] },
        ),
    );
    this.registerOutputs({ functionName: this.functionName });
  }
}

/** Exactly what the consumer does: read and delete on these queues, the alert state, the topic. */
export function deadLetterConsumerStatements(args: Pick<DeadLetterAlertsArgs, 'queues' | 'alertTopicArn' | 'alertStateTable'>): Statement[] {
  return [
    {
      Sid: 'ConsumeScheduleDeadLetters',
      Effect: 'Allow',
      Action: [...declarationOf(FindingCode.INVOCATION_FAILED).iamActions].sort(),
      Resource: args.queues.map(({ queue }) => queue.arn),
    },
    { Sid: 'AlertState', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.alertState], Resource: [args.alertStateTable.arn] },
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.alertTopic], Resource: [args.alertTopicArn] },
  ];
}
