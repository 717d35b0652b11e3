/**
 * AWS → Snapshot. Every look-up shared by several schedules is made once (clusters, task definitions,
 * roles, functions, queues), batch APIs are used where AWS has them, and per-item calls run with
 * bounded concurrency. Failures become data (`Lookup.unknown`, `failures`), never an abort.
 */
import { mapWithConcurrency } from '../concurrency.ts';
import { isOpsError } from '../errors.ts';
import { attributeTask, startedByFor, type ScheduleIdentity } from '../ledger/index.ts';
import { listChangedSchedules, type ChangedListing, type ChangeTargets } from './change-scope.ts';
import { LookupError } from './lookup-error.ts';
import { scheduleId, type ClusterFacts, type GroupMetrics, type Lookup, type LookupFailure, type RunEvidence, type ScheduleFacts, type ScheduleRef, type Snapshot } from './model.ts';
import type { CheckPorts, ScheduleFilter } from './ports.ts';

export interface CollectOptions {
  filter: ScheduleFilter;
  now: Date;
  region: string;
  /** Per-item calls in flight at once (GetSchedule, DescribeTaskDefinition, …). */
  concurrency: number;
  /** How far back the AWS/Scheduler group metrics are summed. */
  metricsWindowMinutes: number;
  /** How long ECS keeps listing stopped tasks; runs older than this cannot be seen there. */
  ecsRetentionMinutes: number;
  progress?: (message: string) => void;
  /** A change-driven check: only the schedules this change can affect (change-scope.ts). */
  change?: ChangeTargets;
}

/** A change-scoped listing that failed: nothing listed, nothing kept. */
const NOTHING_LISTED: ChangedListing = { listings: [], keeps: () => false };

export async function collect(ports: CheckPorts, options: CollectOptions): Promise<Snapshot> {
  const failures: LookupFailure[] = [];
  const progress = options.progress ?? (() => undefined);

  const groups = await orFailure(() => ports.scheduler.listGroups(), failures, []);
  const { change } = options;
  const listed = change
    ? await orFailure(() => listChangedSchedules(ports.scheduler, options.filter, change), failures, NOTHING_LISTED)
    : { listings: await orFailure(() => ports.scheduler.listSchedules(options.filter), failures, []), keeps: () => true };
  const { listings } = listed;
  progress(`found ${listings.length} schedule(s) in ${groups.length} group(s); reading details`);

  // A definition cache, if the port has one, loads in batches before and saves in batches after the
  // per-schedule reads; neither step throws (a cache fault costs GetSchedule calls, not the check).
  await ports.scheduler.prefetchDefinitions?.(listings);
  const details = await mapWithConcurrency(listings, options.concurrency, async (listing) => ({ listing, lookup: await ports.scheduler.getSchedule(listing) }));
  await ports.scheduler.saveDefinitions?.();
  const schedules: ScheduleFacts[] = [];
  const unreadable: { ref: ScheduleRef; failure: LookupFailure }[] = [];
  for (const { listing, lookup } of details) {
    if (lookup.status === 'found' && listed.keeps(lookup.value)) schedules.push(lookup.value);
    else if (lookup.status === 'unknown') unreadable.push({ ref: { group: listing.group, name: listing.name, arn: listing.arn }, failure: lookup.failure });
    // `missing`: deleted between ListSchedules and GetSchedule; nothing left to check.
  }

  const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined))];
  const clusterArns = unique(schedules.filter((s) => s.target.kind === 'ecs').map((s) => s.target.arn));
  const taskDefinitionArns = unique(schedules.map((s) => s.target.ecs?.taskDefinitionArn));
  const roleArns = unique(schedules.map((s) => s.target.roleArn));
  const functionArns = unique(schedules.filter((s) => s.target.kind === 'lambda').map((s) => s.target.arn));
  const queueArns = unique(schedules.map((s) => s.target.deadLetterArn));
  progress(`checking ${clusterArns.length} cluster(s), ${taskDefinitionArns.length} task definition(s), ${roleArns.length} role(s)`);

  const end = options.now;
  const window = { start: new Date(end.getTime() - options.metricsWindowMinutes * 60_000), end };
  // Group metrics cover every schedule of a group: a change-driven run leaves them to the 5-minute run.
  const groupNames = change ? [] : unique(schedules.map((s) => s.group)).sort();
  const perItem = <T>(arns: string[], fn: (arn: string) => Promise<Lookup<T>>) =>
    mapWithConcurrency(arns, options.concurrency, async (arn) => [arn, await fn(arn)] as const).then((entries) => new Map(entries));

  const [clusters, taskDefinitions, roles, functions, queues, byGroup] = await Promise.all([
    clusterArns.length > 0 ? ports.ecs.describeClusters(clusterArns) : Promise.resolve(new Map<string, Lookup<ClusterFacts>>()),
    perItem(taskDefinitionArns, (arn) => ports.ecs.describeTaskDefinition(arn)),
    perItem(roleArns, (arn) => ports.iam.getRole(arn)),
    perItem(functionArns, (arn) => ports.lambda.getFunction(arn)),
    perItem(queueArns, (arn) => ports.queues.getQueue(arn)),
    groupNames.length > 0 ? ports.metrics.schedulerGroupMetrics(groupNames, window) : Promise.resolve(new Map<string, Lookup<GroupMetrics>>()),
  ]);

  const evidence = await collectEvidence(ports, schedules, clusters, options, failures);
  return {
    collectedAt: options.now,
    region: options.region,
    scope: options.filter,
    // A change-driven run speaks for the groups of what it checked (market-critical tags, CHECK_INCOMPLETE).
    groups: change ? groups.filter((g) => schedules.some((s) => s.group === g.name) || unreadable.some((u) => u.ref.group === g.name)) : groups,
    ...(change ? { change } : {}),
    schedules,
    unreadable,
    clusters,
    taskDefinitions,
    roles,
    functions,
    queues,
    metrics: { window, byGroup },
    evidence,
    failures,
  };
}

