/**
 * The sandbox dead-letter consumer's SQS calls (src/sandbox/dead-letter-consumer.ts), over the SDK.
 * Short polling (WaitTimeSeconds 0): moto answers with every visible message; on real SQS a short
 * poll samples some servers and may answer empty early, which only ends one `drain()` sooner.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type BatchResultErrorEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { FaultError } from '../../errors.ts';
import type { DeadLetterQueuePort, QueueMessage } from '../dead-letter-consumer.ts';

export function createDeadLetterQueuePort(sqs: SQSClient): DeadLetterQueuePort {
  return {
    async queueArn(queueUrl) {
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      const arn = out.Attributes?.QueueArn;
      if (arn === undefined) throw new FaultError('QUEUE_ARN_MISSING', `GetQueueAttributes returned no QueueArn for ${queueUrl}.`);
      return arn;
    },

    async receive(queueUrl, options): Promise<QueueMessage[]> {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.maxMessages,
          VisibilityTimeout: options.visibilitySeconds,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        ...(m.MD5OfBody !== undefined ? { md5OfBody: m.MD5OfBody } : {}),
        attributes: Object.fromEntries(Object.entries(m.Attributes ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              dataType: value.DataType ?? 'String',
              ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
              ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
            },
          ]),
        ),
      }));
    },

    async delete(queueUrl, receiptHandles) {
      if (receiptHandles.length === 0) return;
      const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })) }));
      failIfAny('DeleteMessageBatch', queueUrl, out.Failed);
    },

    async release(queueUrl, receiptHandles) {
      if (receiptHandles.length === 0) return;
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: 0 })) }),
      );
      failIfAny('ChangeMessageVisibilityBatch', queueUrl, out.Failed);
    },
  };
}

function failIfAny(call: string, queueUrl: string, failed: BatchResultErrorEntry[] | undefined): void {
  if (failed === undefined || failed.length === 0) return;
  const reasons = failed.map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`.trim()).join('; ');
  throw new FaultError('SQS_BATCH_FAILED', `${call} on ${queueUrl} failed for ${failed.length} message(s): ${reasons}`);
}
