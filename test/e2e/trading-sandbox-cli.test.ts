/**
 * `ops sandbox up --trading` as a real child process (shell 1), then `ops workflow start` and
 * `ops workflow status` in-process with the environment it printed (shell 2): the workflow runs
 * through every step on the local Lambda runtime, and `up --json` still printed exactly one document
 * (the handlers' Powertools logs went to .ops/sandbox-trading.log, not to stdout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/sandbox/process-control.ts';
import { runCli } from '../support/cli-harness.ts';
import { childEnv } from '../support/child-env.ts';

const OPS = resolve(import.meta.dirname, '../../bin/ops.mjs');

interface ReadyDocument {
  endpoint: string;
  pids: { ops: number; moto: number };
  env: Record<string, string>;
  trading: { logFile: string; bus: string; archive: string | null; rules: { eventType: string; consumer: string; queue: string }[]; deadLetterQueues: string[] } | null;
}

function collect(child: ChildProcess) {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { stdout: () => out, stderr: () => err, exit };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ops sandbox up --trading, then ops workflow start and status', () => {
  let cwd: string;
  let upProcess: ChildProcess;
  let up: ReturnType<typeof collect>;
  let doc: ReadyDocument;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ops-sandbox-trading-'));
    // Only PATH/HOME (and a faked clock) reach the child: no AWS settings from the developer's shell.
    upProcess = spawn(process.execPath, [OPS, 'sandbox', 'up', '--scenario', 'none', '--trading', '--json'], {
      cwd,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up = collect(upProcess);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        doc = JSON.parse(up.stdout()) as ReadyDocument;
        break;
      } catch {
        if (Date.now() > deadline || upProcess.exitCode !== null) throw new Error(`sandbox up --trading did not get ready.\nstdout:\n${up.stdout()}\nstderr:\n${up.stderr()}`);
        await pause(100);
      }
    }
  }, 90_000);

  afterAll(async () => {
    for (const pid of [doc?.pids.moto, doc?.pids.ops, upProcess?.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints the trading environment and what it created', () => {
    expect(doc.env).toMatchObject({
      AWS_ENDPOINT_URL: doc.endpoint,
      WORKFLOW_TABLE: 'ops-workflows',
      EVENT_BUS_NAME: 'ops-trading',
      PAPER_BROKER_TABLE: 'ops-paper-broker',
      TRADING_DEAD_LETTER_QUEUES: 'ops-trading-rule-dlq,ops-trading-failed,ops-trading-sweeper-dlq',
      EVENT_ARCHIVE_NAME: 'ops-trading-archive',
    });
    expect(doc.trading?.rules.map((r) => `${r.eventType}→${r.queue}`)).toEqual([
      'WorkflowStarted→ops-trading-strategy-deliveries',
      'SignalGenerated→ops-trading-portfolio-deliveries',
      'RebalancePlanned→ops-trading-execution-deliveries',
      'WorkflowCompleted→ops-trading-notification-deliveries',
      'WorkflowFailed→ops-trading-notification-deliveries',
    ]);
    expect(doc.trading?.archive).toBe('ops-trading-archive');
  });

  it('`ops workflow start` completes through every step; `ops workflow status` shows each one', async () => {
    // Shell 2 runs on the wall clock, as the handlers do: as of today's session, filled at its closes.
    const started = await runCli(['workflow', 'start', '--json'], { env: doc.env, cwd, now: () => new Date() });
    expect(started.exitCode, started.stderr).toBe(0);
    const { correlationId } = started.json() as { correlationId: string };

    let state = 'RUNNING';
    const deadline = Date.now() + 60_000;
    let status = await runCli(['workflow', 'status', correlationId, '--json'], { env: doc.env, cwd, now: () => new Date() });
    while (state === 'RUNNING' && Date.now() < deadline) {
      status = await runCli(['workflow', 'status', correlationId, '--json'], { env: doc.env, cwd, now: () => new Date() });
      state = (status.json() as { state: string }).state;
      if (state === 'RUNNING') await pause(250);
    }
    expect(state, `${up.stderr()}\n${status.stdout}`).toBe('COMPLETED');
    const view = status.json() as { steps: Record<string, unknown>; ordersExecuted: number; expectedOrders: number; terminalPublished: boolean };
    expect(Object.keys(view.steps).sort()).toEqual(['execution', 'portfolio', 'strategy']);
    expect(view.ordersExecuted).toBe(view.expectedOrders);
    expect(view.ordersExecuted).toBeGreaterThan(0);

    const text = await runCli(['workflow', 'status', correlationId], { env: doc.env, cwd, now: () => new Date() });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`${correlationId}  COMPLETED`);
    for (const step of ['strategy', 'portfolio', 'execution']) expect(text.stdout).toMatch(new RegExp(`^  ${step} +done `, 'm'));
  }, 90_000);

  it('`ops sandbox down` stops it; stdout held one JSON document and the handler logs are in the log file', async () => {
    const down = collect(spawn(process.execPath, [OPS, 'sandbox', 'down', '--json'], { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(await down.exit).toBe(0);
    expect(await up.exit).toBe(0);
    expect(JSON.parse(up.stdout())).toMatchObject({ status: 'running', endpoint: doc.endpoint });
    const log = readFileSync(doc.trading?.logFile ?? '', 'utf8').trim().split('\n');
    const entries = log.map((line) => JSON.parse(line) as { service?: string; function?: string });
    expect(entries.some((e) => e.service === 'ops-trading')).toBe(true);
    expect(entries.some((e) => e.function === 'ops-trading-notification')).toBe(true);
  }, 60_000);
});
