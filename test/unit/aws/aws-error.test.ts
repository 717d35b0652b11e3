import { AccessDeniedException, ClientException, ClusterNotFoundException } from '@aws-sdk/client-ecs';
import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { errorMessage, errorName, isAccessDenied, isNotFound } from '../../../src/aws-error.ts';
import { toLookupFailure } from '../../../src/aws/lookup-failure.ts';

const meta = { $metadata: {} };

describe('isAccessDenied', () => {
  it.each([
    ['ECS AccessDeniedException', new AccessDeniedException({ message: 'denied', ...meta }), true],
    ['IAM query-protocol AccessDenied', new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'denied', ...meta }), true],
    ['EC2 UnauthorizedOperation', Object.assign(new Error('nope'), { name: 'UnauthorizedOperation' }), true],
    ['a wire Code with a generic name', Object.assign(new Error('nope'), { Code: 'AccessDenied' }), true],
    [
      'ECS ClientException with an IAM message',
      new ClientException({ message: 'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ecs:DescribeClusters', ...meta }),
      true,
    ],
    ['ECS ClientException about something else', new ClientException({ message: 'Unable to describe task definition.', ...meta }), false],
    ['ClusterNotFoundException', new ClusterNotFoundException({ message: 'Cluster not found.', ...meta }), false],
    ['a throttle', Object.assign(new Error('slow down'), { name: 'ThrottlingException' }), false],
    ['a string', 'AccessDenied', false],
    ['undefined', undefined, false],
  ])('%s → %s', (_label, error, expected) => {
    expect(isAccessDenied(error)).toBe(expected);
  });
});

describe('isNotFound', () => {
  it('matches the error name against the names the caller lists', () => {
    const error = new NoSuchEntityException({ message: 'The role with name x cannot be found.', ...meta });
    expect(isNotFound(error, 'NoSuchEntityException', 'NoSuchEntity')).toBe(true);
    expect(isNotFound(error, 'ResourceNotFoundException')).toBe(false);
    expect(isNotFound(error)).toBe(false);
  });

  it('also matches the wire code of an error whose name is generic', () => {
    const legacy = Object.assign(new Error('The specified queue does not exist.'), { Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(isNotFound(legacy, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue')).toBe(true);
    expect(isNotFound(new QueueDoesNotExist({ message: 'gone', ...meta }), 'QueueDoesNotExist')).toBe(true);
  });
});

describe('toLookupFailure', () => {
  it('keeps the IAM action, the AWS error name and its message', () => {
    const error = new AccessDeniedException({ message: 'User x is not authorized', ...meta });
    expect(toLookupFailure(error, 'ecs:DescribeClusters')).toEqual({
      action: 'ecs:DescribeClusters',
      errorName: 'AccessDeniedException',
      message: 'User x is not authorized',
    });
  });

  it('names Node network errors by their code', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    expect(toLookupFailure(error, 'scheduler:GetSchedule')).toEqual({
      action: 'scheduler:GetSchedule',
      errorName: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:5000',
    });
  });

  it.each([
    [new TypeError('bad'), 'TypeError', 'bad'],
    [new Error('plain'), 'Error', 'plain'],
    [{ Message: 'from a wire shape', Code: 'Throttling' }, 'Throttling', 'from a wire shape'],
    ['just a string', 'UnknownError', 'just a string'],
    [null, 'UnknownError', 'null'],
  ])('%j → %s', (error, name, message) => {
    expect(errorName(error)).toBe(name);
    expect(errorMessage(error)).toBe(message);
  });
});
