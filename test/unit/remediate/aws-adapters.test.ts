import { DescribeClustersCommand, ECSClient, ECSServiceException, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIdentityPort } from '../../../src/aws/caller-identity.ts';
import { createClusterDirectory } from '../../../src/aws/cluster-directory.ts';
import { OFFLINE_CLIENT_CONFIG } from '../aws/fake-http-handler.ts';
import { clusterArn } from './fakes.ts';

const ecs = new ECSClient(OFFLINE_CLIENT_CONFIG);
const ecsMock = mockClient(ecs);
const sts = new STSClient(OFFLINE_CLIENT_CONFIG);
const stsMock = mockClient(sts);
beforeEach(() => {
  ecsMock.reset();
  stsMock.reset();
});

describe('cluster directory', () => {
  it('lists every page and describes them in batches of 100, keeping the status', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    ecsMock
      .on(ListClustersCommand)
      .resolvesOnce({ clusterArns: names.slice(0, 100).map((n) => clusterArn(n)), nextToken: 'p2' })
      .resolvesOnce({ clusterArns: names.slice(100).map((n) => clusterArn(n)) });
    ecsMock.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
      clusters: input.clusters.map((arn) => ({ clusterArn: arn, clusterName: arn.split('/')[1], status: arn.endsWith('c007') ? 'INACTIVE' : 'ACTIVE' })),
      failures: [],
    }));

    const listed = await createClusterDirectory(ecs).listClusters();

    expect(listed.status).toBe('found');
    if (listed.status !== 'found') return;
    expect(listed.value).toHaveLength(150);
    expect(listed.value[7]).toEqual({ arn: clusterArn('c007'), name: 'c007', status: 'INACTIVE' });
    expect(ecsMock).toHaveReceivedCommandTimes(ListClustersCommand, 2);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeClustersCommand, 2);
  });

  it('returns a denied listing as unknown with the IAM action', async () => {
    ecsMock.on(ListClustersCommand).rejects(new ECSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'denied', $metadata: {} }));

    expect(await createClusterDirectory(ecs).listClusters()).toEqual({ status: 'unknown', failure: { action: 'ecs:ListClusters', errorName: 'AccessDeniedException', message: 'denied' } });
  });
});

describe('caller identity', () => {
  it('names the caller', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/oncall/alice', Account: '123456789012', UserId: 'AROA:alice' });

    expect(await createIdentityPort(sts).whoAmI()).toEqual({ known: true, arn: 'arn:aws:sts::123456789012:assumed-role/oncall/alice', account: '123456789012', userId: 'AROA:alice' });
  });

  it('is unknown, with the reason, when STS fails', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-west-2.amazonaws.com'), { name: 'NetworkingError' }));

    expect(await createIdentityPort(sts).whoAmI()).toEqual({ known: false, reason: 'sts:GetCallerIdentity failed: NetworkingError: getaddrinfo ENOTFOUND sts.us-west-2.amazonaws.com' });
  });
});
