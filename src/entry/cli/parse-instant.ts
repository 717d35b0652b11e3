import { Temporal } from 'temporal-polyfill';
import { clipText } from '../../clip-text.ts';
import { UserError } from '../../errors.ts';

/** Parses an ISO-8601 instant given on the command line; it must carry Z or an offset. */
export function parseInstantOption(name: string, value: string): Date {
  try {
    return new Date(Temporal.Instant.from(value).epochMilliseconds);
  } catch (cause) {
    throw new UserError(
      'INVALID_INSTANT',
      `--${name} "${clipText(value)}" is not an ISO-8601 instant with a UTC offset.`,
      `Write it like 2026-11-23T14:30:00Z or 2026-11-23T09:30:00-05:00.`,
      { cause },
    );
  }
}

/**
 * A whole number from 1 to `max`. yargs turns a non-number into NaN and a repeated option into an
 * array, so both get their own message; the example in the hint is always inside the range.
 */
export function parseCountOption(name: string, value: unknown, max: number, example: number = 10): number {
  const range = `a whole number from 1 to ${max}`;
  const hint = `Pass --${name} ${Math.min(Math.max(1, Math.trunc(example)), max)}, for example.`;
  if (Array.isArray(value)) throw new UserError('INVALID_COUNT', `--${name} was given ${value.length} times; it takes one value, ${range}.`, hint);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new UserError('INVALID_COUNT', `--${name} must be ${range}; the value given is not a number.`, hint);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UserError('INVALID_COUNT', `--${name} must be ${range}, got ${String(value)}.`, hint);
  return value;
}

/** A finite number from `min` to `max` (minutes, hours); NaN and Infinity are not numbers a user meant. */
export function parseAmountOption(name: string, value: unknown, bounds: { min: number; max: number; example: number; unit: string; exclusiveMin?: boolean }): number {
  const floor = bounds.exclusiveMin ? `more than ${bounds.min}` : `${bounds.min} or more`;
  const range = `a number of ${bounds.unit}, ${floor} and at most ${bounds.max}`;
  const hint = `Pass --${name} ${bounds.example}, for example.`;
  if (Array.isArray(value)) throw new UserError('INVALID_NUMBER', `--${name} was given ${value.length} times; it takes one value, ${range}.`, hint);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new UserError('INVALID_NUMBER', `--${name} must be ${range}; the value given is not a number.`, hint);
  const tooLow = bounds.exclusiveMin ? value <= bounds.min : value < bounds.min;
  if (!Number.isFinite(value) || tooLow || value > bounds.max) throw new UserError('INVALID_NUMBER', `--${name} must be ${range}, got ${String(value)}.`, hint);
  return value;
}
