/**
 * The alert state in a local JSON file, for the CLI (the Lambda uses DynamoAlertStateStore):
 *
 *   { "revision": 7, "state": { "version": 1, "failing": { … }, "lastSentAt": "…" } }
 *
 * The token is the revision. A write takes a lock file (`<path>.lock`, created exclusively), checks the
 * revision, writes a temp file next to the target, fsyncs it and renames it over the target, so readers
 * see either the old or the new document and two writers with the same token cannot both win. A lock
 * left behind by a crashed writer is broken once it is older than `staleLockMs`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FaultError, UserError } from '../errors.ts';
import { parseAlertState, type AlertState } from './state.ts';
import type { AlertStateStore } from './store.ts';

/** Where the CLI keeps it unless told otherwise (relative to the working directory). */
export const DEFAULT_ALERT_STATE_FILE = '.ops/alert-state.json';

export interface FileAlertStateStoreOptions {
  /** Clock for judging a stale lock; tests inject it. */
  now?: () => Date;
  /** A lock older than this is assumed abandoned (default 30 s). */
  staleLockMs?: number;
}

export class FileAlertStateStore implements AlertStateStore {
  readonly path: string;
  private readonly now: () => Date;
  private readonly staleLockMs: number;

  constructor(path: string = DEFAULT_ALERT_STATE_FILE, options: FileAlertStateStoreOptions = {}) {
    this.path = path;
    this.now = options.now ?? (() => new Date());
    this.staleLockMs = options.staleLockMs ?? 30_000;
  }

  async read(): Promise<{ state: AlertState; token: string } | undefined> {
    const document = await this.load();
    return document === undefined ? undefined : { state: document.state, token: String(document.revision) };
  }

  async write(state: AlertState, expectedToken: string | undefined): Promise<'written' | 'conflict'> {
    const checked = parseAlertState(state);
    if (!checked.ok) throw new FaultError('ALERT_STATE_INVALID', `Refusing to write an invalid alert state to ${this.path}: ${checked.problem}`);
    await this.fs('create the directory of', () => mkdir(dirname(this.path), { recursive: true }));
    const release = await this.lock();
    if (release === undefined) return 'conflict';
    try {
      const current = await this.load();
      const matches = expectedToken === undefined ? current === undefined : current !== undefined && String(current.revision) === expectedToken;
      if (!matches) return 'conflict';
      const text = `${JSON.stringify({ revision: (current?.revision ?? 0) + 1, state: checked.state }, null, 2)}\n`;
      const temp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
      try {
        await this.fs('write', async () => {
          const handle = await open(temp, 'wx');
          try {
            await handle.writeFile(text, 'utf8');
            await handle.sync();
          } finally {
            await handle.close();
          }
          await rename(temp, this.path);
        });
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      return 'written';
    } finally {
      await release();
    }
  }

  private async load(): Promise<{ revision: number; state: AlertState } | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw fileError('read', this.path, error);
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw corrupt(this.path, 'it is not JSON', error);
    }
    const { revision, state } = (typeof document === 'object' && document !== null ? document : {}) as { revision?: unknown; state?: unknown };
    if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw corrupt(this.path, '"revision" is not a positive integer');
    const parsed = parseAlertState(state);
    if (!parsed.ok) throw corrupt(this.path, parsed.problem);
    return { revision, state: parsed.state };
  }

  /** Takes the lock, or returns undefined when another writer holds it. */
  private async lock(): Promise<(() => Promise<void>) | undefined> {
    const lockPath = `${this.path}.lock`;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        return () => unlink(lockPath).catch(() => undefined);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw fileError('lock', lockPath, error);
      }
      const info = await stat(lockPath).catch(() => undefined);
      // Vanished meanwhile: try again. Fresh: a live writer holds it.
      if (info !== undefined && this.now().getTime() - info.mtimeMs < this.staleLockMs) return undefined;
      await unlink(lockPath).catch(() => undefined);
    }
    return undefined;
  }

  private async fs<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw fileError(what, this.path, error);
    }
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fileError(what: string, path: string, error: unknown): Error {
  if (error instanceof UserError || error instanceof FaultError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new UserError('ALERT_STATE_FILE_DENIED', `Cannot ${what} the alert state file ${path}: ${message}`, 'Use a writable path for the alert state file, or fix its permissions.', { cause: error });
  }
  return new FaultError('ALERT_STATE_FILE_FAILED', `Cannot ${what} the alert state file ${path}: ${message}`, { cause: error });
}

function corrupt(path: string, problem: string, cause?: unknown): UserError {
  return new UserError(
    'ALERT_STATE_CORRUPT',
    `The alert state file ${path} is not valid: ${problem}.`,
    `Delete ${path}; the next run then treats every current failure as new and emails once.`,
    cause === undefined ? undefined : { cause },
  );
}
