/** The local Lambda runtime's queue calls (../trading/lambda-runtime.ts) over the SQS client. */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { FaultError } from '../../errors.ts';
import type { DeliveryQueues, QueuedMessage } from '../trading/lambda-runtime.ts';

export function createDeliveryQueues(sqs: SQSClient): DeliveryQueues {
  return {
    async receive(queueUrl, max) {
      // WaitTimeSeconds 0: a drain must see "empty" at once; the background loop paces itself.
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 0 }));
      return Messages.flatMap((m): QueuedMessage[] =>
        m.ReceiptHandle === undefined ? [] : [{ messageId: m.MessageId ?? m.ReceiptHandle, receiptHandle: m.ReceiptHandle, body: m.Body ?? '' }],
      );
    },
    async delete(queueUrl, messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const batch = messages.slice(i, i + 10);
        const { Failed = [] } = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle })) }));
        if (Failed.length > 0) throw new FaultError('SANDBOX_DELETE_FAILED', `SQS did not delete ${Failed.length} delivery message(s) from ${queueUrl}: ${Failed[0]?.Message ?? Failed[0]?.Code ?? 'unknown'}.`);
      }
    },
    async send(queueUrl, body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
