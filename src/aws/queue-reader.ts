/**
 * QueuePort over SQS: does a target or dead-letter queue exist? One GetQueueUrl per ARN asked, by
 * name and owner account (GetQueueUrl is the cheapest call that proves existence, and it works for
 * queues another account shares with us).
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Lookup } from '../checks/model.ts';
import type { QueuePort } from '../checks/ports.ts';
import { sqsQueueParts } from '../arn.ts';
import { isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';

export const QueueAction = { getQueueUrl: 'sqs:GetQueueUrl' } as const;

/**
 * The JSON protocol names the error `QueueDoesNotExist`; the query protocol (and moto) answer with
 * the legacy code `AWS.SimpleQueueService.NonExistentQueue`.
 */
const QUEUE_NOT_FOUND = ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'] as const;

export function createQueueReader(client: SQSClient): QueuePort {
  return {
    async getQueue(queueArn): Promise<Lookup<{ arn: string }>> {
      const parts = sqsQueueParts(queueArn);
      if (parts === undefined) return { status: 'missing', reason: `${queueArn} is not an SQS queue ARN` };
      // GetQueueUrl resolves names in the client's region only: asking for another region's queue
      // would answer "does not exist" for a queue that does.
      const region = await clientRegion(client);
      if (region !== undefined && region !== parts.region) {
        return {
          status: 'unknown',
          failure: {
            action: QueueAction.getQueueUrl,
            errorName: 'CrossRegionQueue',
            message: `${queueArn} is in ${parts.region}; this client reads ${region}`,
          },
        };
      }
      try {
        await client.send(new GetQueueUrlCommand({ QueueName: parts.name, QueueOwnerAWSAccountId: parts.account }));
        return { status: 'found', value: { arn: queueArn } };
      } catch (error) {
        if (isNotFound(error, ...QUEUE_NOT_FOUND)) return { status: 'missing', reason: `queue ${parts.name} does not exist` };
        return { status: 'unknown', failure: toLookupFailure(error, QueueAction.getQueueUrl) };
      }
    },
  };
}

async function clientRegion(client: SQSClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    // No region configured: the call itself will fail and say so.
    return undefined;
  }
}
