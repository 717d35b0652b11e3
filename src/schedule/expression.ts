/** The parsed forms of the three EventBridge Scheduler expression kinds. */

export type ParsedExpression = CronExpression | RateExpression | AtExpression;

/** Day-of-month rule; `any` is the `?` placeholder (the day-of-week field decides). */
export type DayOfMonthRule =
  | { readonly kind: 'any' }
  | {
      readonly kind: 'list';
      /** Plain days 1-31 (from numbers, ranges, steps and `*`). */
      readonly days: readonly number[];
      /** `L`: the last day of the month. */
      readonly last: boolean;
      /** `LW`: the last weekday (Mon-Fri) of the month. */
      readonly lastWeekday: boolean;
      /** `15W`: the weekday nearest to that day, without leaving the month. */
      readonly nearestWeekdays: readonly number[];
    };

/** Day-of-week rule; weekdays are 1 = Sunday ... 7 = Saturday, as in AWS cron. */
export type DayOfWeekRule =
  | { readonly kind: 'any' }
  | {
      readonly kind: 'list';
      readonly weekdays: readonly number[];
      /** `6L`: the last such weekday of the month. */
      readonly lastOfMonth: readonly number[];
      /** `MON#1` / `2#3`: the nth such weekday of the month. */
      readonly nth: readonly { readonly weekday: number; readonly nth: number }[];
    };

export interface CronExpression {
  readonly kind: 'cron';
  readonly source: string;
  /** The six field texts as written. */
  readonly fields: readonly [string, string, string, string, string, string];
  /** Each list below is sorted ascending and free of duplicates. */
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonthRule;
  readonly months: readonly number[];
  readonly dayOfWeek: DayOfWeekRule;
  readonly years: readonly number[];
}

export const RateUnit = { minutes: 'minutes', hours: 'hours', days: 'days' } as const;
export type RateUnit = (typeof RateUnit)[keyof typeof RateUnit];

export interface RateExpression {
  readonly kind: 'rate';
  readonly source: string;
  readonly value: number;
  readonly unit: RateUnit;
  /** value x unit; days are fixed 24-hour periods, not calendar days. */
  readonly periodMs: number;
}

export interface AtExpression {
  readonly kind: 'at';
  readonly source: string;
  /** Wall-clock `yyyy-mm-ddThh:mm:ss`, interpreted in the schedule's timezone. */
  readonly dateTime: string;
}
