import { Temporal } from 'temporal-polyfill';
import { clipText } from '../clip-text.ts';
import { ExpressionError, SCHEDULE_TYPES_DOC } from './errors.ts';
import type { AtExpression, ParsedExpression, RateExpression, RateUnit } from './expression.ts';
import { parseCron } from './parse-cron.ts';

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const satisfies Record<RateUnit, number>;
const SINGULAR = { minutes: 'minute', hours: 'hour', days: 'day' } as const satisfies Record<RateUnit, string>;
const UNITS = {
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
} as const satisfies Record<string, RateUnit>;

/**
 * The longest rate() period ops evaluates. AWS documents the value only as "a positive integer" and
 * publishes no maximum, so this bound is ours: about 2,700 years is far beyond any useful schedule,
 * and it is 1% of the JS Date range (100,000,000 days either side of 1970), so anchor + period is a
 * valid Date for any anchor before the year 273,000 (evaluate.ts stops at the edge for the rest).
 */
export const MAX_RATE_DAYS = 1_000_000;
const MAX_RATE_VALUE = { minutes: MAX_RATE_DAYS * 1440, hours: MAX_RATE_DAYS * 24, days: MAX_RATE_DAYS } as const satisfies Record<RateUnit, number>;

/** Parses a cron(), rate() or at() expression exactly as EventBridge Scheduler would accept it. */
export function parseExpression(text: string): ParsedExpression {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new ExpressionError({
      expression: text,
      reason: 'expression is empty',
      hint: `Write cron(...), rate(...) or at(...), e.g. rate(5 minutes); see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  const wrapper = /^(cron|rate|at)\((.*)\)$/s.exec(trimmed);
  const kind = wrapper?.[1];
  const inner = wrapper?.[2];
  if (kind === undefined || inner === undefined) {
    throw new ExpressionError({
      expression: text,
      reason: 'unknown expression type',
      message: `expression must be cron(...), rate(...) or at(...); got "${clipText(trimmed)}"`,
      hint: `Wrap the schedule as cron(0 9 ? * MON-FRI *), rate(5 minutes) or at(2026-11-23T09:30:00); see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  switch (kind) {
    case 'cron':
      return parseCron(text, inner);
    case 'rate':
      return parseRate(text, inner);
    case 'at':
      return parseAt(text, inner);
    default:
      // The regex only captures the three kinds above.
      throw new Error(`unreachable expression kind ${kind}`);
  }
}

function parseRate(expression: string, inner: string): RateExpression {
  const hint = `Write rate(1 minute), rate(5 minutes), rate(1 hour), rate(2 hours), rate(1 day) or rate(3 days); see ${SCHEDULE_TYPES_DOC}`;
  const match = /^(\S+) (\S+)$/.exec(inner);
  const valueText = match?.[1];
  const unitText = match?.[2];
  if (valueText === undefined || unitText === undefined) {
    throw new ExpressionError({ expression, hint, reason: `rate expects "value unit" separated by one space, got "${clipText(inner)}"` });
  }
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1) {
    throw new ExpressionError({ expression, hint, reason: `rate value must be a whole number of at least 1, got "${clipText(valueText)}"` });
  }
  if (!Object.hasOwn(UNITS, unitText)) {
    throw new ExpressionError({ expression, hint, reason: `rate unit "${clipText(unitText)}" is not one of minute, minutes, hour, hours, day, days` });
  }
  const unit = UNITS[unitText as keyof typeof UNITS];
  const singular = SINGULAR[unit];
  // Number() rounds digit strings past 2^53, but those are far above the bound, so the comparison holds.
  const value = Number(valueText);
  if (value > MAX_RATE_VALUE[unit]) {
    throw new ExpressionError({
      expression,
      reason: `rate value ${clipText(valueText)} ${unit} is longer than the ${MAX_RATE_DAYS.toLocaleString('en-US')}-day period ops can evaluate`,
      hint:
        `Use at most rate(${MAX_RATE_VALUE.minutes} minutes), rate(${MAX_RATE_VALUE.hours} hours) or rate(${MAX_RATE_VALUE.days} days) ` +
        `(AWS documents no maximum; longer periods never fire twice in practice). For a job that runs once, write at(yyyy-mm-ddThh:mm:ss); see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  if (value === 1 && unitText !== singular) {
    throw new ExpressionError({ expression, hint, reason: `rate unit "${unitText}" needs a value greater than 1; use "rate(1 ${singular})"` });
  }
  if (value > 1 && unitText === singular) {
    throw new ExpressionError({ expression, hint, reason: `rate unit "${unitText}" needs the value 1; use "rate(${valueText} ${unit})"` });
  }
  return { kind: 'rate', source: `rate(${inner})`, value, unit, periodMs: value * UNIT_MS[unit] };
}

function parseAt(expression: string, inner: string): AtExpression {
  const hint = `Write the local date and time as at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-11-23T09:30:00); see ${SCHEDULE_TYPES_DOC}`;
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner)?.slice(1).map(Number);
  const [year, month, day, hour, minute, second] = parts ?? [];
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) {
    throw new ExpressionError({ expression, hint, reason: `at expects yyyy-mm-ddThh:mm:ss, got "${clipText(inner)}"` });
  }
  try {
    // The constructor rejects 2026-02-30, 24:00 and :60 where from() would accept or clamp them.
    new Temporal.PlainDateTime(year, month, day, hour, minute, second);
  } catch (cause) {
    throw new ExpressionError({ expression, hint, reason: `at time ${inner} is not a valid date and time`, cause });
  }
  return { kind: 'at', source: `at(${inner})`, dateTime: inner };
}
