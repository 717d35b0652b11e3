/** Time as emails print it: the shared formats (src/time-format.ts) with the zone named. */
import { NYSE_TIMEZONE } from '../market/index.ts';
import { formatClock, formatDuration, formatWallTime } from '../time-format.ts';

/** `ET` for New York, else the zone's name (`UTC`, `Europe/London`). */
export function zoneLabel(timezone: string): string {
  return timezone === NYSE_TIMEZONE ? 'ET' : timezone;
}

/** `Thu 2026-01-29 11:36 ET` */
export function wallTime(instant: Date, timezone: string): string {
  return `${formatWallTime(instant, timezone)} ${zoneLabel(timezone)}`;
}

/** `2026-01-29 11:36 ET` (no weekday: for evidence values in a table). */
export function shortTime(instant: Date, timezone: string): string {
  return `${formatWallTime(instant, timezone).slice(4)} ${zoneLabel(timezone)}`;
}

/** `16:00 ET` */
export function clockTime(instant: Date, timezone: string): string {
  return `${formatClock(instant, timezone)} ${zoneLabel(timezone)}`;
}

/** `2h 10m`, `45m`, `3d 4h`. */
export const duration = formatDuration;

/** Parses an ISO instant; undefined for anything else. */
export function isoInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
