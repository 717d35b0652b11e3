import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { parseExpression, SCHEDULE_TYPES_DOC } from '../../../src/schedule/index.ts';
import { parseError } from '../../support/parse-error.ts';
import type { CronExpression, ParsedExpression } from '../../../src/schedule/index.ts';

function cron(text: string): CronExpression {
  const parsed = parseExpression(text);
  if (parsed.kind !== 'cron') throw new Error(`expected a cron expression, got ${parsed.kind}`);
  return parsed;
}


const range = (from: number, to: number, step = 1): number[] => {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
};

describe('parseExpression: cron value fields', () => {
  it.each<[string, keyof CronExpression, number[]]>([
    ['cron(* 0 * * ? *)', 'minutes', range(0, 59)],
    ['cron(7 0 * * ? *)', 'minutes', [7]],
    ['cron(00 0 * * ? *)', 'minutes', [0]],
    ['cron(1,5,59 0 * * ? *)', 'minutes', [1, 5, 59]],
    ['cron(5,1,5 0 * * ? *)', 'minutes', [1, 5]],
    ['cron(10-13 0 * * ? *)', 'minutes', [10, 11, 12, 13]],
    ['cron(0/5 0 * * ? *)', 'minutes', range(0, 55, 5)],
    ['cron(7/20 0 * * ? *)', 'minutes', [7, 27, 47]],
    ['cron(*/10 0 * * ? *)', 'minutes', [0, 10, 20, 30, 40, 50]],
    ['cron(10-50/5 0 * * ? *)', 'minutes', range(10, 50, 5)],
    ['cron(10-50/20 0 * * ? *)', 'minutes', [10, 30, 50]],
    ['cron(0-4,30,50-51 0 * * ? *)', 'minutes', [0, 1, 2, 3, 4, 30, 50, 51]],
    ['cron(0 9-16 * * ? *)', 'hours', range(9, 16)],
    ['cron(0 */6 * * ? *)', 'hours', [0, 6, 12, 18]],
    ['cron(0 23 * * ? *)', 'hours', [23]],
    ['cron(0 0 * JAN ? *)', 'months', [1]],
    ['cron(0 0 * jan,Jul,DEC ? *)', 'months', [1, 7, 12]],
    ['cron(0 0 * MAR-MAY ? *)', 'months', [3, 4, 5]],
    ['cron(0 0 * NOV-FEB ? *)', 'months', [1, 2, 11, 12]],
    ['cron(0 0 * 11-2 ? *)', 'months', [1, 2, 11, 12]],
    ['cron(0 0 * */3 ? *)', 'months', [1, 4, 7, 10]],
    ['cron(0 0 * OCT-MAR/2 ? *)', 'months', [2, 10, 12]], // OCT, DEC, FEB
    ['cron(0 0 * * ? 2027)', 'years', [2027]],
    ['cron(0 0 * * ? 2026-2028)', 'years', [2026, 2027, 2028]],
    ['cron(0 0 * * ? 2030/50)', 'years', [2030, 2080, 2130, 2180]],
    ['cron(0 0 * * ? 1970,2199)', 'years', [1970, 2199]],
    ['cron(0 0 * * ? *)', 'years', range(1970, 2199)],
  ])('%s -> %s', (text, key, expected) => {
    expect(cron(text)[key]).toEqual(expected);
  });
});

