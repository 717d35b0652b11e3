/**
 * Seeds a generated organization (org-scenario.ts) into one moto server, the way it would be built in
 * AWS: in the management account (the sandbox's default credentials) CreateOrganization, the OUs,
 * CreateAccount per account and MoveAccount into its OU; then, entering each new account through the
 * OrganizationAccountAccessRole that CreateAccount made there, the access role an org-wide run assumes
 * (trusting the management account) unless the account is one that lacks it, the account's IAM roles,
 * and every region with the ordinary seedScenario; the management account gets the access role and its
 * own healthy pairs too. moto keys everything by the account in the assumed role's ARN, so one server
 * serves every account.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { createRoleCredentialCache, roleArnFor } from '../aws/assumed-role.ts';
import { createAwsClients, type AwsClients } from '../aws/clients.ts';
import { ensureScheduleDefinitionTable } from '../aws/schedule-definition-store.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { FaultError } from '../errors.ts';
import { createCrossAccountRole, createOrgAdminPort, type OrgAdminPort } from './aws/org-api.ts';
import { createSeederPort } from './aws/seeder-api.ts';
import { assertLoopbackEndpoint } from './moto-api.ts';
import { createSandboxClients } from './sandbox.ts';
import { ORG_ADMIN_ROLE, type OrgPlantedFinding, type OrgScenario, type OrgUnit } from './org-scenario.ts';
import type { ScenarioRole } from './scenario-schema.ts';
import { seedScenario } from './seed.ts';

/** What the access role may do: the reads of a check and the one write of `--fix` (moto enforces none of it). */
export const ORG_ACCESS_ROLE_ACTIONS: readonly string[] = [
  'scheduler:List*',
  'scheduler:Get*',
  'scheduler:UpdateSchedule',
  'ecs:Describe*',
  'ecs:List*',
  'iam:GetRole',
  'iam:PassRole',
  'lambda:GetFunction',
  'sqs:GetQueueUrl',
  'cloudwatch:GetMetricData',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
];

export interface OrgSeedOptions {
  /** The sandbox endpoint (a loopback address: this never seeds real AWS). */
  endpoint: string;
  /** The management (central) account's clients: the sandbox's default credentials. */
  clients: Pick<AwsClients, 'organizations' | 'iam' | 'sts'>;
  /** Decides when assumed sessions need renewing. */
  clock: () => Date;
  log?: (line: string) => void;
  /** Account × region pairs seeded at once (default 8). */
  concurrency?: number;
  /** Write the member accounts here as an accounts file (`--accounts-file`). */
  accountsFile?: string;
  /** Also create this schedule-definition cache table in every pair, so `OPS_DEFINITION_CACHE_TABLE` holds everywhere. */
  definitionCacheTable?: string;
  /**
   * Give the management account the access role and seed its healthy pairs (default true), so an
   * `--org` run, which lists the management account with the members, enters it and finds it healthy.
   * False: the management account gets neither (leave it out of the run with --exclude-account).
   */
  managementRole?: boolean;
  /** Instead of the SDK port on `clients.organizations` (tests). */
  admin?: OrgAdminPort;
}

export interface SeededOrgAccount {
  id: string;
  name: string;
  email: string;
  ou: OrgUnit;
  ouId: string;
  hasRole: boolean;
  tags: Record<string, string>;
}

export interface OrgExpectedFinding extends OrgPlantedFinding {
  /** The account id moto gave the account. */
  account: string;
}

export interface OrgSeedResult {
  organizationId: string;
  rootId: string;
  /** The management account (moto's default account): whether it has the access role and its schedules. */
  management: { id: string; hasRole: boolean; schedules: number };
  roleName: string;
  regions: string[];
  accounts: SeededOrgAccount[];
  /** Schedules seeded over every pair (hidden ones included). */
  schedules: number;
  expected: OrgExpectedFinding[];
  hidden: OrgExpectedFinding[];
  unreachable: { account: string; accountName: string; region: string }[];
  accountsFile?: string;
}

const SEEDER_SESSION = 'ops-sandbox-seeder';

