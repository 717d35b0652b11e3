/**
 * One moto serving a whole AWS Organization: STS AssumeRole refuses a role that does not exist (the
 * launcher's patch, as AWS does), an assumed role's calls land in the role's account, and the
 * generated org scenario seeds so that a check of each reachable pair, made with that account's
 * credentials, finds exactly the faults planted there.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { ListAccountsForParentCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRoleCredentialCache, RoleAssumptionError, roleArnFor } from '../../src/aws/assumed-role.ts';
import { createAwsClients } from '../../src/aws/clients.ts';
import type { CheckReport } from '../../src/checks/report.ts';
import { parseAccountsFile } from '../../src/org/accounts-file.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createOrgAdminPort } from '../../src/sandbox/aws/org-api.ts';
import { generateOrgScenario, ORG_ACCESS_ROLE, ORG_ADMIN_ROLE } from '../../src/sandbox/org-scenario.ts';
import { seedOrgScenario, type OrgSeedResult } from '../../src/sandbox/org-seed.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { runCli } from '../support/cli-harness.ts';
import { motoEndpoint, sandboxClock } from './sandbox-harness.ts';

const START = new Date('2026-11-23T15:00:00Z');
const central = () => createSandboxClients(motoEndpoint(), 'us-east-1');

function assumedClients(account: string, role: string, region: string, clock: () => Date) {
  const cache = createRoleCredentialCache({ sts: central().sts, clock, sessionName: 'org-sandbox-test' });
  const provider = cache.provider(roleArnFor(account, role, region));
  const clients = createAwsClients({ endpoint: motoEndpoint(), region, maxAttempts: 1, credentialProvider: provider, disableRequestCompression: true }, {});
  return { clients, provider };
}

describe('STS AssumeRole on the sandbox', () => {
  beforeEach(async () => {
    await resetSandbox(motoEndpoint());
    sandboxClock(START);
  });

  it('refuses a role that does not exist with 403 AccessDenied, naming the caller and the role', async () => {
    const roleArn = 'arn:aws:iam::111111111111:role/ops-org-access';
    const error = await central()
      .sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }))
      .then(() => undefined, (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });
    expect(error?.name).toBe('AccessDenied');
    expect(error?.$metadata.httpStatusCode).toBe(403);
    expect(error?.message).toBe(`User: arn:aws:sts::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

    // What the org run sees through the credential cache: the refusal as data, with AWS's name.
    const { provider } = assumedClients('111111111111', 'ops-org-access', 'us-east-1', () => START);
    const refused = await provider().then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(RoleAssumptionError);
    expect(refused).toMatchObject({ roleArn, errorName: 'AccessDenied' });
  });

  it("CreateAccount makes OrganizationAccountAccessRole; calls under it land in that account only", async () => {
    const admin = createOrgAdminPort(central().organizations);
    await admin.createOrganization();
    const x = await admin.createAccount({ name: 'x', email: 'x@example.com', tags: {} });
    const { clients } = assumedClients(x, ORG_ADMIN_ROLE, 'us-east-1', () => START);

    expect((await clients.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(x);
    expect((await clients.iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.Arn)).toEqual([`arn:aws:iam::${x}:role/${ORG_ADMIN_ROLE}`]);

    await clients.ecs.send(new CreateClusterCommand({ clusterName: 'only-in-x' }));
    await central().ecs.send(new CreateClusterCommand({ clusterName: 'only-in-central' }));
    expect((await clients.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([`arn:aws:ecs:us-east-1:${x}:cluster/only-in-x`]);
    expect((await central().ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/only-in-central']);
  });
});

describe('the generated org scenario, seeded', () => {
  const scenario = generateOrgScenario({ accounts: 4, regions: ['us-east-1', 'eu-west-1'] });
  let seed: OrgSeedResult;
  let dir: string;
  let clock: () => Date;

  beforeAll(async () => {
    await resetSandbox(motoEndpoint());
    const virtual = sandboxClock(START);
    clock = () => virtual.now();
    dir = await mkdtemp(join(tmpdir(), 'ops-org-sandbox-'));
    seed = await seedOrgScenario(scenario, { endpoint: motoEndpoint(), clients: central(), clock, accountsFile: join(dir, 'accounts.yaml') });
    return () => rm(dir, { recursive: true, force: true });
  });

  it('creates the organization, its OUs and accounts, and the accounts file', async () => {
    expect(seed.accounts.map((a) => [a.name, a.ou, a.hasRole])).toEqual([
      ['prod', 'production', true],
      ['staging', 'non-production', true],
      ['desk-01', 'trading-desks', true],
      ['dev', 'non-production', false],
    ]);
    const listed = await central().organizations.send(new ListAccountsCommand({}));
    expect(listed.Accounts?.map((a) => a.Id).sort()).toEqual([...seed.accounts.map((a) => a.id), seed.management.id].sort());
    const nonProd = seed.accounts.find((a) => a.name === 'staging')!.ouId;
    const inNonProd = await central().organizations.send(new ListAccountsForParentCommand({ ParentId: nonProd }));
    expect(inNonProd.Accounts?.map((a) => a.Name).sort()).toEqual(['dev', 'staging']);

    const file = parseAccountsFile(await readFile(join(dir, 'accounts.yaml'), 'utf8'));
    expect(file).toEqual(seed.accounts.map((a) => ({ id: a.id, name: a.name, role: ORG_ACCESS_ROLE, regions: ['us-east-1', 'eu-west-1'], tags: a.tags })));
    // 4 member accounts and the management account, 2 regions, 4 schedules a pair.
    expect(seed.schedules).toBe(5 * 2 * 4);
    expect(seed.management).toEqual({ id: '123456789012', hasRole: true, schedules: 8 });
  });

  it('lets the access role be assumed where it was created, and refuses it where it was not', async () => {
    for (const account of seed.accounts) {
      const { clients } = assumedClients(account.id, ORG_ACCESS_ROLE, 'us-east-1', clock);
      const identity = clients.sts.send(new GetCallerIdentityCommand({}));
      if (account.hasRole) await expect(identity).resolves.toMatchObject({ Account: account.id });
      else await expect(identity).rejects.toMatchObject({ errorName: 'AccessDenied' });
    }
    expect(seed.unreachable).toEqual([
      { account: seed.accounts[3]!.id, accountName: 'dev', region: 'us-east-1' },
      { account: seed.accounts[3]!.id, accountName: 'dev', region: 'eu-west-1' },
    ]);
  });

  it('a check of each reachable pair (the management account\'s too), with that account\'s credentials, finds exactly the faults planted there', async () => {
    expect(seed.expected.map((f) => `${f.accountName} ${f.region} ${f.code}`)).toEqual([
      'prod us-east-1 TARGET_CLUSTER_NOT_FOUND',
      'staging us-east-1 SCHEDULE_DISABLED',
      'desk-01 eu-west-1 TARGET_CLUSTER_NOT_FOUND',
    ]);
    expect(seed.hidden.map((f) => `${f.accountName} ${f.region} ${f.code}`)).toEqual(['dev eu-west-1 TASK_DEFINITION_NOT_ACTIVE']);
    const at = clock();
    const reachable = [...seed.accounts.filter((a) => a.hasRole), { id: seed.management.id, name: 'management' }];
    for (const account of reachable) {
      for (const region of seed.regions) {
        const { provider } = assumedClients(account.id, ORG_ACCESS_ROLE, region, clock);
        const credentials = await provider();
        const env = {
          AWS_ENDPOINT_URL: motoEndpoint(),
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
        };
        const run = await runCli(['check-schedulers', '--json', '--at', at.toISOString()], { env, now: () => at });
        const report = run.json() as CheckReport;
        const found = report.findings.map((f) => `${f.schedule?.group ?? f.group}/${f.schedule?.name ?? ''} ${f.code}`).sort();
        const planted = seed.expected.filter((f) => f.account === account.id && f.region === region).map((f) => `${f.group}/${f.name} ${f.code}`).sort();
        expect(found, `${account.name} ${region}`).toEqual(planted);
        expect(report.summary.schedules).toBe(4);
        expect(run.exitCode).toBe(planted.length > 0 ? 1 : 0);
      }
    }
  });
});
