/**
 * SchedulerPort over EventBridge Scheduler: groups (with tags), schedule listings, schedule details.
 *
 * Calls: ListScheduleGroups (every page) + one ListTagsForResource per group; ListSchedules (every
 * page) per filter; one GetSchedule per schedule the caller asks about. ListSchedules already carries
 * each target's ARN, so validating ECS clusters needs no GetSchedule.
 */
import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  type GetScheduleOutput,
  type ScheduleGroupSummary,
  type SchedulerClient,
  type Target,
} from '@aws-sdk/client-scheduler';
import { LookupError } from '../checks/lookup-error.ts';
import type { Lookup, LookupFailure, ScheduleFacts, ScheduleGroupFacts, ScheduleTarget, TargetKind } from '../checks/model.ts';
import type { ScheduleFilter, ScheduleListing, SchedulerPort } from '../checks/ports.ts';
import { isEcsClusterArn, parseArn } from '../arn.ts';
import { isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';
import { DEFAULT_CONCURRENCY, mapWithConcurrency } from '../concurrency.ts';
import { isServable, type ScheduleDefinitionCache } from './schedule-definition-cache.ts';

export const SchedulerAction = {
  listGroups: 'scheduler:ListScheduleGroups',
  listTags: 'scheduler:ListTagsForResource',
  listSchedules: 'scheduler:ListSchedules',
  getSchedule: 'scheduler:GetSchedule',
} as const;

/**
 * A group as listed. `tagsFailure` is set when its tags could not be read: the tags are then empty
 * but not known to be empty, and a tag such as `ops:market-critical` may be hiding behind it.
 * (Proposed for ScheduleGroupFacts itself; until then it rides along as a subtype.)
 */
export interface ScheduleGroupListing extends ScheduleGroupFacts {
  tagsFailure?: LookupFailure;
}

export interface SchedulerReaderOptions {
  /** Parallel ListTagsForResource calls; default 16. */
  concurrency?: number;
  /**
   * Schedule definitions kept across checks (the healthcheck Lambda holds one at module scope; a
   * DynamoDB tier behind it serves cold processes). Used only when ListSchedules reports the same
   * LastModificationDate: every write to a schedule moves it, so an unchanged date means an unchanged
   * definition and the GetSchedule can be skipped (see schedule-definition-cache.ts).
   */
  definitionCache?: ScheduleDefinitionCache;
  /** Where a cache fault is reported; the check goes on reading schedules with GetSchedule. */
  warn?: (message: string) => void;
}

export { createScheduleDefinitionCache, type ScheduleDefinitionCache } from './schedule-definition-cache.ts';

export interface SchedulerReader extends SchedulerPort {
  listGroups(): Promise<ScheduleGroupListing[]>;
  prefetchDefinitions(listings: readonly ScheduleListing[]): Promise<void>;
  saveDefinitions(): Promise<void>;
}

export function createSchedulerReader(client: SchedulerClient, opts: SchedulerReaderOptions = {}): SchedulerReader {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const cache = opts.definitionCache;

  /** Caches promise never to throw; should one break that promise, the check still must not go blind. */
  async function guardCache(step: string, run: () => Promise<void> | undefined): Promise<void> {
    try {
      await run();
    } catch (error) {
      opts.warn?.(`schedule-definition cache ${step} failed (${error instanceof Error ? error.message : String(error)}); schedules are read with GetSchedule`);
    }
  }

  async function listGroupSummaries(): Promise<ScheduleGroupSummary[]> {
    const summaries: ScheduleGroupSummary[] = [];
    let token: string | undefined;
    try {
      // A token equal to the one just sent would loop forever (a misbehaving emulator): it ends the
      // listing, here and in every paginated loop of src/aws.
      do {
        const page = await client.send(new ListScheduleGroupsCommand({ NextToken: token }));
        summaries.push(...(page.ScheduleGroups ?? []));
        token = page.NextToken && page.NextToken !== token ? page.NextToken : undefined;
      } while (token !== undefined);
    } catch (cause) {
      throw new LookupError(toLookupFailure(cause, SchedulerAction.listGroups), { cause });
    }
    return summaries;
  }

  async function groupTags(arn: string): Promise<{ tags: Record<string, string> } | { failure: LookupFailure }> {
    try {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      const tags: Record<string, string> = {};
      for (const tag of out.Tags ?? []) {
        if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      }
      return { tags };
    } catch (error) {
      return { failure: toLookupFailure(error, SchedulerAction.listTags) };
    }
  }

  return {
    async listGroups() {
      const summaries = (await listGroupSummaries()).filter(
        (summary): summary is ScheduleGroupSummary & { Name: string } => summary.Name !== undefined,
      );
      // A denied or throttled tag read must not hide every schedule from the check: the group is
      // still listed, with empty tags and the failure attached for the report.
      return mapWithConcurrency(summaries, concurrency, async (summary): Promise<ScheduleGroupListing> => {
        const arn = summary.Arn ?? '';
        const read = arn === '' ? { tags: {} } : await groupTags(arn);
        return {
          name: summary.Name,
          arn,
          ...(summary.State !== undefined ? { state: summary.State } : {}),
          ...('tags' in read ? { tags: read.tags } : { tags: {}, tagsFailure: read.failure }),
        };
      });
    },

    async listSchedules(filter: ScheduleFilter) {
      const listings: ScheduleListing[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListSchedulesCommand({
              GroupName: filter.group,
              NamePrefix: filter.namePrefix,
              State: filter.state,
              NextToken: token,
            }),
          );
          for (const item of page.Schedules ?? []) {
            if (item.Name === undefined) continue;
            listings.push({
              // Scheduler omits nothing here in practice; an absent group means the default group.
              group: item.GroupName ?? 'default',
              name: item.Name,
              arn: item.Arn ?? '',
              state: item.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
              targetArn: item.Target?.Arn ?? '',
              ...(item.LastModificationDate !== undefined ? { lastModificationDate: item.LastModificationDate } : {}),
            });
          }
          token = page.NextToken && page.NextToken !== token ? page.NextToken : undefined;
        } while (token !== undefined);
      } catch (cause) {
        throw new LookupError(toLookupFailure(cause, SchedulerAction.listSchedules), { cause });
      }
      return listings;
    },

    async prefetchDefinitions(listings) {
      await guardCache('prefetch', () => cache?.prefetch(listings));
    },

    async saveDefinitions() {
      await guardCache('flush', () => cache?.flush());
    },

    async getSchedule(ref) {
      const cached = cache?.get(ref);
      if (isServable(cached, ref)) {
        return { status: 'found', value: structuredClone(cached.facts) } satisfies Lookup<ScheduleFacts>;
      }
      let out: GetScheduleOutput;
      try {
        out = await client.send(new GetScheduleCommand({ GroupName: ref.group, Name: ref.name }));
      } catch (error) {
        // Deleted between ListSchedules and GetSchedule (or never there): a fact, not a failure.
        if (isNotFound(error, 'ResourceNotFoundException')) {
          return { status: 'missing', reason: `schedule ${ref.group}/${ref.name} does not exist` };
        }
        return { status: 'unknown', failure: toLookupFailure(error, SchedulerAction.getSchedule) };
      }
      const facts = toScheduleFacts(ref, out);
      if (cache !== undefined && out.LastModificationDate !== undefined) {
        // Keyed by what GetSchedule returned: a schedule written since it was listed is cached at its new date.
        const arn = facts.arn !== '' ? facts.arn : ref.arn;
        cache.set({ group: facts.group, name: facts.name, ...(arn !== undefined ? { arn } : {}) }, { lastModified: out.LastModificationDate.getTime(), facts: structuredClone(facts) });
      }
      return { status: 'found', value: facts } satisfies Lookup<ScheduleFacts>;
    },
  };
}

