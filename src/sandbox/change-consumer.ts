/**
 * The healthcheck Lambda's SQS event source on the sandbox, for change events: the sandbox's change
 * rule delivers to an SQS queue (moto cannot invoke Lambda code, and the deployed rule delivers to a
 * queue too: infra/change-checks.ts), and this consumer hands what it holds to an injected handler
 * (in the sandbox: the scoped healthcheck, src/entry/sandbox/change-checks.ts).
 *
 * Like Lambda's event source with a batching window, not one invocation per message: `drain()`
 * receives every visible message (ReceiveMessage takes at most 10, so in rounds of 10, up to
 * CHANGE_BATCH.maxRecords per batch, the deployed batch size) and hands them to the handler as ONE
 * SQS event (`{ Records: [...] }`, each record as Lambda shapes it: dead-letter-consumer.ts
 * `lambdaSqsRecord`). A detector tick's burst is therefore one batch, as a deploy's burst is one batch
 * within the deployed 5-second window; the window itself costs nothing here, the drain runs after the
 * tick.
 *
 * One run per batch, so the batch succeeds or fails as a whole (no ReportBatchItemFailures): every
 * message is deleted once the handler returned, and every one is kept when it throws. Kept messages
 * are not released: like SQS under Lambda, they come back once their visibility timeout has passed (on
 * moto bound to the virtual clock, after that much virtual time), and are invisible for the rest of
 * the drain.
 *
 * WaitTimeSeconds 0 (the port's short poll): never a wait on the wall clock. Bounded by `maxRounds`
 * receives: a queue that never empties is a fault, not a hang.
 */
import { CHANGE_BATCH } from '../checks/change-batch.ts';
import { FaultError } from '../errors.ts';
import { lambdaSqsRecord, type DeadLetterQueuePort, type LambdaSqsRecord, type QueueMessage } from './dead-letter-consumer.ts';

/** The SQS calls it needs: the same as the dead-letter consumer's (src/sandbox/aws/dead-letter-queue-api.ts). */
export type ChangeQueuePort = Pick<DeadLetterQueuePort, 'receive' | 'delete'>;

/** What Lambda's SQS event source hands a function. */
export interface ChangeBatchEvent {
  Records: LambdaSqsRecord[];
}

/** One batch handed to the handler. */
export interface ChangeDelivery {
  messageIds: string[];
  /** Each message's EventBridge event (its body, parsed), or the body itself when it is not JSON. */
  events: unknown[];
  outcome: 'handled' | 'failed';
  result?: unknown;
  error?: string;
}

export interface ChangeConsumerOptions<R> {
  port: ChangeQueuePort;
  queueUrl: string;
  /** The queue's ARN: each record's eventSourceARN. */
  queueArn: string;
  /** Each record's awsRegion. */
  region: string;
  handler: (batch: ChangeBatchEvent) => Promise<R>;
  onDelivery?: (delivery: ChangeDelivery) => void;
  /** Messages per batch; default CHANGE_BATCH.maxRecords (100), the deployed event source's. */
  batchSize?: number;
  /**
   * How long a received message stays hidden; default 30 s, SQS's default, so a failed batch is back
   * for the detector's next tick. (The deployed queue hides it for 6× the function's timeout.)
   */
  visibilitySeconds?: number;
}

export interface ChangeDrain {
  /** ReceiveMessage calls. */
  rounds: number;
  /** Messages in batches the handler returned from (deleted). */
  handled: number;
  /** Messages in batches the handler threw on (kept). */
  failed: number;
  /** One per batch, in order. */
  deliveries: ChangeDelivery[];
}

export interface ChangeConsumer {
  /** Hands every message on the queue to the handler, a batch at a time; throws when still busy after `maxRounds` receives (default 100). */
  drain(options?: { maxRounds?: number }): Promise<ChangeDrain>;
}

/** ReceiveMessage's maximum. */
const RECEIVE_MAX = 10;

export function createChangeConsumer<R>(options: ChangeConsumerOptions<R>): ChangeConsumer {
  const batchSize = options.batchSize ?? CHANGE_BATCH.maxRecords;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}.`);
  const visibilitySeconds = options.visibilitySeconds ?? 30;

  async function deliver(messages: readonly QueueMessage[]): Promise<ChangeDelivery> {
    const messageIds = messages.map((m) => m.messageId);
    const events = messages.map((m) => parseBody(m.body));
    let result: R;
    try {
      result = await options.handler({ Records: messages.map((m) => lambdaSqsRecord(m, options.queueArn, options.region)) });
    } catch (error) {
      return { messageIds, events, outcome: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    // Outside the try: a handled batch that cannot be deleted is the sandbox's fault, not the handler's.
    await options.port.delete(options.queueUrl, messages.map((m) => m.receiptHandle));
    return { messageIds, events, outcome: 'handled', result };
  }

  return {
    async drain({ maxRounds = 100 } = {}) {
      const deliveries: ChangeDelivery[] = [];
      let rounds = 0;
      for (;;) {
        const batch: QueueMessage[] = [];
        let empty = false;
        while (batch.length < batchSize && rounds < maxRounds) {
          rounds++;
          const messages = await options.port.receive(options.queueUrl, { maxMessages: Math.min(RECEIVE_MAX, batchSize - batch.length), visibilitySeconds });
          if (messages.length === 0) {
            empty = true;
            break;
          }
          batch.push(...messages);
        }
        if (batch.length > 0) {
          const delivery = await deliver(batch);
          deliveries.push(delivery);
          options.onDelivery?.(delivery);
        }
        if (empty) {
          const count = (outcome: ChangeDelivery['outcome']) => deliveries.filter((d) => d.outcome === outcome).reduce((n, d) => n + d.messageIds.length, 0);
          return { rounds, handled: count('handled'), failed: count('failed'), deliveries };
        }
        if (rounds >= maxRounds) {
          const messages = deliveries.reduce((n, d) => n + d.messageIds.length, 0);
          throw new FaultError('CHANGE_QUEUE_NOT_IDLE', `The change queue still had events after ${rounds} receives (${messages} handled or failed in ${deliveries.length} batch(es)): is something writing schedules on every check?`);
        }
      }
    },
  };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
