import type { MarketCalendar } from '../market/index.ts';
import { assessBlindness, type Blindness } from './blindness.ts';
import type { ScheduleFacts, ScheduleGroupFacts, Snapshot } from './model.ts';

export interface EvaluateOptions {
  now: Date;
  calendar: MarketCalendar;
  /** Minutes after a fire time (plus the flexible window) before a missing run counts as missed. */
  graceMinutes: number;
  /** Glob patterns (`*` wildcard) of schedule names that are market-critical, besides tagged groups. */
  marketCriticalPatterns: readonly string[];
  /**
   * Writes the caller made itself, by schedule id (`group/name`) and when. They count like a newer
   * LastModificationDate: a run due before a repair says nothing about the repaired definition. (In AWS
   * the write's LastModificationDate says the same, but another endpoint's clock is not ours: a moto
   * or LocalStack on the wall clock dates a replay's write by the day the machine runs on.)
   */
  knownChanges?: ReadonlyMap<string, Date>;
}

/** The schedule-group tag that marks every schedule in the group as market-critical. */
export const MARKET_CRITICAL_TAG = 'ops:market-critical';

export interface EvaluateContext extends EvaluateOptions {
  snapshot: Snapshot;
  marketOpen: boolean;
  groupsByName: Map<string, ScheduleGroupFacts>;
  /** Decided once for the rules that depend on it (MONITOR_BLIND, and CHECK_INCOMPLETE not repeating it). */
  blind: Blindness | undefined;
}

export function createEvaluateContext(snapshot: Snapshot, options: EvaluateOptions): EvaluateContext {
  return {
    ...options,
    snapshot,
    marketOpen: options.calendar.isOpen(options.now),
    groupsByName: new Map(snapshot.groups.map((group) => [group.name, group])),
    blind: assessBlindness(snapshot),
  };
}

export function isMarketCritical(schedule: Pick<ScheduleFacts, 'group' | 'name'>, ctx: EvaluateContext): boolean {
  const tag = ctx.groupsByName.get(schedule.group)?.tags[MARKET_CRITICAL_TAG];
  if (tag !== undefined && tag.toLowerCase() === 'true') return true;
  return ctx.marketCriticalPatterns.some((pattern) => globToRegExp(pattern).test(schedule.name));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
