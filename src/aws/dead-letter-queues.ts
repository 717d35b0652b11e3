/**
 * Reading and emptying the trading dead-letter queues on SQS, for `ops workflow dlq list|redrive`.
 *
 * SQS has no "peek": receiving a message hides it for the visibility timeout. To look without
 * consuming, `hold` receives with a visibility timeout (long enough to page through the queue without
 * seeing a message twice), and `release` sets each message's visibility back to 0 so it is visible
 * again at once. Looking raises ApproximateReceiveCount; a DLQ has no redrive policy of its own, so
 * that changes nothing else. A message is deleted only by `remove`, which the redrive calls after
 * EventBridge accepted the event inside.
 *
 * Short polling samples a subset of SQS's servers and may answer empty while messages wait, so after
 * an empty answer the queue is asked once more with a 1 s long poll unless every message it reported
 * (ApproximateNumberOfMessages) was already received.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { errorMessage, isAccessDenied, isNotFound } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';
import type { RawDeadLetter } from '../trading/domain/dead-letter.ts';

const QUEUE_NOT_FOUND = ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'] as const;
const BATCH = 10;

export interface QueueRef {
  /** As configured (a name or a URL). */
  given: string;
  name: string;
  url: string;
}

export interface QueueCounts {
  /** ApproximateNumberOfMessages: waiting and visible. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received by someone and not yet deleted or released. */
  inFlight: number;
}

export interface HeldMessage extends RawDeadLetter {
  receiptHandle: string;
}

export interface HoldOptions {
  /** Stop after this many messages (default 1000). */
  max?: number;
  /** How long received messages stay hidden unless released (default 60 s). */
  visibilitySeconds?: number;
}

export interface BatchFailure {
  messageId: string;
  code: string;
  message: string;
}

export class DeadLetterQueues {
  private readonly client: SQSClient;
  /** SQS calls made, for efficiency figures and tests. */
  calls = 0;

  constructor(options: { client: SQSClient }) {
    this.client = options.client;
  }

  /** A queue URL is used as given; a name is resolved with GetQueueUrl in the client's region. */
  async resolve(given: string): Promise<QueueRef> {
    if (/^https?:\/\//.test(given)) {
      const name = given.replace(/\/+$/, '').split('/').pop() ?? given;
      return { given, name, url: given };
    }
    const response = await this.call('GetQueueUrl', given, () => this.client.send(new GetQueueUrlCommand({ QueueName: given })));
    if (response.QueueUrl === undefined) throw new FaultError('DEAD_LETTER_QUEUE_FAILED', `SQS returned no URL for queue "${given}".`);
    return { given, name: given, url: response.QueueUrl };
  }

  async counts(queue: QueueRef): Promise<QueueCounts> {
    const response = await this.call('GetQueueAttributes', queue.name, () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
    );
    const read = (key: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible') => Number(response.Attributes?.[key] ?? '0') || 0;
    return { visible: read('ApproximateNumberOfMessages'), inFlight: read('ApproximateNumberOfMessagesNotVisible') };
  }

  /** Receives every visible message (up to `max`), hiding each for `visibilitySeconds`; release or remove them after. */
  async hold(queue: QueueRef, options: HoldOptions = {}): Promise<HeldMessage[]> {
    const max = options.max ?? 1_000;
    const visibility = options.visibilitySeconds ?? 60;
    const expected = (await this.counts(queue)).visible;
    const held = new Map<string, HeldMessage>();
    let longPolled = false;
    while (held.size < max) {
      const wait = longPolled ? 1 : 0;
      const response = await this.call('ReceiveMessage', queue.name, () =>
        this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.min(BATCH, max - held.size),
            VisibilityTimeout: visibility,
            WaitTimeSeconds: wait,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          }),
        ),
      );
      const messages = response.Messages ?? [];
      if (messages.length === 0) {
        if (longPolled || held.size >= expected) break;
        longPolled = true;
        continue;
      }
      for (const message of messages) {
        const raw = toHeld(message);
        if (raw !== undefined) held.set(raw.messageId, raw);
      }
    }
    return [...held.values()];
  }

  /** Makes messages visible again at once. Returns the ones SQS would not release (their handle expired). */
  async release(queue: QueueRef, messages: readonly HeldMessage[]): Promise<BatchFailure[]> {
    const failures: BatchFailure[] = [];
    for (const batch of chunks(messages, BATCH)) {
      const response = await this.call('ChangeMessageVisibilityBatch', queue.name, () =>
        this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 })),
          }),
        ),
      );
      failures.push(...batchFailures(batch, response.Failed));
    }
    return failures;
  }

  /** Deletes messages for good. Returns the ones SQS did not delete. */
  async remove(queue: QueueRef, messages: readonly HeldMessage[]): Promise<BatchFailure[]> {
    const failures: BatchFailure[] = [];
    for (const batch of chunks(messages, BATCH)) {
      const response = await this.call('DeleteMessageBatch', queue.name, () =>
        this.client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })) })),
      );
      failures.push(...batchFailures(batch, response.Failed));
    }
    return failures;
  }

  private async call<T>(operation: string, queue: string, run: () => Promise<T>): Promise<T> {
    this.calls += 1;
    try {
      return await run();
    } catch (error) {
      throw queueError(operation, queue, error);
    }
  }
}

function toHeld(message: Message): HeldMessage | undefined {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[key] = value.StringValue;
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes,
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent) } : {}),
    ...(Number.isFinite(received) && received > 0 ? { receiveCount: received } : {}),
  };
}

function batchFailures(batch: readonly HeldMessage[], failed: readonly { Id?: string; Code?: string; Message?: string }[] | undefined): BatchFailure[] {
  return (failed ?? []).map((f) => ({ messageId: batch[Number(f.Id)]?.messageId ?? `entry ${f.Id ?? '?'}`, code: f.Code ?? 'Unknown', message: f.Message ?? '' }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function queueError(operation: string, queue: string, error: unknown): Error {
  const message = errorMessage(error);
  if (isNotFound(error, ...QUEUE_NOT_FOUND)) {
    return new UserError('DEAD_LETTER_QUEUE_MISSING', `SQS queue "${queue}" does not exist (${message}).`, 'Check --queue / TRADING_DEAD_LETTER_QUEUES (the stack output tradingDeadLetterQueueNames) and the region.', { cause: error });
  }
  if (isAccessDenied(error)) {
    return new UserError('DEAD_LETTER_QUEUE_ACCESS_DENIED', `SQS ${operation} on queue "${queue}" was denied (${message}).`, `Grant sqs:${operation.replace(/Batch$/, '')} on the queue to the role or user in use.`, { cause: error });
  }
  return new FaultError('DEAD_LETTER_QUEUE_FAILED', `SQS ${operation} on queue "${queue}" failed: ${message}`, { cause: error });
}
