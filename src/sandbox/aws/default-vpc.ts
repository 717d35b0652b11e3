/**
 * The sandbox's default VPC: subnet and security group IDs that moto accepts in an awsvpc RunTask.
 *
 * moto quirks this answers (found by experiment against moto 5.2.1):
 * - awsvpc RunTask creates an ENI in `subnets[0]` and fails with `InvalidSubnetID.NotFound` unless the
 *   subnet exists in moto's EC2 backend. moto creates a default VPC with one default subnet per AZ,
 *   but with random IDs that change on every reset, so they must be looked up after each reset.
 * - Security groups are not validated: an unknown ID is silently created. The `securityGroups` key
 *   must be present though (moto raises KeyError → HTTP 500 without it), so we pass the default one.
 *
 * The EC2 SDK client is not a dependency of this project, so this speaks EC2's query protocol
 * (form-encoded POST, XML answer) directly. moto does not check signatures; it reads the region from
 * the credential scope of the Authorization header, which is all the header carries here. Only used
 * against the sandbox endpoint.
 */
import { FaultError } from '../../errors.ts';

export interface DefaultVpc {
  vpcId: string;
  /** Default-for-AZ subnets, in the order moto lists them. */
  subnetIds: string[];
  /** The VPC's `default` security group. */
  securityGroupIds: string[];
}

export async function lookupSandboxDefaultVpc(endpoint: string, region: string): Promise<DefaultVpc> {
  const subnetsXml = await ec2Query(endpoint, region, 'DescribeSubnets');
  const subnets = items(subnetsXml, 'subnetSet')
    .map((item) => ({ id: tag(item, 'subnetId'), vpcId: tag(item, 'vpcId'), isDefault: tag(item, 'defaultForAz') === 'true' }))
    .filter((subnet) => subnet.isDefault && subnet.id !== undefined && subnet.vpcId !== undefined);
  const vpcId = subnets[0]?.vpcId;
  if (vpcId === undefined) {
    throw new FaultError('SANDBOX_NO_DEFAULT_VPC', `The sandbox at ${endpoint} has no default subnets in ${region}.`);
  }
  const groupsXml = await ec2Query(endpoint, region, 'DescribeSecurityGroups');
  const groups = items(groupsXml, 'securityGroupInfo')
    .map((item) => ({ id: tag(item, 'groupId'), name: tag(item, 'groupName'), vpcId: tag(item, 'vpcId') }))
    .filter((group) => group.vpcId === vpcId && group.name === 'default' && group.id !== undefined);
  return {
    vpcId,
    subnetIds: subnets.filter((subnet) => subnet.vpcId === vpcId).map((subnet) => subnet.id as string),
    securityGroupIds: groups.map((group) => group.id as string),
  };
}

async function ec2Query(endpoint: string, region: string, action: string): Promise<string> {
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  let response: Response;
  try {
    response = await fetch(new URL('/', endpoint), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `AWS4-HMAC-SHA256 Credential=testing/${today}/${region}/ec2/aws4_request, SignedHeaders=host, Signature=sandbox`,
      },
      body: new URLSearchParams({ Action: action, Version: '2016-11-15' }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new FaultError('SANDBOX_EC2_UNREACHABLE', `EC2 ${action} on ${endpoint} failed.`, { cause });
  }
  const text = await response.text();
  if (!response.ok) throw new FaultError('SANDBOX_EC2_FAILED', `EC2 ${action} on ${endpoint} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** The top-level <item> elements of a set (moto's XML is regular; nested items are skipped by depth). */
function items(xml: string, setName: string): string[] {
  const start = xml.indexOf(`<${setName}>`);
  const end = xml.lastIndexOf(`</${setName}>`);
  if (start < 0 || end < 0) return [];
  const body = xml.slice(start + setName.length + 2, end);
  const out: string[] = [];
  let depth = 0;
  let itemStart = -1;
  const pattern = /<(\/?)item(\/?)>/g;
  for (let match = pattern.exec(body); match !== null; match = pattern.exec(body)) {
    if (match[2] === '/') continue;
    if (match[1] === '') {
      if (depth === 0) itemStart = match.index;
      depth++;
    } else {
      depth--;
      if (depth === 0 && itemStart >= 0) out.push(body.slice(itemStart, match.index));
    }
  }
  return out;
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
