/**
 * Which account × region pairs an org-wide run covers. The accounts come from one source (the
 * Organization, a list of ids, or an accounts file), minus exclusions; each account's regions from
 * its accounts-file entry, else `--regions`, else (`--all-regions`) the regions the account has
 * enabled. Pure apart from the two look-ups it is handed, so it is unit-tested without AWS.
 */
import { UserError } from '../errors.ts';

export interface AccountTarget {
  id: string;
  name: string;
  /** The role to assume: a name in this account, or a full ARN. */
  role: string;
  /** Regions from the accounts file; absent: the run's regions. */
  regions?: string[];
  tags: Record<string, string>;
  /** The OU it was found under (`--org --ou`). */
  ou?: string;
}

export interface OrgPair {
  account: AccountTarget;
  region: string;
}

export type AccountSource =
  | { kind: 'org'; ous: string[] }
  | { kind: 'accounts'; ids: string[] }
  | { kind: 'file'; path: string; accounts: FileAccount[] };

/** An accounts-file entry (accounts-file.ts validates it). */
export interface FileAccount {
  id: string;
  name?: string;
  role?: string;
  regions?: string[];
  tags?: Record<string, string>;
}

export interface TargetSpec {
  source: AccountSource;
  exclude: string[];
  /** `--regions`, or `all` for `--all-regions`. */
  regions: string[] | 'all';
  roleName: string;
}

export interface TargetLookups {
  /** The Organization's ACTIVE accounts (under `ous` when given) and the ones left out. */
  organizationAccounts(ous: readonly string[]): Promise<{ accounts: { id: string; name: string; ou?: string }[]; inactive: { id: string; name: string; state: string }[] }>;
}

export interface ResolvedTargets {
  accounts: AccountTarget[];
  /** Accounts left out, with why: `--exclude-account`, or not ACTIVE in the Organization. */
  skipped: { id: string; name: string; reason: string }[];
  /** Accounts whose regions are read from the account itself (`--all-regions`, no regions in the file). */
  regionsFromAccount: string[];
}

export const ACCOUNT_ID = /^\d{12}$/;
export const DEFAULT_ORG_ROLE = 'ops-org-access';

export function parseAccountIds(flag: string, values: readonly string[]): string[] {
  const ids = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const bad = ids.filter((id) => !ACCOUNT_ID.test(id));
  if (bad.length > 0) {
    throw new UserError('INVALID_ACCOUNT_ID', `${flag}: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not an account id' : 'are not account ids'} (12 digits).`, `Pass 12-digit account ids, comma-separated, e.g. ${flag} 111111111111,222222222222.`);
  }
  return [...new Set(ids)];
}

export async function resolveTargets(spec: TargetSpec, lookups: TargetLookups): Promise<ResolvedTargets> {
  const excluded = new Set(spec.exclude);
  const skipped: ResolvedTargets['skipped'] = [];
  let candidates: AccountTarget[];
  switch (spec.source.kind) {
    case 'org': {
      const listing = await lookups.organizationAccounts(spec.source.ous);
      for (const account of listing.inactive) skipped.push({ id: account.id, name: account.name, reason: `${account.state} in the Organization` });
      candidates = listing.accounts.map((a) => ({ id: a.id, name: a.name, role: spec.roleName, tags: {}, ...(a.ou !== undefined ? { ou: a.ou } : {}) }));
      break;
    }
    case 'accounts':
      candidates = spec.source.ids.map((id) => ({ id, name: id, role: spec.roleName, tags: {} }));
      break;
    case 'file':
      candidates = spec.source.accounts.map((a) => ({
        id: a.id,
        name: a.name ?? a.id,
        role: a.role ?? spec.roleName,
        tags: a.tags ?? {},
        ...(a.regions !== undefined ? { regions: a.regions } : {}),
      }));
      break;
    default:
      return assertNever(spec.source);
  }
  const accounts: AccountTarget[] = [];
  for (const account of candidates) {
    if (excluded.has(account.id)) skipped.push({ id: account.id, name: account.name, reason: 'excluded (--exclude-account)' });
    else accounts.push(account);
  }
  const unmatched = [...excluded].filter((id) => !candidates.some((a) => a.id === id) && !skipped.some((s) => s.id === id));
  for (const id of unmatched) skipped.push({ id, name: id, reason: 'excluded (--exclude-account), and not among the targets anyway' });
  if (accounts.length === 0) {
    throw new UserError('NO_ACCOUNTS', `No account to check: ${describeSource(spec.source)} gave ${candidates.length} account(s), and ${skipped.length} were left out.`, 'Check --org / --ou, --accounts or the accounts file, and --exclude-account.');
  }
  const regionsFromAccount: string[] = [];
  for (const account of accounts) {
    if (account.regions !== undefined) continue;
    if (spec.regions === 'all') regionsFromAccount.push(account.id);
    else if (spec.regions.length === 0) {
      throw new UserError('NO_REGIONS', `No regions for account ${account.id} (${account.name}).`, 'Pass --regions us-east-1,us-west-2 or --all-regions, or give the account `regions:` in the accounts file.');
    }
  }
  return { accounts, skipped, regionsFromAccount };
}

/** Every account × region pair, in account then region order; `enabled` supplies `--all-regions` answers. */
export function pairsOf(accounts: readonly AccountTarget[], regions: string[] | 'all', enabled: ReadonlyMap<string, readonly string[]>): OrgPair[] {
  const pairs: OrgPair[] = [];
  for (const account of accounts) {
    const list = account.regions ?? (regions === 'all' ? enabled.get(account.id) ?? [] : regions);
    for (const region of [...new Set(list)].sort()) pairs.push({ account, region });
  }
  return pairs;
}

export function describeSource(source: AccountSource): string {
  switch (source.kind) {
    case 'org':
      return source.ous.length > 0 ? `the Organization under ${source.ous.join(', ')}` : 'the Organization';
    case 'accounts':
      return '--accounts';
    case 'file':
      return source.path;
    default:
      return assertNever(source);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected account source ${JSON.stringify(value)}`);
}
