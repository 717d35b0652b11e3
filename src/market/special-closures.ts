/**
 * One-off closures (national days of mourning, storms, attacks) are history, not rules, so they live in
 * special-closures.json where a person can append the next one without touching code. Because that
 * file is hand-edited, every entry is validated when the module loads and a bad one is named exactly.
 */
import { Temporal } from 'temporal-polyfill';
import * as z from 'zod';
import { UserError } from '../errors.ts';
import { yearRules } from './holidays.ts';

export interface SpecialClosure {
  /** YYYY-MM-DD, a weekday that would otherwise be a trading day. */
  date: string;
  /** Shown to people, e.g. 'Hurricane Sandy'. */
  name: string;
}

export const SPECIAL_CLOSURES_FILE = 'src/market/special-closures.json';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a zero-padded YYYY-MM-DD string that names a real Gregorian date (no 2025-02-30). */
export function isIsoDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

// strictObject so a typo such as "Date" or "nmae" fails loudly instead of being silently dropped.
const entrySchema = z.strictObject({
  date: z.string().refine(isIsoDate, 'must be a real calendar date written YYYY-MM-DD'),
  name: z.string().trim().min(1, 'must be a non-empty name'),
});

/**
 * Validates closures from `source` (a file path or 'createNyseCalendar options', used in messages).
 * Beyond shape, rejects dates outside `years`, weekends, rule-based holidays and duplicates: each of
 * those is almost certainly a typo in the date, and would otherwise be silently meaningless.
 */
export function parseSpecialClosures(
  input: unknown,
  source: string,
  years: { readonly from: number; readonly to: number },
): SpecialClosure[] {
  const hint = `Fix or remove that entry in ${source}. Each entry is {"date": "YYYY-MM-DD", "name": "..."} for a weekday in ${years.from}–${years.to} that is not already a holiday, listed once.`;
  if (!Array.isArray(input)) {
    throw new UserError('INVALID_SPECIAL_CLOSURE', `${source} must be a JSON array of special closures.`, hint);
  }
  const fail = (index: number, entry: unknown, problem: string): never => {
    throw new UserError('INVALID_SPECIAL_CLOSURE', `${source} entry [${index}] ${safeJson(entry)} is invalid: ${problem}.`, hint);
  };

  const seen = new Set<string>();
  return input.map((entry: unknown, index): SpecialClosure => {
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'entry'}: ${issue.message}`);
      return fail(index, entry, problems.join('; '));
    }
    const { date, name } = parsed.data;
    const day = Temporal.PlainDate.from(date);
    if (day.year < years.from || day.year > years.to) {
      return fail(index, entry, `${date} is outside the supported years ${years.from}–${years.to}`);
    }
    if (day.dayOfWeek >= 6) {
      return fail(index, entry, `${date} is a ${day.dayOfWeek === 6 ? 'Saturday' : 'Sunday'}, when the market is closed anyway`);
    }
    const holiday = yearRules(day.year).holidays.get(date);
    if (holiday !== undefined) {
      return fail(index, entry, `${date} is already a holiday (${holiday})`);
    }
    if (seen.has(date)) {
      return fail(index, entry, `${date} is listed more than once`);
    }
    seen.add(date);
    return { date, name };
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
