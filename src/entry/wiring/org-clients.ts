/**
 * SDK clients per account × region for org-wide runs: one credential cache (one AssumeRole per
 * account, refreshed near expiry), one client set per pair, and every client's calls counted into one
 * counter. AssumeRole is resolved before a pair's first call, so a missing or untrusting role fails
 * that pair as `sts:AssumeRole` instead of as every later call failing.
 */
import type { AwsSettings } from '../../aws/client-config.ts';
import { createAwsClients, type AwsClients, type SandboxClientSettings } from '../../aws/clients.ts';
import { createRoleCredentialCache, roleArnFor } from '../../aws/assumed-role.ts';
import type { CallCounter, MiddlewareClient } from '../../aws/call-counter.ts';
import type { OrgPair, TargetLookups } from '../../org/targets.ts';
import { listOrganizationAccounts } from '../../aws/organizations-reader.ts';
import { enabledRegions } from '../../aws/regions-reader.ts';
import { errorMessage, errorName } from '../../aws-error.ts';
import { UserError } from '../../errors.ts';
import type { OrgCheckPorts } from '../../org/org-check.ts';
import { countedClients, createCheckPorts, type CheckPortOptions } from './check-ports.ts';

export interface OrgClients {
  /** The caller's own clients (Organizations, STS, EC2 in the central account). */
  central: AwsClients;
  /** Clients in the pair's account and region; throws RoleAssumptionError when the role cannot be assumed. */
  forPair(pair: OrgPair): Promise<AwsClients>;
  /** Clients in an account and region given by id (rollback reads them from backups). */
  forAccount(account: string, role: string, region: string): Promise<AwsClients>;
  assumeRoleCalls(): number;
}

export interface OrgClientSettings {
  /** What every client shares: endpoint, profile (for the central credentials), retries. */
  aws: AwsSettings & SandboxClientSettings;
  env: NodeJS.ProcessEnv;
  clock: () => Date;
  sessionName: string;
  externalId?: string;
  counter?: CallCounter;
  /** Called on each new pair's clients (the bench adds network latency here). */
  decorate?: (clients: AwsClients, account: string, region: string) => void;
}

export function createOrgClients(central: AwsClients, settings: OrgClientSettings): OrgClients {
  const cache = createRoleCredentialCache({
    sts: central.sts,
    clock: settings.clock,
    sessionName: settings.sessionName,
    ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
  });
  const byPair = new Map<string, AwsClients>();
  const forAccount = async (account: string, role: string, region: string): Promise<AwsClients> => {
    const roleArn = roleArnFor(account, role, region);
    const key = `${roleArn}|${region}`;
    const known = byPair.get(key);
    if (known !== undefined) return known;
    const provider = cache.provider(roleArn);
    await provider();
    const clients = createAwsClients({ ...settings.aws, region, credentialProvider: provider }, settings.env);
    if (settings.counter !== undefined) for (const client of [...countedClients(clients), clients.sns, clients.ec2]) settings.counter.attach(client as unknown as MiddlewareClient);
    settings.decorate?.(clients, account, region);
    byPair.set(key, clients);
    return clients;
  };
  return {
    central,
    forPair: (pair) => forAccount(pair.account.id, pair.account.role, pair.region),
    forAccount,
    assumeRoleCalls: () => cache.assumeRoleCalls(),
  };
}

/**
 * The org check's ports over these clients: accounts are entered in the central region (IAM and
 * STS are global; EC2 DescribeRegions answers for the account), pairs get the check's usual ports.
 */
export function orgCheckPorts(org: OrgClients, options: (pair: OrgPair) => CheckPortOptions): OrgCheckPorts {
  const home = org.central.config.region;
  return {
    enter: async (account) => void (await org.forAccount(account.id, account.role, home)),
    enabledRegions: async (account) => enabledRegions((await org.forAccount(account.id, account.role, home)).ec2),
    checkPorts: async (pair) => createCheckPorts(await org.forPair(pair), options(pair)),
  };
}

/**
 * The Organization's accounts through the caller's own credentials; a failure is a setup error (exit
 * 2, the Lambda's CheckErrors) that says who may list them. `instead` names the other way to give the
 * accounts in the caller's terms (flags or environment).
 */
export function organizationLookups(org: OrgClients, instead: string): TargetLookups {
  return {
    organizationAccounts: async (ous) => {
      try {
        return await listOrganizationAccounts(org.central.organizations, { ous });
      } catch (cause) {
        throw new UserError(
          'ORG_ACCOUNTS_UNLISTED',
          `Cannot list the Organization's accounts: ${errorName(cause)}: ${errorMessage(cause)}`,
          `Run from the management account or a delegated administrator with organizations:ListAccounts (and ListAccountsForParent, ListOrganizationalUnitsForParent for OUs), or ${instead}.`,
          { cause },
        );
      }
    },
  };
}
