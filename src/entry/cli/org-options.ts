/**
 * The org-wide flags `ops check-schedulers` (and `ops rollback`, for the role) share: which accounts
 * (--org [--ou] | --accounts | --accounts-file, minus --exclude-account), which regions (--regions |
 * --all-regions), how to enter them (--role-name, --external-id), and how many pairs at once.
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { UserError } from '../../errors.ts';
import { readAccountsFile } from '../../org/accounts-file.ts';
import { ORG_DEFAULTS } from '../../org/org-check.ts';
import { DEFAULT_ORG_ROLE, parseAccountIds, type AccountSource, type TargetSpec } from '../../org/targets.ts';
import { parseCountOption } from './parse-instant.ts';

export interface OrgOptionArgs {
  org: boolean;
  ou: string[];
  accounts?: string[];
  accountsFile?: string;
  excludeAccount: string[];
  regions?: string;
  allRegions: boolean;
  roleName: string;
  externalId?: string;
  pairConcurrency: number;
}

const GROUP = 'Org-wide (every account × region):';

export function withRoleOptions(y: Argv): Argv {
  return y
    .option('role-name', { type: 'string', default: DEFAULT_ORG_ROLE, group: GROUP, describe: 'Role assumed in each account (an accounts-file `role:` wins)' })
    .option('external-id', { type: 'string', group: GROUP, describe: 'sts:ExternalId the member roles require, if any' });
}

export function withOrgOptions(y: Argv): Argv {
  return withRoleOptions(y)
    .option('org', { type: 'boolean', default: false, group: GROUP, describe: 'Every ACTIVE account of the AWS Organization (organizations:ListAccounts)' })
    .option('ou', { type: 'string', array: true, default: [] as string[], group: GROUP, describe: 'With --org: only accounts under this OU, recursively (repeatable)' })
    .option('accounts', { type: 'string', array: true, group: GROUP, describe: 'These account ids, comma-separated' })
    .option('accounts-file', { type: 'string', group: GROUP, describe: 'YAML file: accounts: [{ id, name, role, regions, tags }]' })
    .option('exclude-account', { type: 'string', array: true, default: [] as string[], group: GROUP, describe: 'Leave these account ids out (repeatable, comma-separated)' })
    .option('regions', { type: 'string', group: GROUP, describe: 'Regions to check in each account, comma-separated' })
    .option('all-regions', { type: 'boolean', default: false, group: GROUP, describe: 'Every region each account has enabled (ec2:DescribeRegions)' })
    .option('pair-concurrency', { type: 'number', default: ORG_DEFAULTS.pairConcurrency, group: GROUP, describe: 'Account × region pairs checked at once' });
}

/** True when any flag asks for an org-wide run. */
export function isOrgRun(args: Pick<OrgOptionArgs, 'org' | 'accounts' | 'accountsFile'>): boolean {
  return args.org || args.accounts !== undefined || args.accountsFile !== undefined;
}

/** Org-only flags without an account source are a usage error rather than silently ignored. */
export function assertOrgOptions(args: OrgOptionArgs): void {
  const sources = [args.org ? '--org' : undefined, args.accounts !== undefined ? '--accounts' : undefined, args.accountsFile !== undefined ? '--accounts-file' : undefined].filter((s) => s !== undefined);
  if (sources.length > 1) throw new UserError('ORG_TARGETS', `${sources.join(' and ')} both name the accounts; pass one.`, 'Use --org (the Organization), --accounts <ids> or --accounts-file <file>.');
  if (args.ou.length > 0 && !args.org) throw new UserError('ORG_TARGETS', '--ou narrows --org, which was not given.', 'Add --org, e.g. `ops check-schedulers --org --ou ou-ab12-cdef3456 --regions us-east-1`.');
  if (args.regions !== undefined && args.allRegions) throw new UserError('ORG_TARGETS', '--regions and --all-regions both choose the regions; pass one.', 'Use --regions us-east-1,us-west-2, or --all-regions.');
  if (sources.length === 0) {
    const given = [args.regions !== undefined ? '--regions' : undefined, args.allRegions ? '--all-regions' : undefined, args.excludeAccount.length > 0 ? '--exclude-account' : undefined, args.externalId !== undefined ? '--external-id' : undefined].filter((s) => s !== undefined);
    if (given.length > 0) throw new UserError('ORG_TARGETS', `${given.join(', ')} ${given.length === 1 ? 'only applies' : 'only apply'} to an org-wide run.`, 'Add --org, --accounts <ids> or --accounts-file <file>; for this account alone use --region.');
  }
}

export async function targetSpecFrom(args: OrgOptionArgs, cwd: string): Promise<{ spec: TargetSpec; pairConcurrency: number }> {
  let source: AccountSource;
  if (args.org) source = { kind: 'org', ous: args.ou.flatMap((o) => o.split(',')).map((o) => o.trim()).filter((o) => o !== '') };
  else if (args.accounts !== undefined) source = { kind: 'accounts', ids: parseAccountIds('--accounts', args.accounts) };
  else {
    const path = resolve(cwd, args.accountsFile ?? '');
    source = { kind: 'file', path, accounts: await readAccountsFile(path) };
  }
  for (const ou of source.kind === 'org' ? source.ous : []) {
    if (!/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(ou)) throw new UserError('ORG_TARGETS', `--ou ${JSON.stringify(ou)} is not an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx).`, 'Find it with `aws organizations list-organizational-units-for-parent --parent-id <root id>`.');
  }
  const regions = args.allRegions ? 'all' : (args.regions ?? '').split(',').map((r) => r.trim()).filter((r) => r !== '');
  for (const region of regions === 'all' ? [] : regions) {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(region)) throw new UserError('INVALID_REGION', `--regions: ${JSON.stringify(region)} is not a region name.`, 'Pass region names, comma-separated, e.g. --regions us-east-1,eu-west-1.');
  }
  return {
    spec: { source, exclude: parseAccountIds('--exclude-account', args.excludeAccount), regions: regions === 'all' ? 'all' : [...new Set(regions)], roleName: args.roleName },
    pairConcurrency: parseCountOption('pair-concurrency', args.pairConcurrency, 64, ORG_DEFAULTS.pairConcurrency),
  };
}

/** RoleSessionName's operator: the person at the terminal as the shell knows them. */
export function operatorOf(env: NodeJS.ProcessEnv): string | undefined {
  return env.USER ?? env.LOGNAME ?? env.USERNAME;
}
