/**
 * `ops sandbox up --scenario org`: one moto serving a generated AWS Organization (src/sandbox/
 * org-scenario.ts, org-seed.ts). The options are checked before anything starts; the seeding runs in
 * the sandbox's management account (its default credentials); the accounts file is written next to
 * the state file, and the ready document says how to check the organization.
 */
import { join } from 'node:path';
import { UserError } from '../../errors.ts';
import { generateOrgScenario, ORG_DEFAULT_REGIONS, ORG_DEFAULTS, ORG_LIMITS, ORG_SCENARIO_NAME, type OrgScenario } from '../../sandbox/org-scenario.ts';
import { seedOrgScenario, type OrgExpectedFinding, type OrgSeedResult } from '../../sandbox/org-seed.ts';
import { SANDBOX_DEFINITION_CACHE_TABLE, type Sandbox } from '../../sandbox/sandbox.ts';
import type { SandboxOrgState } from '../../sandbox/state-file.ts';

export const ORG_ACCOUNTS_FILE = 'org-accounts.yaml';

export interface OrgUpArgs {
  scenario: string;
  orgAccounts?: number;
  orgRegions?: string;
  fire: boolean;
  trading: boolean;
  day?: string;
}

/** The organization to seed for `--scenario org`, undefined for any other scenario; usage errors before anything starts. */
export function orgScenarioFromArgs(args: OrgUpArgs): OrgScenario | undefined {
  if (args.scenario !== ORG_SCENARIO_NAME) {
    const given = [args.orgAccounts !== undefined ? '--org-accounts' : undefined, args.orgRegions !== undefined ? '--org-regions' : undefined].filter((o) => o !== undefined);
    if (given.length > 0) throw new UserError('ORG_OPTION_WITHOUT_ORG', `${given.join(' and ')} only apply to --scenario org.`, `Add --scenario org, or drop ${given.join(' and ')}.`);
    return undefined;
  }
  const unsupported = [args.fire ? '--fire' : undefined, args.trading ? '--trading' : undefined, args.day !== undefined ? '--day' : undefined].filter((o) => o !== undefined);
  if (unsupported.length > 0) {
    throw new UserError(
      'ORG_SCENARIO_OPTION',
      `--scenario org does not support ${unsupported.join(', ')}: the firer, the trading stack and the day clock run in one account.`,
      `Drop ${unsupported.join(', ')}, or use a single-account scenario (healthy, mixed, incident-2026-01-29).`,
    );
  }
  const accounts = args.orgAccounts ?? ORG_DEFAULTS.accounts;
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > ORG_LIMITS.accounts) {
    throw new UserError('INVALID_ORG_OPTIONS', `--org-accounts must be an integer between 1 and ${ORG_LIMITS.accounts}, got ${String(accounts)}.`, 'Pass e.g. --org-accounts 5.');
  }
  const regions = args.orgRegions === undefined ? [...ORG_DEFAULT_REGIONS] : args.orgRegions.split(',').map((r) => r.trim()).filter((r) => r !== '');
  try {
    return generateOrgScenario({ accounts, regions });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(error.code, `--org-regions / --org-accounts: ${error.message}`, 'Pass e.g. --org-accounts 5 --org-regions us-east-1,eu-west-1.', { cause: error });
    throw error;
  }
}

export interface SeededSandboxOrg {
  seed: OrgSeedResult;
  state: SandboxOrgState;
  seedMs: number;
}

/** Seeds the organization into the running sandbox and writes the accounts file into `stateDir`. */
export async function seedSandboxOrg(
  sandbox: Pick<Sandbox, 'endpoint' | 'clients'>,
  scenario: OrgScenario,
  options: { stateDir: string; now: () => Date; log: (line: string) => void },
): Promise<SeededSandboxOrg> {
  const t0 = Date.now();
  const seed = await seedOrgScenario(scenario, {
    endpoint: sandbox.endpoint,
    clients: sandbox.clients,
    clock: options.now,
    log: options.log,
    accountsFile: join(options.stateDir, ORG_ACCOUNTS_FILE),
    definitionCacheTable: SANDBOX_DEFINITION_CACHE_TABLE,
  });
  const state: SandboxOrgState = {
    organizationId: seed.organizationId,
    managementAccount: seed.management.id,
    managementSchedules: seed.management.schedules,
    accounts: seed.accounts.length,
    ous: [...scenario.organizationalUnits],
    regions: [...seed.regions],
    roleName: seed.roleName,
    withoutRole: seed.accounts.filter((a) => !a.hasRole).map((a) => ({ id: a.id, name: a.name })),
    accountsFile: join(options.stateDir, ORG_ACCOUNTS_FILE),
    plantedFindings: seed.expected.length,
  };
  return { seed, state, seedMs: Date.now() - t0 };
}

/** The command that checks the whole organization, as the ready document prints it. */
export function orgCheckCommand(org: Pick<SandboxOrgState, 'regions'>): string {
  return `ops check-schedulers --org --regions ${org.regions.join(',')}`;
}

/** The ready document's lines about the organization. */
export function orgReadyLines(org: SandboxOrgState, schedules: number): string[] {
  const without = org.withoutRole.map((a) => `${a.name} (${a.id})`).join(', ');
  return [
    `# organization ${org.organizationId}: ${org.accounts} member accounts in ${org.ous.length} OUs (${org.ous.join(', ')}) × ${org.regions.length} regions (${org.regions.join(', ')}), ${schedules} schedules, ${org.plantedFindings} planted faults to find`,
    `# access role ${org.roleName}: in the management account ${org.managementAccount} (${org.managementSchedules} schedules, all healthy) and every member account${without ? ` but ${without}, which a check cannot enter (AccessDenied)` : ''}`,
    `# accounts file: ${org.accountsFile} (the member accounts, each with the role and regions; --accounts-file)`,
    `# check it: ${orgCheckCommand(org)}`,
  ];
}

/** What --json adds about the organization: the summary, and the findings a check must find and cannot reach. */
export function orgReadyJson(org: SandboxOrgState, seed: Pick<OrgSeedResult, 'accounts' | 'expected' | 'unreachable'> | undefined) {
  return {
    ...org,
    checkCommand: orgCheckCommand(org),
    memberAccounts: seed?.accounts.map((a) => ({ id: a.id, name: a.name, ou: a.ou, hasRole: a.hasRole })) ?? [],
    expected: seed?.expected ?? ([] as OrgExpectedFinding[]),
    unreachable: seed?.unreachable ?? [],
  };
}
