import { clipText } from '../clip-text.ts';
import { ExpressionError, SCHEDULE_TYPES_DOC } from './errors.ts';
import type { CronExpression, DayOfMonthRule, DayOfWeekRule } from './expression.ts';

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

interface FieldSpec {
  /** 1-based position in the expression. */
  readonly field: 1 | 2 | 3 | 4 | 5 | 6;
  readonly min: number;
  readonly max: number;
  /** names[i] stands for min + i. */
  readonly names?: readonly string[];
  /** AWS accepts reversed ranges (NOV-FEB, FRI-MON) only where the calendar cycles. */
  readonly wraps: boolean;
  /** How valid values are described in messages. */
  readonly accepts: string;
}

const MINUTES: FieldSpec = { field: 1, min: 0, max: 59, wraps: false, accepts: '0-59' };
const HOURS: FieldSpec = { field: 2, min: 0, max: 23, wraps: false, accepts: '0-23' };
const DAY_OF_MONTH: FieldSpec = { field: 3, min: 1, max: 31, wraps: false, accepts: '1-31, L, LW or a day followed by W' };
const MONTH: FieldSpec = { field: 4, min: 1, max: 12, names: MONTH_NAMES, wraps: true, accepts: '1-12 or JAN-DEC' };
const DAY_OF_WEEK: FieldSpec = { field: 5, min: 1, max: 7, names: DAY_NAMES, wraps: true, accepts: '1-7 (1 = Sunday) or SUN-SAT' };
const YEAR: FieldSpec = { field: 6, min: 1970, max: 2199, wraps: false, accepts: '1970-2199' };

const FIELD_COUNT_MESSAGE = 'cron expects 6 fields (minutes hours day-of-month month day-of-week year)';

/** `*`, `a`, `a-b`, each optionally followed by `/step`. */
const RANGE_ITEM = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(.*))?$/;

