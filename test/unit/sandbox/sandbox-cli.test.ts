import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-harness.ts';
import { readSandboxState, writeSandboxState, type SandboxState } from '../../../src/sandbox/state-file.ts';

// A pid far above Linux's default pid_max: never a live process.
const DEAD_PID = 2 ** 22 + 4_321;

function state(overrides: Partial<SandboxState> = {}): SandboxState {
  return {
    version: 1,
    pids: { ops: DEAD_PID, moto: DEAD_PID + 1 },
    port: 5999,
    endpoint: 'http://127.0.0.1:5999',
    region: 'us-west-2',
    scenario: 'healthy',
    schedules: 13,
    firing: false,
    startedAt: '2026-11-23T14:00:00.000Z',
    ...overrides,
  };
}

describe('ops sandbox (no moto needed)', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-unit-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('status says nothing runs when there is no state file', async () => {
    const run = await runCli(['sandbox', 'status'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('No sandbox is running here (start one with `ops sandbox up`).\n');
    const json = await runCli(['sandbox', 'status', '--json'], { cwd });
    expect(json.json()).toEqual({ running: false });
  });

  it('down with nothing running exits 0 and says so', async () => {
    const run = await runCli(['sandbox', 'down', '--json'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.json()).toEqual({ ok: true, running: false, stopped: false });
  });

  it('status reports a stale state file (processes gone) with exit 1', async () => {
    await writeSandboxState(join(cwd, '.ops', 'sandbox.json'), state());
    const run = await runCli(['sandbox', 'status', '--json'], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ running: false, endpoint: 'http://127.0.0.1:5999', alive: { ops: false, moto: false }, motoAnswers: false });
    // Written before `up` recorded its change queue and cache table: still readable, the fields null.
    expect(run.json()).toMatchObject({ changeQueueUrl: null, definitionCacheTable: null });
  });

  it('status passes on the change queue and the definition-cache table the state file records', async () => {
    const queue = 'http://127.0.0.1:5999/123456789012/ops-sandbox-schedule-changes';
    await writeSandboxState(join(cwd, '.ops', 'sandbox.json'), state({ changeQueueUrl: queue, definitionCacheTable: 'ops-schedule-definitions' }));
    const run = await runCli(['sandbox', 'status', '--json'], { cwd });
    expect(run.json()).toMatchObject({ changeQueueUrl: queue, definitionCacheTable: 'ops-schedule-definitions' });
  });

  it('down cleans up a stale state file without signalling anything', async () => {
    await writeSandboxState(join(cwd, '.ops', 'sandbox.json'), state());
    const run = await runCli(['sandbox', 'down'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('No sandbox was running; removed the stale');
    expect(await readSandboxState(join(cwd, '.ops', 'sandbox.json'))).toBeUndefined();
  });

  it('refuses a corrupt state file with a hint', async () => {
    await mkdir(join(cwd, '.ops'), { recursive: true });
    await writeFile(join(cwd, '.ops', 'sandbox.json'), '{"version": 2}');
    const run = await runCli(['sandbox', 'status'], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('is unreadable');
    expect(run.stderr).toContain('hint: Check that no sandbox is running');
  });

  it('up --help promises a firer line only for the ticks that fire something, as the loop prints it', async () => {
    const run = await runCli(['sandbox', 'up', '--help'], { cwd });
    expect(run.exitCode).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).not.toMatch(/one line per tick/);
    expect(help).toContain('Each tick that invokes something prints one line on stderr (`<time> fired N (K ok, T tasks, errors: CODE×n)`); a tick with nothing due prints nothing.');
    expect(help).toContain(
      'Before it fires, each tick also looks for writes (schedules, clusters, task definitions) and puts CloudTrail-shaped events on the default bus, which a rule delivers to the queue ops-sandbox-schedule-changes (one line each: `<time> change: UpdateSchedule group/name → event on the default bus`).',
    );
  });

  it('up rejects a bad --tick before starting anything', async () => {
    const run = await runCli(['sandbox', 'up', '--tick', '0', '--json'], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'INVALID_COUNT' } });
  });

  it('up rejects an unknown scenario before starting moto', async () => {
    const run = await runCli(['sandbox', 'up', '--scenario', 'no-such-scenario'], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('There is no scenario "no-such-scenario"');
    expect(run.stderr).toMatch(/hint: Use one of: .*healthy.*incident-2026-01-29.*mixed/);
  });

  it('writes state files atomically and reads them back', async () => {
    const path = join(cwd, '.ops', 'sandbox.json');
    const recorded = state({ firing: true, changeQueueUrl: 'http://127.0.0.1:5999/123456789012/ops-sandbox-schedule-changes', definitionCacheTable: 'ops-schedule-definitions' });
    await writeSandboxState(path, recorded);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, firing: true, definitionCacheTable: 'ops-schedule-definitions' });
    expect(await readSandboxState(path)).toEqual(recorded);
  });
});
