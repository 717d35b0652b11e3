/**
 * The fix as two library calls the CLI (and later the healthcheck) sequence around its consent step:
 * `planFix` (reads only) and `applyFix` (the writes, then verification and the optional wait).
 * Whether to call applyFix at all is decided once, by the caller, before it is called.
 */
import type { Finding } from '../checks/finding.ts';
import type { ClusterFacts, Lookup, Snapshot } from '../checks/model.ts';
import { applyChanges, type ApplyPorts } from './apply.ts';
import type { ChangeResult, RemediationPlan } from './change.ts';
import { newRunId } from './identifiers.ts';
import { planClusterFixes, type ClusterMapping } from './plan.ts';
import type { CallerIdentity, ClusterDirectory, IdentityPort } from './ports.ts';
import { repairableFindings } from './registry.ts';
import { waitForRuns, type RunEvidenceSource } from './wait-for-run.ts';

export interface PlanFixOptions {
  cluster?: string;
  mappings?: readonly ClusterMapping[];
}

export async function planFix(check: { findings: readonly Finding[]; snapshot: Pick<Snapshot, 'schedules'> }, clusters: ClusterDirectory, options: PlanFixOptions): Promise<RemediationPlan> {
  const findings = repairableFindings(check.findings);
  // Nothing to repair: no need to list (or be allowed to list) the account's clusters.
  const listed: Lookup<ClusterFacts[]> = findings.length > 0 ? await clusters.listClusters() : { status: 'found', value: [] };
  return planClusterFixes({ findings, snapshot: check.snapshot, clusters: listed, ...options });
}

export interface FixPorts extends ApplyPorts {
  identity: IdentityPort;
  /** Where --wait-for-run looks for runs; absent when not waiting. */
  runs?: RunEvidenceSource;
}

export interface ApplyFixOptions {
  now: () => Date;
  maxChanges: number;
  runId?: string;
  /** See ApplyOptions.firstEntry. */
  firstEntry?: number;
  /** --wait-for-run: how long to wait for each fixed schedule's first run. */
  wait?: { timeoutMs: number; pollMs: number; sleep: (ms: number) => Promise<void> };
  progress?: (message: string) => void;
}

export interface FixRun {
  runId: string;
  who: CallerIdentity;
  results: ChangeResult[];
}

export async function applyFix(plan: RemediationPlan, snapshot: Pick<Snapshot, 'schedules'>, ports: FixPorts, options: ApplyFixOptions): Promise<FixRun> {
  const runId = options.runId ?? newRunId('fix', options.now());
  const who = await ports.identity.whoAmI();
  let results = await applyChanges(plan.changes, ports, { runId, who, now: options.now, maxChanges: options.maxChanges, ...(options.firstEntry !== undefined ? { firstEntry: options.firstEntry } : {}), ...(options.progress ? { progress: options.progress } : {}) });

  const fixed = results.filter((r) => r.status === 'ok');
  if (options.wait !== undefined && ports.runs !== undefined && fixed.length > 0) {
    const watched = fixed.map((r) => {
      const facts = snapshot.schedules.find((s) => s.group === r.schedule.group && s.name === r.schedule.name);
      const taskDefinitionArn = facts?.target.ecs?.taskDefinitionArn;
      return { schedule: r.schedule, clusterArn: r.to, ...(taskDefinitionArn !== undefined ? { taskDefinitionArn } : {}) };
    });
    const runs = await waitForRuns(watched, ports.runs, { now: options.now, ...options.wait, ...(options.progress ? { progress: options.progress } : {}) });
    results = results.map((r) => {
      const run = runs.get(`${r.schedule.group}/${r.schedule.name}`);
      return run === undefined ? r : { ...r, run };
    });
  }
  return { runId, who, results };
}