/** Parses the text between `cron(` and `)`; `expression` is the whole text, kept for errors. */
export function parseCron(expression: string, inner: string): CronExpression {
  if (inner !== inner.trim() || /\s\s|[^\S ]/.test(inner)) {
    throw new ExpressionError({
      expression,
      reason: 'cron fields must be separated by single spaces',
      hint: `Write the six fields with one space between them, e.g. cron(0 9 ? * MON-FRI *); see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  const parts = inner === '' ? [] : inner.split(' ');
  const [minutes, hours, dom, month, dow, year] = parts;
  if (
    parts.length !== 6 ||
    minutes === undefined ||
    hours === undefined ||
    dom === undefined ||
    month === undefined ||
    dow === undefined ||
    year === undefined
  ) {
    throw new ExpressionError({
      expression,
      reason: `expected 6 fields, got ${parts.length}`,
      message: `${FIELD_COUNT_MESSAGE}, got ${parts.length}`,
      hint: `Give all six fields, e.g. cron(0 9 ? * MON-FRI *) (the year field is required; use * for every year); see ${SCHEDULE_TYPES_DOC}`,
    });
  }

  const cron: CronExpression = {
    kind: 'cron',
    source: `cron(${inner})`,
    fields: [minutes, hours, dom, month, dow, year],
    minutes: parseValueField(expression, MINUTES, minutes),
    hours: parseValueField(expression, HOURS, hours),
    dayOfMonth: parseDayOfMonth(expression, dom),
    months: parseValueField(expression, MONTH, month),
    dayOfWeek: parseDayOfWeek(expression, dow),
    years: parseValueField(expression, YEAR, year),
  };

  if (cron.dayOfMonth.kind === 'any' && cron.dayOfWeek.kind === 'any') {
    throw new ExpressionError({
      expression,
      field: 3,
      reason: "day-of-month and day-of-week are both '?'",
      message: "cron field 3 (day-of-month) and field 5 (day-of-week) are both '?'; exactly one must be '?'",
      hint: `Set one of them, e.g. cron(0 9 * * ? *) for every day or cron(0 9 ? * MON *) for Mondays; see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  if (cron.dayOfMonth.kind === 'list' && cron.dayOfWeek.kind === 'list') {
    throw new ExpressionError({
      expression,
      field: 3,
      reason: 'day-of-month and day-of-week are both set',
      message: "cron field 3 (day-of-month) and field 5 (day-of-week) are both set; one must be '?'",
      hint: `Put '?' in one of them, e.g. cron(0 9 * * ? *) or cron(0 9 ? * MON-FRI *); see ${SCHEDULE_TYPES_DOC}`,
    });
  }
  return cron;
}

function fail(expression: string, spec: FieldSpec, reason: string): ExpressionError {
  return new ExpressionError({ expression, field: spec.field, reason });
}

function listItems(expression: string, spec: FieldSpec, text: string): string[] {
  const items = text.split(',');
  if (items.some((item) => item === '')) {
    throw fail(expression, spec, `"${clipText(text)}" has an empty list item`);
  }
  for (const item of items) {
    if (item.includes('?')) {
      throw fail(
        expression,
        spec,
        spec === DAY_OF_MONTH || spec === DAY_OF_WEEK ? "'?' cannot be combined with other values" : "'?' is only allowed in day-of-month or day-of-week",
      );
    }
    if (item.includes('#') && spec !== DAY_OF_WEEK) throw fail(expression, spec, "'#' is only allowed in day-of-week");
  }
  return items;
}

/** Fields made only of values, ranges, steps and `*`: minutes, hours, month, year. */
function parseValueField(expression: string, spec: FieldSpec, text: string): number[] {
  const values = new Set<number>();
  for (const item of listItems(expression, spec, text)) {
    for (const value of expandRange(expression, spec, item)) values.add(value);
  }
  return sorted(values);
}

function parseDayOfMonth(expression: string, text: string): DayOfMonthRule {
  if (text === '?') return { kind: 'any' };
  const days = new Set<number>();
  const nearestWeekdays = new Set<number>();
  let last = false;
  let lastWeekday = false;
  for (const item of listItems(expression, DAY_OF_MONTH, text)) {
    const upper = item.toUpperCase();
    if (upper === 'L') {
      last = true;
    } else if (upper === 'LW') {
      lastWeekday = true;
    } else if (/^L-\d+$/.test(upper)) {
      throw fail(expression, DAY_OF_MONTH, `"${clipText(item)}" (an offset from the last day) is not supported; use L or LW`);
    } else if (upper.endsWith('W')) {
      const day = upper.slice(0, -1);
      if (!/^\d+$/.test(day)) throw fail(expression, DAY_OF_MONTH, `"${clipText(item)}": W must follow a single day number, e.g. 15W`);
      nearestWeekdays.add(checkRange(expression, DAY_OF_MONTH, day));
    } else {
      for (const value of expandRange(expression, DAY_OF_MONTH, item)) days.add(value);
    }
  }
  return { kind: 'list', days: sorted(days), last, lastWeekday, nearestWeekdays: sorted(nearestWeekdays) };
}

function parseDayOfWeek(expression: string, text: string): DayOfWeekRule {
  if (text === '?') return { kind: 'any' };
  const weekdays = new Set<number>();
  const lastOfMonth = new Set<number>();
  const nth = new Map<string, { weekday: number; nth: number }>();
  for (const item of listItems(expression, DAY_OF_WEEK, text)) {
    const upper = item.toUpperCase();
    const hash = /^([A-Z0-9]+)#(.*)$/.exec(upper);
    if (upper === 'L') {
      // AWS (like Quartz) reads a bare L in day-of-week as 7, Saturday.
      weekdays.add(7);
    } else if (hash?.[1] !== undefined && hash[2] !== undefined) {
      const weekday = parseValue(expression, DAY_OF_WEEK, hash[1]);
      if (!/^[1-5]$/.test(hash[2])) throw fail(expression, DAY_OF_WEEK, `"${clipText(item)}": the number after # must be 1-5`);
      const n = Number(hash[2]);
      nth.set(`${weekday}#${n}`, { weekday, nth: n });
    } else if (/^([0-9]+|[A-Z]{3})L$/.test(upper)) {
      lastOfMonth.add(parseValue(expression, DAY_OF_WEEK, upper.slice(0, -1)));
    } else {
      for (const value of expandRange(expression, DAY_OF_WEEK, item)) weekdays.add(value);
    }
  }
  const nthList = [...nth.values()].sort((a, b) => a.weekday - b.weekday || a.nth - b.nth);
  return { kind: 'list', weekdays: sorted(weekdays), lastOfMonth: sorted(lastOfMonth), nth: nthList };
}

/** Expands `*`, `a`, `a-b` and their `/step` forms to the values they select. */
function expandRange(expression: string, spec: FieldSpec, item: string): number[] {
  const match = RANGE_ITEM.exec(item);
  const startText = match?.[1];
  if (match === null || startText === undefined) {
    throw fail(expression, spec, badTokenReason(spec, item));
  }
  const endText = match[2];
  const stepText = match[3];
  if (startText === '*' && endText !== undefined) throw fail(expression, spec, `"${clipText(item)}" is not a valid range`);

  const start = startText === '*' ? spec.min : parseValue(expression, spec, startText);
  let end: number;
  if (endText !== undefined) end = parseValue(expression, spec, endText);
  else if (startText === '*' || stepText !== undefined) end = spec.max;
  else end = start;

  const span = spec.max - spec.min + 1;
  let step = 1;
  if (stepText !== undefined) {
    step = Number(stepText);
    if (!/^\d+$/.test(stepText) || step < 1 || step > span) {
      throw fail(expression, spec, `step "${clipText(stepText)}" must be a whole number from 1 to ${span}`);
    }
  }

  if (end < start && !spec.wraps) {
    throw fail(expression, spec, `range ${clipText(`${startText}-${endText ?? ''}`)} is reversed; only month and day-of-week ranges may wrap around`);
  }
  // A reversed month/day-of-week range runs through the end of the cycle and starts over.
  const length = end >= start ? end - start + 1 : spec.max - start + 1 + (end - spec.min + 1);
  const values: number[] = [];
  for (let offset = 0; offset < length; offset += step) {
    values.push(spec.min + ((start - spec.min + offset) % span));
  }
  return values;
}

function parseValue(expression: string, spec: FieldSpec, token: string): number {
  if (/^\d+$/.test(token)) return checkRange(expression, spec, token);
  const index = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  throw fail(expression, spec, badTokenReason(spec, token));
}

/** Takes the digits as written: past 2^53 Number() would print them as 1e+21. */
function checkRange(expression: string, spec: FieldSpec, digits: string): number {
  const value = Number(digits);
  if (value < spec.min || value > spec.max) {
    const shown = Number.isSafeInteger(value) ? String(value) : clipText(digits);
    throw fail(expression, spec, `${shown} is out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

/** Says why a token is not a value, naming a misplaced special character if that is the cause. */
function badTokenReason(spec: FieldSpec, token: string): string {
  const upper = token.toUpperCase();
  const special = /^(\d*L|L\d*|LW|\d*W)$/.test(upper.replace(/[-/,].*$/, ''));
  if (special && spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK) {
    return upper.includes('W') ? "'W' is only allowed in day-of-month" : "'L' is only allowed in day-of-month or day-of-week";
  }
  if (special && spec === DAY_OF_WEEK && upper.includes('W')) return "'W' is only allowed in day-of-month";
  return `"${clipText(token)}" is not a valid value; use ${spec.accepts}`;
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}
