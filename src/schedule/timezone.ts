import { Temporal } from 'temporal-polyfill';
import { clipText } from '../clip-text.ts';
import { UserError } from '../errors.ts';

const validated = new Map<string, string>();

/**
 * Returns the canonical IANA id for `tz` (e.g. "america/new_york" -> "America/New_York").
 * Fixed offsets such as "+05:00" are rejected: EventBridge Scheduler only takes IANA names.
 */
export function validateTimezone(tz: string): string {
  const known = validated.get(tz);
  if (known !== undefined) return known;
  let id: string | undefined;
  if (typeof tz === 'string' && /^[A-Za-z]/.test(tz) && tz.trim() === tz) {
    try {
      id = new Temporal.ZonedDateTime(0n, tz).timeZoneId;
    } catch {
      id = undefined;
    }
  }
  if (id === undefined) {
    throw new UserError(
      'INVALID_TIMEZONE',
      `"${clipText(String(tz))}" is not an IANA timezone name`,
      'Use an IANA timezone name such as UTC, America/New_York or Europe/London (see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).',
    );
  }
  validated.set(tz, id);
  return id;
}
