import { FireWarningCode, nextFireTimes, noFireWarnings, parseExpression, validateTimezone, type ParsedExpression } from '../../schedule/index.ts';
import type { EvaluateContext } from '../evaluate-context.ts';
import { FindingCode, type Finding } from '../finding.ts';
import type { ScheduleFacts } from '../model.ts';
import type { Emit, ExpressionCheck } from '../rule.ts';
import { checkCommand, ref } from './schedule-ref.ts';

/** Parses the schedule's expression and timezone; an invalid one is a finding, not an exception. */
export function checkExpression(schedule: ScheduleFacts): ExpressionCheck {
  try {
    validateTimezone(schedule.timezone);
    return { ok: true, parsed: parseExpression(schedule.expression) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function expressionFindings(schedule: ScheduleFacts, _ctx: EvaluateContext, emit: Emit, expression: ExpressionCheck): Finding[] {
  if (expression.ok) return [];
  return [
    emit(FindingCode.INVALID_EXPRESSION, {
      schedule: ref(schedule),
      message: `cannot be evaluated: ${expression.reason}`,
      evidence: { expression: schedule.expression, timezone: schedule.timezone, reason: expression.reason },
      fix: `ops schedule explain "${schedule.expression}" --tz ${schedule.timezone}`,
    }),
  ];
}

export function disabledFindings(schedule: ScheduleFacts, _ctx: EvaluateContext, emit: Emit): Finding[] {
  if (schedule.state !== 'DISABLED') return [];
  return [
    emit(FindingCode.SCHEDULE_DISABLED, {
      schedule: ref(schedule),
      message: 'is DISABLED; it will not run until someone enables it',
      evidence: { state: schedule.state, lastModificationDate: schedule.lastModificationDate?.toISOString() },
      fix: checkCommand(schedule),
    }),
  ];
}

/** ENABLED with nothing left to fire (EndDate passed, an at() in the past). */
export function expiredFindings(schedule: ScheduleFacts, ctx: EvaluateContext, emit: Emit, parsed: ParsedExpression): Finding[] {
  if (schedule.state === 'DISABLED') return [];
  const upcoming = nextFireTimes(parsed, {
    timezone: schedule.timezone,
    after: ctx.now,
    count: 1,
    ...(schedule.startDate ? { startDate: schedule.startDate } : {}),
    ...(schedule.endDate ? { endDate: schedule.endDate } : {}),
    ...anchorOf(schedule),
  });
  if (upcoming.length > 0) return [];
  const reason =
    schedule.endDate !== undefined && schedule.endDate.getTime() <= ctx.now.getTime()
      ? `its EndDate ${schedule.endDate.toISOString()} has passed`
      : parsed.kind === 'at'
        ? `its one-time expression ${parsed.source} is in the past`
        : neverFires(parsed, schedule) ?? 'its expression has no fire time left in its window';
  return [
    emit(FindingCode.SCHEDULE_EXPIRED, {
      schedule: ref(schedule),
      message: `is ENABLED but will never fire again: ${reason}`,
      evidence: { expression: schedule.expression, endDate: schedule.endDate?.toISOString(), startDate: schedule.startDate?.toISOString() },
      fix: `ops schedule explain "${schedule.expression}" --tz ${schedule.timezone}${schedule.endDate ? ` --end-date ${schedule.endDate.toISOString()}` : ''}`,
    }),
  ];
}

/** rate() counts from the StartDate when there is one, else from the schedule's creation. */
export function anchorOf(schedule: ScheduleFacts): { anchor?: Date } {
  const anchor = schedule.startDate ?? schedule.creationDate;
  return anchor ? { anchor } : {};
}

/** `cron(0 0 31 2 ? *)` is not "expired", it never fired: say why (February has no day 31). */
function neverFires(parsed: ParsedExpression, schedule: ScheduleFacts): string | undefined {
  const warning = noFireWarnings(parsed, { after: new Date(0), timezone: schedule.timezone }).find((w) => w.code === FireWarningCode.neverFires);
  return warning?.message.replace(/^never fires: /, 'it never fires: ');
}
