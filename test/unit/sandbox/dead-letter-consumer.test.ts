import { describe, expect, it } from 'vitest';
import { createDeadLetterConsumer, type DeadLetterQueuePort, type LambdaSqsRecord, type QueueMessage, type SqsBatchHandler } from '../../../src/sandbox/dead-letter-consumer.ts';

const URL = 'http://127.0.0.1:5000/123456789012/ops-pipeline-scheduler-dlq';
const ARN = 'arn:aws:sqs:us-west-2:123456789012:ops-pipeline-scheduler-dlq';

/** An in-memory queue: received messages are hidden until deleted or released. */
function fakeQueue(count: number) {
  const visible: QueueMessage[] = Array.from({ length: count }, (_, i) => ({
    messageId: `m${i + 1}`,
    receiptHandle: `rh${i + 1}`,
    body: `{"n":${i + 1}}`,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: { SCHEDULE_ARN: { dataType: 'String', stringValue: `arn:aws:scheduler:us-west-2:123456789012:schedule/g/s${i + 1}` } },
  }));
  const inFlight = new Map<string, QueueMessage>();
  const calls: string[] = [];
  const port: DeadLetterQueuePort = {
    queueArn: async () => ARN,
    async receive(_url, options) {
      calls.push(`receive ${options.maxMessages} ${options.visibilitySeconds}`);
      const batch = visible.splice(0, options.maxMessages);
      for (const m of batch) inFlight.set(m.receiptHandle, m);
      return batch;
    },
    async delete(_url, handles) {
      calls.push(`delete ${handles.join(',')}`);
      for (const h of handles) inFlight.delete(h);
    },
    async release(_url, handles) {
      calls.push(`release ${handles.join(',')}`);
      for (const h of handles) {
        const m = inFlight.get(h);
        inFlight.delete(h);
        if (m) visible.push(m);
      }
    },
  };
  return { port, visible, inFlight, calls };
}

function consumer(port: DeadLetterQueuePort, handler: SqsBatchHandler, extra: { maxRounds?: number } = {}) {
  return createDeadLetterConsumer({ port, queueUrls: [URL], handler, region: 'us-west-2', ...extra });
}

describe('createDeadLetterConsumer', () => {
  it('hands Lambda-shaped batches of 10 to the handler and deletes what it handled', async () => {
    const queue = fakeQueue(23);
    const batches: LambdaSqsRecord[][] = [];
    const summary = await consumer(queue.port, async (event) => {
      batches.push(event.Records);
      return { batchItemFailures: [] };
    }).drain();

    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches[0]![0]).toEqual({
      messageId: 'm1',
      receiptHandle: 'rh1',
      body: '{"n":1}',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { SCHEDULE_ARN: { dataType: 'String', stringValue: 'arn:aws:scheduler:us-west-2:123456789012:schedule/g/s1', stringListValues: [], binaryListValues: [] } },
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'us-west-2',
    });
    expect(summary).toMatchObject({ received: 23, deleted: 23, kept: 0, queues: [{ batches: 3, errors: [], truncated: false }] });
    expect(queue.visible).toEqual([]);
    expect(queue.inFlight.size).toBe(0);
    expect(queue.calls[0]).toBe('receive 10 180');
  });

  it('keeps exactly the batch item failures, visible again at once, and stops reading that queue', async () => {
    const queue = fakeQueue(12);
    const summary = await consumer(queue.port, async () => ({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm5' }] })).drain();

    expect(summary).toMatchObject({ received: 10, deleted: 8, kept: 2 });
    expect(queue.calls).toEqual(['receive 10 180', 'delete rh1,rh3,rh4,rh6,rh7,rh8,rh9,rh10', 'release rh2,rh5']);
    expect(queue.visible.map((m) => m.messageId).sort()).toEqual(['m11', 'm12', 'm2', 'm5']);
  });

  it('keeps the whole batch when the handler throws, or names a message that was not in it', async () => {
    const thrown = fakeQueue(3);
    const failed = await consumer(thrown.port, async () => {
      throw new Error('Runtime.UnhandledPromiseRejection');
    }).drain();
    expect(failed).toMatchObject({ received: 3, deleted: 0, kept: 3, queues: [{ errors: ['Error: Runtime.UnhandledPromiseRejection'] }] });
    expect(thrown.visible).toHaveLength(3);

    const confused = fakeQueue(2);
    const summary = await consumer(confused.port, async () => ({ batchItemFailures: [{ itemIdentifier: 'elsewhere' }] })).drain();
    expect(summary).toMatchObject({ deleted: 0, kept: 2 });
    expect(summary.queues[0]!.errors[0]).toMatch(/not in the batch \(elsewhere\)/);
  });

  it('stops after maxRounds batches and says so', async () => {
    const queue = fakeQueue(25);
    const summary = await consumer(queue.port, async () => ({ batchItemFailures: [] }), { maxRounds: 2 }).drain();
    expect(summary).toMatchObject({ received: 20, deleted: 20, queues: [{ truncated: true }] });
    expect(queue.visible).toHaveLength(5);
  });

  it('refuses a batch size SQS cannot receive', () => {
    expect(() => createDeadLetterConsumer({ port: fakeQueue(0).port, queueUrls: [URL], handler: async () => ({ batchItemFailures: [] }), region: 'r', batchSize: 11 })).toThrow(
      /batchSize must be an integer from 1 to 10, got 11/,
    );
  });
});
