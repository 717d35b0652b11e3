/**
 * A generated AWS Organization for the sandbox: N member accounts in three OUs, each account × region
 * pair a small ordinary Scenario (roles, a cluster, task definitions, two schedule groups, schedules
 * with a dead-letter queue), faults planted deterministically over a subset of pairs, and some
 * accounts whose cross-account access role was never deployed. Pure: the same options give the same
 * organization; account ids only exist once org-seed.ts has created the accounts, so the expected
 * findings name accounts by name.
 *
 * Exact checks right after seeding. Every schedule fires only at 04:30 UTC on the 1st of January,
 * April, July and October, or at 05:00 UTC on January 2nd: a check finds MISSED_RUNS only for a fire
 * time after the schedule was created (run-rules.ts), so none appears unless one of those instants
 * passes between seeding and the check. Every schedule has a dead-letter queue (no
 * NO_DEAD_LETTER_QUEUE), and no group has target errors (nothing fires), so a check of a reachable
 * pair finds exactly the planted faults. SCHEDULE_EXPIRED is an EndDate of 2025-12-31, in the past
 * for any check run today.
 *
 * The management account (the sandbox's own) gets the role and, in every region, the same small system
 * without faults: an `--org` run lists it with the members, and it checks healthy.
 *
 * Accounts without the role: their pairs are seeded like any other (faults included; the seeder
 * enters through OrganizationAccountAccessRole), but an org-wide run cannot assume the role there, so
 * their faults are `hidden`, not `expected`, and each of their pairs is `unreachable` (what an org
 * run reports as one CHECK_INCOMPLETE per pair).
 */
import { UserError } from '../errors.ts';
import { MARKET_CRITICAL_TAG, PlantedFault, scenarioSchema, type Scenario, type ScenarioInput } from './scenario-schema.ts';

export const ORG_SCENARIO_NAME = 'org';
/** The account name the management account's pairs carry (moto itself lists the account as `master`). */
export const ORG_MANAGEMENT_NAME = 'management';
/** The role an org-wide run assumes in each account (`--role`'s default). */
export const ORG_ACCESS_ROLE = 'ops-org-access';
/** The role AWS Organizations creates in every account it creates; the seeder enters accounts through it. */
export const ORG_ADMIN_ROLE = 'OrganizationAccountAccessRole';
export const ORG_DEFAULT_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];
export const ORG_DEFAULTS = { accounts: 20, schedulesPerPair: 4, missingRoleAccounts: 1, roleName: ORG_ACCESS_ROLE } as const;
export const ORG_LIMITS = { accounts: 200, regions: 20, schedulesPerPair: 50 } as const;

export const OrgUnit = { production: 'production', nonProduction: 'non-production', tradingDesks: 'trading-desks' } as const;
export type OrgUnit = (typeof OrgUnit)[keyof typeof OrgUnit];

export interface OrgScenarioOptions {
  accounts?: number;
  regions?: readonly string[];
  schedulesPerPair?: number;
  /** Accounts (the last ones, spread out) where the access role is not created. */
  missingRoleAccounts?: number;
  roleName?: string;
}

export interface OrgScenarioAccount {
  name: string;
  email: string;
  ou: OrgUnit;
  /** False: `roleName` is not created in this account, so an org-wide run cannot enter it. */
  hasRole: boolean;
  tags: Record<string, string>;
}

export interface OrgScenarioPair {
  accountName: string;
  region: string;
  scenario: Scenario;
}

/** A planted fault, as the finding a check of its pair reports. */
export interface OrgPlantedFinding {
  accountName: string;
  region: string;
  group: string;
  name: string;
  code: PlantedFault;
}

export interface OrgScenario {
  name: typeof ORG_SCENARIO_NAME;
  description: string;
  roleName: string;
  regions: string[];
  /** OU names, in the order they are created. */
  organizationalUnits: OrgUnit[];
  accounts: OrgScenarioAccount[];
  /** Account-major: every region of the first account, then of the second, … */
  pairs: OrgScenarioPair[];
  /** The management account's pairs (accountName `management`): no planted faults. */
  managementPairs: OrgScenarioPair[];
  /** Faults in accounts that have the role: exactly what a check of every pair finds. */
  expected: OrgPlantedFinding[];
  /** Faults seeded in accounts without the role: there, but no org-wide run can see them. */
  hidden: OrgPlantedFinding[];
  /** Pairs of accounts without the role: AssumeRole is refused (AccessDenied) before any check. */
  unreachable: { accountName: string; region: string }[];
}

