/**
 * The Lambda bundles, built in-process with the exact options of `npm run build:lambda` into a temp
 * directory (tests never depend on a prior build step), then imported the way the runtime would.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LAMBDAS, lambdaBuildOptions } from '../../../scripts/build-lambda.mjs';

/** Lambda's own limit is 50 MB zipped; ours keeps cold starts short. 1 MiB. */
const MAX_BUNDLE_BYTES = 1024 * 1024;
/**
 * The healthcheck's org mode (issue 16: Organizations discovery, AssumeRole, the pair runner) took it
 * from just under 1 MiB to ≈1.02 MiB in all; what a cold start loads is ≈0.93 MB of that (the rest are
 * the SDK's lazily loaded credential providers). 1.125 MiB.
 * Issue 17's status page publisher (client-s3 and the presigner) is a lazily loaded chunk of ≈70 KB,
 * loaded only when STATUS_BUCKET is set: ≈1.106 MiB in all (1,160,150 bytes measured), ≈0.95 MB at a
 * cold start (+≈13 KB of XML and checksum code esbuild shares between the chunks).
 * The page it publishes (the status page's collector and renderer, the workflow timeline with the
 * trading event types it reads) is another lazily loaded chunk, also only with STATUS_BUCKET:
 * 1,232,364 bytes in all measured, so 1.25 MiB; a cold start without STATUS_BUCKET loads neither.
 */
const MAX_HEALTHCHECK_BUNDLE_BYTES = 1.25 * 1024 * 1024;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-lambda-bundle-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

async function bundle(name: keyof typeof LAMBDAS): Promise<{ file: string; bytes: number; warnings: number }> {
  const file = join(dir, name, 'index.mjs');
  const result = await build({ ...lambdaBuildOptions(LAMBDAS[name], file), logLevel: 'silent' });
  expect(result.errors).toEqual([]);
  // index.mjs and the chunks it may import later (code splitting): all of it is shipped.
  const javascript = (await readdir(join(dir, name), { recursive: true })).filter((path) => path.endsWith('.mjs'));
  const sizes = await Promise.all(javascript.map(async (path) => (await stat(join(dir, name, path))).size));
  return { file, bytes: sizes.reduce((a, b) => a + b, 0), warnings: result.warnings.length };
}

describe('npm run build:lambda', () => {
  it('bundles the healthcheck into ESM under 1.25 MiB in all (index.mjs and its chunks) that exports handler', async () => {
    const { file, bytes } = await bundle('healthcheck');

    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(MAX_HEALTHCHECK_BUNDLE_BYTES);
    vi.stubEnv('AWS_REGION', 'us-west-2');
    vi.stubEnv('ALERT_TOPIC_ARN', 'arn:aws:sns:us-west-2:123456789012:ops-alerts');
    vi.stubEnv('ALERT_STATE_TABLE', 'ops-alert-state');
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(typeof module.handler).toBe('function');
    expect(Object.keys(module)).toEqual(['handler']);
  }, 60_000);

  it('bundles the dead-letter alerts handler, which imports with the alert variables alone', async () => {
    const { file, bytes } = await bundle('dead-letter-alerts');

    expect(bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    vi.stubEnv('AWS_REGION', 'us-west-2');
    vi.stubEnv('ALERT_TOPIC_ARN', 'arn:aws:sns:us-west-2:123456789012:ops-alerts');
    vi.stubEnv('ALERT_STATE_TABLE', 'ops-alert-state');
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(Object.keys(module)).toEqual(['handler']);
  }, 60_000);

  it('bundles the run-ledger handler too', async () => {
    const { file, bytes } = await bundle('run-ledger');

    expect(bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    vi.stubEnv('AWS_REGION', 'us-west-2');
    vi.stubEnv('RUN_LEDGER_TABLE', 'ops-run-ledger');
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(typeof module.handler).toBe('function');
  }, 60_000);
});
