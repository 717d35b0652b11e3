import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createQueueReader } from '../../../src/aws/queue-reader.ts';
import { fakeHttpHandler, OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const meta = { $metadata: {} };

const client = new SQSClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

describe('getQueue', () => {
  it('asks GetQueueUrl by name and owner account, and is found', async () => {
    mock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq' });

    const lookup = await createQueueReader(client).getQueue(QUEUE);

    expect(mock).toHaveReceivedCommandExactlyOnceWith(GetQueueUrlCommand, { QueueName: 'orders-dlq', QueueOwnerAWSAccountId: '123456789012' });
    expect(lookup).toEqual({ status: 'found', value: { arn: QUEUE } });
  });

  it.each([
    ['QueueDoesNotExist (JSON protocol)', new QueueDoesNotExist({ message: 'The specified queue does not exist.', ...meta })],
    [
      'AWS.SimpleQueueService.NonExistentQueue (query protocol, moto)',
      new SQSServiceException({ name: 'AWS.SimpleQueueService.NonExistentQueue', $fault: 'client', message: 'The specified queue does not exist.', ...meta }),
    ],
  ])('is missing on %s', async (_label, error) => {
    mock.on(GetQueueUrlCommand).rejects(error);

    expect(await createQueueReader(client).getQueue(QUEUE)).toEqual({ status: 'missing', reason: 'queue orders-dlq does not exist' });
  });

  it('is unknown with sqs:GetQueueUrl when denied', async () => {
    mock.on(GetQueueUrlCommand).rejects(new SQSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'denied', ...meta }));

    expect(await createQueueReader(client).getQueue(QUEUE)).toEqual({
      status: 'unknown',
      failure: { action: 'sqs:GetQueueUrl', errorName: 'AccessDenied', message: 'denied' },
    });
  });

  it('does not report a queue in another region as missing', async () => {
    const lookup = await createQueueReader(client).getQueue('arn:aws:sqs:eu-west-1:123456789012:orders-dlq');

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'sqs:GetQueueUrl', errorName: 'CrossRegionQueue' } });
    expect(mock).toHaveReceivedCommandTimes(GetQueueUrlCommand, 0);
  });

  it('does not call SQS for something that is not a queue ARN', async () => {
    const lookup = await createQueueReader(client).getQueue('arn:aws:sns:us-east-1:123456789012:alerts');

    expect(lookup.status).toBe('missing');
    expect(mock).toHaveReceivedCommandTimes(GetQueueUrlCommand, 0);
  });
});

describe('getQueue over the JSON protocol (real client, scripted HTTP)', () => {
  it('treats the legacy wire code moto sends as missing', async () => {
    const http = fakeHttpHandler([
      {
        statusCode: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({ __type: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.' }),
      },
    ]);
    const real = new SQSClient({ ...OFFLINE_CLIENT_CONFIG, maxAttempts: 1, requestHandler: http.handler });

    const lookup = await createQueueReader(real).getQueue(QUEUE);

    expect(JSON.parse(http.requests[0]?.body ?? '{}')).toEqual({ QueueName: 'orders-dlq', QueueOwnerAWSAccountId: '123456789012' });
    expect(lookup).toEqual({ status: 'missing', reason: 'queue orders-dlq does not exist' });
  });
});
