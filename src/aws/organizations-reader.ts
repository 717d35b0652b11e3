/**
 * The accounts of an AWS Organization, for `--org`: every ACTIVE account (ListAccounts), or those
 * under given OUs, found by walking each OU's child OUs (ListAccountsForParent +
 * ListOrganizationalUnitsForParent, recursively). Suspended, closing and closed accounts are left out
 * and counted, so the report can say what it skipped and why.
 */
import {
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';

export interface OrgAccount {
  id: string;
  name: string;
  /** The OU it was found under (only with OU recursion). */
  ou?: string;
}

export interface OrgListing {
  accounts: OrgAccount[];
  /** Accounts that exist but are not ACTIVE, with their state: never assumed into. */
  inactive: { id: string; name: string; state: string }[];
}

/**
 * `Account.State` replaces `Status` (retired by AWS in September 2026); older SDK answers and
 * emulators may still send only Status.
 */
function stateOf(account: Account): string {
  return account.State ?? account.Status ?? 'UNKNOWN';
}

function split(accounts: Iterable<Account & { ou?: string }>): OrgListing {
  const listing: OrgListing = { accounts: [], inactive: [] };
  const seen = new Set<string>();
  for (const account of accounts) {
    if (account.Id === undefined || seen.has(account.Id)) continue;
    seen.add(account.Id);
    const name = account.Name ?? account.Id;
    const state = stateOf(account);
    if (state === 'ACTIVE') listing.accounts.push({ id: account.Id, name, ...(account.ou !== undefined ? { ou: account.ou } : {}) });
    else listing.inactive.push({ id: account.Id, name, state });
  }
  listing.accounts.sort((a, b) => a.id.localeCompare(b.id));
  return listing;
}

export async function listOrganizationAccounts(client: OrganizationsClient, options: { ous?: readonly string[] } = {}): Promise<OrgListing> {
  if (options.ous === undefined || options.ous.length === 0) {
    const all: Account[] = [];
    for await (const page of paginateListAccounts({ client }, {})) all.push(...(page.Accounts ?? []));
    return split(all);
  }
  const found: (Account & { ou: string })[] = [];
  const visited = new Set<string>();
  const walk = async (ou: string): Promise<void> => {
    if (visited.has(ou)) return;
    visited.add(ou);
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: ou })) {
      for (const account of page.Accounts ?? []) found.push({ ...account, ou });
    }
    for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: ou })) {
      for (const child of page.OrganizationalUnits ?? []) if (child.Id !== undefined) await walk(child.Id);
    }
  };
  for (const ou of options.ous) await walk(ou);
  return split(found);
}
