/**
 * The README's console examples that need a sandbox, run the way the README says (issue 12, row 9):
 * shell 1's `npx ops sandbox up …` as a real child process in a scratch directory (it starts its own
 * moto, separate from the shared one), shell 2's `npx ops …` in-process with the environment that
 * `up` printed, `npx ops sandbox down` as a child again. Each claimed output is compared line by line
 * (test/support/readme-examples.ts), so a README that claims other counts than the sandbox gives fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/sandbox/process-control.ts';
import { runCli } from '../support/cli-harness.ts';
import { compareClaim, needsSandbox, opsArgv, readmeExamples, type ExampleBlock, type ExampleCommand } from '../support/readme-examples.ts';
import { childEnv } from '../support/child-env.ts';

const OPS = resolve(import.meta.dirname, '../../bin/ops.mjs');
const blocks = readmeExamples().filter(needsSandbox);

interface Printed {
  exitCode: number | null;
  output: string;
}

/** One block's shell 1: `ops sandbox up …` until it prints its exports. */
class SandboxShell {
  private child: ChildProcess | undefined;
  private stdout = '';
  private stderr = '';
  env: Record<string, string> = {};
  pids: number[] = [];

  constructor(private readonly cwd: string) {}

  async up(argv: string[]): Promise<Printed> {
    if (this.child) throw new Error('the README starts a second sandbox in one block');
    // Only PATH/HOME (and a faked clock) reach the child: no AWS settings from the developer's shell.
    const child = spawn(process.execPath, [OPS, ...argv], { cwd: this.cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (child.pid !== undefined) this.pids.push(child.pid);
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 45_000;
    while (!this.stdout.includes('# Ctrl-C here') && !exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!this.stdout.includes('# Ctrl-C here')) throw new Error(`ops ${argv.join(' ')} did not get ready.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    for (const [, key, value] of this.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) if (key && value !== undefined) this.env[key] = value;
    const moto = /moto pid (\d+)/.exec(this.stdout);
    if (moto) this.pids.push(Number(moto[1]));
    return { exitCode: null, output: this.stdout };
  }

  /** `ops sandbox down` as a child in the same directory: it stops `up` and its moto. */
  async down(argv: string[]): Promise<Printed> {
    const child = spawn(process.execPath, [OPS, ...argv], { cwd: this.cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exitCode = await new Promise<number | null>((done) => child.once('exit', done));
    if (this.child && this.child.exitCode === null) await new Promise((done) => this.child?.once('exit', done));
    this.child = undefined;
    return { exitCode, output: out + err };
  }

  /** Whatever the block did, leave nothing behind. */
  async close(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGINT');
      await new Promise((done) => {
        const timer = setTimeout(done, 15_000);
        this.child?.once('exit', () => {
          clearTimeout(timer);
          done(undefined);
        });
      });
    }
    for (const pid of this.pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** The one non-ops command the README uses: a second cluster on the sandbox, through the SDK. */
async function runAws(command: ExampleCommand, env: Record<string, string>): Promise<Printed> {
  const [, service, operation, flag, name] = command.words;
  if (service !== 'ecs' || operation !== 'create-cluster' || flag !== '--cluster-name' || name === undefined || command.words.length !== 5) {
    throw new Error(`README line ${command.line}: the test does not know how to run \`${command.command}\`; teach test/e2e/readme-examples.test.ts or use an ops command`);
  }
  const ecs = new ECSClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' } });
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  ecs.destroy();
  return { exitCode: 0, output: '' };
}

/** Runs the block's commands in order and compares each claim; returns how many commands it checked. */
async function runBlock(block: ExampleBlock): Promise<number> {
  const cwd = await mkdtemp(join(tmpdir(), 'ops-readme-'));
  const shell = new SandboxShell(cwd);
  let checked = 0;
  try {
    for (const command of block.commands) {
      const argv = opsArgv(command);
      let printed: Printed;
      if (argv === undefined) {
        if (command.words[0] !== 'aws') throw new Error(`README line ${command.line}: \`${command.command}\` is neither ops nor aws`);
        printed = await runAws(command, shell.env);
      } else if (argv[0] === 'sandbox' && argv[1] === 'up') printed = await shell.up(argv);
      else if (argv[0] === 'sandbox' && argv[1] === 'down') printed = await shell.down(argv);
      else {
        expect(shell.env.AWS_ENDPOINT_URL, `README line ${command.line} runs before the block's sandbox is up`).toBeDefined();
        // Shell 2, after the exports: the environment `up` printed, the wall clock.
        const run = await runCli(argv, { env: shell.env, now: () => new Date(), cwd });
        printed = { exitCode: run.exitCode, output: run.stdout + run.stderr };
      }
      expect(compareClaim(command.claimed, printed.output), `README line ${command.line}: ${command.command}`).toBeUndefined();
      if (command.exitCode !== undefined) expect(printed.exitCode, `README line ${command.line}: exit code`).toBe(command.exitCode);
      checked++;
    }
    return checked;
  } finally {
    await shell.close();
    await rm(cwd, { recursive: true, force: true });
  }
}

describe('README examples on the sandbox', () => {
  it('include the check-schedulers example with the counts that `ops sandbox up --day 2026-11-23` gives', () => {
    const check = blocks.flatMap((b) => b.commands).find((c) => c.command === 'npx ops check-schedulers --at 2026-11-23T16:36:00Z');
    expect(check?.claimed).toEqual(expect.arrayContaining(['CRITICAL (12)', 'INFO (6)', 'Run evidence from: ecs 12.', '13 schedules · 12 critical · market OPEN until 16:00 ET']));
    expect(blocks.find((b) => b.commands.includes(check as ExampleCommand))?.commands[0]?.command).toBe('npx ops sandbox up --day 2026-11-23');
  });

  it.each(blocks.map((block) => [`README line ${block.line}: ${block.commands.map((c) => c.command.split(' --')[0]).join(' → ')}`, block] as const))(
    '%s',
    async (_name, block) => {
      expect(await runBlock(block)).toBe(block.commands.length);
    },
    120_000,
  );
});