/** The first accounts have fixed names and OUs; every further one is a trading desk. */
const NAMED_ACCOUNTS: readonly { name: string; ou: OrgUnit }[] = [
  { name: 'prod', ou: OrgUnit.production },
  { name: 'staging', ou: OrgUnit.nonProduction },
  { name: 'desk', ou: OrgUnit.tradingDesks },
  { name: 'dev', ou: OrgUnit.nonProduction },
  { name: 'prod-dr', ou: OrgUnit.production },
];
const ENV_OF: Record<OrgUnit, string> = { production: 'prod', 'non-production': 'nonprod', 'trading-desks': 'prod' };

/** Faulty pairs take these in turn; TARGET_CLUSTER_NOT_FOUND (the one `--fix` repairs) comes most often. */
const FAULT_ROTATION: readonly PlantedFault[] = [
  PlantedFault.TARGET_CLUSTER_NOT_FOUND,
  PlantedFault.SCHEDULE_DISABLED,
  PlantedFault.TARGET_CLUSTER_NOT_FOUND,
  PlantedFault.TASK_DEFINITION_NOT_ACTIVE,
  PlantedFault.DEAD_LETTER_QUEUE_MISSING,
  PlantedFault.TARGET_CLUSTER_NOT_FOUND,
  PlantedFault.TARGET_ROLE_MISSING,
  PlantedFault.SCHEDULE_EXPIRED,
  PlantedFault.TARGET_CLUSTER_NOT_FOUND,
  PlantedFault.TARGET_CLUSTER_INACTIVE,
  PlantedFault.TARGET_FUNCTION_MISSING,
];
/** Pair p (account-major) carries one fault when p % 5 is 0 or 2: two pairs in five. */
const FAULTY_RESIDUES: ReadonlySet<number> = new Set([0, 2]);

const JOBS = ['position-snapshot', 'pnl-report', 'risk-rollup', 'ledger-archive', 'fee-accrual', 'tax-lots', 'audit-export', 'rebalance-check'] as const;
/** Rare fire times (see the header): quarterly and yearly, at night in New York. */
const CADENCES = [
  { expression: 'cron(30 4 1 1,4,7,10 ? *)', description: 'quarterly, 04:30 UTC on the 1st' },
  { expression: 'cron(0 5 2 1 ? *)', description: 'yearly, 05:00 UTC on 2 January' },
] as const;