describe('parseExpression: day-of-month and day-of-week', () => {
  it.each<[string, CronExpression['dayOfMonth']]>([
    ['cron(0 0 ? * MON *)', { kind: 'any' }],
    ['cron(0 0 * * ? *)', { kind: 'list', days: range(1, 31), last: false, lastWeekday: false, nearestWeekdays: [] }],
    ['cron(0 0 1,15 * ? *)', { kind: 'list', days: [1, 15], last: false, lastWeekday: false, nearestWeekdays: [] }],
    ['cron(0 0 1-7/3 * ? *)', { kind: 'list', days: [1, 4, 7], last: false, lastWeekday: false, nearestWeekdays: [] }],
    ['cron(0 0 L * ? *)', { kind: 'list', days: [], last: true, lastWeekday: false, nearestWeekdays: [] }],
    ['cron(0 0 l * ? *)', { kind: 'list', days: [], last: true, lastWeekday: false, nearestWeekdays: [] }],
    ['cron(0 0 LW * ? *)', { kind: 'list', days: [], last: false, lastWeekday: true, nearestWeekdays: [] }],
    ['cron(0 0 15W * ? *)', { kind: 'list', days: [], last: false, lastWeekday: false, nearestWeekdays: [15] }],
    ['cron(0 0 1,L * ? *)', { kind: 'list', days: [1], last: true, lastWeekday: false, nearestWeekdays: [] }],
  ])('%s day-of-month', (text, expected) => {
    expect(cron(text).dayOfMonth).toEqual(expected);
  });

  it.each<[string, CronExpression['dayOfWeek']]>([
    ['cron(0 0 * * ? *)', { kind: 'any' }],
    ['cron(0 0 ? * * *)', { kind: 'list', weekdays: range(1, 7), lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * MON-FRI *)', { kind: 'list', weekdays: [2, 3, 4, 5, 6], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * mon-fri *)', { kind: 'list', weekdays: [2, 3, 4, 5, 6], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * 2-6 *)', { kind: 'list', weekdays: [2, 3, 4, 5, 6], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * FRI-MON *)', { kind: 'list', weekdays: [1, 2, 6, 7], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * SAT-SUN *)', { kind: 'list', weekdays: [1, 7], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * FRI-MON/2 *)', { kind: 'list', weekdays: [1, 6], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * SUN,SAT *)', { kind: 'list', weekdays: [1, 7], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * L *)', { kind: 'list', weekdays: [7], lastOfMonth: [], nth: [] }],
    ['cron(0 0 ? * 6L *)', { kind: 'list', weekdays: [], lastOfMonth: [6], nth: [] }],
    ['cron(0 0 ? * FRIL *)', { kind: 'list', weekdays: [], lastOfMonth: [6], nth: [] }],
    ['cron(0 0 ? * MON#1 *)', { kind: 'list', weekdays: [], lastOfMonth: [], nth: [{ weekday: 2, nth: 1 }] }],
    ['cron(0 0 ? * 2#3 *)', { kind: 'list', weekdays: [], lastOfMonth: [], nth: [{ weekday: 2, nth: 3 }] }],
    ['cron(0 0 ? * fri#5 *)', { kind: 'list', weekdays: [], lastOfMonth: [], nth: [{ weekday: 6, nth: 5 }] }],
  ])('%s day-of-week', (text, expected) => {
    expect(cron(text).dayOfWeek).toEqual(expected);
  });

  it('keeps the source and the six field texts', () => {
    const parsed = cron('  cron(0/5 9-16 ? * MON-FRI *)\n');
    expect(parsed.source).toBe('cron(0/5 9-16 ? * MON-FRI *)');
    expect(parsed.fields).toEqual(['0/5', '9-16', '?', '*', 'MON-FRI', '*']);
  });
});

describe('parseExpression: rate and at', () => {
  it.each<[string, ParsedExpression]>([
    ['rate(1 minute)', { kind: 'rate', source: 'rate(1 minute)', value: 1, unit: 'minutes', periodMs: 60_000 }],
    ['rate(5 minutes)', { kind: 'rate', source: 'rate(5 minutes)', value: 5, unit: 'minutes', periodMs: 300_000 }],
    ['rate(1 hour)', { kind: 'rate', source: 'rate(1 hour)', value: 1, unit: 'hours', periodMs: 3_600_000 }],
    ['rate(12 hours)', { kind: 'rate', source: 'rate(12 hours)', value: 12, unit: 'hours', periodMs: 43_200_000 }],
    ['rate(1 day)', { kind: 'rate', source: 'rate(1 day)', value: 1, unit: 'days', periodMs: 86_400_000 }],
    [' rate(7 days) ', { kind: 'rate', source: 'rate(7 days)', value: 7, unit: 'days', periodMs: 604_800_000 }],
    ['at(2026-11-23T09:30:00)', { kind: 'at', source: 'at(2026-11-23T09:30:00)', dateTime: '2026-11-23T09:30:00' }],
    ['at(2028-02-29T23:59:59)', { kind: 'at', source: 'at(2028-02-29T23:59:59)', dateTime: '2028-02-29T23:59:59' }],
  ])('%s', (text, expected) => {
    expect(parseExpression(text)).toEqual(expected);
  });
});