export function toScheduleFacts(ref: { group: string; name: string }, out: GetScheduleOutput): ScheduleFacts {
  const window = out.FlexibleTimeWindow;
  return {
    group: out.GroupName ?? ref.group,
    name: out.Name ?? ref.name,
    arn: out.Arn ?? '',
    state: out.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    expression: out.ScheduleExpression ?? '',
    // Scheduler evaluates cron and at() expressions in UTC when no timezone is set.
    timezone: out.ScheduleExpressionTimezone ?? 'UTC',
    ...(out.StartDate !== undefined ? { startDate: out.StartDate } : {}),
    ...(out.EndDate !== undefined ? { endDate: out.EndDate } : {}),
    ...(out.CreationDate !== undefined ? { creationDate: out.CreationDate } : {}),
    ...(out.LastModificationDate !== undefined ? { lastModificationDate: out.LastModificationDate } : {}),
    flexibleWindowMinutes: window?.Mode === 'FLEXIBLE' ? (window.MaximumWindowInMinutes ?? 0) : 0,
    target: toTarget(out.Target),
  };
}

function toTarget(target: Target | undefined): ScheduleTarget {
  const arn = target?.Arn ?? '';
  const retry = target?.RetryPolicy;
  const ecs = target?.EcsParameters;
  const capacityProviders = ecs?.CapacityProviderStrategy?.map((item) => item.capacityProvider).filter(
    (name): name is string => name !== undefined,
  );
  return {
    kind: targetKind(arn),
    arn,
    roleArn: target?.RoleArn ?? '',
    ...(target?.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
    ...(retry !== undefined
      ? {
          retryPolicy: {
            ...(retry.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds } : {}),
            ...(retry.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: retry.MaximumRetryAttempts } : {}),
          },
        }
      : {}),
    ...(ecs !== undefined
      ? {
          ecs: {
            taskDefinitionArn: ecs.TaskDefinitionArn ?? '',
            ...(ecs.LaunchType !== undefined ? { launchType: ecs.LaunchType } : {}),
            ...(ecs.TaskCount !== undefined ? { taskCount: ecs.TaskCount } : {}),
            ...(ecs.Group !== undefined ? { group: ecs.Group } : {}),
            ...(capacityProviders !== undefined && capacityProviders.length > 0 ? { capacityProviders } : {}),
          },
        }
      : {}),
  };
}

/**
 * What a target ARN names. Scheduler's templated ECS target is the cluster ARN; universal targets
 * (`arn:aws:scheduler:::aws-sdk:...`) and everything else are `other`.
 */
export function targetKind(arn: string): TargetKind {
  const parsed = parseArn(arn);
  if (parsed === undefined) return 'other';
  switch (parsed.service) {
    case 'ecs':
      return isEcsClusterArn(arn) ? 'ecs' : 'other';
    case 'lambda':
      return parsed.resource.startsWith('function:') ? 'lambda' : 'other';
    case 'sqs':
      return 'sqs';
    case 'sns':
      return 'sns';
    default:
      return 'other';
  }
}