export const OrgPairNames = {
  schedulerRole: 'desk-scheduler-role',
  executionRole: 'desk-task-execution-role',
  cluster: 'trading-cluster',
  /** What a TARGET_CLUSTER_NOT_FOUND schedule names: a prefix of `trading-cluster`, so `--fix` matches it. */
  missingCluster: 'trading',
  inactiveCluster: 'trading-legacy',
  missingRole: 'desk-scheduler-role-old',
  deadLetterQueue: 'desk-scheduler-dlq',
  missingDeadLetterQueue: 'desk-scheduler-dlq-old',
  marketGroup: 'desk-market',
  batchGroup: 'desk-batch',
  expiredEndDate: '2025-12-31T00:00:00Z',
} as const;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function generateOrgScenario(options: OrgScenarioOptions = {}): OrgScenario {
  const accountCount = options.accounts ?? ORG_DEFAULTS.accounts;
  const regions = [...(options.regions ?? ORG_DEFAULT_REGIONS)];
  const perPair = options.schedulesPerPair ?? ORG_DEFAULTS.schedulesPerPair;
  const missing = options.missingRoleAccounts ?? Math.min(ORG_DEFAULTS.missingRoleAccounts, accountCount);
  const roleName = options.roleName ?? ORG_DEFAULTS.roleName;
  validate({ accountCount, regions, perPair, missing, roleName });

  const missingIndexes = new Set(Array.from({ length: missing }, (_, j) => accountCount - 1 - Math.floor((j * accountCount) / missing)));
  const accounts = Array.from({ length: accountCount }, (_, i) => account(i, accountCount, !missingIndexes.has(i)));
  const pairs: OrgScenarioPair[] = [];
  const expected: OrgPlantedFinding[] = [];
  const hidden: OrgPlantedFinding[] = [];
  const unreachable: { accountName: string; region: string }[] = [];
  let faulty = 0;
  for (const acct of accounts) {
    for (const region of regions) {
      const p = pairs.length;
      const fault = FAULTY_RESIDUES.has(p % 5) ? { code: FAULT_ROTATION[faulty % FAULT_ROTATION.length] ?? PlantedFault.TARGET_CLUSTER_NOT_FOUND, schedule: faulty % perPair } : undefined;
      if (fault) faulty += 1;
      const scenario = pairScenario(acct.name, region, perPair, fault);
      pairs.push({ accountName: acct.name, region, scenario });
      for (const s of scenario.schedules) {
        if (s.plantedFault === undefined) continue;
        (acct.hasRole ? expected : hidden).push({ accountName: acct.name, region, group: s.group, name: s.name, code: s.plantedFault });
      }
      if (!acct.hasRole) unreachable.push({ accountName: acct.name, region });
    }
  }
  const ous = [OrgUnit.production, OrgUnit.nonProduction, OrgUnit.tradingDesks].filter((ou) => accounts.some((a) => a.ou === ou));
  return {
    name: ORG_SCENARIO_NAME,
    description: `Generated organization: ${accountCount} accounts in ${ous.length} OUs × ${regions.length} regions, ${perPair} schedules per pair, ${expected.length} visible planted faults, ${missing} account(s) without ${roleName}.`,
    roleName,
    regions,
    organizationalUnits: ous,
    accounts,
    pairs,
    managementPairs: regions.map((region) => ({ accountName: ORG_MANAGEMENT_NAME, region, scenario: pairScenario(ORG_MANAGEMENT_NAME, region, perPair, undefined) })),
    expected,
    hidden,
    unreachable,
  };
}

function validate(o: { accountCount: number; regions: string[]; perPair: number; missing: number; roleName: string }): void {
  const count = (field: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UserError('INVALID_ORG_OPTIONS', `${field} must be an integer between ${min} and ${max}, got ${value}.`, `Pass ${field}: ${min}..${max}.`);
    }
  };
  count('accounts', o.accountCount, 1, ORG_LIMITS.accounts);
  count('schedulesPerPair', o.perPair, 1, ORG_LIMITS.schedulesPerPair);
  count('missingRoleAccounts', o.missing, 0, o.accountCount);
  if (o.regions.length === 0 || o.regions.length > ORG_LIMITS.regions) {
    throw new UserError('INVALID_ORG_OPTIONS', `regions must list 1 to ${ORG_LIMITS.regions} regions, got ${o.regions.length}.`, 'Pass regions such as us-east-1,us-west-2.');
  }
  const bad = o.regions.filter((r) => !REGION.test(r));
  if (bad.length > 0) throw new UserError('INVALID_ORG_OPTIONS', `Not a region name: ${bad.join(', ')}.`, 'Pass regions such as us-east-1,us-west-2.');
  const dups = o.regions.filter((r, i) => o.regions.indexOf(r) !== i);
  if (dups.length > 0) throw new UserError('INVALID_ORG_OPTIONS', `Regions listed twice: ${[...new Set(dups)].join(', ')}.`, 'List each region once.');
  if (!ROLE_NAME.test(o.roleName)) throw new UserError('INVALID_ORG_OPTIONS', `"${o.roleName}" is not an IAM role name.`, 'Pass 1-64 letters, digits and +=,.@_-.');
}

function account(index: number, total: number, hasRole: boolean): OrgScenarioAccount {
  const named = NAMED_ACCOUNTS[index];
  const desks = 1 + Math.max(0, total - NAMED_ACCOUNTS.length);
  const deskNumber = (n: number) => `desk-${String(n).padStart(desks >= 100 ? 3 : 2, '0')}`;
  // Named slot 2 is the first desk; accounts past the named ones are desks 02, 03, …
  const name = named === undefined ? deskNumber(index - NAMED_ACCOUNTS.length + 2) : named.name === 'desk' ? deskNumber(1) : named.name;
  const ou = named?.ou ?? OrgUnit.tradingDesks;
  return { name, email: `ops-sandbox+${name}@example.com`, ou, hasRole, tags: { env: ENV_OF[ou], ou } };
}

