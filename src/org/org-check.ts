/**
 * The org-wide check: enter each account once, then run the same check `ops check-schedulers` runs
 * in every account × region pair, a bounded number of pairs at a time. A pair whose check could not
 * see (MONITOR_BLIND) fails as incomplete with the call that blinded it; every other pair still ends.
 */
import type { CheckPorts } from '../checks/ports.ts';
import { runCheck, type CheckOptions, type CheckResult } from '../checks/run-check.ts';
import { preparePairs, type AccountFailure, type EntryPorts } from './prepare-pairs.ts';
import { PairIncompleteError, runPairs, type PairOutcome, type RunPairsOptions } from './run-pairs.ts';
import type { AccountTarget, OrgPair } from './targets.ts';

export interface OrgCheckPorts extends EntryPorts {
  checkPorts(pair: OrgPair): Promise<CheckPorts>;
}

export interface OrgCheckOptions extends Omit<CheckOptions, 'region' | 'progress'>, Omit<RunPairsOptions, 'concurrency'> {
  /** Pairs checked at once (each with CheckOptions.concurrency calls in flight). */
  pairConcurrency: number;
}

export interface OrgCheck {
  outcomes: PairOutcome<CheckResult>[];
  accountFailures: AccountFailure[];
}

export const ORG_DEFAULTS = { pairConcurrency: 8 } as const;

export async function checkOrg(accounts: readonly AccountTarget[], regions: string[] | 'all', ports: OrgCheckPorts, options: OrgCheckOptions): Promise<OrgCheck> {
  const { pairs, failures } = await preparePairs(accounts, regions, ports, options.pairConcurrency);
  const { pairConcurrency, elapsed, progress, startBy, ...check } = options;
  const outcomes = await runPairs(
    pairs,
    async (pair) => {
      const result = await runCheck(await ports.checkPorts(pair), { ...check, region: pair.region });
      if (result.blind !== undefined) {
        const { failure } = result.blind;
        throw new PairIncompleteError({ action: failure.action, errorName: failure.errorName, reason: failure.message });
      }
      return result;
    },
    { concurrency: pairConcurrency, elapsed, ...(progress ? { progress } : {}), ...(startBy ? { startBy } : {}) },
  );
  return { outcomes, accountFailures: failures };
}
