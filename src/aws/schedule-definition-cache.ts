/**
 * Schedule definitions kept between checks, so a check skips GetSchedule for every schedule whose
 * LastModificationDate (which ListSchedules returns) has not moved: every write to a schedule moves
 * it, so an unchanged date means an unchanged definition.
 *
 * A cache is a tier with a batch step on each side of the per-schedule reads: `prefetch` before them
 * (a DynamoDB tier loads its entries in BatchGetItem calls; memory has nothing to load), `get`/`set`
 * during them, `flush` after them (a DynamoDB tier writes what GetSchedule just read). Tiers stack:
 * the Lambda's warm-container memory in front of the DynamoDB table every cold process shares.
 *
 * Neither `prefetch` nor `flush` may throw: a cache that cannot be read is a miss (GetSchedule reads
 * the schedule), one that cannot be written costs the next run its GetSchedule calls. Whether an entry
 * may be served is decided by `isServable` alone, whatever a tier holds.
 */
import type { ScheduleFacts } from '../checks/model.ts';

export interface CachedDefinition {
  /** The LastModificationDate (epoch ms) the facts were read at. */
  lastModified: number;
  facts: ScheduleFacts;
}

/** What a tier is asked about: a listing, or a ref the caller built (then perhaps without ARN or date). */
export interface DefinitionRef {
  group: string;
  name: string;
  /** The schedule ARN: the key of tiers shared between processes; without it those tiers miss. */
  arn?: string;
  lastModificationDate?: Date;
}

export interface ScheduleDefinitionCache {
  /** Loads, in batches, what a slower tier holds for these schedules. Never throws. */
  prefetch(refs: readonly DefinitionRef[]): Promise<void>;
  /** What the tier holds for the schedule, servable or not (the reader decides with isServable). */
  get(ref: DefinitionRef): CachedDefinition | undefined;
  /** A definition GetSchedule just returned. */
  set(ref: DefinitionRef, entry: CachedDefinition): void;
  /** Persists, in batches, what `set` added since the last flush. Never throws. */
  flush(): Promise<void>;
}

/**
 * The only rule for serving an entry: the listing has a LastModificationDate and the entry was read at
 * exactly that date, and the facts themselves say so and name the same schedule. The last two guard
 * against an entry some other tool or version wrote: a cache can never hand back facts of another date.
 */
export function isServable(entry: CachedDefinition | undefined, ref: DefinitionRef): entry is CachedDefinition {
  const listed = ref.lastModificationDate?.getTime();
  if (entry === undefined || listed === undefined || Number.isNaN(listed)) return false;
  return (
    entry.lastModified === listed &&
    entry.facts.lastModificationDate?.getTime() === listed &&
    entry.facts.group === ref.group &&
    entry.facts.name === ref.name &&
    (ref.arn === undefined || ref.arn === '' || entry.facts.arn === ref.arn)
  );
}

/** The in-process tier: one Map, keyed by group/name; the healthcheck Lambda holds one at module scope. */
export function createScheduleDefinitionCache(): ScheduleDefinitionCache {
  const entries = new Map<string, CachedDefinition>();
  const keyOf = (ref: DefinitionRef) => `${ref.group}/${ref.name}`;
  return {
    prefetch: () => Promise.resolve(),
    get: (ref) => entries.get(keyOf(ref)),
    set: (ref, entry) => {
      entries.set(keyOf(ref), entry);
    },
    flush: () => Promise.resolve(),
  };
}

/**
 * `front` answers first; `back` is asked (in its batch prefetch) only about schedules `front` cannot
 * serve, and what it serves is copied into `front`. New definitions go to both; `flush` persists `back`.
 */
export function layeredDefinitionCache(front: ScheduleDefinitionCache, back: ScheduleDefinitionCache): ScheduleDefinitionCache {
  return {
    async prefetch(refs) {
      await front.prefetch(refs);
      await back.prefetch(refs.filter((ref) => !isServable(front.get(ref), ref)));
    },
    get(ref) {
      const near = front.get(ref);
      if (isServable(near, ref)) return near;
      const far = back.get(ref);
      if (!isServable(far, ref)) return near;
      front.set(ref, far);
      return far;
    },
    set(ref, entry) {
      front.set(ref, entry);
      back.set(ref, entry);
    },
    async flush() {
      await front.flush();
      await back.flush();
    },
  };
}
