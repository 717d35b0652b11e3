/**
 * `.ops/sandbox.json`: what `ops sandbox up` leaves for `down` and `status` to find (which processes
 * to stop, where moto listens). Written atomically; removed by `up` when it stops.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { UserError } from '../errors.ts';

export const SANDBOX_STATE_FILE = join('.ops', 'sandbox.json');

const stateSchema = z.object({
  version: z.literal(1),
  pids: z.object({ ops: z.number().int().positive(), moto: z.number().int().positive() }),
  port: z.number().int().min(1).max(65_535),
  endpoint: z.string().url(),
  region: z.string(),
  scenario: z.string().nullable(),
  schedules: z.number().int().min(0),
  firing: z.boolean(),
  startedAt: z.string(),
  // Optional: a state file written before `up` created them still reads, so `down` can stop that sandbox.
  changeQueueUrl: z.string().optional(),
  definitionCacheTable: z.string().optional(),
  /** `--scenario org`: the organization it seeded (scenario is then "org", schedules the total over every pair). */
  org: z
    .object({
      organizationId: z.string(),
      managementAccount: z.string(),
      /** Schedules in the management account's own pairs (all healthy). */
      managementSchedules: z.number().int().min(0),
      accounts: z.number().int().min(0),
      ous: z.array(z.string()),
      regions: z.array(z.string()),
      roleName: z.string(),
      withoutRole: z.array(z.object({ id: z.string(), name: z.string() })),
      accountsFile: z.string(),
      plantedFindings: z.number().int().min(0),
    })
    .optional(),
});
export type SandboxState = z.infer<typeof stateSchema>;
export type SandboxOrgState = NonNullable<SandboxState['org']>;

export function sandboxStatePath(cwd: string): string {
  return join(cwd, SANDBOX_STATE_FILE);
}

export async function readSandboxState(path: string): Promise<SandboxState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw corrupt(path, cause);
  }
  const parsed = stateSchema.safeParse(data);
  if (!parsed.success) throw corrupt(path, parsed.error);
  return parsed.data;
}

export async function writeSandboxState(path: string, state: SandboxState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', 'utf8');
  await rename(tmp, path);
}

export async function removeSandboxState(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * The command line of a running process (Linux /proc), or undefined where it cannot be read. Used to
 * make sure a pid from the state file still is our process before signalling it: pids get reused.
 */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function corrupt(path: string, cause: unknown): UserError {
  return new UserError('SANDBOX_STATE_CORRUPT', `The sandbox state file ${path} is unreadable.`, `Check that no sandbox is running (pgrep -f moto.server), then delete ${path}.`, {
    cause,
  });
}