function jobName(i: number): string {
  const base = JOBS[i % JOBS.length] ?? JOBS[0];
  const round = Math.floor(i / JOBS.length);
  return round === 0 ? base : `${base}-${round + 1}`;
}

function pairScenario(accountName: string, region: string, perPair: number, fault: { code: PlantedFault; schedule: number } | undefined): Scenario {
  const n = OrgPairNames;
  // A job's task definition family; jobs past the eighth share the family of their base job.
  const familyOf = (i: number) => `desk-${JOBS[i % JOBS.length] ?? JOBS[0]}`;
  const families = [...new Set(Array.from({ length: perPair }, (_, i) => familyOf(i)))];
  const faultJob = fault ? jobName(fault.schedule) : undefined;
  const retiredFamily = fault?.code === PlantedFault.TASK_DEFINITION_NOT_ACTIVE ? `${familyOf(fault.schedule)}-v1` : undefined;

  const schedules = Array.from({ length: perPair }, (_, i) => {
    const market = i % 2 === 0;
    const cadence = CADENCES[i % CADENCES.length] ?? CADENCES[0];
    const code = fault?.schedule === i ? fault.code : undefined;
    const name = jobName(i);
    const ecs = {
      kind: 'ecs' as const,
      cluster: code === PlantedFault.TARGET_CLUSTER_NOT_FOUND ? n.missingCluster : code === PlantedFault.TARGET_CLUSTER_INACTIVE ? n.inactiveCluster : n.cluster,
      taskDefinition: code === PlantedFault.TASK_DEFINITION_NOT_ACTIVE && retiredFamily ? retiredFamily : familyOf(i),
      input: { job: name, account: accountName },
    };
    return {
      name,
      group: market ? n.marketGroup : n.batchGroup,
      description: `${name} for ${accountName} (${cadence.description})`,
      marketCritical: market,
      expression: cadence.expression,
      timezone: 'UTC',
      ...(code === PlantedFault.SCHEDULE_DISABLED ? { state: 'DISABLED' as const } : {}),
      ...(code === PlantedFault.SCHEDULE_EXPIRED ? { endDate: n.expiredEndDate } : {}),
      role: code === PlantedFault.TARGET_ROLE_MISSING ? n.missingRole : n.schedulerRole,
      deadLetterQueue: code === PlantedFault.DEAD_LETTER_QUEUE_MISSING ? n.missingDeadLetterQueue : n.deadLetterQueue,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3_600 },
      target: code === PlantedFault.TARGET_FUNCTION_MISSING ? { kind: 'lambda' as const, function: `${name}-fn`, input: { job: name } } : ecs,
      ...(code ? { plantedFault: code } : {}),
    };
  });

  const input: ScenarioInput = {
    name: `org-${accountName}-${region}`,
    description: `Account ${accountName}, ${region}: ${perPair} schedules${fault ? `, planted ${fault.code} on ${faultJob}` : ''}.`,
    region,
    roles: [
      { name: n.schedulerRole, trust: 'scheduler', actions: ['ecs:RunTask', 'iam:PassRole', 'lambda:InvokeFunction', 'sqs:SendMessage'] },
      { name: n.executionRole, trust: 'ecs-tasks', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'] },
    ],
    clusters: [
      { name: n.cluster, tags: { account: accountName } },
      ...(fault?.code === PlantedFault.TARGET_CLUSTER_INACTIVE ? [{ name: n.inactiveCluster, state: 'INACTIVE' as const }] : []),
    ],
    taskDefinitions: [
      ...families.map((family) => ({ family, executionRole: n.executionRole, containers: [{ name: 'app', image: `ops-desk/${family}:latest`, memory: 512 }] })),
      ...(retiredFamily ? [{ family: retiredFamily, executionRole: n.executionRole, status: 'INACTIVE' as const, containers: [{ name: 'app', image: `ops-desk/${retiredFamily}:old`, memory: 512 }] }] : []),
    ],
    queues: [{ name: n.deadLetterQueue }],
    scheduleGroups: [
      { name: n.marketGroup, tags: { [MARKET_CRITICAL_TAG.key]: MARKET_CRITICAL_TAG.value, account: accountName } },
      ...(perPair > 1 ? [{ name: n.batchGroup, tags: { account: accountName } }] : []),
    ],
    schedules,
  };
  return scenarioSchema.parse(input);
}
