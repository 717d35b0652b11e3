/**
 * Before any pair runs, each account is entered once: its role assumed (IAM is global, so a missing
 * or untrusting role fails the account in every region alike) and, for `--all-regions`, its enabled
 * regions read. An account that cannot be entered becomes one failure naming every region it would
 * have covered, not one per region, and its pairs are not attempted.
 */
import { mapWithConcurrency } from '../concurrency.ts';
import { pairFailureOf, PairIncompleteError, type PairFailure } from './run-pairs.ts';
import { pairsOf, type AccountTarget, type OrgPair } from './targets.ts';

export interface AccountFailure {
  account: AccountTarget;
  failure: PairFailure;
  /** The regions it would have covered; empty when they were to come from the account itself. */
  regions: string[];
}

export interface EntryPorts {
  /** Assumes the account's role (cached for its pairs); throws RoleAssumptionError. */
  enter(account: AccountTarget): Promise<void>;
  /** `--all-regions`: the regions the account has enabled (ec2:DescribeRegions in that account). */
  enabledRegions(account: AccountTarget): Promise<string[]>;
}

export async function preparePairs(
  accounts: readonly AccountTarget[],
  regions: string[] | 'all',
  ports: EntryPorts,
  concurrency: number,
): Promise<{ pairs: OrgPair[]; failures: AccountFailure[] }> {
  const entered = await mapWithConcurrency(accounts, concurrency, async (account) => {
    const planned = account.regions ?? (regions === 'all' ? [] : regions);
    try {
      await ports.enter(account);
    } catch (error) {
      return { account, failure: pairFailureOf(error), regions: planned };
    }
    if (account.regions !== undefined || regions !== 'all') return { account, regions: planned };
    try {
      const enabled = await ports.enabledRegions(account);
      if (enabled.length === 0) throw new PairIncompleteError({ action: 'ec2:DescribeRegions', errorName: 'NoRegions', reason: 'the account reports no enabled region' });
      return { account, regions: enabled };
    } catch (error) {
      const failure = error instanceof PairIncompleteError ? error.failure : { ...pairFailureOf(error), action: 'ec2:DescribeRegions' };
      return { account, failure, regions: [] };
    }
  });
  const failures: AccountFailure[] = [];
  const enabled = new Map<string, string[]>();
  const ready: AccountTarget[] = [];
  for (const result of entered) {
    if ('failure' in result && result.failure !== undefined) failures.push({ account: result.account, failure: result.failure, regions: [...result.regions].sort() });
    else {
      ready.push(result.account);
      enabled.set(result.account.id, result.regions);
    }
  }
  return { pairs: pairsOf(ready, regions, enabled), failures };
}
