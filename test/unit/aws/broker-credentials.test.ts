import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readAlpacaCredentials } from '../../../src/aws/broker-credentials.ts';
import { alpacaKeysSource, brokersFromEnv, parseLiquidityList } from '../../../src/entry/lambda/trading/runtime.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import { SyntheticMarketData } from '../../../src/trading/adapters/synthetic-market-data.ts';

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const clients = () => ({ secretsManager: new SecretsManagerClient({ region: 'us-west-2' }), ssm: new SSMClient({ region: 'us-west-2' }) });
const denied = () => Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });

beforeEach(() => {
  sm.reset();
  ssm.reset();
});

describe('readAlpacaCredentials (faults the sandbox cannot make)', () => {
  it('access denied on the secret is a UserError naming the action to grant', async () => {
    sm.on(GetSecretValueCommand).rejects(denied());
    const error = await readAlpacaCredentials({ kind: 'secret', secretId: 'ops/alpaca' }, clients()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'BROKER_SECRET_ACCESS_DENIED', hint: expect.stringContaining('secretsmanager:GetSecretValue') as never });
  });

  it('access denied on the parameters names ssm:GetParameters; other failures are faults', async () => {
    ssm.on(GetParametersCommand).rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    await expect(readAlpacaCredentials({ kind: 'parameters', prefix: '/ops/alpaca' }, clients())).rejects.toMatchObject({ code: 'BROKER_PARAMETER_ACCESS_DENIED', hint: expect.stringContaining('ssm:GetParameters') as never });
    const fault = await readAlpacaCredentials({ kind: 'parameters', prefix: '/ops/alpaca' }, clients()).catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(FaultError);
    expect(fault).toMatchObject({ code: 'BROKER_PARAMETER_FAILED' });
  });

  it('asks for both parameters decrypted in one call', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/ops/alpaca/key-id', Value: 'PK1' }, { Name: '/ops/alpaca/secret-key', Value: 's3' }] });
    expect(await readAlpacaCredentials({ kind: 'parameters', prefix: '/ops/alpaca' }, clients())).toEqual({ keyId: 'PK1', secretKey: 's3' });
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input).toEqual({ Names: ['/ops/alpaca/key-id', '/ops/alpaca/secret-key'], WithDecryption: true });
  });
});

describe('the broker choice in the Lambda environment', () => {
  const clock = { now: () => new Date('2026-11-23T15:00:00Z') };
  it('BROKER=alpaca needs exactly one place for the keys; reading waits for the first call', () => {
    expect(alpacaKeysSource({ ALPACA_SECRET_ID: 'ops/alpaca' })).toEqual({ kind: 'secret', secretId: 'ops/alpaca' });
    expect(alpacaKeysSource({ ALPACA_KEYS_PARAMETER_PREFIX: '/ops/alpaca' })).toEqual({ kind: 'parameters', prefix: '/ops/alpaca' });
    expect(() => alpacaKeysSource({})).toThrow(expect.objectContaining({ code: 'ALPACA_KEYS_UNCONFIGURED' }));
    expect(() => alpacaKeysSource({ ALPACA_SECRET_ID: 'a', ALPACA_KEYS_PARAMETER_PREFIX: '/b' })).toThrow(expect.objectContaining({ code: 'ALPACA_KEYS_AMBIGUOUS' }));
    brokersFromEnv({ BROKER: 'alpaca', ALPACA_SECRET_ID: 'ops/alpaca' }, new SyntheticMarketData(), clock, { ...clients(), dynamodb: undefined as never })('main');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses an unknown BROKER and a malformed PAPER_LIQUIDITY', () => {
    expect(() => brokersFromEnv({ BROKER: 'ibkr' }, new SyntheticMarketData(), clock)).toThrow(expect.objectContaining({ code: 'INVALID_BROKER' }));
    expect(parseLiquidityList('SPY=10, TLT = 5')).toEqual({ SPY: '10', TLT: '5' });
    expect(parseLiquidityList(undefined)).toEqual({});
    expect(() => parseLiquidityList('SPY')).toThrow(expect.objectContaining({ code: 'INVALID_PAPER_LIQUIDITY' }));
  });
});