describe('parseExpression: errors', () => {
  it.each<[string, number | undefined, string]>([
    // Wrapper, emptiness and field count.
    ['', undefined, 'expression is empty'],
    ['   ', undefined, 'expression is empty'],
    ['cron 0 * * * ? *', undefined, 'expression must be cron(...), rate(...) or at(...); got "cron 0 * * * ? *"'],
    ['CRON(0 0 * * ? *)', undefined, 'expression must be cron(...), rate(...) or at(...); got "CRON(0 0 * * ? *)"'],
    ['cron(0 0 * * ? *', undefined, 'expression must be cron(...), rate(...) or at(...); got "cron(0 0 * * ? *"'],
    ['cron(0 0 * * ? *)x', undefined, 'expression must be cron(...), rate(...) or at(...); got "cron(0 0 * * ? *)x"'],
    ['every(5 minutes)', undefined, 'expression must be cron(...), rate(...) or at(...); got "every(5 minutes)"'],
    ['0 0 * * ? *', undefined, 'expression must be cron(...), rate(...) or at(...); got "0 0 * * ? *"'],
    ['cron(0 * * * ?)', undefined, 'cron expects 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 * * * ? * *)', undefined, 'cron expects 6 fields (minutes hours day-of-month month day-of-week year), got 7'],
    ['cron()', undefined, 'cron expects 6 fields (minutes hours day-of-month month day-of-week year), got 0'],
    ['cron(0  0 * * ? *)', undefined, 'cron fields must be separated by single spaces'],
    ['cron( 0 0 * * ? *)', undefined, 'cron fields must be separated by single spaces'],
    ['cron(0\t0 * * ? * *)', undefined, 'cron fields must be separated by single spaces'],
    // Day-of-month / day-of-week exclusivity and '?'.
    ['cron(0 0 * * MON *)', 3, "cron field 3 (day-of-month) and field 5 (day-of-week) are both set; one must be '?'"],
    ['cron(0 0 1 * * *)', 3, "cron field 3 (day-of-month) and field 5 (day-of-week) are both set; one must be '?'"],
    ['cron(0 0 ? * ? *)', 3, "cron field 3 (day-of-month) and field 5 (day-of-week) are both '?'; exactly one must be '?'"],
    ['cron(? 0 * * ? *)', 1, "cron field 1 (minutes): '?' is only allowed in day-of-month or day-of-week"],
    ['cron(0 ? * * ? *)', 2, "cron field 2 (hours): '?' is only allowed in day-of-month or day-of-week"],
    ['cron(0 0 * ? ? *)', 4, "cron field 4 (month): '?' is only allowed in day-of-month or day-of-week"],
    ['cron(0 0 * * ? ?)', 6, "cron field 6 (year): '?' is only allowed in day-of-month or day-of-week"],
    ['cron(0 0 ?,1 * ? *)', 3, "cron field 3 (day-of-month): '?' cannot be combined with other values"],
    // Out-of-range values, one per field and bound.
    ['cron(60 0 * * ? *)', 1, 'cron field 1 (minutes): 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 2, 'cron field 2 (hours): 24 is out of range 0-23'],
    ['cron(0 0 0 * ? *)', 3, 'cron field 3 (day-of-month): 0 is out of range 1-31'],
    ['cron(0 0 32 * ? *)', 3, 'cron field 3 (day-of-month): 32 is out of range 1-31'],
    ['cron(0 0 * 0 ? *)', 4, 'cron field 4 (month): 0 is out of range 1-12'],
    ['cron(0 0 * 13 ? *)', 4, 'cron field 4 (month): 13 is out of range 1-12'],
    ['cron(0 0 ? * 0 *)', 5, 'cron field 5 (day-of-week): 0 is out of range 1-7'],
    ['cron(0 0 ? * 8 *)', 5, 'cron field 5 (day-of-week): 8 is out of range 1-7'],
    ['cron(0 0 * * ? 1969)', 6, 'cron field 6 (year): 1969 is out of range 1970-2199'],
    ['cron(0 0 * * ? 2200)', 6, 'cron field 6 (year): 2200 is out of range 1970-2199'],
    ['cron(0 0 * * ? 2020-2300)', 6, 'cron field 6 (year): 2300 is out of range 1970-2199'],
    ['cron(0 0 * * ? abc)', 6, 'cron field 6 (year): "abc" is not a valid value; use 1970-2199'],
    ['cron(0-60 0 * * ? *)', 1, 'cron field 1 (minutes): 60 is out of range 0-59'],
    // Steps, ranges and lists.
    ['cron(*/0 0 * * ? *)', 1, 'cron field 1 (minutes): step "0" must be a whole number from 1 to 60'],
    ['cron(0/x 0 * * ? *)', 1, 'cron field 1 (minutes): step "x" must be a whole number from 1 to 60'],
    ['cron(*/ 0 * * ? *)', 1, 'cron field 1 (minutes): step "" must be a whole number from 1 to 60'],
    ['cron(0/61 0 * * ? *)', 1, 'cron field 1 (minutes): step "61" must be a whole number from 1 to 60'],
    ['cron(0 0/25 * * ? *)', 2, 'cron field 2 (hours): step "25" must be a whole number from 1 to 24'],
    ['cron(0 0 * */1/2 ? *)', 4, 'cron field 4 (month): step "1/2" must be a whole number from 1 to 12'],
    ['cron(50-10 0 * * ? *)', 1, 'cron field 1 (minutes): range 50-10 is reversed; only month and day-of-week ranges may wrap around'],
    ['cron(0 22-2 * * ? *)', 2, 'cron field 2 (hours): range 22-2 is reversed; only month and day-of-week ranges may wrap around'],
    ['cron(0 0 * * ? 2030-2020)', 6, 'cron field 6 (year): range 2030-2020 is reversed; only month and day-of-week ranges may wrap around'],
    ['cron(0 0 *-5 * ? *)', 3, 'cron field 3 (day-of-month): "*-5" is not a valid range'],
    ['cron(0 0 1,,2 * ? *)', 3, 'cron field 3 (day-of-month): "1,,2" has an empty list item'],
    ['cron(1, 0 * * ? *)', 1, 'cron field 1 (minutes): "1," has an empty list item'],
    ['cron(1-2-3 0 * * ? *)', 1, 'cron field 1 (minutes): "1-2-3" is not a valid value; use 0-59'],
    // Names.
    ['cron(0 0 * FOO ? *)', 4, 'cron field 4 (month): "FOO" is not a valid value; use 1-12 or JAN-DEC'],
    ['cron(0 0 * JANUARY ? *)', 4, 'cron field 4 (month): "JANUARY" is not a valid value; use 1-12 or JAN-DEC'],
    ['cron(0 0 ? * FUN *)', 5, 'cron field 5 (day-of-week): "FUN" is not a valid value; use 1-7 (1 = Sunday) or SUN-SAT'],
    ['cron(0 0 ? MON * *)', 4, 'cron field 4 (month): "MON" is not a valid value; use 1-12 or JAN-DEC'],
    ['cron(0 0 ? * JAN *)', 5, 'cron field 5 (day-of-week): "JAN" is not a valid value; use 1-7 (1 = Sunday) or SUN-SAT'],
    ['cron(0 MON * * ? *)', 2, 'cron field 2 (hours): "MON" is not a valid value; use 0-23'],
    // L, W and # in the wrong field or the wrong shape.
    ['cron(L 0 * * ? *)', 1, "cron field 1 (minutes): 'L' is only allowed in day-of-month or day-of-week"],
    ['cron(0 L * * ? *)', 2, "cron field 2 (hours): 'L' is only allowed in day-of-month or day-of-week"],
    ['cron(0 0 * 5L ? *)', 4, "cron field 4 (month): 'L' is only allowed in day-of-month or day-of-week"],
    ['cron(0 0 * * ? L)', 6, "cron field 6 (year): 'L' is only allowed in day-of-month or day-of-week"],
    ['cron(5W 0 * * ? *)', 1, "cron field 1 (minutes): 'W' is only allowed in day-of-month"],
    ['cron(0 0 * 3W ? *)', 4, "cron field 4 (month): 'W' is only allowed in day-of-month"],
    ['cron(0 0 ? * 5W *)', 5, "cron field 5 (day-of-week): 'W' is only allowed in day-of-month"],
    ['cron(0 0 ? * LW *)', 5, "cron field 5 (day-of-week): 'W' is only allowed in day-of-month"],
    ['cron(0 1#2 * * ? *)', 2, "cron field 2 (hours): '#' is only allowed in day-of-week"],
    ['cron(0 0 1#2 * ? *)', 3, "cron field 3 (day-of-month): '#' is only allowed in day-of-week"],
    ['cron(0 0 * 1# ? *)', 4, "cron field 4 (month): '#' is only allowed in day-of-week"],
    ['cron(0 0 L-3 * ? *)', 3, 'cron field 3 (day-of-month): "L-3" (an offset from the last day) is not supported; use L or LW'],
    ['cron(0 0 1-5W * ? *)', 3, 'cron field 3 (day-of-month): "1-5W": W must follow a single day number, e.g. 15W'],
    ['cron(0 0 W * ? *)', 3, 'cron field 3 (day-of-month): "W": W must follow a single day number, e.g. 15W'],
    ['cron(0 0 32W * ? *)', 3, 'cron field 3 (day-of-month): 32 is out of range 1-31'],
    ['cron(0 0 0W * ? *)', 3, 'cron field 3 (day-of-month): 0 is out of range 1-31'],
    ['cron(0 0 ? * MON#6 *)', 5, 'cron field 5 (day-of-week): "MON#6": the number after # must be 1-5'],
    ['cron(0 0 ? * MON#0 *)', 5, 'cron field 5 (day-of-week): "MON#0": the number after # must be 1-5'],
    ['cron(0 0 ? * 2# *)', 5, 'cron field 5 (day-of-week): "2#": the number after # must be 1-5'],
    ['cron(0 0 ? * 9#1 *)', 5, 'cron field 5 (day-of-week): 9 is out of range 1-7'],
    ['cron(0 0 ? * 0L *)', 5, 'cron field 5 (day-of-week): 0 is out of range 1-7'],
    ['cron(0 0 ? * XYZ#1 *)', 5, 'cron field 5 (day-of-week): "XYZ" is not a valid value; use 1-7 (1 = Sunday) or SUN-SAT'],
    // rate().
    ['rate(1 minutes)', undefined, 'rate unit "minutes" needs a value greater than 1; use "rate(1 minute)"'],
    ['rate(1 hours)', undefined, 'rate unit "hours" needs a value greater than 1; use "rate(1 hour)"'],
    ['rate(1 days)', undefined, 'rate unit "days" needs a value greater than 1; use "rate(1 day)"'],
    ['rate(5 minute)', undefined, 'rate unit "minute" needs the value 1; use "rate(5 minutes)"'],
    ['rate(2 day)', undefined, 'rate unit "day" needs the value 1; use "rate(2 days)"'],
    ['rate(0 minutes)', undefined, 'rate value must be a whole number of at least 1, got "0"'],
    ['rate(0 minute)', undefined, 'rate value must be a whole number of at least 1, got "0"'],
    ['rate(-1 minutes)', undefined, 'rate value must be a whole number of at least 1, got "-1"'],
    ['rate(1.5 hours)', undefined, 'rate value must be a whole number of at least 1, got "1.5"'],
    ['rate(five minutes)', undefined, 'rate value must be a whole number of at least 1, got "five"'],
    ['rate(5 weeks)', undefined, 'rate unit "weeks" is not one of minute, minutes, hour, hours, day, days'],
    ['rate(5 Minutes)', undefined, 'rate unit "Minutes" is not one of minute, minutes, hour, hours, day, days'],
    ['rate(5  minutes)', undefined, 'rate expects "value unit" separated by one space, got "5  minutes"'],
    ['rate(minutes)', undefined, 'rate expects "value unit" separated by one space, got "minutes"'],
    ['rate()', undefined, 'rate expects "value unit" separated by one space, got ""'],
    ['rate(99999999999999999999 days)', undefined, 'rate value 99999999999999999999 days is longer than the 1,000,000-day period ops can evaluate'],
    // at().
    ['at(2026-02-30T10:00:00)', undefined, 'at time 2026-02-30T10:00:00 is not a valid date and time'],
    ['at(2027-02-29T10:00:00)', undefined, 'at time 2027-02-29T10:00:00 is not a valid date and time'],
    ['at(2026-13-01T10:00:00)', undefined, 'at time 2026-13-01T10:00:00 is not a valid date and time'],
    ['at(2026-01-01T24:00:00)', undefined, 'at time 2026-01-01T24:00:00 is not a valid date and time'],
    ['at(2026-01-01T23:59:60)', undefined, 'at time 2026-01-01T23:59:60 is not a valid date and time'],
    ['at(2026-1-01T10:00:00)', undefined, 'at expects yyyy-mm-ddThh:mm:ss, got "2026-1-01T10:00:00"'],
    ['at(2026-01-01 10:00:00)', undefined, 'at expects yyyy-mm-ddThh:mm:ss, got "2026-01-01 10:00:00"'],
    ['at(2026-01-01T10:00)', undefined, 'at expects yyyy-mm-ddThh:mm:ss, got "2026-01-01T10:00"'],
    ['at(2026-01-01T10:00:00Z)', undefined, 'at expects yyyy-mm-ddThh:mm:ss, got "2026-01-01T10:00:00Z"'],
    ['at()', undefined, 'at expects yyyy-mm-ddThh:mm:ss, got ""'],
  ])('rejects %j', (text, field, message) => {
    const error = parseError(text);
    expect(error.message).toBe(message);
    expect(error.field).toBe(field);
  });

  it('carries the field name, reason, expression, code and a hint linking the AWS docs', () => {
    const error = parseError(' cron(0 24 * * ? *) ');
    expect(error).toBeInstanceOf(UserError);
    expect(error.name).toBe('ExpressionError');
    expect(error.code).toBe('INVALID_EXPRESSION');
    expect(error.kind).toBe('user');
    expect(error.expression).toBe(' cron(0 24 * * ? *) ');
    expect(error.field).toBe(2);
    expect(error.fieldName).toBe('hours');
    expect(error.reason).toBe('24 is out of range 0-23');
    expect(error.hint).toContain(SCHEDULE_TYPES_DOC);
    expect(error.hint).toContain('cron(0 24 * * ? *)');
  });

  it.each<[string, string | undefined]>([
    ['cron(60 0 * * ? *)', 'minutes'],
    ['cron(0 0 32 * ? *)', 'day-of-month'],
    ['cron(0 0 * 13 ? *)', 'month'],
    ['cron(0 0 ? * 8 *)', 'day-of-week'],
    ['cron(0 0 * * ? 1969)', 'year'],
    ['cron(0 0 * * MON *)', 'day-of-month'],
    ['rate(0 minutes)', undefined],
  ])('%s names field %s', (text, fieldName) => {
    expect(parseError(text).fieldName).toBe(fieldName);
  });

  it('reasons are the message without the field prefix', () => {
    expect(parseError('cron(0 0 ? * MON#6 *)').reason).toBe('"MON#6": the number after # must be 1-5');
    expect(parseError('rate(5 minute)').reason).toBe('rate unit "minute" needs the value 1; use "rate(5 minutes)"');
  });

  it('keeps the Temporal error as the cause of an impossible at() date', () => {
    expect(parseError('at(2026-02-30T10:00:00)').cause).toBeInstanceOf(RangeError);
  });

  it('tolerates surrounding whitespace of the whole expression only', () => {
    expect(parseExpression('\n  cron(0 0 * * ? *)\t').source).toBe('cron(0 0 * * ? *)');
    expect(parseError('cron(0 0 * * ? * )').message).toBe('cron fields must be separated by single spaces');
  });
});