async function collectEvidence(
  ports: CheckPorts,
  schedules: ScheduleFacts[],
  clusters: Map<string, Lookup<unknown>>,
  options: CollectOptions,
  failures: LookupFailure[],
): Promise<Map<string, RunEvidence>> {
  const evidence = new Map<string, RunEvidence>();
  const ecsSchedules = schedules.filter((s) => s.target.kind === 'ecs');
  for (const s of schedules) {
    if (s.target.kind !== 'ecs') evidence.set(scheduleId(s), { source: 'none', reason: `no run evidence for ${s.target.kind} targets; Scheduler metrics cover them per group only` });
  }
  if (ecsSchedules.length === 0) return evidence;

  if (ports.ledger) {
    try {
      const coversSince = await ports.ledger.coversSince();
      if (coversSince !== undefined) {
        const lastRuns = await ports.ledger.lastRuns(ecsSchedules);
        for (const s of ecsSchedules) {
          const last = lastRuns.get(scheduleId(s));
          evidence.set(scheduleId(s), { source: 'ledger', ...(last ? { lastRunAt: last.runAt } : {}), runsSince: last ? [last.runAt] : [], coversSince });
        }
        return evidence;
      }
      // A ledger that does not say since when it records cannot tell "never ran" from "not yet recorded".
      options.progress?.('the run ledger has no coverage marker; reading run evidence from ECS instead');
    } catch (error) {
      if (isOpsError(error) && error.code === 'RUN_LEDGER_TABLE_MISSING') {
        options.progress?.('no run-ledger table; reading run evidence from ECS instead');
      } else {
        failures.push(failureOf(error, 'dynamodb:BatchGetItem'));
        options.progress?.('the run ledger could not be read; falling back to ECS task listings');
      }
    }
  }

  const coversSince = new Date(options.now.getTime() - options.ecsRetentionMinutes * 60_000);
  const identities: ScheduleIdentity[] = ecsSchedules.map((s) => ({
    group: s.group,
    name: s.name,
    ...(s.target.ecs?.group !== undefined ? { ecsGroup: s.target.ecs.group } : {}),
    ...(s.target.ecs ? { taskDefinitionArn: s.target.ecs.taskDefinitionArn } : {}),
  }));
  const results = await mapWithConcurrency(ecsSchedules, options.concurrency, async (s) => {
    // A cluster that does not exist ran nothing. One whose look-up failed (`unknown`) may well have
    // run tasks: list them rather than claim "no runs" and raise MISSED_RUNS from a denied API.
    if (clusters.get(s.target.arn)?.status === 'missing') {
      return [s, { source: 'ecs', runsSince: [], coversSince } satisfies RunEvidence] as const;
    }
    const seen = await ports.ecs.tasksStartedBy(s.target.arn, startedByFor(s.name));
    // The failure stays with the schedule's evidence so CHECK_INCOMPLETE can name the schedules it hid.
    if (seen.status === 'unknown') {
      return [s, { source: 'none', reason: `${seen.failure.action} failed: ${seen.failure.errorName}`, failure: seen.failure } satisfies RunEvidence] as const;
    }
    // The same attribution rule as the ledger handler: by EcsParameters.Group, else startedBy plus the
    // task-definition family, so schedules whose names share 19 characters never credit each other.
    const runs = (seen.status === 'found' ? seen.value : [])
      .filter((task) => {
        const attribution = attributeTask({ ...task, clusterArn: s.target.arn, lastStatus: 'UNKNOWN' }, identities);
        return attribution.kind === 'attributed' && attribution.schedule.group === s.group && attribution.schedule.name === s.name;
      })
      .map((task) => task.createdAt)
      .sort((a, b) => a.getTime() - b.getTime());
    const lastRunAt = runs.at(-1);
    return [s, { source: 'ecs', ...(lastRunAt ? { lastRunAt } : {}), runsSince: runs, coversSince } satisfies RunEvidence] as const;
  });
  for (const [s, e] of results) evidence.set(scheduleId(s), e);
  return evidence;
}

async function orFailure<T>(fn: () => Promise<T>, failures: LookupFailure[], fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LookupError) {
      failures.push(error.failure);
      return fallback;
    }
    throw error;
  }
}

function failureOf(error: unknown, action: string): LookupFailure {
  if (error instanceof LookupError) return error.failure;
  const named = error as { name?: string; code?: string; message?: string; cause?: { name?: string } };
  const errorName = named.cause?.name ?? (isOpsError(error) ? error.code : named.name) ?? 'Error';
  return { action, errorName, message: named.message ?? String(error) };
}
