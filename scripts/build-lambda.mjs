#!/usr/bin/env node
/**
 * `npm run build:lambda`: one ESM bundle per Lambda in `dist/lambda/<name>/` (zip the folder; the
 * handler is `index.handler`): index.mjs, the chunks it loads lazily, and their source maps. The
 * options are scripts/lambda-bundle-config.mjs, the same the Pulumi program deploys with (it runs
 * this script with --entry). Everything, the AWS SDK included, is bundled; why is written there.
 *
 * Usage: node scripts/build-lambda.mjs [--outdir dist/lambda] [name …]
 *        node scripts/build-lambda.mjs --entry <file> --out <directory> --json   (one bundle; infra)
 */
import { build } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFiles, LAMBDA_BUNDLE_FILE, LAMBDAS, lambdaBuildOptions, REPO_ROOT } from './lambda-bundle-config.mjs';

export { LAMBDAS, lambdaBuildOptions } from './lambda-bundle-config.mjs';

/**
 * Bundles `entry` into `directory` (emptied first). Returns the files written (relative to
 * `directory`), each JavaScript file's size and whether a cold start loads it, and every input file
 * the build read (repository-relative), which infra stamps to know when to rebuild.
 */
export async function buildLambda(entry, directory) {
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const result = await build(lambdaBuildOptions(entry, join(directory, LAMBDA_BUNDLE_FILE)));
  return { ...bundleFiles(result.metafile, directory), inputs: Object.keys(result.metafile.inputs).map((input) => relative(REPO_ROOT, resolve(REPO_ROOT, input))) };
}

/** Builds the named Lambdas (all by default) into `outdir`; returns each bundle's directory and sizes. */
export async function buildLambdas({ outdir = join(REPO_ROOT, 'dist', 'lambda'), names = Object.keys(LAMBDAS) } = {}) {
  const built = [];
  for (const name of names) {
    const entry = LAMBDAS[name];
    if (entry === undefined) throw new Error(`unknown Lambda "${name}"; choose from ${Object.keys(LAMBDAS).join(', ')}`);
    const directory = join(outdir, name);
    const { javascript } = await buildLambda(entry, directory);
    const bytes = javascript.reduce((sum, file) => sum + file.bytes, 0);
    const coldStartBytes = javascript.filter((file) => file.atColdStart).reduce((sum, file) => sum + file.bytes, 0);
    built.push({ name, directory, file: join(directory, LAMBDA_BUNDLE_FILE), bytes, coldStartBytes });
  }
  return built;
}

function parseArgs(args) {
  const parsed = { names: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--outdir' || arg === '--entry' || arg === '--out') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      parsed[arg.slice(2)] = resolve(value);
    } else if (arg === '--json') parsed.json = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else parsed.names.push(arg);
  }
  return parsed;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0).padStart(5)} KiB`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.entry !== undefined || args.out !== undefined) {
      if (args.entry === undefined || args.out === undefined) throw new Error('--entry and --out go together');
      const result = await buildLambda(args.entry, args.out);
      process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${result.files.join('\n')}\n`);
    } else {
      for (const { name, file, bytes, coldStartBytes } of await buildLambdas({ ...(args.outdir ? { outdir: args.outdir } : {}), ...(args.names.length > 0 ? { names: args.names } : {}) })) {
        console.log(`${name.padEnd(21)} ${kib(bytes)} JavaScript (${kib(coldStartBytes).trim()} loaded at a cold start)  ${file}`);
      }
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
