import { GetFunctionCommand, LambdaClient, LambdaServiceException, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLambdaReader } from '../../../src/aws/lambda-reader.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:step';
const meta = { $metadata: {} };

const client = new LambdaClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

describe('getFunction', () => {
  it('asks with the full ARN and is found', async () => {
    mock.on(GetFunctionCommand).resolves({ Configuration: { FunctionArn: FN, FunctionName: 'step' } });

    const lookup = await createLambdaReader(client).getFunction(FN);

    expect(mock).toHaveReceivedCommandExactlyOnceWith(GetFunctionCommand, { FunctionName: FN });
    expect(lookup).toEqual({ status: 'found', value: { arn: FN } });
  });

  it('keeps an alias qualifier in FunctionName, so a missing alias is checked too', async () => {
    mock.on(GetFunctionCommand).rejects(new ResourceNotFoundException({ message: 'Function not found: step:live', ...meta }));

    const lookup = await createLambdaReader(client).getFunction(`${FN}:live`);

    expect(mock).toHaveReceivedCommandExactlyOnceWith(GetFunctionCommand, { FunctionName: `${FN}:live` });
    expect(lookup).toEqual({ status: 'missing', reason: `function ${FN}:live does not exist` });
  });

  it.each([
    ['access denied', new LambdaServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'denied', ...meta }), 'AccessDeniedException'],
    ['throttling', new TooManyRequestsException({ message: 'Rate exceeded', ...meta }), 'TooManyRequestsException'],
  ])('is unknown with lambda:GetFunction on %s', async (_label, error, errorName) => {
    mock.on(GetFunctionCommand).rejects(error);

    const lookup = await createLambdaReader(client).getFunction(FN);

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'lambda:GetFunction', errorName } });
  });

  it('does not call Lambda for something that is not a function ARN', async () => {
    const lookup = await createLambdaReader(client).getFunction('arn:aws:sqs:us-east-1:123456789012:orders');

    expect(lookup.status).toBe('missing');
    expect(mock).toHaveReceivedCommandTimes(GetFunctionCommand, 0);
  });
});
