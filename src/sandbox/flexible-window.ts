/**
 * Where inside its flexible time window a schedule fires.
 *
 * AWS invokes a FLEXIBLE schedule at some moment within MaximumWindowInMinutes after each scheduled
 * time and does not say where. The sandbox needs the same answer on every run (tests compare fire
 * times), so the offset is a hash of the schedule's group and name: stable per schedule, spread
 * across schedules, whole seconds, and always strictly inside the window.
 */
import type { FlexibleWindowModel } from './schedule-model.ts';

/** FNV-1a, 32 bit: tiny, fast and well spread for short strings; not a security hash. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Milliseconds after the scheduled time at which the invocation happens (0 when the window is OFF). */
export function flexibleOffsetMs(schedule: { group: string; name: string; flexibleWindow: FlexibleWindowModel }): number {
  const window = schedule.flexibleWindow;
  if (window.mode === 'OFF') return 0;
  const windowSeconds = Math.max(1, Math.floor(window.maximumWindowInMinutes * 60));
  return (fnv1a32(`${schedule.group}/${schedule.name}`) % windowSeconds) * 1_000;
}
