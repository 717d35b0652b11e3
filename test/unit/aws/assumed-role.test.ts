import { AssumeRoleCommand, STSClient, STSServiceException, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRoleCredentialCache, partitionOf, roleArnFor, roleSessionName, RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const T0 = Date.parse('2026-03-02T14:00:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const PROD = 'arn:aws:iam::111111111111:role/ops-org-access';
const DEV = 'arn:aws:iam::222222222222:role/ops-org-access';
const meta = { $metadata: {} };

const sts = new STSClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(sts);

let now = T0;
const clock = () => new Date(now);

beforeEach(() => {
  mock.reset();
  now = T0;
});

/** What STS answers: a session that expires `expiresAt` (server clock), keyed by a serial number. */
function session(n: number, expiresAt: number): AssumeRoleCommandOutput {
  return {
    Credentials: { AccessKeyId: `ASIA${n}`, SecretAccessKey: `secret-${n}`, SessionToken: `token-${n}`, Expiration: new Date(expiresAt) },
    AssumedRoleUser: { Arn: `arn:aws:sts::111111111111:assumed-role/ops-org-access/ops-alice`, AssumedRoleId: 'AROA1:ops-alice' },
    ...meta,
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const denied = () =>
  new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: 'User: arn:aws:iam::999999999999:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/ops-org-access',
    ...meta,
  });

describe('createRoleCredentialCache', () => {
  it('caches a session per role until refreshBeforeMs before its Expiration', async () => {
    const expiry = T0 + HOUR;
    mock.on(AssumeRoleCommand).resolvesOnce(session(1, expiry)).resolvesOnce(session(2, expiry + HOUR));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops-alice', refreshBeforeMs: 5 * MINUTE });
    const provider = cache.provider(PROD);

    const first = await provider();
    expect(first).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'token-1', expiration: new Date(expiry) });
    expect(cache.assumeRoleCalls()).toBe(1);

    now = expiry - 6 * MINUTE;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(cache.assumeRoleCalls()).toBe(1);

    now = expiry - 4 * MINUTE;
    const refreshed = await provider();
    expect(refreshed.accessKeyId).toBe('ASIA2');
    expect(refreshed.expiration).toEqual(new Date(expiry + HOUR));
    expect(cache.assumeRoleCalls()).toBe(2);
    expect(mock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);

    // The refreshed session is cached in turn.
    expect((await provider()).accessKeyId).toBe('ASIA2');
    expect(mock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('refreshes 5 minutes before expiry by default', async () => {
    const expiry = T0 + HOUR;
    mock.on(AssumeRoleCommand).resolvesOnce(session(1, expiry)).resolvesOnce(session(2, expiry + HOUR));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    await cache.provider(PROD)();
    now = expiry - 5 * MINUTE - 1;
    expect((await cache.provider(PROD)()).accessKeyId).toBe('ASIA1');
    now = expiry - 5 * MINUTE;
    expect((await cache.provider(PROD)()).accessKeyId).toBe('ASIA2');
    expect(cache.assumeRoleCalls()).toBe(2);
  });

  it('makes one AssumeRole for concurrent calls of one role', async () => {
    const answer = deferred<AssumeRoleCommandOutput>();
    mock.on(AssumeRoleCommand).callsFake(() => answer.promise);
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    const calls = [cache.provider(PROD)(), cache.provider(PROD)(), cache.provider(PROD)()];
    await Promise.resolve();
    answer.resolve(session(7, T0 + HOUR));
    const credentials = await Promise.all(calls);

    expect(credentials.map((c) => c.accessKeyId)).toEqual(['ASIA7', 'ASIA7', 'ASIA7']);
    expect(mock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(cache.assumeRoleCalls()).toBe(1);
  });

  it('assumes each role separately', async () => {
    let n = 0;
    mock.on(AssumeRoleCommand).callsFake(() => session((n += 1), T0 + HOUR));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    const [prod, dev] = await Promise.all([cache.provider(PROD)(), cache.provider(DEV)()]);
    await cache.provider(PROD)();
    await cache.provider(DEV)();

    expect(new Set([prod.accessKeyId, dev.accessKeyId])).toEqual(new Set(['ASIA1', 'ASIA2']));
    expect(mock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([PROD, DEV]);
    expect(cache.assumeRoleCalls()).toBe(2);
  });

  it('sends RoleSessionName and DurationSeconds, and no ExternalId unless given', async () => {
    mock.on(AssumeRoleCommand).resolves(session(1, T0 + HOUR));

    await createRoleCredentialCache({ sts, clock, sessionName: 'ops-alice' }).provider(PROD)();
    await createRoleCredentialCache({ sts, clock, sessionName: 'ops-bob', externalId: 'ext-42', durationSeconds: 900 }).provider(DEV)();

    expect(mock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: PROD, RoleSessionName: 'ops-alice', DurationSeconds: 3600 },
      { RoleArn: DEV, RoleSessionName: 'ops-bob', DurationSeconds: 900, ExternalId: 'ext-42' },
    ]);
  });

  it('throws RoleAssumptionError on a denied AssumeRole, and retries on the next call', async () => {
    mock.on(AssumeRoleCommand).rejectsOnce(denied()).resolves(session(3, T0 + HOUR));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    const error = await cache.provider(PROD)().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RoleAssumptionError);
    const failure = error as RoleAssumptionError;
    expect({ action: failure.action, errorName: failure.errorName, roleArn: failure.roleArn, reason: failure.reason, name: failure.name }).toEqual({
      action: 'sts:AssumeRole',
      errorName: 'AccessDenied',
      roleArn: PROD,
      reason: denied().message,
      name: 'RoleAssumptionError',
    });
    expect(failure.message).toBe(`sts:AssumeRole on ${PROD} failed: AccessDenied: ${denied().message}`);
    expect((failure.cause as Error).name).toBe('AccessDenied');

    // The failure is not cached: the next call asks STS again and gets the session.
    expect((await cache.provider(PROD)()).accessKeyId).toBe('ASIA3');
    expect(cache.assumeRoleCalls()).toBe(2);
  });

  it('fails every concurrent waiter of one failing AssumeRole with the same error', async () => {
    const answer = deferred<AssumeRoleCommandOutput>();
    mock.on(AssumeRoleCommand).callsFake(() => answer.promise);
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    const calls = [cache.provider(PROD)(), cache.provider(PROD)()].map((p) => p.catch((e: unknown) => e));
    answer.reject(denied());
    const [a, b] = await Promise.all(calls);

    expect(a).toBeInstanceOf(RoleAssumptionError);
    expect(b).toBe(a);
    expect(cache.assumeRoleCalls()).toBe(1);
  });

  it('refuses an answer without a complete set of credentials', async () => {
    const { Credentials } = session(1, T0 + HOUR);
    mock
      .on(AssumeRoleCommand)
      .resolvesOnce({ Credentials: { ...Credentials!, SessionToken: undefined as unknown as string }, ...meta })
      .resolvesOnce({ ...meta });
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    for (let i = 0; i < 2; i++) {
      const error = await cache.provider(PROD)().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RoleAssumptionError);
      expect({ ...(error as RoleAssumptionError) }).toMatchObject({ action: 'sts:AssumeRole', roleArn: PROD, errorName: 'IncompleteCredentials', reason: 'AssumeRole answered without a complete set of credentials' });
    }
    expect(cache.assumeRoleCalls()).toBe(2);
  });

  it('falls back to obtainedAt + duration when Expiration is already past by the local clock', async () => {
    // A server two hours behind: its one-hour session "expired" an hour ago by our clock.
    mock.on(AssumeRoleCommand).resolves(session(1, T0 - HOUR));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops', durationSeconds: 1800 });

    const first = await cache.provider(PROD)();
    expect(first.expiration).toEqual(new Date(T0 + 1800_000));
    now = T0 + 20 * MINUTE;
    await cache.provider(PROD)();
    await cache.provider(PROD)();
    expect(cache.assumeRoleCalls()).toBe(1);

    now = T0 + 26 * MINUTE;
    await cache.provider(PROD)();
    expect(cache.assumeRoleCalls()).toBe(2);
  });

  it('falls back to obtainedAt + duration when Expiration is inside the refresh window by the local clock', async () => {
    // A server 58 minutes behind: its one-hour session ends 2 minutes from now by our clock, which is
    // inside the 5-minute refresh window; trusting it would mean one AssumeRole per call.
    mock.on(AssumeRoleCommand).resolves(session(1, T0 + 2 * MINUTE));
    const cache = createRoleCredentialCache({ sts, clock, sessionName: 'ops' });

    expect((await cache.provider(PROD)()).expiration).toEqual(new Date(T0 + HOUR));
    await cache.provider(PROD)();
    now = T0 + 30 * MINUTE;
    await cache.provider(PROD)();
    expect(cache.assumeRoleCalls()).toBe(1);
  });
});

describe('roleSessionName', () => {
  it('joins the tool and the operator', () => {
    expect(roleSessionName('ops', 'alice')).toBe('ops-alice');
    expect(roleSessionName('ops', '  alice.b@example.com ')).toBe('ops-alice.b@example.com');
  });

  it('is the tool alone without an operator', () => {
    expect(roleSessionName('ops', undefined)).toBe('ops');
    expect(roleSessionName('ops', '   ')).toBe('ops');
  });

  it('replaces characters RoleSessionName does not allow with "-"', () => {
    expect(roleSessionName('ops', 'Jane Doe/ä:1')).toBe('ops-Jane-Doe---1');
    expect(roleSessionName('ops', 'DOMAIN\\jane')).toBe('ops-DOMAIN-jane');
  });

  it('is cut to 64 characters and padded to 2', () => {
    const long = roleSessionName('ops', 'a'.repeat(100));
    expect(long).toBe(`ops-${'a'.repeat(60)}`);
    expect(long).toHaveLength(64);
    expect(roleSessionName('x', undefined)).toBe('x-');
    expect(roleSessionName('', undefined)).toBe('--');
  });

  it('always satisfies the AssumeRole pattern', () => {
    for (const operator of [undefined, '', 'é', 'a b c', 'x'.repeat(200), '日本語', 'ok+=,.@-_']) {
      expect(roleSessionName('ops', operator)).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
  });
});

describe('roleArnFor / partitionOf', () => {
  it('builds the ARN of a role name in the account, in the region\'s partition', () => {
    expect(roleArnFor('111111111111', 'ops-org-access', 'us-east-1')).toBe('arn:aws:iam::111111111111:role/ops-org-access');
    expect(roleArnFor('111111111111', 'ops-org-access', 'cn-north-1')).toBe('arn:aws-cn:iam::111111111111:role/ops-org-access');
    expect(roleArnFor('111111111111', 'ops-org-access', 'us-gov-west-1')).toBe('arn:aws-us-gov:iam::111111111111:role/ops-org-access');
  });

  it('uses a full ARN as it is', () => {
    const arn = 'arn:aws:iam::333333333333:role/team/custom-access';
    expect(roleArnFor('111111111111', arn, 'cn-north-1')).toBe(arn);
  });

  it('names the partitions', () => {
    expect(['eu-west-1', 'cn-northwest-1', 'us-gov-east-1', 'us-east-2'].map(partitionOf)).toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws']);
  });
});
