import { ConditionalCheckFailedException, ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { callDynamo, dynamoErrorMapper, grantToCallerHint, isConditionalCheckFailed, type DynamoErrorSpec } from '../../../src/aws/dynamo-errors.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const meta = { $metadata: {} };
const spec: DynamoErrorSpec = {
  table: 'sample table',
  codes: { missing: 'SAMPLE_MISSING', denied: 'SAMPLE_DENIED', failed: 'SAMPLE_FAILED' },
  hints: { missing: 'Create it.', denied: grantToCallerHint },
};
const missing = new ResourceNotFoundException({ message: 'Requested resource not found', ...meta });
const denied = Object.assign(new Error('User: x is not authorized to perform: dynamodb:PutItem'), { name: 'AccessDeniedException' });
const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', ...meta });
const conditional = new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta });

describe('dynamoErrorMapper', () => {
  const map = dynamoErrorMapper(spec);

  it('a missing table is a user error with the adapter\'s code, words and hint', () => {
    const error = map('Query', 't1', missing);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'SAMPLE_MISSING', message: 'DynamoDB Query failed: sample table "t1" does not exist (Requested resource not found).', hint: 'Create it.', cause: missing });
  });

  it('a denied call is a user error whose hint names the operation', () => {
    expect(map('PutItem', 't1', denied)).toMatchObject({
      code: 'SAMPLE_DENIED',
      message: 'DynamoDB PutItem on sample table "t1" was denied (User: x is not authorized to perform: dynamodb:PutItem).',
      hint: 'Grant dynamodb:PutItem on the table to the role or user in use.',
    });
  });

  it('throttling is its own fault only for an adapter that declares a code for it', () => {
    expect(map('GetItem', 't1', throttled)).toMatchObject({ code: 'SAMPLE_FAILED', message: 'DynamoDB GetItem on sample table "t1" failed: slow down' });
    const withThrottle = dynamoErrorMapper({ ...spec, codes: { ...spec.codes, throttled: 'SAMPLE_THROTTLED' } });
    const error = withThrottle('GetItem', 't1', throttled);
    expect(error).toBeInstanceOf(FaultError);
    expect(error).toMatchObject({ code: 'SAMPLE_THROTTLED', message: 'DynamoDB GetItem on sample table "t1" was throttled: slow down' });
  });

  it('shownName changes the name in user errors only', () => {
    const clipping = dynamoErrorMapper({ ...spec, shownName: (name) => `${name.slice(0, 3)}…` });
    expect(clipping('Query', 'abcdef', missing).message).toBe('DynamoDB Query failed: sample table "abc…" does not exist (Requested resource not found).');
    expect(clipping('Query', 'abcdef', new Error('boom')).message).toBe('DynamoDB Query on sample table "abcdef" failed: boom');
  });
});

describe('callDynamo', () => {
  const map = dynamoErrorMapper(spec);

  it('returns what the call returns', async () => {
    expect(await callDynamo('GetItem', 't1', map, () => Promise.resolve(42))).toBe(42);
  });

  it('passes a failed condition through unmapped by default, for the adapter to answer', async () => {
    const thrown = await callDynamo('PutItem', 't1', map, () => Promise.reject(conditional)).catch((e: unknown) => e);
    expect(thrown).toBe(conditional);
    expect(isConditionalCheckFailed(thrown)).toBe(true);
    expect(isConditionalCheckFailed(missing)).toBe(false);
  });

  it('maps a failed condition like any failure when asked to, and every other error always', async () => {
    await expect(callDynamo('PutItem', 't1', map, () => Promise.reject(conditional), { mapConditionalCheckFailed: true })).rejects.toMatchObject({
      code: 'SAMPLE_FAILED',
      message: 'DynamoDB PutItem on sample table "t1" failed: The conditional request failed',
    });
    await expect(callDynamo('Query', 't1', map, () => Promise.reject(missing))).rejects.toMatchObject({ code: 'SAMPLE_MISSING' });
  });
});
