/**
 * Every Lambda ships the esbuild bundle the program just built: the archive each function uses must
 * exist and hold index.mjs with the `handler` export the runtime calls.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, BUNDLE_ROOT, bundleLambda, LAMBDA_HANDLER, LAMBDA_RUNTIME, MissingLambdaEntryError, REPO_ROOT } from '../../infra/lambda-bundles.ts';
import { tradingConsumers } from '../../infra/trading-routes.ts';
import { runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

let stack: StackUnderTest;
let functions: RecordedResource[];

async function archivePath(fn: RecordedResource): Promise<string> {
  const code = fn.inputs.code as { path?: Promise<string> | string } | undefined;
  expect(code?.path, `${fn.name} has no file archive`).toBeDefined();
  return await code!.path!;
}

beforeAll(async () => {
  stack = await runProgram();
  functions = stack.ofType('aws:lambda/function:Function');
});

describe('Lambda bundles', () => {
  it('exist for the healthcheck, the run ledger and every trading step', () => {
    const names = functions.map((f) => String(f.inputs.name));
    expect(names).toContain('ops-pipeline-healthcheck');
    expect(names).toContain('ops-pipeline-run-ledger');
    const consumers = tradingConsumers();
    expect(consumers.length).toBeGreaterThan(0);
    for (const consumer of consumers) expect(names).toContain(`ops-pipeline-trading-${consumer.name}`);
  });

  it('are directories under dist/lambda holding index.mjs, which exports handler', async () => {
    for (const fn of functions) {
      const directory = await archivePath(fn);
      expect(relative(BUNDLE_ROOT, directory).startsWith('..'), `${directory} is outside dist/lambda`).toBe(false);
      const file = join(directory, BUNDLE_FILE);
      expect(existsSync(file), `${relative(REPO_ROOT, file)} (${fn.name})`).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(1_000);
      const text = readFileSync(file, 'utf8');
      expect(text, `${fn.name}: no handler export`).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // The ESM bundle gets a real `require` for bundled CommonJS dependencies.
      expect(text.startsWith("import { createRequire as __ops_createRequire } from 'node:module';")).toBe(true);
    }
  });

  it('run on nodejs20.x with the handler index.handler', () => {
    for (const fn of functions) {
      expect(fn.inputs.runtime, fn.name).toBe(LAMBDA_RUNTIME);
      expect(fn.inputs.handler, fn.name).toBe(LAMBDA_HANDLER);
    }
    expect(LAMBDA_RUNTIME).toBe('nodejs20.x');
    expect(LAMBDA_HANDLER).toBe('index.handler');
  });

  it('each write to their own log group with a retention', () => {
    for (const fn of functions) {
      const logging = fn.inputs.loggingConfig as { logGroup: string };
      const group = stack.one('aws:cloudwatch/logGroup:LogGroup', (g) => g.inputs.name === logging.logGroup);
      expect(group.inputs.retentionInDays).toBe(30);
    }
  });
});

describe('bundleLambda', () => {
  it('rebuilds when a file the bundle read changed, and ships the assets it was given', () => {
    const work = mkdtempSync(join(tmpdir(), 'ops-bundle-'));
    const name = `test-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(join(work, 'message.ts'), "export const message = 'first';\n");
      writeFileSync(join(work, 'entry.ts'), "import { message } from './message.ts';\nexport const handler = async () => message;\n");
      const first = bundleLambda(name, join(work, 'entry.ts'));
      expect(readFileSync(join(first.directory, BUNDLE_FILE), 'utf8')).toMatch(/["']first["']/);

      writeFileSync(join(work, 'message.ts'), "export const message = 'second';\n");
      const second = bundleLambda(name, join(work, 'entry.ts'));
      const text = readFileSync(join(second.directory, BUNDLE_FILE), 'utf8');
      expect(text).toMatch(/["']second["']/);
      expect(text).not.toMatch(/["']first["']/);

      const third = bundleLambda(name, join(work, 'entry.ts'), [{ source: 'fixtures/market-data', target: 'data' }]);
      expect(existsSync(join(third.directory, 'data', 'SPY.csv'))).toBe(true);

      // Dropping the asset removes it from the archive: a build never ships what an earlier one left.
      const fourth = bundleLambda(name, join(work, 'entry.ts'));
      expect(existsSync(join(fourth.directory, 'data'))).toBe(false);
      expect(readdirSync(fourth.directory).sort()).toEqual([BUNDLE_FILE, `${BUNDLE_FILE}.map`]);
    } finally {
      rmSync(work, { recursive: true, force: true });
      rmSync(join(BUNDLE_ROOT, name), { recursive: true, force: true });
      rmSync(join(BUNDLE_ROOT, '.stamps', `${name}.json`), { force: true });
    }
  });

  it('refuses an entry that does not exist', () => {
    expect(() => bundleLambda('missing', 'src/nowhere/lambda.ts')).toThrow(MissingLambdaEntryError);
  });
});
