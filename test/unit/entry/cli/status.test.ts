/**
 * `ops status serve|export` refuse bad options with exit 2 and a hint before any AWS call. The
 * endpoint points at a closed local port, so a command that did reach AWS would fail on it instead.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

interface ErrorDoc {
  ok: false;
  error: { kind: string; code: string; message: string; hint?: string };
}

const ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
let cwd = '';

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'ops-status-cli-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('ops status: usage errors (exit 2, a hint, nothing written)', () => {
  it.each([
    [['export', '--out', 'report.txt'], 'INVALID_OPTION', /^--out report\.txt is not an \.html file\.$/, /report\.html/],
    [['export', '--out', 'report.html', '--hours', '0'], 'INVALID_NUMBER', /^--hours must be a number of hours, 1 or more and at most 168, got 0\.$/, /--hours 6/],
    [['export', '--out', 'report.html', '--hours', '200'], 'INVALID_NUMBER', /^--hours must be .* at most 168, got 200\.$/, /--hours 6/],
    [['export', '--out', 'report.html', '--bucket-minutes', '1', '--hours', '168'], 'INVALID_OPTION', /^--hours 168 in 1-minute columns is 10080 columns; the page draws at most 2000\.$/, /--bucket-minutes/],
    [['serve', '--refresh', '1'], 'INVALID_OPTION', /^--refresh must be at least 2 seconds\.$/, /--refresh 30/],
  ])('status %j → %s', async (argv, code, message, hint) => {
    const run = await runCli(['status', ...argv, '--json'], { env: ENV, cwd });
    expect(run.exitCode).toBe(2);
    const { error } = run.json() as ErrorDoc;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.hint ?? '').toMatch(hint);
    // The endpoint was never tried: the refusal came first.
    expect(JSON.stringify(error)).not.toContain('127.0.0.1:9');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('status export without --out: exit 2, naming --out', async () => {
    const run = await runCli(['status', 'export', '--json'], { env: ENV, cwd });
    expect(run.exitCode).toBe(2);
    expect((run.json() as ErrorDoc).error).toEqual({ kind: 'usage', code: 'USAGE', message: 'Missing required argument: out', hint: 'Run the command with --help for its options.' });
    expect(await readdir(cwd)).toEqual([]);
  });

  it('the text form prints the hint', async () => {
    const run = await runCli(['status', 'serve', '--refresh', '1'], { env: ENV, cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--refresh must be at least 2 seconds.');
    expect(run.stderr).toContain('hint: Pass --refresh 30, for example.');
  });
});

describe('ops status --help', () => {
  it('lists serve and export', async () => {
    const run = await runCli(['status', '--help'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/ops status serve\s+Serve the status page on 127\.0\.0\.1/);
    expect(run.stdout).toMatch(/ops status export\s+Write the status page as one self-contained HTML file/);
  });
});
