import { AssumeRoleCommand, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { createAwsClients } from '../../../src/aws/clients.ts';
import { createOrgClients } from '../../../src/entry/wiring/org-clients.ts';
import type { AccountTarget } from '../../../src/org/targets.ts';

const T0 = new Date('2026-03-02T14:00:00Z');
const account = (id: string, name: string): AccountTarget => ({ id, name, role: 'ops-org-access', tags: {} });
const PROD = account('111111111111', 'prod');

const central = createAwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }, {});
const sts = mockClient(central.sts);

let serial = 0;
const assumed = () => {
  serial += 1;
  return { Credentials: { AccessKeyId: `ASIA${serial}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(T0.getTime() + 3_600_000) } };
};

beforeEach(() => {
  sts.reset();
  serial = 0;
  sts.on(AssumeRoleCommand).callsFake(assumed);
});

const orgClients = () => createOrgClients(central, { aws: { region: 'us-east-1' }, env: {}, clock: () => T0, sessionName: 'ops-alice', externalId: 'ext-1' });

describe('createOrgClients', () => {
  it('assumes the role once per account, and builds one client set per pair with those credentials', async () => {
    const org = orgClients();

    const east = await org.forPair({ account: PROD, region: 'us-east-1' });
    const again = await org.forPair({ account: PROD, region: 'us-east-1' });
    const west = await org.forPair({ account: PROD, region: 'us-west-2' });

    expect(again).toBe(east);
    expect(west).not.toBe(east);
    expect([east.config.region, west.config.region]).toEqual(['us-east-1', 'us-west-2']);
    expect((await west.config.credentials!()).accessKeyId).toBe('ASIA1');
    expect(org.assumeRoleCalls()).toBe(1);
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::111111111111:role/ops-org-access',
      RoleSessionName: 'ops-alice',
      DurationSeconds: 3600,
      ExternalId: 'ext-1',
    });
    expect(org.central).toBe(central);
  });

  it('builds the role ARN in the partition of the region (forAccount, as rollback calls it)', async () => {
    await orgClients().forAccount('222222222222', 'ops-org-access', 'cn-north-1');

    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual(['arn:aws-cn:iam::222222222222:role/ops-org-access']);
  });

  it('fails a pair whose role cannot be assumed with RoleAssumptionError, before any client exists, and retries later', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(new STSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'denied', $metadata: {} }))
      .callsFake(assumed);
    const org = orgClients();

    const error = await org.forPair({ account: PROD, region: 'us-east-1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RoleAssumptionError);
    expect((error as RoleAssumptionError).message).toBe('sts:AssumeRole on arn:aws:iam::111111111111:role/ops-org-access failed: AccessDenied: denied');
    const clients = await org.forPair({ account: PROD, region: 'us-east-1' });
    expect((await clients.config.credentials!()).accessKeyId).toBe('ASIA1');
    expect(org.assumeRoleCalls()).toBe(2);
  });
});
