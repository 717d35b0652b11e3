/**
 * What the workflow e2e tests share: a moto whose DynamoDB writes are atomic per item (see
 * src/sandbox/trading/atomic-moto.py for why stock moto is not), and an EventBridge bus whose events land in an
 * SQS queue, standing in for the rule → Lambda delivery that moto cannot perform.
 */
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../src/aws/clients.ts';
import { ensureEventBus } from '../../src/aws/eventbridge-bus.ts';
import { EVENT_SOURCE_PREFIX } from '../../src/trading/domain/event-factory.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { ATOMIC_MOTO_PYTHON, startAtomicMotoServer } from '../../src/sandbox/trading/atomic-moto.ts';

export { ATOMIC_MOTO_PYTHON };

export function startAtomicMoto(): Promise<MotoServer> {
  return startAtomicMotoServer({ killOnSignals: true });
}

export interface RoutedBus {
  busName: string;
  queueUrl: string;
  /** Every message waiting in the queue (EventBridge events as JSON), deleted once read. */
  drain(): Promise<unknown[]>;
}

/** A bus plus a rule sending every `ops.trading.*` event to a queue. */
export async function busRoutedToQueue(clients: AwsClients, busName: string): Promise<RoutedBus> {
  await ensureEventBus(clients.eventbridge, busName);
  const { QueueUrl: queueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${busName}-deliveries` }));
  if (queueUrl === undefined) throw new Error('moto created no queue');
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await clients.eventbridge.send(
    new PutRuleCommand({ Name: `${busName}-all`, EventBusName: busName, EventPattern: JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }] }) }),
  );
  await clients.eventbridge.send(new PutTargetsCommand({ Rule: `${busName}-all`, EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }));
  return {
    busName,
    queueUrl,
    async drain() {
      const bodies: unknown[] = [];
      for (;;) {
        const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (Messages.length === 0) return bodies;
        for (const message of Messages) bodies.push(JSON.parse(message.Body ?? 'null') as unknown);
        await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      }
    },
  };
}
