import 'aws-sdk-client-mock-vitest/extend';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterQueues, type HeldMessage } from '../../../src/aws/dead-letter-queues.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const sqsMock = mockClient(SQSClient);
const client = () => new SQSClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const URL = 'https://sqs.us-west-2.amazonaws.com/123456789012/ops-trading-rule-dlq';
const QUEUE = { given: 'ops-trading-rule-dlq', name: 'ops-trading-rule-dlq', url: URL };

const message = (i: number) => ({
  MessageId: `m${i}`,
  ReceiptHandle: `rh${i}`,
  Body: `{"n":${i}}`,
  Attributes: { SentTimestamp: '1795446000000', ApproximateReceiveCount: '2' },
  MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'X' }, BLOB: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } },
});

beforeEach(() => {
  sqsMock.reset();
});

describe('DeadLetterQueues', () => {
  it('resolves a name with GetQueueUrl and takes a URL as it is', async () => {
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: URL });
    const dlq = new DeadLetterQueues({ client: client() });
    expect(await dlq.resolve('ops-trading-rule-dlq')).toEqual(QUEUE);
    expect(await dlq.resolve(`${URL}/`)).toEqual({ given: `${URL}/`, name: 'ops-trading-rule-dlq', url: `${URL}/` });
    expect(sqsMock).toHaveReceivedCommandTimes(GetQueueUrlCommand, 1);
  });

  it('holds every visible message with a visibility timeout, reading attributes, and stops once the count is reached', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '12', ApproximateNumberOfMessagesNotVisible: '1' } });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: Array.from({ length: 10 }, (_, i) => message(i)) })
      .resolvesOnce({ Messages: [message(10), message(11), message(3)] })
      .resolves({ Messages: [] });
    const dlq = new DeadLetterQueues({ client: client() });
    const held = await dlq.hold(QUEUE, { visibilitySeconds: 30 });
    expect(held.map((h) => h.messageId)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect(held[0]).toEqual({ messageId: 'm0', receiptHandle: 'rh0', body: '{"n":0}', attributes: { ERROR_CODE: 'X' }, sentAt: new Date(1795446000000), receiveCount: 2 });
    const receives = sqsMock.commandCalls(ReceiveMessageCommand);
    // Two pages, then one empty answer ends it (12 of 12 received: no long poll).
    expect(receives).toHaveLength(3);
    expect(receives[0]?.args[0].input).toEqual({
      QueueUrl: URL,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    });
  });

  it('asks once more with a 1 s long poll when short polling answers empty before the reported count', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: [] }).resolvesOnce({ Messages: [message(1), message(2)] }).resolves({});
    const held = await new DeadLetterQueues({ client: client() }).hold(QUEUE, { max: 5 });
    expect(held).toHaveLength(2);
    expect(sqsMock.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.WaitTimeSeconds)).toEqual([0, 1, 1]);
    expect(await new DeadLetterQueues({ client: client() }).counts(QUEUE)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('releases (visibility 0) and deletes in batches of 10, returning what SQS refused', async () => {
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'expired' }] });
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
    const held: HeldMessage[] = Array.from({ length: 12 }, (_, i) => ({ messageId: `m${i}`, receiptHandle: `rh${i}`, body: '', attributes: {} }));
    const dlq = new DeadLetterQueues({ client: client() });
    expect(await dlq.release(QUEUE, held)).toEqual([
      { messageId: 'm1', code: 'ReceiptHandleIsInvalid', message: 'expired' },
      { messageId: 'm11', code: 'ReceiptHandleIsInvalid', message: 'expired' },
    ]);
    const release = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(release.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(release[0]?.args[0].input.Entries?.[0]).toEqual({ Id: '0', ReceiptHandle: 'rh0', VisibilityTimeout: 0 });
    expect(await dlq.remove(QUEUE, held.slice(0, 3))).toEqual([]);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageBatchCommand, { QueueUrl: URL, Entries: [{ Id: '0', ReceiptHandle: 'rh0' }, { Id: '1', ReceiptHandle: 'rh1' }, { Id: '2', ReceiptHandle: 'rh2' }] });
    expect(dlq.calls).toBe(3);
  });

  it('turns a missing queue and a denied call into user errors, anything else into a fault', async () => {
    sqsMock.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const missing = await new DeadLetterQueues({ client: client() }).resolve('nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect(missing).toMatchObject({ code: 'DEAD_LETTER_QUEUE_MISSING', hint: expect.stringContaining('tradingDeadLetterQueueNames') as unknown });

    sqsMock.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const denied = await new DeadLetterQueues({ client: client() }).counts(QUEUE).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'DEAD_LETTER_QUEUE_ACCESS_DENIED', hint: 'Grant sqs:GetQueueAttributes on the queue to the role or user in use.' });

    sqsMock.on(DeleteMessageBatchCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalError' }));
    const fault = await new DeadLetterQueues({ client: client() }).remove(QUEUE, [{ messageId: 'm', receiptHandle: 'r', body: '', attributes: {} }]).catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(FaultError);
    expect(fault).toMatchObject({ code: 'DEAD_LETTER_QUEUE_FAILED', message: 'SQS DeleteMessageBatch on queue "ops-trading-rule-dlq" failed: boom' });
  });
});
