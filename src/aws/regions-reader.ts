/**
 * The regions an account has enabled, for `--all-regions`: EC2 DescribeRegions without AllRegions
 * answers exactly those (opt-in regions the account has not enabled are left out, and calls there
 * would fail anyway). It needs `ec2:DescribeRegions` in the member role.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';

export async function enabledRegions(client: EC2Client): Promise<string[]> {
  const out = await client.send(new DescribeRegionsCommand({}));
  return (out.Regions ?? [])
    .map((region) => region.RegionName)
    .filter((name): name is string => name !== undefined)
    .sort();
}
