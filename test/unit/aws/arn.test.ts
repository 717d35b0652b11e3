import { describe, expect, it } from 'vitest';
import { ecsClusterName, iamRoleParts, isEcsClusterArn, lambdaFunctionParts, parseArn, sqsQueueParts } from '../../../src/arn.ts';

describe('parseArn', () => {
  it.each([
    ['arn:aws:ecs:us-east-1:123456789012:cluster/trading', { partition: 'aws', service: 'ecs', region: 'us-east-1', account: '123456789012', resource: 'cluster/trading' }],
    ['arn:aws:iam::123456789012:role/service-role/x', { partition: 'aws', service: 'iam', region: '', account: '123456789012', resource: 'role/service-role/x' }],
    ['arn:aws:lambda:eu-west-1:123456789012:function:step:live', { partition: 'aws', service: 'lambda', region: 'eu-west-1', account: '123456789012', resource: 'function:step:live' }],
    ['arn:aws-cn:sqs:cn-north-1:123456789012:q', { partition: 'aws-cn', service: 'sqs', region: 'cn-north-1', account: '123456789012', resource: 'q' }],
    ['arn:aws:scheduler:::aws-sdk:sqs:sendMessage', { partition: 'aws', service: 'scheduler', region: '', account: '', resource: 'aws-sdk:sqs:sendMessage' }],
  ])('%s', (arn, expected) => {
    expect(parseArn(arn)).toEqual(expected);
  });

  it.each(['', 'trading', 'arn:aws:ecs:us-east-1:123456789012', 'arn::ecs:us-east-1:1:cluster/x', 'arn:aws::us-east-1:1:x', 'arn:aws:ecs:us-east-1:1:', 'urn:aws:ecs:r:1:cluster/x'])(
    'rejects %j',
    (arn) => {
      expect(parseArn(arn)).toBeUndefined();
    },
  );
});

describe('ecsClusterName', () => {
  it.each([
    ['arn:aws:ecs:us-east-1:123456789012:cluster/trading', 'trading'],
    ['arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/a-b_c', 'a-b_c'],
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/run:3', undefined],
    ['arn:aws:ecs:us-east-1:123456789012:cluster/', undefined],
    ['arn:aws:ecs:us-east-1:123456789012:cluster/a/b', undefined],
    ['arn:aws:lambda:us-east-1:123456789012:function:cluster/x', undefined],
    ['trading', undefined],
  ])('%s → %s', (arn, name) => {
    expect(ecsClusterName(arn)).toBe(name);
    expect(isEcsClusterArn(arn)).toBe(name !== undefined);
  });
});

describe('sqsQueueParts', () => {
  it.each([
    ['arn:aws:sqs:us-east-1:123456789012:orders', { name: 'orders', account: '123456789012', region: 'us-east-1' }],
    ['arn:aws:sqs:eu-west-1:210987654321:orders-dlq.fifo', { name: 'orders-dlq.fifo', account: '210987654321', region: 'eu-west-1' }],
    ['arn:aws:sqs::123456789012:orders', undefined],
    ['arn:aws:sqs:us-east-1::orders', undefined],
    ['arn:aws:sns:us-east-1:123456789012:orders', undefined],
    ['arn:aws:sqs:us-east-1:123456789012:a:b', undefined],
  ])('%s', (arn, expected) => {
    expect(sqsQueueParts(arn)).toEqual(expected);
  });
});

describe('iamRoleParts', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/scheduler-run', { name: 'scheduler-run', path: '/', account: '123456789012' }],
    ['arn:aws:iam::123456789012:role/service-role/x', { name: 'x', path: '/service-role/', account: '123456789012' }],
    ['arn:aws:iam::123456789012:role/a/b/c', { name: 'c', path: '/a/b/', account: '123456789012' }],
    ['arn:aws:iam::123456789012:user/alice', undefined],
    ['arn:aws:iam::123456789012:role/', undefined],
    ['arn:aws:iam::123456789012:role/a//b', undefined],
    ['arn:aws:sts::123456789012:assumed-role/x/session', undefined],
  ])('%s', (arn, expected) => {
    expect(iamRoleParts(arn)).toEqual(expected);
  });
});

describe('lambdaFunctionParts', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:step', { name: 'step', account: '123456789012', region: 'us-east-1' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:step:live', { name: 'step', qualifier: 'live', account: '123456789012', region: 'us-east-1' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:step:7', { name: 'step', qualifier: '7', account: '123456789012', region: 'us-east-1' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:', undefined],
    ['arn:aws:lambda:us-east-1:123456789012:function:step:', undefined],
    ['arn:aws:lambda:us-east-1:123456789012:function:step:live:extra', undefined],
    ['arn:aws:lambda:us-east-1:123456789012:layer:deps:1', undefined],
  ])('%s', (arn, expected) => {
    expect(lambdaFunctionParts(arn)).toEqual(expected);
  });
});
