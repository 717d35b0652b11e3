import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { enabledRegions } from '../../../src/aws/regions-reader.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const ec2 = new EC2Client(OFFLINE_CLIENT_CONFIG);
const ec2Mock = mockClient(ec2);

beforeEach(() => {
  ec2Mock.reset();
});

describe('enabledRegions', () => {
  it('asks DescribeRegions without AllRegions and answers the names, sorted', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({
      Regions: [{ RegionName: 'us-west-2' }, { RegionName: 'eu-west-1' }, { Endpoint: 'ec2.nowhere' }, { RegionName: 'ap-south-1' }, { RegionName: 'us-east-1' }],
    });

    expect(await enabledRegions(ec2)).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(ec2Mock).toHaveReceivedCommandExactlyOnceWith(DescribeRegionsCommand, {});
    expect(ec2Mock.commandCalls(DescribeRegionsCommand)[0]?.args[0].input).toEqual({});
  });

  it('answers no regions for an empty answer', async () => {
    ec2Mock.on(DescribeRegionsCommand).resolves({});

    expect(await enabledRegions(ec2)).toEqual([]);
  });
});
