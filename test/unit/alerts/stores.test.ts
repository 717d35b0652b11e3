import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAlertStateStore, MemoryAlertStateStore } from '../../../src/alerts/index.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import { describeAlertStateStoreContract, RECOVERED_STATE, SAMPLE_STATE } from './store-contract.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ops-alert-state-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// Lock staleness is judged against this clock, never the wall clock.
const NOW = new Date('2026-01-29T16:41:00Z');

describeAlertStateStoreContract('MemoryAlertStateStore', async () => new MemoryAlertStateStore());
describeAlertStateStoreContract(
  'FileAlertStateStore',
  async () => new FileAlertStateStore(join(await tempDir(), 'nested', 'alert-state.json'), { now: () => NOW }),
  (store) => new FileAlertStateStore((store as FileAlertStateStore).path, { now: () => NOW }),
);

describe('MemoryAlertStateStore', () => {
  it('can start from a given state, with revision tokens', async () => {
    const store = new MemoryAlertStateStore(SAMPLE_STATE);
    expect(await store.read()).toEqual({ state: SAMPLE_STATE, token: '1' });
    expect(await store.write(RECOVERED_STATE, '1')).toBe('written');
    expect((await store.read())?.token).toBe('2');
  });
});

describe('FileAlertStateStore', () => {
  it('stores { revision, state } as JSON and leaves no temp or lock file behind', async () => {
    const dir = await tempDir();
    const path = join(dir, 'alert-state.json');
    const store = new FileAlertStateStore(path, { now: () => NOW });
    await store.write(SAMPLE_STATE, undefined);
    await store.write(RECOVERED_STATE, '1');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ revision: 2, state: RECOVERED_STATE });
    expect(await readdir(dir)).toEqual(['alert-state.json']);
    expect((await store.read())?.token).toBe('2');
  });

  it('answers conflict while another writer holds a fresh lock, and breaks a stale one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'alert-state.json');
    const store = new FileAlertStateStore(path, { now: () => NOW, staleLockMs: 30_000 });
    await writeFile(`${path}.lock`, '');
    await utimes(`${path}.lock`, new Date(NOW.getTime() - 10_000), new Date(NOW.getTime() - 10_000));
    expect(await store.write(SAMPLE_STATE, undefined)).toBe('conflict');
    expect(await store.read()).toBeUndefined();

    await utimes(`${path}.lock`, new Date(NOW.getTime() - 31_000), new Date(NOW.getTime() - 31_000));
    expect(await store.write(SAMPLE_STATE, undefined)).toBe('written');
    expect(await readdir(dir)).toEqual(['alert-state.json']);
  });

  it.each([
    ['not JSON', '{ nope', /not JSON/],
    ['no revision', JSON.stringify({ state: SAMPLE_STATE }), /"revision" is not a positive integer/],
    ['an invalid state', JSON.stringify({ revision: 1, state: { version: 2, failing: {} } }), /version/],
  ])('refuses a file that is %s with a UserError that says to delete it', async (_name, text, message) => {
    const path = join(await tempDir(), 'alert-state.json');
    await writeFile(path, text);
    const error = await new FileAlertStateStore(path).read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('ALERT_STATE_CORRUPT');
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).hint).toContain(`Delete ${path}`);
  });

  it('refuses to write a state that would not read back', async () => {
    const store = new FileAlertStateStore(join(await tempDir(), 'alert-state.json'));
    const bad = { ...SAMPLE_STATE, lastSentKind: 'shout' } as unknown as typeof SAMPLE_STATE;
    await expect(store.write(bad, undefined)).rejects.toBeInstanceOf(FaultError);
  });
});
