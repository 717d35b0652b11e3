import { FireWarningCode, nextFireTimes, noFireWarnings, parseExpression, validateTimezone, type ParsedExpression } from '../../schedule/index.ts';
import { declarationOf } from '../registry.ts';
import { FindingCode, Severity, type Finding } from '../finding.ts';
import type { ScheduleFacts } from '../model.ts';
import type { EvaluateContext } from '../evaluate-context.ts';
import { checkCommand, ref } from './schedule-ref.ts';

export type ExpressionCheck = { ok: true; parsed: ParsedExpression } | { ok: false; finding: Finding };

/** Parses the schedule's expression and timezone; an invalid one is a finding, not an exception. */
export function checkExpression(schedule: ScheduleFacts): ExpressionCheck {
  try {
    validateTimezone(schedule.timezone);
    return { ok: true, parsed: parseExpression(schedule.expression) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      finding: {
        code: FindingCode.INVALID_EXPRESSION,
        severity: Severity.critical,
        schedule: ref(schedule),
        message: `cannot be evaluated: ${reason}`,
        evidence: { expression: schedule.expression, timezone: schedule.timezone, reason },
        fix: `ops schedule explain "${schedule.expression}" --tz ${schedule.timezone}`,
        runbook: declarationOf(FindingCode.INVALID_EXPRESSION).runbook,
      },
    };
  }
}

/** DISABLED, or ENABLED with nothing left to fire (EndDate passed, an at() in the past). */
export function stateFindings(schedule: ScheduleFacts, parsed: ParsedExpression, ctx: EvaluateContext): Finding[] {
  if (schedule.state === 'DISABLED') {
    return [
      {
        code: FindingCode.SCHEDULE_DISABLED,
        severity: Severity.warning,
        schedule: ref(schedule),
        message: 'is DISABLED; it will not run until someone enables it',
        evidence: { state: schedule.state, lastModificationDate: schedule.lastModificationDate?.toISOString() },
        fix: checkCommand(schedule),
        runbook: declarationOf(FindingCode.SCHEDULE_DISABLED).runbook,
      },
    ];
  }
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
    {
      code: FindingCode.SCHEDULE_EXPIRED,
      severity: Severity.warning,
      schedule: ref(schedule),
      message: `is ENABLED but will never fire again: ${reason}`,
      evidence: { expression: schedule.expression, endDate: schedule.endDate?.toISOString(), startDate: schedule.startDate?.toISOString() },
      fix: `ops schedule explain "${schedule.expression}" --tz ${schedule.timezone}${schedule.endDate ? ` --end-date ${schedule.endDate.toISOString()}` : ''}`,
      runbook: declarationOf(FindingCode.SCHEDULE_EXPIRED).runbook,
    },
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
