/**
 * `ops sandbox up` and `ops sandbox down` as real child processes: up prints its endpoint once ready,
 * a plain SDK client in this process sees the seeded schedules through it, and down leaves nothing
 * running. This test starts its own moto (through `up`), separate from the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, type ScheduleSummary } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/sandbox/process-control.ts';
import { childEnv } from '../support/child-env.ts';

const OPS = resolve(import.meta.dirname, '../../bin/ops.mjs');

interface ReadyDocument {
  endpoint: string;
  region: string;
  scenario: string;
  schedules: number;
  pids: { ops: number; moto: number };
  env: Record<string, string>;
  clock: { kind: string; start?: string; day?: string; dayKind?: string };
}

function run(args: string[], cwd: string): ChildProcess {
  // Only the test's own PATH/HOME reach the child: no AWS settings from the developer's shell.
  return spawn(process.execPath, [OPS, ...args], { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { stdout: () => out, stderr: () => err, exit };
}

/** The one JSON document `up --json` prints once ready (it keeps running afterwards). */
async function readyDocument(up: ReturnType<typeof collect>, timeoutMs: number): Promise<ReadyDocument> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void up.exit.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      return JSON.parse(up.stdout()) as ReadyDocument;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`ops sandbox up did not print its document (exited: ${exited}).\nstdout:\n${up.stdout()}\nstderr:\n${up.stderr()}`);
}

describe('ops sandbox up / down as child processes', () => {
  let cwd: string;
  let up: ReturnType<typeof collect>;
  let upProcess: ChildProcess;
  let doc: ReadyDocument;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-cli-'));
    upProcess = run(['sandbox', 'up', '--scenario', 'incident-2026-01-29', '--json'], cwd);
    up = collect(upProcess);
    doc = await readyDocument(up, 45_000);
  });

  afterAll(async () => {
    // Whatever happened above, leave nothing behind.
    for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess?.pid]) {
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints the endpoint and the environment once ready, and records its state', () => {
    expect(doc.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.env).toEqual({
      AWS_ENDPOINT_URL: doc.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    expect(doc).toMatchObject({ scenario: 'incident-2026-01-29', schedules: 13, pids: { ops: upProcess.pid } });
    expect(isAlive(doc.pids.moto)).toBe(true);
    expect(existsSync(join(cwd, '.ops', 'sandbox.json'))).toBe(true);
  });

  it('serves the 13 incident schedules to a plain SDK client', async () => {
    const client = new SchedulerClient({ endpoint: doc.endpoint, region: doc.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const schedules: ScheduleSummary[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListSchedulesCommand({ MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      schedules.push(...(page.Schedules ?? []));
      token = page.NextToken;
    } while (token);
    expect(schedules.map((s) => s.Name).sort()).toEqual([
      'ops-pipeline-classifier',
      'ops-pipeline-dispatcher',
      'ops-pipeline-dispatcher-tiny',
      'ops-pipeline-feature-computer-1m',
      'ops-pipeline-healthcheck-5m',
      'ops-pipeline-position-manager',
      'ops-pipeline-rss-ingest',
      'ops-pipeline-signal-engine-1m',
      'ops-pipeline-telemetry-ingestor-1m',
      'ops-pipeline-watchlist-engine-5m',
      'position-manager-1min',
      'ticker-discovery-6h',
      'trade-alert-checker',
    ]);
    const ecs = schedules.filter((s) => s.Target?.Arn?.includes(':ecs:'));
    expect(new Set(ecs.map((s) => s.Target?.Arn))).toEqual(new Set(['arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline']));
    client.destroy();
  });

  it('`ops sandbox down` stops both processes and removes the state file', async () => {
    const down = collect(run(['sandbox', 'down', '--json'], cwd));
    expect(await down.exit).toBe(0);
    expect(JSON.parse(down.stdout())).toMatchObject({ ok: true, running: false, stopped: true, pids: doc.pids });
    expect(await up.exit).toBe(0);
    expect(isAlive(doc.pids.ops)).toBe(false);
    expect(isAlive(doc.pids.moto)).toBe(false);
    expect(existsSync(join(cwd, '.ops', 'sandbox.json'))).toBe(false);
    // --json: `up` printed exactly one document, the ready one.
    expect(JSON.parse(up.stdout())).toMatchObject({ status: 'running', endpoint: doc.endpoint });
  });

  it('`ops sandbox down` again says nothing is running and exits 0', async () => {
    const again = collect(run(['sandbox', 'down'], cwd));
    expect(await again.exit).toBe(0);
    expect(again.stdout()).toContain('No sandbox is running');
  });
});

describe('ops sandbox up --day', () => {
  it('moves the scenario to the day and starts moto\'s clock at its 09:30 New York replay start', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-day-'));
    const upProcess = run(['sandbox', 'up', '--scenario', 'mixed', '--day', '2031-06-09', '--json'], cwd);
    const up = collect(upProcess);
    let doc: ReadyDocument | undefined;
    try {
      doc = await readyDocument(up, 45_000);
      // Monday 2031-06-09 is in summer time: 09:30 New York is 13:30Z.
      expect(doc.clock).toEqual({ kind: 'virtual', start: '2031-06-09T13:30:00.000Z', day: '2031-06-09', dayKind: 'regular' });
      const client = new SchedulerClient({ endpoint: doc.endpoint, region: doc.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const expired = await client.send(new GetScheduleCommand({ GroupName: 'ops-pipeline', Name: 'ticker-discovery-6h' }));
      const created = expired.CreationDate!.getTime() - Date.parse(doc.clock.start!);
      expect(created).toBeGreaterThanOrEqual(0);
      expect(created).toBeLessThan(60_000);
      expect(expired.EndDate!.getTime()).toBeLessThan(Date.parse(doc.clock.start!));
      client.destroy();
      const down = collect(run(['sandbox', 'down', '--json'], cwd));
      expect(await down.exit).toBe(0);
      expect(await up.exit).toBe(0);
    } finally {
      for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a day that is not a date, before starting anything', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-day-'));
    try {
      const up = collect(run(['sandbox', 'up', '--day', 'monday', '--json'], cwd));
      expect(await up.exit).toBe(2);
      expect(JSON.parse(up.stdout())).toMatchObject({ ok: false, error: { code: 'INVALID_DAY' } });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
