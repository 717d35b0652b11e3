/**
 * Identifiers for runs, audit entries, changes and UpdateSchedule client tokens.
 *
 * The ClientToken is deterministic from the change (schedule, from, to, the LastModificationDate it
 * was planned on) and the request variant: re-sending the same change after a lost response is
 * recognised by Scheduler as the same request, while a new plan on a schedule that has changed since
 * (new LastModificationDate) gets a new token. Scheduler accepts 1–64 characters of [a-zA-Z0-9-_].
 */
import { createHash, randomBytes } from 'node:crypto';

export const MAX_CLIENT_TOKEN_LENGTH = 64;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function changeIdOf(parts: { scheduleArn: string; from: string; to: string; plannedOn: string }): string {
  return `c${sha256([parts.scheduleArn, parts.from, parts.to, parts.plannedOn].join('\n')).slice(0, 12)}`;
}

export const TokenVariant = { asRead: 'as-read', withoutStartDate: 'without-start-date' } as const;
export type TokenVariant = (typeof TokenVariant)[keyof typeof TokenVariant];

/**
 * `ops-fix-<40 hex>` / `ops-rollback-<40 hex>`: at most 53 characters. The variant keeps the
 * retry without StartDate from reusing the token of the request AWS rejected (a reused token with a
 * different body is a conflict).
 */
export function clientTokenFor(action: 'fix' | 'rollback', key: string, variant: TokenVariant): string {
  const token = `ops-${action}-${sha256(`${key}\n${variant}`).slice(0, 40)}`;
  return token.slice(0, MAX_CLIENT_TOKEN_LENGTH);
}

/** `20260129T230100123Z`: sortable, and safe in file names. */
export function compactTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** `fix-20260129T230100123Z-3fa9`: sortable by time, unique enough for one person's audit log. */
export function newRunId(action: 'fix' | 'rollback', at: Date, random: () => string = () => randomBytes(2).toString('hex')): string {
  return `${action}-${compactTimestamp(at)}-${random()}`;
}

/** The n-th entry (1-based) of a run: `fix-20260129T230100123Z-3fa9.03`. */
export function entryIdOf(runId: string, n: number): string {
  return `${runId}.${String(n).padStart(2, '0')}`;
}
