/**
 * Findings + snapshot + the account's clusters → the changes `--fix` would make. Pure: no I/O, no
 * clock. Only TARGET_CLUSTER_NOT_FOUND on ECS-target schedules is planned; a Lambda (or any other)
 * target is never a candidate, whatever the options say.
 *
 * The intended cluster comes from, in order: a `--map <from>=<to>` entry naming the schedule's
 * cluster, `--cluster <to>`, or the automatic match (cluster-match.ts). An explicit target must be
 * an ACTIVE cluster in the schedule's account and region, or the schedule is left for a decision.
 */
import { ecsClusterName, parseArn } from '../arn.ts';
import { FindingCode, type Finding } from '../checks/finding.ts';
import type { ClusterFacts, Lookup, ScheduleFacts, Snapshot } from '../checks/model.ts';
import { UserError } from '../errors.ts';
import { ResolvedBy, type ClusterChange, type NeedsDecision, type RemediationPlan } from './change.ts';
import { candidatesFor, createClusterMatcher, MatchRule } from './cluster-match.ts';
import { changeIdOf } from './identifiers.ts';
import { fieldDiff } from './schedule-document.ts';

export interface ClusterMapping {
  from: string;
  to: string;
}

export interface PlanInput {
  findings: readonly Finding[];
  snapshot: Pick<Snapshot, 'schedules'>;
  /** Every cluster ListClusters returned, with its status; unknown when the listing failed. */
  clusters: Lookup<ClusterFacts[]>;
  /** --cluster: one target (name or ARN) for every schedule no --map entry covers. */
  cluster?: string;
  /** --map entries. */
  mappings?: readonly ClusterMapping[];
}

/** `ops-pipeline=ops-pipeline-cluster` (names or ARNs; an ARN contains no `=`). */
export function parseMappings(raw: readonly string[]): ClusterMapping[] {
  return raw.map((entry) => {
    const parts = entry.split('=');
    const from = parts[0]?.trim() ?? '';
    const to = parts[1]?.trim() ?? '';
    if (parts.length !== 2 || from === '' || to === '') {
      throw new UserError('INVALID_MAP', `--map "${entry}" is not <from>=<to>.`, 'Write it like --map ops-pipeline=ops-pipeline-cluster (cluster names or ARNs).');
    }
    return { from, to };
  });
}

export function planClusterFixes(input: PlanInput): RemediationPlan {
  const mappings = input.mappings ?? [];
  const used = new Set<ClusterMapping>();
  const changes: ClusterChange[] = [];
  const decisions: NeedsDecision[] = [];
  const seen = new Set<string>();
  const schedules = new Map(input.snapshot.schedules.map((s) => [`${s.group}/${s.name}`, s]));
  const clusterList = input.clusters.status === 'found' ? input.clusters.value : [];
  const match = createClusterMatcher(clusterList);
  const candidates = new Map<string, ClusterFacts[]>();
  const candidatesOf = (arn: string): ClusterFacts[] => {
    let found = candidates.get(arn);
    if (found === undefined) {
      found = candidatesFor(arn, clusterList);
      candidates.set(arn, found);
    }
    return found;
  };

  for (const finding of input.findings) {
    if (finding.code !== FindingCode.TARGET_CLUSTER_NOT_FOUND || finding.schedule === undefined) continue;
    const ref = finding.schedule;
    const key = `${ref.group}/${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const schedule = schedules.get(key);
    // Only ECS targets have a cluster; anything else is never written by this fix.
    if (schedule === undefined || schedule.target.kind !== 'ecs') continue;

    const from = schedule.target.arn;
    const decide = (reason: string, candidates: ClusterFacts[] = []): void => {
      decisions.push({ schedule: ref, from, reason, candidates: candidates.map((c) => c.arn), hint: decisionHint(schedule, candidates) });
    };
    if (schedule.lastModificationDate === undefined) {
      decide('GetSchedule returned no LastModificationDate, so a concurrent edit could not be detected');
      continue;
    }
    if (input.clusters.status !== 'found') {
      const why = input.clusters.status === 'unknown' ? `${input.clusters.failure.action} failed: ${input.clusters.failure.errorName}: ${input.clusters.failure.message}` : input.clusters.reason;
      decide(`the account's clusters could not be listed (${why})`);
      continue;
    }
    const clusters = input.clusters.value;

    const mapping = mappings.find((m) => namesCluster(m.from, from));
    const explicit = mapping?.to ?? input.cluster;
    if (explicit !== undefined) {
      if (mapping !== undefined) used.add(mapping);
      const resolved = resolveExplicit(explicit, from, clusters);
      if ('refused' in resolved) decide(resolved.refused, candidatesOf(from));
      else changes.push(change(schedule, resolved.cluster, mapping !== undefined ? ResolvedBy.map : ResolvedBy.cluster, `named by ${mapping !== undefined ? `--map ${mapping.from}=${mapping.to}` : `--cluster ${explicit}`}`));
      continue;
    }

    const matched = match(from);
    switch (matched.kind) {
      case 'match': {
        const missing = ecsClusterName(from) ?? from;
        const because =
          matched.rule === MatchRule.prefix
            ? `"${missing}" is a prefix or abbreviation of exactly one ACTIVE cluster in the account and region`
            : `"${missing}" equals exactly one ACTIVE cluster's name apart from a generic cluster/ecs suffix`;
        changes.push(change(schedule, matched.cluster, ResolvedBy.auto, because));
        break;
      }
      case 'ambiguous':
        decide(`${matched.candidates.length} ACTIVE clusters match "${ecsClusterName(from) ?? from}"; ops will not guess`, matched.candidates);
        break;
      case 'none':
        decide(`no evident match: ${matched.reason}`, candidatesOf(from));
        break;
      default: {
        const never: never = matched;
        throw new Error(`unhandled match ${String(never)}`);
      }
    }
  }

  // Findings come worst first; a plan reads better, and diffs between runs stay small, by name.
  const byName = (a: { schedule: { group: string; name: string } }, b: { schedule: { group: string; name: string } }) =>
    a.schedule.group.localeCompare(b.schedule.group) || a.schedule.name.localeCompare(b.schedule.name);
  return {
    changes: changes.sort(byName),
    decisions: decisions.sort(byName),
    unusedMappings: mappings.filter((m) => !used.has(m)).map((m) => `${m.from}=${m.to}`),
  };
}

