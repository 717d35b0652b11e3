/**
 * A change-driven check's scope: the schedules one CloudTrail event (or a burst of them, merged by
 * change-batch.ts) can have broken, and how collect narrows its listing to them (change-event.ts turns
 * one event into a ChangeScope).
 *
 * - Named schedules (CreateSchedule, UpdateSchedule): one ListSchedules per schedule with its group and
 *   the exact name as NamePrefix, then an exact-name match (the prefix also returns `name-2`). Only
 *   those are read with GetSchedule.
 * - Clusters (DeleteCluster): one full ListSchedules; ListSchedules already names each target's
 *   cluster ARN, so only the schedules on that cluster are read.
 * - Task definitions (DeregisterTaskDefinition, DeleteTaskDefinitions): the listing does not name
 *   them, so every ECS schedule is read (the definition cache makes that cheap) and only those whose
 *   EcsParameters.TaskDefinitionArn names the definition are kept. A candidate whose GetSchedule failed
 *   stays as unreadable: it may well run that definition, and CHECK_INCOMPLETE says it was not checked.
 *
 * The operator's filter (`--group`, `--name-prefix`, `--state`) still applies: the scope is the
 * intersection of both.
 */
import { ecsClusterName, isEcsClusterArn, parseArn } from '../arn.ts';
import { scheduleId, type ScheduleFacts } from './model.ts';
import type { ScheduleFilter, ScheduleListing, SchedulerPort } from './ports.ts';

export interface ChangedSchedule {
  group: string;
  name: string;
}

/** What a change names; collect checks every schedule any of these can affect. */
export interface ChangeTargets {
  schedules: readonly ChangedSchedule[];
  /** Cluster names or ARNs. */
  clusters: readonly string[];
  /** `family:revision`, `family` (any revision) or task-definition ARNs. */
  taskDefinitions: readonly string[];
}

/** Who changed what when, from the CloudTrail record: what the email and the logs say the check was for. */
export interface ChangeCause {
  eventName: string;
  /** `scheduler.amazonaws.com` or `ecs.amazonaws.com`. */
  eventSource: string;
  /** ISO instant of the API call (CloudTrail's eventTime). */
  eventTime: string;
  /** CloudTrail's eventID. */
  eventId?: string;
  /** userIdentity.arn of the caller. */
  actor?: string;
  region?: string;
  account?: string;
}

/** A call of the same batch that failed (errorCode): it changed nothing, so nothing was checked for it. */
export interface IgnoredChange {
  cause: ChangeCause;
  reason: string;
}

export interface ChangeScope extends ChangeTargets {
  /** The earliest change: the one the email and the logs name. */
  cause: ChangeCause;
  /**
   * Every change merged into this scope, earliest first (`causes[0]` is `cause`): a burst delivered as
   * one batch (change-batch.ts). Absent for a single change.
   */
  causes?: readonly ChangeCause[];
  /** Failed calls of the same batch, left out of the scope. Absent when there were none. */
  ignored?: readonly IgnoredChange[];
}

/**
 * `UpdateSchedule by arn:aws:sts::…:assumed-role/deployer/alice at 2026-11-23T14:35:02Z`, and for a
 * merged burst `… and 11 more changes (UpdateSchedule ×12)`: one line that still says how big it was.
 */
export function describeCause(change: ChangeCause | Pick<ChangeScope, 'cause' | 'causes'>): string {
  const { cause, causes = [] } = 'cause' in change ? change : { cause: change };
  const first = `${cause.eventName} by ${cause.actor ?? 'an unknown caller'} at ${cause.eventTime}`;
  if (causes.length <= 1) return first;
  const callers = new Set(causes.map((c) => c.actor ?? '')).size;
  const more = causes.length - 1;
  return `${first} and ${more} more change${more === 1 ? '' : 's'}${callers > 1 ? ` by ${callers} callers in all` : ''} (${countByName(causes)})`;
}

/** `UpdateSchedule ×11, DeleteCluster ×1`: most frequent first. */
export function countByName(causes: readonly ChangeCause[]): string {
  const counts = new Map<string, number>();
  for (const c of causes) counts.set(c.eventName, (counts.get(c.eventName) ?? 0) + 1);
  return [...counts]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ');
}

/** `ops-pipeline/dispatcher, cluster ops-pipeline, task definition worker:3`, for logs and results. */
export function describeTargets(targets: ChangeTargets): string {
  return [
    ...targets.schedules.map((s) => `schedule ${scheduleId(s)}`),
    ...targets.clusters.map((c) => `cluster ${ecsClusterName(c) ?? c}`),
    ...targets.taskDefinitions.map((t) => `task definition ${t}`),
  ].join(', ');
}

