/**
 * The alert policy's memory between runs: which fingerprints are failing (and since when), and what
 * was last emailed. Plain JSON, validated whenever a store reads it back.
 */
import * as z from 'zod';
import type { Severity } from '../checks/finding.ts';

export type AlertKind = 'alert' | 'reminder' | 'recovery';

export interface FailingEntry {
  code: string;
  severity: Severity;
  /** ISO instant of the first run that saw this fingerprint failing (in this episode). */
  since: string;
  /** `group/name` for schedule findings. */
  schedule?: string;
  /** The schedule group for group-level findings. */
  group?: string;
  /** ISO instant of the last run or event that saw it; kept for event-sourced codes, which age out. */
  seenAt?: string;
}

export interface AlertState {
  version: 1;
  /** By fingerprint (see fingerprintOf): the failing set the last email (or silent update) was based on. */
  failing: Record<string, FailingEntry>;
  /** ISO instant of the last email actually handed to `send` (alert, reminder or recovery). */
  lastSentAt?: string;
  lastSentKind?: AlertKind;
  /** ISO instant of the last reminder of the current episode. */
  lastReminderAt?: string;
}

const isoInstant = z.iso.datetime({ offset: true });

export const alertStateSchema = z.object({
  version: z.literal(1),
  failing: z.record(
    z.string(),
    z.object({
      code: z.string().min(1),
      severity: z.enum(['critical', 'warning', 'info']),
      since: isoInstant,
      schedule: z.string().optional(),
      group: z.string().optional(),
      seenAt: isoInstant.optional(),
    }),
  ),
  lastSentAt: isoInstant.optional(),
  lastSentKind: z.enum(['alert', 'reminder', 'recovery']).optional(),
  lastReminderAt: isoInstant.optional(),
});

/** Parses stored state; returns the zod issues in words when it does not fit. */
export function parseAlertState(value: unknown): { ok: true; state: AlertState } | { ok: false; problem: string } {
  const parsed = alertStateSchema.safeParse(value);
  if (parsed.success) return { ok: true, state: stripUndefined(parsed.data) };
  return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

export function emptyAlertState(): AlertState {
  return { version: 1, failing: {} };
}

/** Deep copy through JSON: what a store keeps must not change when the caller mutates its object. */
export function cloneAlertState(state: AlertState): AlertState {
  return JSON.parse(JSON.stringify(state)) as AlertState;
}

/** Equal as stored: key order and undefined-valued keys do not matter. */
export function sameAlertState(a: AlertState | undefined, b: AlertState | undefined): boolean {
  return canonicalJson(a ?? emptyAlertState()) === canonicalJson(b ?? emptyAlertState());
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