function change(schedule: ScheduleFacts, cluster: ClusterFacts, resolvedBy: ResolvedBy, because: string): ClusterChange {
  const plannedOn = schedule.lastModificationDate?.toISOString() ?? '';
  return {
    id: changeIdOf({ scheduleArn: schedule.arn, from: schedule.target.arn, to: cluster.arn, plannedOn }),
    schedule: { group: schedule.group, name: schedule.name, arn: schedule.arn },
    field: 'Target.Arn',
    from: schedule.target.arn,
    to: cluster.arn,
    resolvedBy,
    because,
    plannedOn,
    diff: fieldDiff({ Target: { Arn: schedule.target.arn } }, { Target: { Arn: cluster.arn } }),
  };
}

/** Does a --map `from` (a name or an ARN) name this cluster ARN? */
function namesCluster(nameOrArn: string, clusterArn: string): boolean {
  return nameOrArn.startsWith('arn:') ? nameOrArn === clusterArn : ecsClusterName(clusterArn) === nameOrArn;
}

function resolveExplicit(target: string, from: string, clusters: readonly ClusterFacts[]): { cluster: ClusterFacts } | { refused: string } {
  const home = parseArn(from);
  const where = home ? `account ${home.account}, ${home.region}` : 'the schedule\'s account and region';
  const sameHome = clusters.filter((c) => {
    const arn = parseArn(c.arn);
    return home !== undefined && arn !== undefined && arn.account === home.account && arn.region === home.region && arn.partition === home.partition;
  });
  const found = target.startsWith('arn:') ? sameHome.find((c) => c.arn === target) : sameHome.find((c) => c.name === target);
  if (found === undefined) {
    if (target.startsWith('arn:') && clusters.some((c) => c.arn === target)) return { refused: `the requested cluster ${target} is not in ${where}` };
    return { refused: `the requested cluster ${target} does not exist in ${where}; nothing will be written` };
  }
  if (found.status !== 'ACTIVE') return { refused: `the requested cluster ${found.name} is ${found.status}, not ACTIVE; nothing will be written` };
  if (found.arn === from) return { refused: `the requested cluster is the one the schedule already names` };
  return { cluster: found };
}

function decisionHint(schedule: ScheduleFacts, candidates: readonly ClusterFacts[]): string {
  const choice = candidates.length > 0 ? candidates.map((c) => c.name).join('|') : '<cluster>';
  return `ops check-schedulers --fix --group ${schedule.group} --name-prefix ${schedule.name} --cluster ${choice}`;
}
