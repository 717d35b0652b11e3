import { InternalServerError, ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { accessErrorCodeOf, accessErrorFromFailure, accessErrorOf, explainingAccess } from '../../../src/aws/access-errors.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const meta = { $metadata: {} };
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('accessErrorOf', () => {
  it.each([
    ['no credentials in the chain', named('CredentialsProviderError', 'Could not load credentials from any providers'), 'NO_CREDENTIALS'],
    ['an unknown access key (DynamoDB)', named('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'NO_CREDENTIALS'],
    ['a wrong secret key', named('InvalidSignatureException', 'The request signature we calculated does not match'), 'NO_CREDENTIALS'],
    ['an expired session', named('ExpiredTokenException', 'The security token included in the request is expired'), 'NO_CREDENTIALS'],
    ['connection refused', nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 'ENDPOINT_UNREACHABLE'],
    ['no such host', nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND dynamodb.nowhere.example'), 'ENDPOINT_UNREACHABLE'],
    ['an SDK timeout', named('TimeoutError', 'Connection timed out after 1000 ms'), 'ENDPOINT_UNREACHABLE'],
    ['a connection dropped on every attempt', nodeError('ECONNRESET', 'read ECONNRESET'), 'ENDPOINT_UNREACHABLE'],
    ['a provider that only says it in the message', new Error('Could not load credentials from any providers'), 'NO_CREDENTIALS'],
  ])('%s → %s', (_label, error, code) => {
    const explained = accessErrorOf(error, 'the endpoint http://127.0.0.1:9');
    expect(explained).toBeInstanceOf(UserError);
    expect(explained?.code).toBe(code);
    expect(explained?.cause).toBe(error);
  });

  it('finds the SDK error behind an adapter fault, and keeps the fault message that names the call', () => {
    const fault = new FaultError('WORKFLOW_STORE_FAILED', 'DynamoDB GetItem on workflow table "t" failed: connect ECONNREFUSED 127.0.0.1:9', {
      cause: nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
    });
    const explained = accessErrorOf(fault, 'the endpoint http://127.0.0.1:9');
    expect(explained?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(explained?.message).toBe('Cannot reach the endpoint http://127.0.0.1:9: DynamoDB GetItem on workflow table "t" failed: connect ECONNREFUSED 127.0.0.1:9');
    expect(explained?.hint).toBe('Check --endpoint / AWS_ENDPOINT_URL and your network; for the local sandbox, start it with `ops sandbox up`.');
  });

  it.each([
    ['a 5xx', new InternalServerError({ message: 'Internal server error', ...meta })],
    ['throttling after the retries', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', ...meta })],
    ['a missing table (the adapter names it)', new ResourceNotFoundException({ message: 'Requested resource not found', ...meta })],
    ['access denied (per action; the adapter names it)', named('AccessDeniedException', 'not authorized to perform dynamodb:Query')],
    ['a fault wrapping a 5xx', new FaultError('WORKFLOW_STORE_FAILED', 'DynamoDB Query failed: boom', { cause: new InternalServerError({ message: 'boom', ...meta }) })],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('leaves %s alone (stays a fault or the adapter’s own error)', (_label, error) => {
    expect(accessErrorOf(error, 'AWS in us-east-1')).toBeUndefined();
  });

  it('never reclassifies a UserError, which already says what to do', () => {
    const explained = new UserError('WORKFLOW_TABLE_MISSING', 'no table (ECONNREFUSED in the text)', 'Pass --table.');
    expect(accessErrorOf(explained, 'AWS in us-east-1')).toBeUndefined();
  });

  it('explainingAccess rethrows the UserError for an access failure and anything else unchanged', async () => {
    await expect(explainingAccess('AWS in us-east-1', () => Promise.reject(named('CredentialsProviderError', 'none')))).rejects.toMatchObject({ code: 'NO_CREDENTIALS' });
    const other = new InternalServerError({ message: 'boom', ...meta });
    await expect(explainingAccess('AWS in us-east-1', () => Promise.reject(other))).rejects.toBe(other);
    await expect(explainingAccess('AWS in us-east-1', () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('accessErrorFromFailure (look-ups returned as data)', () => {
  it('gives the messages `ops check-schedulers` gives for the Scheduler listing', () => {
    const credentials = accessErrorFromFailure({ errorName: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, 'the Scheduler API');
    expect(credentials?.message).toBe('AWS rejected or could not find credentials: Could not load credentials from any providers');
    expect(credentials?.hint).toContain('Set AWS_PROFILE (or pass --profile)');
    const unreachable = accessErrorFromFailure({ errorName: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, 'the Scheduler API');
    expect(unreachable?.message).toBe('Cannot reach the Scheduler API: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('classifies by name or message, and not access denied', () => {
    expect(accessErrorCodeOf({ errorName: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9' })).toBe('ENDPOINT_UNREACHABLE');
    expect(accessErrorCodeOf({ errorName: 'AccessDeniedException', message: 'denied' })).toBeUndefined();
    expect(accessErrorCodeOf({ errorName: 'ResourceNotFoundException', message: 'Schedule x does not exist.' })).toBeUndefined();
  });
});
