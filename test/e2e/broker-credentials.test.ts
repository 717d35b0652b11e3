/**
 * The Alpaca keys from Secrets Manager and SSM Parameter Store on the sandbox (moto serves both),
 * through the real SDK clients, and the Lambda runtime's Alpaca broker reading them once per
 * container and trading on the contract server (127.0.0.1).
 */
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAlpacaCredentials } from '../../src/aws/broker-credentials.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import { alpacaBrokers } from '../../src/entry/lambda/trading/runtime.ts';
import { UserError } from '../../src/errors.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { AlpacaContractServer } from '../support/alpaca-contract-server.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const KEYS = { keyId: 'PKE2E0000000000', secretKey: 'e2e-secret-never-printed' };
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
let clients: AwsClients;

beforeAll(async () => {
  clients = createSandboxClients(motoEndpoint(), 'us-west-2');
  await clients.secretsManager.send(new CreateSecretCommand({ Name: `ops/alpaca-${run}`, SecretString: JSON.stringify(KEYS) }));
  await clients.secretsManager.send(new CreateSecretCommand({ Name: `ops/alpaca-empty-${run}` }));
  await clients.secretsManager.send(new CreateSecretCommand({ Name: `ops/alpaca-text-${run}`, SecretString: 'PKE2E0000000000:e2e-secret-never-printed' }));
  await clients.secretsManager.send(new CreateSecretCommand({ Name: `ops/alpaca-half-${run}`, SecretString: JSON.stringify({ keyId: KEYS.keyId }) }));
  await clients.ssm.send(new PutParameterCommand({ Name: `/ops/${run}/alpaca/key-id`, Type: 'SecureString', Value: KEYS.keyId }));
  await clients.ssm.send(new PutParameterCommand({ Name: `/ops/${run}/alpaca/secret-key`, Type: 'SecureString', Value: KEYS.secretKey }));
});

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  const user = error as UserError;
  for (const text of [user.message, user.hint]) expect(text).not.toContain(KEYS.secretKey);
  return user;
}


/** The sandbox clients, with the Secrets Manager reads counted: keys must be read once per container. */
function countingSecretReads(): { counting: Pick<AwsClients, 'secretsManager' | 'ssm'>; reads: () => number } {
  let reads = 0;
  const counting = {
    ssm: clients.ssm,
    secretsManager: {
      send: (command: GetSecretValueCommand) => {
        reads += 1;
        return clients.secretsManager.send(command);
      },
    },
  } as unknown as Pick<AwsClients, 'secretsManager' | 'ssm'>;
  return { counting, reads: () => reads };
}

describe('readAlpacaCredentials on the sandbox', () => {
  it('reads the JSON key pair from a Secrets Manager secret', async () => {
    expect(await readAlpacaCredentials({ kind: 'secret', secretId: `ops/alpaca-${run}` }, clients)).toEqual(KEYS);
  });

  it('reads the two SecureString parameters under a prefix (a trailing slash is fine)', async () => {
    expect(await readAlpacaCredentials({ kind: 'parameters', prefix: `/ops/${run}/alpaca/` }, clients)).toEqual(KEYS);
  });

  it('a missing secret, or one created without a value, is BROKER_SECRET_MISSING with the put-secret-value command', async () => {
    for (const secretId of [`ops/alpaca-nope-${run}`, `ops/alpaca-empty-${run}`]) {
      const error = await failure(readAlpacaCredentials({ kind: 'secret', secretId }, clients));
      expect(error.code).toBe('BROKER_SECRET_MISSING');
      expect(error.hint).toContain(`aws secretsmanager put-secret-value --secret-id ${secretId}`);
    }
  });

  it('a value that is not JSON, or lacks a field, is BROKER_SECRET_MALFORMED and never echoes the value', async () => {
    const text = await failure(readAlpacaCredentials({ kind: 'secret', secretId: `ops/alpaca-text-${run}` }, clients));
    expect(text).toMatchObject({ code: 'BROKER_SECRET_MALFORMED', message: expect.stringContaining('is not JSON') as never });
    const half = await failure(readAlpacaCredentials({ kind: 'secret', secretId: `ops/alpaca-half-${run}` }, clients));
    expect(half.message).toContain('lacks "secretKey"');
    expect(half.message).not.toContain(KEYS.keyId);
  });

  it('missing parameters are BROKER_PARAMETER_MISSING naming them', async () => {
    const error = await failure(readAlpacaCredentials({ kind: 'parameters', prefix: `/ops/${run}/nothing` }, clients));
    expect(error.code).toBe('BROKER_PARAMETER_MISSING');
    expect(error.message).toContain(`/ops/${run}/nothing/key-id, /ops/${run}/nothing/secret-key`);
  });
});

describe('the runtime\'s Alpaca broker (BROKER=alpaca)', () => {
  let server: AlpacaContractServer;
  beforeAll(async () => {
    server = await AlpacaContractServer.start({ ...KEYS, cash: '2500' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads the keys from the secret once per container and trades with them on ALPACA_BASE_URL', async () => {
    const { counting, reads } = countingSecretReads();
    const brokers = alpacaBrokers({ ALPACA_SECRET_ID: `ops/alpaca-${run}`, ALPACA_BASE_URL: server.url, ALPACA_ACCOUNT: 'main' }, counting, { sleep: async () => undefined });
    const broker = brokers('main');
    const [a, b] = await Promise.all([broker.account(), broker.account()]);
    expect(a.cash.toFixed()).toBe('2500');
    expect(b.cash.toFixed()).toBe('2500');
    expect(await broker.orderByClientId('never')).toBeUndefined();
    expect(reads()).toBe(1);
    expect(server.requests.every((r) => r.keyIdHeader === KEYS.keyId)).toBe(true);
    expect(() => brokers('tiny')).toThrow(expect.objectContaining({ code: 'UNKNOWN_ACCOUNT' }));
  });

  it('a missing secret fails the first call with BROKER_SECRET_MISSING, and the next call reads again', async () => {
    const { counting, reads } = countingSecretReads();
    const broker = alpacaBrokers({ ALPACA_SECRET_ID: `ops/alpaca-missing-${run}`, ALPACA_BASE_URL: server.url }, counting)('main');
    await expect(broker.account()).rejects.toMatchObject({ code: 'BROKER_SECRET_MISSING' });
    await expect(broker.account()).rejects.toMatchObject({ code: 'BROKER_SECRET_MISSING' });
    expect(reads()).toBe(2);
  });
});
