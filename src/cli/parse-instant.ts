import { Temporal } from 'temporal-polyfill';
import { UserError } from '../errors.ts';

/** Parses an ISO-8601 instant given on the command line; it must carry Z or an offset. */
export function parseInstantOption(name: string, value: string): Date {
  try {
    return new Date(Temporal.Instant.from(value).epochMilliseconds);
  } catch (cause) {
    throw new UserError(
      'INVALID_INSTANT',
      `--${name} "${value}" is not an ISO-8601 instant with a UTC offset.`,
      `Write it like 2026-11-23T14:30:00Z or 2026-11-23T09:30:00-05:00.`,
      { cause },
    );
  }
}

export function parseCountOption(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new UserError('INVALID_COUNT', `--${name} must be a whole number from 1 to ${max}, got ${String(value)}.`, `Pass --${name} 10, for example.`);
  }
  return value;
}
