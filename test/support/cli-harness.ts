import { main } from '../../src/entry/cli/main.ts';
import type { CliContext } from '../../src/entry/cli/context.ts';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

/** Runs `ops` in-process with captured streams and an injected clock. */
export async function runCli(argv: string[], overrides: Partial<CliContext> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: {},
    now: () => new Date('2026-11-23T15:00:00Z'),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    cwd: process.cwd(),
    confirm: () => Promise.resolve(false),
    interrupted: () => new Promise<string>(() => undefined),
    ...overrides,
  };
  const exitCode = await main(argv, ctx);
  return { exitCode, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}
