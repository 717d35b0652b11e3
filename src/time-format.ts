import { Temporal } from 'temporal-polyfill';

/** `Fri 2026-11-27 09:30` in the given zone (wall clock, no seconds). */
export function formatWallTime(instant: Date, timezone: string, withSeconds = false): string {
  const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timezone);
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][zoned.dayOfWeek - 1] ?? '';
  const time = zoned.toPlainTime().toString({ smallestUnit: withSeconds ? 'second' : 'minute' });
  return `${weekday} ${zoned.toPlainDate().toString()} ${time}`;
}

/** `16:00` in the given zone. */
export function formatClock(instant: Date, timezone: string, options: { seconds?: boolean } = {}): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(timezone)
    .toPlainTime()
    .toString({ smallestUnit: options.seconds ? 'second' : 'minute' });
}

/** The zone's abbreviation-free offset, e.g. `-05:00`. */
export function formatOffset(instant: Date, timezone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timezone).offset;
}

/** `2h 10m`, `45m`, `3d 4h` — a duration a person reads at a glance. */
export function formatDuration(ms: number): string {
  const totalMinutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return `${minutes}m`;
}
