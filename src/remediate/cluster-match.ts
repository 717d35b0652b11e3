/**
 * Which existing cluster did a schedule mean, when the one it names does not exist? Pure.
 *
 * The rule is deliberately narrow: a wrong guess sends every run of a trading job to the wrong
 * cluster, while "needs a decision" costs one command. Names are compared case-insensitively as
 * tokens split on `-`, `_` and `.`. A candidate is an evident match for the missing name when
 *
 * - **prefix / abbreviation**: the first tokens are equal and every further token of the missing name
 *   starts the candidate's token at the same position; the candidate may have more tokens
 *   (`ops-pipeline` → `ops-pipeline-cluster`, `ops-pipe` → `ops-pipeline-cluster`). Numbers and
 *   versions are never abbreviated: a token with a digit must be equal (`svc-1` does not mean
 *   `svc-10`, nor `v2` mean `v20`); or
 * - **generic suffix**: the names are equal once trailing `cluster` / `ecs` tokens are removed from
 *   both (`trading-cluster` → `trading`).
 *
 * Only ACTIVE clusters in the missing ARN's own account and region are candidates, and only when
 * exactly one of them matches is it taken. Two matches, or none, leave the decision to a person.
 */
import { ecsClusterName, parseArn } from '../arn.ts';
import type { ClusterFacts } from '../checks/model.ts';

const GENERIC_TOKENS: ReadonlySet<string> = new Set(['cluster', 'ecs']);
/** Numbers and versions (`1`, `v2`, `2024q1`) are identifiers, never abbreviations. */
const HAS_DIGIT = /\d/;

export const MatchRule = { prefix: 'prefix', genericSuffix: 'generic-suffix' } as const;
export type MatchRule = (typeof MatchRule)[keyof typeof MatchRule];

export type ClusterMatch =
  | { kind: 'match'; cluster: ClusterFacts; rule: MatchRule }
  | { kind: 'ambiguous'; candidates: ClusterFacts[] }
  | { kind: 'none'; reason: string };

export function tokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_.]+/)
    .filter((token) => token !== '');
}

/** How `candidate` evidently extends or abbreviates `missing`, if it does. */
export function matchRule(missing: string, candidate: string): MatchRule | undefined {
  const m = named(missing);
  const c = named(candidate);
  return matchTokens(m.tokens, m.core, c.tokens, c.core);
}

interface Named {
  tokens: string[];
  core: string;
}

function named(name: string): Named {
  const ts = tokens(name);
  return { tokens: ts, core: core(ts) };
}

function abbreviates(token: string, full: string | undefined): boolean {
  if (full === undefined) return false;
  return HAS_DIGIT.test(token) || HAS_DIGIT.test(full) ? token === full : full.startsWith(token);
}

function matchTokens(m: readonly string[], mCore: string, c: readonly string[], cCore: string): MatchRule | undefined {
  if (m.length === 0 || c.length === 0) return undefined;
  if (m.length <= c.length && m[0] === c[0]) {
    let all = true;
    for (let i = 0; i < m.length && all; i++) all = abbreviates(m[i] ?? '', c[i]);
    if (all) return MatchRule.prefix;
  }
  return mCore === cCore ? MatchRule.genericSuffix : undefined;
}

function core(ts: readonly string[]): string {
  const out = [...ts];
  while (out.length > 1 && GENERIC_TOKENS.has(out[out.length - 1] ?? '')) out.pop();
  return out.join('-');
}

interface PreparedCluster extends Named {
  cluster: ClusterFacts;
  home?: string;
}

const homeOf = (arn: string): string | undefined => {
  const parsed = parseArn(arn);
  return parsed === undefined ? undefined : `${parsed.partition}:${parsed.account}:${parsed.region}`;
};

function prepare(clusters: readonly ClusterFacts[]): PreparedCluster[] {
  return clusters.filter((c) => c.status === 'ACTIVE').map((cluster) => ({ cluster, home: homeOf(cluster.arn), ...named(cluster.name) }));
}

/** Same account and region as the schedule's (missing) cluster ARN, and ACTIVE. */
export function candidatesFor(missingArn: string, clusters: readonly ClusterFacts[]): ClusterFacts[] {
  return candidatesAmong(missingArn, prepare(clusters)).map((p) => p.cluster);
}

function candidatesAmong(missingArn: string, prepared: readonly PreparedCluster[]): PreparedCluster[] {
  const home = homeOf(missingArn);
  return home === undefined ? [] : prepared.filter((p) => p.home === home);
}

/**
 * matchCluster over a fixed list of clusters, prepared once and remembered per missing ARN: a broken
 * cluster name is usually shared by many schedules (all 12 in the incident).
 */
export function createClusterMatcher(clusters: readonly ClusterFacts[]): (missingArn: string) => ClusterMatch {
  const prepared = prepare(clusters);
  const seen = new Map<string, ClusterMatch>();
  return (missingArn) => {
    let match = seen.get(missingArn);
    if (match === undefined) {
      match = matchAmong(missingArn, prepared);
      seen.set(missingArn, match);
    }
    return match;
  };
}

export function matchCluster(missingArn: string, clusters: readonly ClusterFacts[]): ClusterMatch {
  return matchAmong(missingArn, prepare(clusters));
}

function matchAmong(missingArn: string, prepared: readonly PreparedCluster[]): ClusterMatch {
  const name = ecsClusterName(missingArn);
  if (name === undefined) return { kind: 'none', reason: `${missingArn} is not an ECS cluster ARN` };
  const candidates = candidatesAmong(missingArn, prepared);
  if (candidates.length === 0) return { kind: 'none', reason: 'no ACTIVE cluster in the same account and region' };
  const missing = named(name);
  const matches = candidates
    .map((p) => ({ cluster: p.cluster, rule: matchTokens(missing.tokens, missing.core, p.tokens, p.core) }))
    .filter((m): m is { cluster: ClusterFacts; rule: MatchRule } => m.rule !== undefined);
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return { kind: 'match', cluster: only.cluster, rule: only.rule };
  if (matches.length > 1) return { kind: 'ambiguous', candidates: matches.map((m) => m.cluster).sort((a, b) => a.name.localeCompare(b.name)) };
  return { kind: 'none', reason: `no ACTIVE cluster's name extends or abbreviates "${name}" (found: ${candidates.map((c) => c.cluster.name).sort().join(', ')})` };
}
