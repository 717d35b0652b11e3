/**
 * The trading stack of infra/components/trading.ts, created on moto (idempotently: a second call
 * finds everything and changes nothing): the workflow and paper-broker tables, the bus, one rule per
 * consumed event type with the stack's pattern, the notification topic, the three dead-letter queues
 * and an archive of the bus.
 *
 * The one difference from AWS: moto cannot run Lambda code, so each rule's target is the step's
 * delivery queue (`ops-trading-<step>-deliveries`) instead of the function. moto writes the event
 * EventBridge would hand the Lambda (version, id, detail-type, source, time, region, detail, …) as the
 * message body; the local Lambda runtime (../trading/lambda-runtime.ts) consumes it in the Lambda's place.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../aws/clients.ts';
import { ensureEventArchive } from '../../aws/event-archive.ts';
import { ensureEventBus } from '../../aws/eventbridge-bus.ts';
import { ensurePaperBrokerTable } from '../../aws/paper-broker-store.ts';
import { ensureWorkflowTable } from '../../aws/workflow-store.ts';
import { errorName } from '../../aws-error.ts';
import { FaultError } from '../../errors.ts';
import { EVENT_SOURCE_PREFIX } from '../../trading/domain/event-factory.ts';
import type { ConsumerName } from '../../trading/domain/workflow-app.ts';
import { DEFAULT_TTL_DAYS } from '../../trading/ports/workflow-store.ts';
import { deliveryQueueName, ruleName, rulePattern, sandboxTradingRoutes, SandboxTradingNames, type SandboxRoute } from '../trading/names.ts';

/** What a rule does when its target cannot be reached, as on AWS (infra/components/trading.ts). */
const RULE_RETRY = { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3_600 } as const;

export interface TradingQueue {
  name: string;
  url: string;
  arn: string;
}

export interface TradingTopology {
  region: string;
  account: string;
  workflowTable: string;
  paperBrokerTable: string;
  eventBus: string;
  eventBusArn: string;
  notificationTopicArn: string;
  routes: SandboxRoute[];
  /** One per step: where its rules deliver. */
  deliveries: Record<ConsumerName, TradingQueue>;
  ruleDeadLetterQueue: TradingQueue;
  failedInvocationsQueue: TradingQueue;
  sweeperDeadLetterQueue: TradingQueue;
  /** Undefined when the endpoint has no CreateArchive (moto 5.2 has it). */
  archive?: { name: string; arn: string };
  /** What this call created (false: it was there). */
  created: { workflowTable: boolean; paperBrokerTable: boolean; eventBus: boolean; archive: boolean };
}

export async function ensureTradingTopology(clients: Pick<AwsClients, 'dynamodb' | 'eventbridge' | 'sns' | 'sqs' | 'config'>): Promise<TradingTopology> {
  const names = SandboxTradingNames;
  const [workflowTable, paperBrokerTable, bus] = await Promise.all([
    ensureWorkflowTable(clients.dynamodb, names.workflowTable),
    ensurePaperBrokerTable(clients.dynamodb, names.paperBrokerTable),
    ensureEventBus(clients.eventbridge, names.eventBus),
  ]);
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: names.notificationTopic }));
  if (topic.TopicArn === undefined) throw new FaultError('SANDBOX_TOPIC_MISSING', `CreateTopic ${names.notificationTopic} returned no ARN.`);
  const [, , , region = clients.config.region, account = '123456789012'] = topic.TopicArn.split(':');
  const eventBusArn = bus.arn ?? `arn:aws:events:${region}:${account}:event-bus/${names.eventBus}`;

  const routes = sandboxTradingRoutes();
  const [ruleDeadLetterQueue, failedInvocationsQueue, sweeperDeadLetterQueue, ...deliveryQueues] = await Promise.all([
    ensureQueue(clients.sqs, names.ruleDeadLetterQueue),
    ensureQueue(clients.sqs, names.failedInvocationsQueue),
    ensureQueue(clients.sqs, names.sweeperDeadLetterQueue),
    ...routes.map((route) => ensureQueue(clients.sqs, deliveryQueueName(route.consumer))),
  ]);
  const deliveries = Object.fromEntries(routes.map((route, i) => [route.consumer, deliveryQueues[i] as TradingQueue])) as Record<ConsumerName, TradingQueue>;

  for (const route of routes) {
    for (const type of route.consumes) {
      const rule = ruleName(type);
      // PutRule and PutTargets replace what is there: running them again is the idempotent update.
      await clients.eventbridge.send(new PutRuleCommand({ Name: rule, EventBusName: names.eventBus, EventPattern: rulePattern(type), Description: `${type} → ${route.consumer}` }));
      await clients.eventbridge.send(
        new PutTargetsCommand({
          Rule: rule,
          EventBusName: names.eventBus,
          Targets: [{ Id: route.consumer, Arn: deliveries[route.consumer].arn, DeadLetterConfig: { Arn: ruleDeadLetterQueue.arn }, RetryPolicy: RULE_RETRY }],
        }),
      );
    }
  }
  const archive = await ensureArchive(clients.eventbridge, eventBusArn);

  return {
    region,
    account,
    workflowTable: names.workflowTable,
    paperBrokerTable: names.paperBrokerTable,
    eventBus: names.eventBus,
    eventBusArn,
    notificationTopicArn: topic.TopicArn,
    routes,
    deliveries,
    ruleDeadLetterQueue,
    failedInvocationsQueue,
    sweeperDeadLetterQueue,
    ...(archive.arn !== undefined ? { archive: { name: names.archive, arn: archive.arn } } : {}),
    created: { workflowTable: workflowTable.created, paperBrokerTable: paperBrokerTable.created, eventBus: bus.created, archive: archive.created },
  };
}

async function ensureQueue(sqs: SQSClient, name: string): Promise<TradingQueue> {
  // CreateQueue with the same attributes returns the existing queue.
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (url === undefined) throw new FaultError('SANDBOX_QUEUE_MISSING', `CreateQueue ${name} returned no URL.`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new FaultError('SANDBOX_QUEUE_MISSING', `Queue ${name} has no QueueArn.`);
  return { name, url, arn };
}

/** Every trading event on the bus, kept for `ops workflow replay`. */
async function ensureArchive(client: EventBridgeClient, eventBusArn: string): Promise<{ created: boolean; arn: string | undefined }> {
  try {
    return await ensureEventArchive(client, SandboxTradingNames.archive, eventBusArn, {
      eventPattern: JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }] }),
      // As long as the workflow records live, like the stack's archive.
      retentionDays: DEFAULT_TTL_DAYS,
      description: 'Every trading workflow event, for ops workflow replay',
    });
  } catch (error) {
    // ensureEventArchive explains AWS errors; whether the endpoint has archives at all is in the cause.
    return unsupported(error instanceof Error && error.cause !== undefined ? error.cause : error);
  }
}

/** An endpoint without archives (an older moto, some LocalStack editions): the chain runs without one. */
function unsupported(error: unknown): { created: boolean; arn: undefined } {
  const name = errorName(error);
  if (name === 'NotImplementedError' || name === 'InternalFailure' || name === 'UnknownOperationException' || name === 'NotImplemented') return { created: false, arn: undefined };
  throw error;
}
