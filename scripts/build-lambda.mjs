#!/usr/bin/env node
/**
 * `npm run build:lambda`: one self-contained ESM file per Lambda, `dist/lambda/<name>/index.mjs`
 * (zip the folder; the handler is `index.handler`). Everything, the AWS SDK included, is bundled:
 * the function then runs the SDK version we tested, not whatever the runtime ships.
 *
 * Usage: node scripts/build-lambda.mjs [--outdir dist/lambda] [name …]
 */
import { build } from 'esbuild';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** name → entry, relative to the repository root. */
export const LAMBDAS = Object.freeze({
  healthcheck: 'src/entry/lambda/healthcheck.ts',
  'run-ledger': 'src/entry/lambda/run-ledger.ts',
});

/**
 * Some bundled dependencies are CommonJS and call `require` for Node built-ins; an ESM bundle has no
 * `require`, so one is made from the bundle's own URL.
 */
const REQUIRE_SHIM = "import { createRequire as __opsCreateRequire } from 'node:module'; const require = __opsCreateRequire(import.meta.url);";

/**
 * zod re-exports its ~40 message locales through a namespace object that esbuild cannot tree-shake
 * (about 250 KiB minified, a fifth of the bundle). Only English is ever configured, so the locale
 * index is replaced with English alone; everything else in zod is untouched.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/** The esbuild options for one Lambda; the unit test builds with exactly these. */
export function lambdaBuildOptions(entry, outfile) {
  return {
    entryPoints: [resolve(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: REQUIRE_SHIM },
    plugins: [zodEnglishOnly],
    logLevel: 'warning',
    metafile: true,
  };
}

/** Builds the named Lambdas (all by default) into `outdir`; returns each bundle's path and size. */
export async function buildLambdas({ outdir = join(ROOT, 'dist', 'lambda'), names = Object.keys(LAMBDAS) } = {}) {
  const built = [];
  for (const name of names) {
    const entry = LAMBDAS[name];
    if (entry === undefined) throw new Error(`unknown Lambda "${name}"; choose from ${Object.keys(LAMBDAS).join(', ')}`);
    const outfile = join(outdir, name, 'index.mjs');
    await mkdir(dirname(outfile), { recursive: true });
    await build(lambdaBuildOptions(entry, outfile));
    built.push({ name, file: outfile, bytes: (await stat(outfile)).size });
  }
  return built;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const names = [];
  let outdir;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--outdir') outdir = resolve(args[++i] ?? '');
    else names.push(args[i]);
  }
  try {
    for (const { name, file, bytes } of await buildLambdas({ ...(outdir ? { outdir } : {}), ...(names.length > 0 ? { names } : {}) })) {
      console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${file}`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