export async function seedOrgScenario(scenario: OrgScenario, options: OrgSeedOptions): Promise<OrgSeedResult> {
  assertLoopbackEndpoint(options.endpoint);
  const log = options.log ?? (() => undefined);
  const concurrency = options.concurrency ?? 8;
  const admin = options.admin ?? createOrgAdminPort(options.clients.organizations);

  const org = await admin.createOrganization();
  const ouIds = new Map<OrgUnit, string>();
  for (const ou of scenario.organizationalUnits) ouIds.set(ou, await admin.createOrganizationalUnit(org.rootId, ou));
  const accounts = await mapWithConcurrency(scenario.accounts, concurrency, async (spec): Promise<SeededOrgAccount> => {
    const id = await admin.createAccount({ name: spec.name, email: spec.email, tags: spec.tags });
    const ouId = ouIds.get(spec.ou);
    if (ouId === undefined) throw new FaultError('ORG_SCENARIO_INCONSISTENT', `Account ${spec.name} is in OU ${spec.ou}, which the scenario does not list.`);
    await admin.moveAccount(id, org.rootId, ouId);
    return { id, name: spec.name, email: spec.email, ou: spec.ou, ouId, hasRole: spec.hasRole, tags: spec.tags };
  });
  log(`organization ${org.organizationId}: ${accounts.length} accounts in ${ouIds.size} OUs`);

  const byName = new Map(accounts.map((a) => [a.name, a]));
  const idOf = (name: string): string => {
    const id = byName.get(name)?.id;
    if (id === undefined) throw new FaultError('ORG_SCENARIO_INCONSISTENT', `The scenario names account ${name}, which was not created.`);
    return id;
  };
  const credentials = createRoleCredentialCache({ sts: options.clients.sts, clock: options.clock, sessionName: SEEDER_SESSION });
  const clientsFor = (account: string, region: string): AwsClients =>
    createAwsClients(
      {
        endpoint: options.endpoint,
        region,
        maxAttempts: 1,
        credentialProvider: credentials.provider(roleArnFor(account, ORG_ADMIN_ROLE, region)),
        disableRequestCompression: true,
      },
      {},
    );

  // IAM is global: each account's roles once, before any of its regions refers to them.
  const firstRegion = scenario.regions[0] ?? 'us-east-1';
  const roleArns = new Map<string, Map<string, string>>();
  await mapWithConcurrency(accounts, concurrency, async (account) => {
    const clients = clientsFor(account.id, firstRegion);
    const port = createSeederPort(clients, { region: firstRegion, endpoint: options.endpoint });
    const arns = new Map<string, string>();
    for (const role of accountRoles(scenario.pairs.filter((p) => p.accountName === account.name))) arns.set(role.name, await port.createRole({ name: role.name, trustService: role.trust, actions: role.actions }));
    if (account.hasRole) await createAccessRole(clients.iam, scenario.roleName, org.managementAccount);
    roleArns.set(account.name, arns);
  });

  const seeded = await mapWithConcurrency(scenario.pairs, concurrency, async (pair) => {
    const account = idOf(pair.accountName);
    const clients = clientsFor(account, pair.region);
    const base = createSeederPort(clients, { region: pair.region, endpoint: options.endpoint });
    const arns = roleArns.get(pair.accountName) ?? new Map<string, string>();
    const port = {
      ...base,
      // Created above, once per account.
      createRole: async ({ name }: { name: string }) => arns.get(name) ?? `arn:aws:iam::${account}:role/${name}`,
    };
    const result = await seedScenario(pair.scenario, { port, endpoint: options.endpoint, concurrency: 4 });
    if (result.account !== account) {
      throw new FaultError('ORG_SEED_WRONG_ACCOUNT', `Seeding ${pair.accountName} (${account}) in ${pair.region} landed in account ${result.account}.`);
    }
    if (options.definitionCacheTable !== undefined) await ensureScheduleDefinitionTable(clients.dynamodb, options.definitionCacheTable);
    return result.schedules.length;
  });
  const management = options.managementRole ?? true;
  const managementSchedules = management ? await seedManagement(scenario, options, org.managementAccount) : 0;
  const schedules = seeded.reduce((sum, n) => sum + n, managementSchedules);
  log(`seeded ${schedules} schedules over ${scenario.pairs.length + (management ? scenario.managementPairs.length : 0)} account × region pairs`);

  const withId = (f: OrgPlantedFinding): OrgExpectedFinding => ({ account: idOf(f.accountName), ...f });
  const result: OrgSeedResult = {
    organizationId: org.organizationId,
    rootId: org.rootId,
    management: { id: org.managementAccount, hasRole: management, schedules: managementSchedules },
    roleName: scenario.roleName,
    regions: [...scenario.regions],
    accounts,
    schedules,
    expected: scenario.expected.map(withId),
    hidden: scenario.hidden.map(withId),
    unreachable: scenario.unreachable.map((u) => ({ account: idOf(u.accountName), ...u })),
    ...(options.accountsFile !== undefined ? { accountsFile: options.accountsFile } : {}),
  };
  if (options.accountsFile !== undefined) await writeOrgAccountsFile(options.accountsFile, result);
  return result;
}

