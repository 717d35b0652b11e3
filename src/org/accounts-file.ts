/**
 * The accounts file for org-wide runs (`--accounts-file`): YAML (or JSON) listing the accounts to
 * check, each with an optional display name, role, regions and tags.
 *
 *   accounts:
 *     - id: "111111111111"
 *       name: prod
 *       role: ops-org-access          # a role name in that account, or a full role ARN
 *       regions: [us-east-1, us-west-2]
 *       tags: { env: prod }
 *
 * Ids must be quoted strings in YAML: an unquoted 012345678901 is a number and loses its leading 0,
 * which is why a number is rejected with that hint rather than converted.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import * as z from 'zod';
import { UserError } from '../errors.ts';
import { ACCOUNT_ID, type FileAccount } from './targets.ts';

const region = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a region name such as us-east-1');
const role = z.union([
  z.string().regex(/^[\w+=,.@/-]{1,64}$/, 'must be a role name'),
  z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be a role ARN'),
]);
const account = z.strictObject({
  id: z.string({ error: (issue) => (typeof issue.input === 'number' ? 'must be a quoted string ("012345678901"): YAML reads an unquoted id as a number and drops leading zeros' : 'is required') }).regex(ACCOUNT_ID, 'must be 12 digits'),
  name: z.string().min(1).max(128).optional(),
  role: role.optional(),
  regions: z.array(region).min(1).optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});
const file = z.strictObject({ accounts: z.array(account).min(1, 'must list at least one account') });

export async function readAccountsFile(path: string): Promise<FileAccount[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UserError('ACCOUNTS_FILE_UNREADABLE', `Cannot read the accounts file ${path}: ${(cause as Error).message}`, 'Pass --accounts-file <path to a YAML file with `accounts:`>.', { cause });
  }
  return parseAccountsFile(text, path);
}

export function parseAccountsFile(text: string, path = 'accounts file'): FileAccount[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new UserError('ACCOUNTS_FILE_INVALID', `${path} is not YAML: ${(cause as Error).message}`, 'Fix the syntax; see "Org-wide checks" in the README for the format.', { cause });
  }
  const parsed = file.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new UserError('ACCOUNTS_FILE_INVALID', `${path} is not a valid accounts file: ${problems.join('; ')}`, 'Each entry needs `id: "<12 digits>"`; name, role, regions and tags are optional. See "Org-wide checks" in the README.');
  }
  const seen = new Set<string>();
  const duplicates = parsed.data.accounts.filter((a) => (seen.has(a.id) ? true : (seen.add(a.id), false))).map((a) => a.id);
  if (duplicates.length > 0) {
    throw new UserError('ACCOUNTS_FILE_INVALID', `${path} lists ${[...new Set(duplicates)].join(', ')} more than once.`, 'List each account once; give it every region it needs in `regions:`.');
  }
  return parsed.data.accounts.map((a) => ({
    id: a.id,
    ...(a.name !== undefined ? { name: a.name } : {}),
    ...(a.role !== undefined ? { role: a.role } : {}),
    ...(a.regions !== undefined ? { regions: a.regions } : {}),
    ...(a.tags !== undefined ? { tags: a.tags } : {}),
  }));
}
