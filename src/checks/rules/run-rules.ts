import { fireTimesBetween, previousFireTime, type ParsedExpression } from '../../schedule/index.ts';
import { FindingCode, Severity, type Finding } from '../finding.ts';
import { scheduleId, type ScheduleFacts } from '../model.ts';
import { isMarketCritical, type EvaluateContext } from '../evaluate-context.ts';
import type { Emit } from '../rule.ts';
import { checkCommand, ref } from './schedule-ref.ts';
import { anchorOf } from './state-rules.ts';

const MINUTE = 60_000;
/** A run may be recorded a little before its nominal time (clock skew between Scheduler and ECS). */
const EARLY_TOLERANCE_MS = MINUTE;
const MAX_COUNTED_MISSES = 10_000;

/**
 * MISSED_RUNS: the expression says the schedule fired since the evidence could see it (allowing the
 * flexible window plus a grace period) and the target side shows no run at or after that time.
 * Only the latest due fire time decides; earlier misses that were followed by a run are history.
 */
export function runFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit, parsed: ParsedExpression): Finding[] {
  if (schedule.state !== 'ENABLED') return [];
  const evidence = ctx.snapshot.evidence.get(scheduleId(schedule));
  if (evidence === undefined || evidence.source === 'none') return [];

  const slackMs = (schedule.flexibleWindowMinutes + ctx.graceMinutes) * MINUTE;
  const deadline = new Date(ctx.now.getTime() - slackMs);
  const window = {
    timezone: schedule.timezone,
    ...(schedule.startDate ? { startDate: schedule.startDate } : {}),
    ...(schedule.endDate ? { endDate: schedule.endDate } : {}),
    ...anchorOf(schedule),
  };
  const lastDue = previousFireTime(parsed, { ...window, atOrBefore: deadline });
  if (lastDue === undefined) return [];

  // A fire time at or before the schedule was created or last changed says nothing about its current
  // definition: Scheduler fires a new definition only after the write that made it.
  const changedAt = latest(schedule.lastModificationDate ?? schedule.creationDate, ctx.knownChanges?.get(scheduleId(schedule)));
  if (changedAt !== undefined && lastDue.getTime() <= changedAt.getTime()) return [];

  if (lastDue.getTime() < evidence.coversSince.getTime()) {
    return evidence.source === 'ecs'
      ? [
          emit(FindingCode.RUNS_UNVERIFIABLE, {
            schedule: ref(schedule),
            message: `last due at ${lastDue.toISOString()}, earlier than ECS still lists tasks; deploy the run ledger to verify runs of schedules this rare`,
            evidence: { source: evidence.source, lastDue: lastDue.toISOString(), coversSince: evidence.coversSince.toISOString() },
            fix: checkCommand(schedule),
          }),
        ]
      : [];
  }

  const lastRunAt = evidence.lastRunAt;
  if (lastRunAt !== undefined && lastRunAt.getTime() >= lastDue.getTime() - EARLY_TOLERANCE_MS) return [];

  // Fires are counted from coversSince (inclusive) and after changedAt (exclusive, as above).
  const countFrom = new Date(Math.max(evidence.coversSince.getTime() - 1, changedAt?.getTime() ?? 0, (lastRunAt?.getTime() ?? 0) + EARLY_TOLERANCE_MS - 1));
  const missed = fireTimesBetween(parsed, { ...window, after: countFrom, atOrBefore: deadline, limit: MAX_COUNTED_MISSES });
  const firstMissed = missed[0] ?? lastDue;
  const critical = isMarketCritical(schedule, ctx) && ctx.marketOpen;
  return [
    emit(FindingCode.MISSED_RUNS, {
      // Raised from the declared warning: a market-critical run missed while the market is open.
      ...(critical ? { severity: Severity.critical } : {}),
      schedule: ref(schedule),
      message: `should have run ${missed.length === 1 ? 'once' : `${missed.length} times`} since ${firstMissed.toISOString()} but no run was seen (last run: ${lastRunAt ? lastRunAt.toISOString() : 'never seen'})`,
      evidence: {
        source: evidence.source,
        lastDue: lastDue.toISOString(),
        firstMissed: firstMissed.toISOString(),
        missedCount: missed.length,
        lastRunAt: lastRunAt?.toISOString() ?? null,
        marketCritical: isMarketCritical(schedule, ctx),
        marketOpen: ctx.marketOpen,
      },
      fix: checkCommand(schedule),
    }),
  ];
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