/** The management account: the caller's own (sandbox) credentials, no role to assume. */
async function seedManagement(scenario: OrgScenario, options: OrgSeedOptions, managementAccount: string): Promise<number> {
  await createAccessRole(options.clients.iam, scenario.roleName, managementAccount);
  const first = createSandboxClients(options.endpoint, scenario.regions[0] ?? 'us-east-1');
  const roles = createSeederPort(first, { region: scenario.regions[0] ?? 'us-east-1' });
  const arns = new Map<string, string>();
  for (const role of accountRoles(scenario.managementPairs)) arns.set(role.name, await roles.createRole({ name: role.name, trustService: role.trust, actions: role.actions }));
  const seeded = await mapWithConcurrency(scenario.managementPairs, options.concurrency ?? 8, async (pair) => {
    const clients = createSandboxClients(options.endpoint, pair.region);
    const port = { ...createSeederPort(clients, { region: pair.region, endpoint: options.endpoint }), createRole: async ({ name }: { name: string }) => arns.get(name) ?? '' };
    const result = await seedScenario(pair.scenario, { port, concurrency: 4 });
    if (options.definitionCacheTable !== undefined) await ensureScheduleDefinitionTable(clients.dynamodb, options.definitionCacheTable);
    return result.schedules.length;
  });
  return seeded.reduce((sum, n) => sum + n, 0);
}

function accountRoles(pairs: readonly OrgScenario['pairs'][number][]): ScenarioRole[] {
  const roles = new Map<string, ScenarioRole>();
  for (const pair of pairs) {
    for (const role of pair.scenario.roles) if (!roles.has(role.name)) roles.set(role.name, role);
  }
  return [...roles.values()];
}

async function createAccessRole(iam: AwsClients['iam'], name: string, managementAccount: string): Promise<void> {
  await createCrossAccountRole(iam, {
    name,
    trustedAccount: managementAccount,
    actions: ORG_ACCESS_ROLE_ACTIONS,
    description: 'ops: org-wide schedule checks from the central account',
  });
}

/** The accounts-file text (src/org/accounts-file.ts reads it): the member accounts, each with the role and regions. */
export function orgAccountsFileText(result: Pick<OrgSeedResult, 'organizationId' | 'roleName' | 'regions' | 'accounts'>): string {
  const doc = {
    accounts: result.accounts.map((a) => ({ id: a.id, name: a.name, role: result.roleName, regions: [...result.regions], tags: { ...a.tags } })),
  };
  const header = [
    `# The member accounts of the sandbox organization ${result.organizationId}, written by \`ops sandbox up --scenario org\`.`,
    `# Accounts without ${result.roleName}: ${result.accounts.filter((a) => !a.hasRole).map((a) => `${a.name} (${a.id})`).join(', ') || 'none'}.`,
  ];
  return `${header.join('\n')}\n${stringify(doc)}`;
}

export async function writeOrgAccountsFile(path: string, result: Pick<OrgSeedResult, 'organizationId' | 'roleName' | 'regions' | 'accounts'>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, orgAccountsFileText(result), 'utf8');
}
