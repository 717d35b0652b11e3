/**
 * The healthcheck Lambda's place on the sandbox for change events: the sandbox's change rule delivers
 * to an SQS queue (moto cannot invoke Lambda code), and this consumer hands each event to an injected
 * handler (in the sandbox: the scoped healthcheck, src/entry/sandbox/change-checks.ts).
 *
 * Unlike the trading runtime (trading/lambda-runtime.ts), a message is deleted only after its handler
 * returned: a handler that throws leaves the event on the queue, and SQS hands it out again once its
 * visibility timeout has passed (at least once, like EventBridge's delivery). Events are handled one
 * at a time, in the order received, so two changes of one schedule are checked in order.
 *
 * `drain()` receives until the queue answers empty (WaitTimeSeconds 0: never a wait on the wall
 * clock), bounded by `maxRounds`; a message that failed is invisible for the rest of the drain.
 */
import { FaultError } from '../errors.ts';
import type { DeliveryQueues } from './trading/lambda-runtime.ts';

export interface ChangeDelivery {
  messageId: string;
  /** The EventBridge event (the message body, parsed), or the body itself when it is not JSON. */
  event: unknown;
  outcome: 'handled' | 'failed';
  result?: unknown;
  error?: string;
}

export interface ChangeConsumerOptions<R> {
  queues: Pick<DeliveryQueues, 'receive' | 'delete'>;
  queueUrl: string;
  handler: (event: unknown) => Promise<R>;
  onDelivery?: (delivery: ChangeDelivery) => void;
}

export interface ChangeDrain {
  rounds: number;
  handled: number;
  failed: number;
  deliveries: ChangeDelivery[];
}

export interface ChangeConsumer {
  /** Handles every event on the queue, then returns; throws when still busy after `maxRounds` receives (default 100). */
  drain(options?: { maxRounds?: number }): Promise<ChangeDrain>;
}

const RECEIVE_BATCH = 10;

export function createChangeConsumer<R>(options: ChangeConsumerOptions<R>): ChangeConsumer {
  return {
    async drain({ maxRounds = 100 } = {}) {
      const deliveries: ChangeDelivery[] = [];
      for (let rounds = 1; ; rounds++) {
        const messages = await options.queues.receive(options.queueUrl, RECEIVE_BATCH);
        if (messages.length === 0) {
          return { rounds, handled: deliveries.filter((d) => d.outcome === 'handled').length, failed: deliveries.filter((d) => d.outcome === 'failed').length, deliveries };
        }
        for (const message of messages) {
          const event = parseBody(message.body);
          let delivery: ChangeDelivery;
          try {
            const result = await options.handler(event);
            await options.queues.delete(options.queueUrl, [message]);
            delivery = { messageId: message.messageId, event, outcome: 'handled', result };
          } catch (error) {
            delivery = { messageId: message.messageId, event, outcome: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
          }
          deliveries.push(delivery);
          options.onDelivery?.(delivery);
        }
        if (rounds >= maxRounds) {
          throw new FaultError('CHANGE_QUEUE_NOT_IDLE', `The change queue still had events after ${rounds} receives (${deliveries.length} handled or failed): is something writing schedules on every check?`);
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
