/** EventBridge Scheduler expressions: parse, validate and evaluate cron(), rate() and at(). Pure, no I/O. */
export { describeExpression, nominalPeriodMs } from './describe.ts';
export { CRON_FIELD_NAMES, ExpressionError, SCHEDULE_TYPES_DOC } from './errors.ts';
export type { CronFieldName, ExpressionErrorDetails } from './errors.ts';
export { DEFAULT_FIRE_LIMIT, fireTimesBetween, nextFireTimes, previousFireTime } from './evaluate.ts';
export type { WindowOptions } from './evaluate.ts';
export { RateUnit } from './expression.ts';
export { FireWarningCode, noFireWarnings } from './no-fire.ts';
export type { FireWarning } from './no-fire.ts';
export type { AtExpression, CronExpression, DayOfMonthRule, DayOfWeekRule, ParsedExpression, RateExpression } from './expression.ts';
export { MAX_RATE_DAYS, parseExpression } from './parse.ts';
export { validateTimezone } from './timezone.ts';