/** Whether a schedule's target (a cluster ARN from ListSchedules) is the cluster a change named. */
export function clusterMatches(changed: string, targetArn: string): boolean {
  const targetName = ecsClusterName(targetArn);
  if (targetName === undefined) return false;
  const changedArn = parseArn(changed);
  // A bare name: the check sees one region of one account, where cluster names are unique.
  if (changedArn === undefined) return changed === targetName;
  const target = parseArn(targetArn);
  return ecsClusterName(changed) === targetName && changedArn.region === target?.region && changedArn.account === target.account;
}

interface TaskDefinitionParts {
  family: string;
  revision?: number;
  region?: string;
  account?: string;
}

function taskDefinitionParts(value: string): TaskDefinitionParts | undefined {
  const arn = parseArn(value);
  const qualified = arn === undefined ? value : arn.service === 'ecs' && arn.resource.startsWith('task-definition/') ? arn.resource.slice('task-definition/'.length) : undefined;
  if (qualified === undefined) return undefined;
  const match = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(qualified);
  if (match?.[1] === undefined) return undefined;
  return {
    family: match[1],
    ...(match[2] !== undefined ? { revision: Number(match[2]) } : {}),
    ...(arn !== undefined ? { region: arn.region, account: arn.account } : {}),
  };
}

/**
 * Whether a schedule's EcsParameters.TaskDefinitionArn is the definition a change named. A side
 * without a revision covers them all: `family` in the change means any revision, and a schedule on an
 * unversioned ARN runs the family's latest ACTIVE revision, which the change may just have removed.
 */
export function taskDefinitionMatches(changed: string, scheduleTaskDefinition: string): boolean {
  const a = taskDefinitionParts(changed);
  const b = taskDefinitionParts(scheduleTaskDefinition);
  if (a === undefined || b === undefined || a.family !== b.family) return false;
  if (a.region !== undefined && b.region !== undefined && (a.region !== b.region || a.account !== b.account)) return false;
  return a.revision === undefined || b.revision === undefined || a.revision === b.revision;
}

export interface ChangedListing {
  /** What collect reads with GetSchedule. */
  listings: ScheduleListing[];
  /** Whether a schedule read from `listings` is in scope (false only for task-definition candidates that do not run it). */
  keeps(schedule: ScheduleFacts): boolean;
}

/** The narrowest listing for a change; throws LookupError like listSchedules. */
export async function listChangedSchedules(scheduler: Pick<SchedulerPort, 'listSchedules'>, filter: ScheduleFilter, change: ChangeTargets): Promise<ChangedListing> {
  const byId = new Map<string, ScheduleListing>();
  const certain = new Set<string>();
  const take = (listing: ScheduleListing, inScope: boolean) => {
    const id = scheduleId(listing);
    byId.set(id, listing);
    if (inScope) certain.add(id);
  };

  const named = [...new Map(change.schedules.map((s) => [scheduleId(s), s])).values()].filter((s) => withinFilter(filter, s));
  const answers = await Promise.all(named.map(async (s) => ({ s, listed: await scheduler.listSchedules({ ...filter, group: s.group, namePrefix: s.name }) })));
  for (const { s, listed } of answers) for (const listing of listed) if (listing.group === s.group && listing.name === s.name) take(listing, true);

  if (change.clusters.length > 0 || change.taskDefinitions.length > 0) {
    for (const listing of await scheduler.listSchedules(filter)) {
      if (change.clusters.some((cluster) => clusterMatches(cluster, listing.targetArn))) take(listing, true);
      else if (change.taskDefinitions.length > 0 && isEcsClusterArn(listing.targetArn) && !byId.has(scheduleId(listing))) take(listing, false);
    }
  }

  return {
    listings: [...byId.values()],
    keeps: (schedule) => {
      if (certain.has(scheduleId(schedule))) return true;
      const taskDefinition = schedule.target.ecs?.taskDefinitionArn;
      return taskDefinition !== undefined && change.taskDefinitions.some((changed) => taskDefinitionMatches(changed, taskDefinition));
    },
  };
}

function withinFilter(filter: ScheduleFilter, schedule: ChangedSchedule): boolean {
  return (filter.group === undefined || filter.group === schedule.group) && (filter.namePrefix === undefined || schedule.name.startsWith(filter.namePrefix));
}
