/**
 * When each schedule invokes its target inside a window of virtual time. Pure: the firer reads the
 * schedules, this decides the instants, following EventBridge Scheduler's rules:
 *
 * - DISABLED schedules never fire.
 * - cron() and at() are wall times in ScheduleExpressionTimezone; rate() counts from StartDate, else
 *   from the schedule's creation.
 * - Recurring schedules fire in [StartDate, EndDate); one-time at() schedules ignore both (AWS ignores
 *   StartDate for one-time schedules; EndDate only bounds recurrences).
 * - A FLEXIBLE window delays every invocation by the schedule's fixed offset (flexible-window.ts), so
 *   an invocation is due when scheduled time + offset falls in the window, not the scheduled time.
 *
 * Sandbox-specific: with the sandbox's clock bound (moto-clock.ts) moto stamps CreationDate on the
 * virtual clock, so a schedule is created when the replay seeds it. Against an endpoint that stamps
 * the wall clock (LocalStack, a moto started by hand) a replay can run days before its schedules were
 * "created": for rate() without StartDate we keep the phase that the creation time gives and move the
 * anchor back by whole periods to before the window, so the replay still fires instead of never.
 */
import { fireTimesBetween, nextFireTimes, parseExpression, type ParsedExpression } from '../schedule/index.ts';
import { flexibleOffsetMs } from './flexible-window.ts';
import type { ScheduleDefinition } from './schedule-model.ts';

export interface DueInvocation {
  schedule: ScheduleDefinition;
  /** The fire time the expression names. */
  scheduledTime: Date;
  /** When the target is called: scheduledTime + the flexible window offset. */
  invokeAt: Date;
}

export type DueResult =
  | { kind: 'due'; invocations: DueInvocation[]; truncated: boolean }
  | { kind: 'skipped'; reason: 'disabled' | 'invalid-expression'; detail?: string };

export interface DueWindow {
  /** Exclusive. */
  after: Date;
  /** Inclusive. */
  atOrBefore: Date;
  /** Cap per schedule and window (default 10,000), so a wide window cannot exhaust memory. */
  limit?: number;
}

export function dueInvocations(schedule: ScheduleDefinition, window: DueWindow): DueResult {
  if (schedule.state === 'DISABLED') return { kind: 'skipped', reason: 'disabled' };
  let expr: ParsedExpression;
  try {
    expr = parseExpression(schedule.expression);
  } catch (error) {
    // Scheduler validates expressions on create; moto does not. Such a schedule would never exist in AWS.
    return { kind: 'skipped', reason: 'invalid-expression', detail: error instanceof Error ? error.message : String(error) };
  }
  const offset = flexibleOffsetMs(schedule);
  const limit = window.limit ?? 10_000;
  const after = new Date(window.after.getTime() - offset);
  const atOrBefore = new Date(window.atOrBefore.getTime() - offset);
  const fires = fireTimesBetween(expr, { ...evaluationOptions(schedule, expr, after), after, atOrBefore, limit: limit + 1 });
  const truncated = fires.length > limit;
  return {
    kind: 'due',
    truncated,
    invocations: fires.slice(0, limit).map((fire) => ({ schedule, scheduledTime: fire, invokeAt: new Date(fire.getTime() + offset) })),
  };
}

/** True when the schedule has no fire time after `after` (its last invocation has happened). */
export function isFinished(schedule: ScheduleDefinition, after: Date): boolean {
  let expr: ParsedExpression;
  try {
    expr = parseExpression(schedule.expression);
  } catch {
    return false;
  }
  return nextFireTimes(expr, { ...evaluationOptions(schedule, expr, after), after, count: 1 }).length === 0;
}

function evaluationOptions(
  schedule: ScheduleDefinition,
  expr: ParsedExpression,
  lowerBound: Date,
): { timezone: string; startDate?: Date; endDate?: Date; anchor?: Date } {
  const timezone = schedule.timezone || 'UTC';
  if (expr.kind === 'at') return { timezone };
  const bounds = {
    ...(schedule.startDate !== undefined ? { startDate: schedule.startDate } : {}),
    ...(schedule.endDate !== undefined ? { endDate: schedule.endDate } : {}),
  };
  if (expr.kind !== 'rate' || schedule.startDate !== undefined) return { timezone, ...bounds };
  return { timezone, ...bounds, anchor: rateAnchorBefore(schedule.creationDate, expr.periodMs, lowerBound) };
}

/** `anchor` moved back by whole periods until it is at or before `lowerBound` (phase preserved). */
export function rateAnchorBefore(anchor: Date, periodMs: number, lowerBound: Date): Date {
  const gap = anchor.getTime() - lowerBound.getTime();
  if (gap <= 0) return anchor;
  return new Date(anchor.getTime() - Math.ceil(gap / periodMs) * periodMs);
}
