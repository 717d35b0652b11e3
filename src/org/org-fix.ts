/**
 * `--fix` across accounts: one plan per pair (each pair's broken targets resolved against that
 * account's and region's own clusters), one consent for the whole plan, one change limit over the
 * total, then each pair's writes through its own ports, with backups and audit entries that carry the
 * account and region. The limit is asserted here, before the first write of any pair, so a plan over
 * the limit writes nothing anywhere.
 */
import type { CheckResult } from '../checks/run-check.ts';
import { assertWithinLimit } from '../remediate/change-limit.ts';
import type { RemediationPlan } from '../remediate/change.ts';
import { renderPlan } from '../remediate/render.ts';
import type { ClusterDirectory } from '../remediate/ports.ts';
import { applyFix, planFix, type FixPorts, type FixRun, type PlanFixOptions } from '../remediate/run-fix.ts';
import { placementOf, type Placement } from './org-report.ts';
import { pairFailureOf, type PairFailure } from './run-pairs.ts';
import type { OrgPair } from './targets.ts';

export interface PairPlan extends Placement {
  pair: OrgPair;
  plan: RemediationPlan;
  check: CheckResult;
}

export interface OrgPlan {
  pairs: PairPlan[];
  changes: number;
  decisions: number;
  unusedMappings: string[];
}

/** Plans only pairs that have something repairable; --map entries unused in every pair are reported once. */
export async function planOrgFix(checked: readonly { pair: OrgPair; check: CheckResult; clusters: ClusterDirectory }[], options: PlanFixOptions): Promise<OrgPlan> {
  const pairs: PairPlan[] = [];
  const used = new Set<string>();
  for (const { pair, check, clusters } of checked) {
    const plan = await planFix(check, clusters, options);
    const mapped = (options.mappings ?? []).map((m) => `${m.from}=${m.to}`);
    for (const entry of mapped) if (!plan.unusedMappings.includes(entry)) used.add(entry);
    if (plan.changes.length > 0 || plan.decisions.length > 0) pairs.push({ ...placementOf(pair), pair, plan, check });
  }
  const unusedMappings = (options.mappings ?? []).map((m) => `${m.from}=${m.to}`).filter((entry) => !used.has(entry));
  return {
    pairs,
    changes: pairs.reduce((sum, p) => sum + p.plan.changes.length, 0),
    decisions: pairs.reduce((sum, p) => sum + p.plan.decisions.length, 0),
    unusedMappings,
  };
}

export function renderOrgPlan(plan: OrgPlan, opts: { maxChanges: number }): string {
  const lines = [`Org fix plan: ${plan.changes} change(s) to Target.Arn in ${new Set(plan.pairs.filter((p) => p.plan.changes.length > 0).map((p) => p.account)).size} account(s), ${plan.decisions} schedule(s) need a decision`];
  for (const pair of plan.pairs) {
    lines.push(`${pair.accountName} (${pair.account}) ${pair.region}`);
    // The pair's own --map hints would repeat the run-wide line below for every pair.
    const body = renderPlan({ ...pair.plan, unusedMappings: [] });
    lines.push(...body.split('\n').map((line) => `  ${line}`));
  }
  if (plan.unusedMappings.length > 0) lines.push(`--map entries that matched no broken schedule in any account: ${plan.unusedMappings.join(', ')}`);
  if (plan.changes > opts.maxChanges) lines.push(`The plan is larger than --max-changes ${opts.maxChanges} (counted over every account): applying it will be refused.`);
  return lines.join('\n');
}

/** A pair's writes, or why none were attempted there (its ports could not be built): never dropped. */
export type OrgFixResult = Placement & ({ run: FixRun } | { failure: PairFailure; changes: number });

/** One run id across every account, so `ops rollback --last` takes back the whole org-wide fix. */
export async function applyOrgFix(
  plan: OrgPlan,
  portsFor: (pair: OrgPair) => Promise<FixPorts>,
  options: { now: () => Date; maxChanges: number; runId: string; progress?: (message: string) => void },
): Promise<OrgFixResult[]> {
  assertWithinLimit(plan.changes, options.maxChanges);
  const results: OrgFixResult[] = [];
  let nextEntry = 1;
  // Pairs one after another: a fix is a handful of writes, and a person reading the progress (or a
  // failure) should see one account at a time.
  for (const pair of plan.pairs) {
    if (pair.plan.changes.length === 0) continue;
    options.progress?.(`${pair.accountName} (${pair.account}) ${pair.region}: ${pair.plan.changes.length} change(s)`);
    const firstEntry = nextEntry;
    nextEntry += pair.plan.changes.length;
    let ports: FixPorts;
    try {
      ports = await portsFor(pair.pair);
    } catch (error) {
      results.push({ ...placementOf(pair.pair), failure: pairFailureOf(error), changes: pair.plan.changes.length });
      continue;
    }
    let run: FixRun;
    try {
      run = await applyFix(pair.plan, pair.check.snapshot, ports, {
        now: options.now,
        maxChanges: pair.plan.changes.length,
        runId: options.runId,
        firstEntry,
        ...(options.progress ? { progress: options.progress } : {}),
      });
    } catch (error) {
      // Every write that happened is in the audit log already (pending before, result after); the
      // other accounts still get theirs.
      results.push({ ...placementOf(pair.pair), failure: pairFailureOf(error), changes: pair.plan.changes.length });
      continue;
    }
    results.push({ account: pair.account, accountName: pair.accountName, region: pair.region, run });
  }
  return results;
}
