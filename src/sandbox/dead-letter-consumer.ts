/**
 * The sandbox's stand-in for Lambda's SQS event source: receives from schedule dead-letter queues,
 * hands each batch to a handler in the shape Lambda uses (`{ Records: [...] }`, records with
 * `messageId`, `receiptHandle`, `body`, `attributes`, `messageAttributes`, `eventSourceARN`, …), and
 * honours ReportBatchItemFailures: the messages the handler names in `batchItemFailures` stay in the
 * queue, the others are deleted. A handler that throws keeps the whole batch, as Lambda does, and so
 * does a response naming a message that was not in the batch.
 *
 * Kept messages are made visible again at once (ChangeMessageVisibility 0) instead of after the
 * visibility timeout, so a test retries them on its next `drain()` without waiting on the wall clock.
 * On moto bound to the virtual clock, "at once" is the next instant: moto's clock stands still at the
 * virtual instant, so move the sandbox clock on (even by a second) before draining again.
 * `drain()` stops reading a queue after a batch with kept messages (they would only come straight
 * back) and after `maxRounds` batches.
 */
import type { SqsRecord } from '../healthcheck/dead-letter-event.ts';

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody?: string;
  /** System attributes (ApproximateReceiveCount, SentTimestamp, …). */
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: Uint8Array }>;
}

/** What the consumer needs from SQS; src/sandbox/aws/dead-letter-queue-api.ts implements it. */
export interface DeadLetterQueuePort {
  queueArn(queueUrl: string): Promise<string>;
  /** One ReceiveMessage with every message attribute and system attribute. */
  receive(queueUrl: string, options: { maxMessages: number; visibilitySeconds: number }): Promise<QueueMessage[]>;
  delete(queueUrl: string, receiptHandles: readonly string[]): Promise<void>;
  /** Visible again at once (ChangeMessageVisibility 0). */
  release(queueUrl: string, receiptHandles: readonly string[]): Promise<void>;
}

/** A Lambda SQS record: what the handler reads plus the fields Lambda sends besides. */
export interface LambdaSqsRecord extends SqsRecord {
  receiptHandle: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[] }>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  awsRegion: string;
}

export type SqsBatchHandler = (event: { Records: LambdaSqsRecord[] }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface DeadLetterConsumerOptions {
  port: DeadLetterQueuePort;
  queueUrls: readonly string[];
  handler: SqsBatchHandler;
  region: string;
  /** Messages per batch, at most 10 (SQS's ReceiveMessage limit); default 10. */
  batchSize?: number;
  /** How long a received message stays hidden while the handler runs; default 180 s (the deployed queues'). */
  visibilitySeconds?: number;
  /** Batches per queue per drain; default 50. */
  maxRounds?: number;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

export interface QueueDrain {
  queueUrl: string;
  received: number;
  deleted: number;
  kept: number;
  batches: number;
  /** What the handler threw, per batch that it threw on. */
  errors: string[];
  /** True when maxRounds ran out with messages still arriving. */
  truncated: boolean;
}

export interface DrainSummary {
  received: number;
  deleted: number;
  kept: number;
  queues: QueueDrain[];
}

export interface DeadLetterConsumer {
  /** Delivers every visible message of every queue to the handler, batch by batch. */
  drain(): Promise<DrainSummary>;
}

const SQS_MAX_BATCH = 10;

export function createDeadLetterConsumer(options: DeadLetterConsumerOptions): DeadLetterConsumer {
  const batchSize = options.batchSize ?? SQS_MAX_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > SQS_MAX_BATCH) {
    throw new RangeError(`batchSize must be an integer from 1 to ${SQS_MAX_BATCH}, got ${batchSize}.`);
  }
  const visibilitySeconds = options.visibilitySeconds ?? 180;
  const maxRounds = options.maxRounds ?? 50;
  const log = options.log ?? (() => undefined);
  const arns = new Map<string, string>();

  async function drainQueue(queueUrl: string): Promise<QueueDrain> {
    const drained: QueueDrain = { queueUrl, received: 0, deleted: 0, kept: 0, batches: 0, errors: [], truncated: false };
    let queueArn = arns.get(queueUrl);
    if (queueArn === undefined) {
      queueArn = await options.port.queueArn(queueUrl);
      arns.set(queueUrl, queueArn);
    }
    for (let round = 0; ; round++) {
      if (round >= maxRounds) {
        drained.truncated = true;
        break;
      }
      const messages = await options.port.receive(queueUrl, { maxMessages: batchSize, visibilitySeconds });
      if (messages.length === 0) break;
      drained.batches++;
      drained.received += messages.length;
      const failed = await deliver(messages.map((m) => lambdaSqsRecord(m, queueArn, options.region)), drained);
      const keep = messages.filter((m) => failed.has(m.messageId));
      const done = messages.filter((m) => !failed.has(m.messageId));
      if (done.length > 0) await options.port.delete(queueUrl, done.map((m) => m.receiptHandle));
      if (keep.length > 0) await options.port.release(queueUrl, keep.map((m) => m.receiptHandle));
      drained.deleted += done.length;
      drained.kept += keep.length;
      // Kept messages are visible again at once: reading on would hand them straight back.
      if (keep.length > 0) break;
    }
    return drained;
  }

  /** The message ids SQS must keep: the handler's failures, or all of them when its answer is unusable. */
  async function deliver(records: LambdaSqsRecord[], drained: QueueDrain): Promise<Set<string>> {
    const all = new Set(records.map((r) => r.messageId));
    try {
      const response = await options.handler({ Records: records });
      const failures = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      const unknown = failures.filter((id) => !all.has(id));
      if (unknown.length > 0) {
        drained.errors.push(`batchItemFailures names messages not in the batch (${unknown.join(', ')}): the whole batch is kept`);
        return all;
      }
      return new Set(failures);
    } catch (error) {
      drained.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      log('dead-letter handler threw: the whole batch is kept', { queue: drained.queueUrl, error: drained.errors.at(-1) });
      return all;
    }
  }

  return {
    async drain() {
      const queues: QueueDrain[] = [];
      for (const url of options.queueUrls) queues.push(await drainQueue(url));
      const sum = (key: 'received' | 'deleted' | 'kept') => queues.reduce((n, q) => n + q[key], 0);
      return { received: sum('received'), deleted: sum('deleted'), kept: sum('kept'), queues };
    },
  };
}

/** A received message as Lambda's SQS event source delivers it. */
export function lambdaSqsRecord(message: QueueMessage, queueArn: string, region: string): LambdaSqsRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, value]) => [
        name,
        {
          dataType: value.dataType,
          ...(value.stringValue !== undefined ? { stringValue: value.stringValue } : {}),
          ...(value.binaryValue !== undefined ? { binaryValue: Buffer.from(value.binaryValue).toString('base64') } : {}),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.md5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
