/**
 * Why a schedule has no fire time left: an expression no date matches (cron(0 0 31 2 ? *)), an empty
 * or finished window, an at() in the past. AWS accepts all of these, so they are warnings that say
 * when (never) and why, not errors.
 */
import { clipText } from '../clip-text.ts';
import { nextFireTimes, previousFireTime, type WindowOptions } from './evaluate.ts';
import type { CronExpression, ParsedExpression } from './expression.ts';

export const FireWarningCode = {
  /** No instant at all matches the expression in its timezone. */
  neverFires: 'NEVER_FIRES',
  /** The start date is not before the end date. */
  emptyWindow: 'EMPTY_WINDOW',
  /** It fires, or fired, but not after the given instant inside its window. */
  noFireLeft: 'NO_FIRE_LEFT',
} as const;
export type FireWarningCode = (typeof FireWarningCode)[keyof typeof FireWarningCode];

export interface FireWarning {
  readonly code: FireWarningCode;
  readonly message: string;
  /** When it last fired at or before `after`, if it did (an at() in the past, a cron whose years are over). */
  readonly lastFireTime?: Date;
}

/** Why nothing fires after `after` inside the window; [] when something does. */
export function noFireWarnings(expr: ParsedExpression, opts: WindowOptions & { after: Date }): FireWarning[] {
  if (nextFireTimes(expr, { ...opts, count: 1 }).length > 0) return [];
  const warnings: FireWarning[] = [];
  const { startDate, endDate } = opts;
  if (startDate !== undefined && endDate !== undefined && startDate.getTime() >= endDate.getTime()) {
    const relation = startDate.getTime() === endDate.getTime() ? 'the same as' : 'after';
    warnings.push({
      code: FireWarningCode.emptyWindow,
      message: `the start date ${iso(startDate)} is ${relation} the end date ${iso(endDate)}: the window is empty, so it never fires`,
    });
  }
  const never = expr.kind === 'cron' ? neverFiresReason(expr, opts.timezone ?? 'UTC') : undefined;
  if (never !== undefined) warnings.push({ code: FireWarningCode.neverFires, message: `never fires: ${never}` });
  return warnings.length > 0 ? warnings : [noFireLeft(expr, opts)];
}

// Cron years start at 1970; starting a day early covers every zone's offset from UTC.
const BEFORE_CRON_YEARS = new Date(Date.UTC(1969, 11, 31));
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function neverFiresReason(cron: CronExpression, timezone: string): string | undefined {
  if (nextFireTimes(cron, { timezone, after: BEFORE_CRON_YEARS, count: 1 }).length > 0) return undefined;
  const monthLength = missingDayReason(cron);
  if (monthLength !== undefined) return monthLength;
  // UTC has no clock changes: if it fires there, every local time it selects is skipped by DST.
  if (nextFireTimes(cron, { timezone: 'UTC', after: BEFORE_CRON_YEARS, count: 1 }).length > 0) {
    return `every time it selects falls in a daylight-saving gap in ${timezone}, when the clocks skip ahead`;
  }
  const [, , dom, month, dow, year] = cron.fields;
  const named = (
    [
      ['day-of-month', dom],
      ['month', month],
      ['day-of-week', dow],
      ['year', year],
    ] as const
  ).filter(([, text]) => text !== '?' && text !== '*');
  return `no date matches ${named.map(([name, text]) => `${name} ${clipText(text, 40)}`).join(', ')}`;
}

/** "February has no day 31": every day the cron names is past the end of every month it names. */
function missingDayReason(cron: CronExpression): string | undefined {
  const dom = cron.dayOfMonth;
  if (dom.kind !== 'list' || dom.last || dom.lastWeekday) return undefined;
  const days = [...new Set([...dom.days, ...dom.nearestWeekdays])].sort((a, b) => a - b);
  const longest = Math.max(...cron.months.map((month) => LONGEST_MONTH[month - 1] ?? 31));
  const first = days[0];
  if (first === undefined || first <= longest) return undefined;
  const months = cron.months.map((month) => MONTH_NAMES[month - 1] ?? String(month));
  return `${joinList(months, 'and')} ${months.length === 1 ? 'has' : 'have'} no day ${joinList(days.map(String), 'or')}`;
}

function noFireLeft(expr: ParsedExpression, opts: WindowOptions & { after: Date }): FireWarning {
  const { endDate, ...open } = opts;
  const after = iso(opts.after);
  const next = nextFireTimes(expr, { ...open, count: 1 })[0];
  if (next !== undefined && endDate !== undefined) {
    return { code: FireWarningCode.noFireLeft, message: `never fires again: its next fire time ${iso(next)} is not before the end date ${iso(endDate)}` };
  }
  if (next === undefined && expr.kind === 'rate') {
    return { code: FireWarningCode.noFireLeft, message: `never fires again: its next fire time after ${after} is past the year 275760, the last a date can hold` };
  }
  const last = previousFireTime(expr, { ...opts, atOrBefore: opts.after });
  if (last !== undefined) {
    const message =
      expr.kind === 'at'
        ? `${expr.source} is in the past: it fired once, at ${iso(last)}, and never fires again after ${after}`
        : `never fires again after ${after}: its last fire time was ${iso(last)}`;
    return { code: FireWarningCode.noFireLeft, message, lastFireTime: last };
  }
  const reason = opts.startDate !== undefined ? `every fire time is before the start date ${iso(opts.startDate)}` : `nothing fires after ${after}`;
  return { code: FireWarningCode.noFireLeft, message: `never fires: ${reason}` };
}

/** "a", "a or b", "a, b or c". */
function joinList(items: readonly string[], word: 'and' | 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

function iso(date: Date): string {
  return date.toISOString();
}
