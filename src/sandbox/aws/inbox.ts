/**
 * The sandbox's stand-in for an email inbox: every SNS topic the seeder creates has a capture SQS
 * queue subscribed (moto cannot send email). Reading it gives what a subscriber would have received.
 */
import { ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface ReceivedEmail {
  subject: string;
  body: string;
}

/** Raw delivery drops the Subject; the SNS envelope keeps it, as an email subscriber sees it. */
export async function keepSubjects(sns: SNSClient, topicArn: string): Promise<void> {
  const subscriptions = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  for (const s of subscriptions.Subscriptions ?? []) {
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }));
  }
}

/** Everything delivered since the last read, oldest first; read messages are deleted. */
export async function readInbox(sqs: SQSClient, queueUrl: string): Promise<ReceivedEmail[]> {
  const emails: ReceivedEmail[] = [];
  for (let round = 0; round < 100; round++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 }));
    const batch = out.Messages ?? [];
    if (batch.length === 0) break;
    for (const message of batch) {
      const envelope = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string };
      emails.push({ subject: envelope.Subject ?? '', body: envelope.Message ?? message.Body ?? '' });
    }
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
  return emails;
}
