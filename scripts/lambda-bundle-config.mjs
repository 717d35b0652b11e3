/**
 * The one esbuild configuration for every Lambda bundle. `npm run build:lambda`
 * (scripts/build-lambda.mjs), the Pulumi program (infra/lambda-bundles.ts, through the same script)
 * and the healthcheck bench all build with `lambdaBuildOptions`, so what is measured and tested is
 * what is deployed. Plain ESM JavaScript so that both `node` and `tsx` load it; types in the .d.mts.
 *
 * Decisions, measured with `npm run bench -- healthcheck`:
 *
 * - The AWS SDK is bundled, not left to the runtime's copy. Lambda's nodejs20.x/22.x runtimes do
 *   ship SDK v3, and marking `@aws-sdk/*` external cuts the healthcheck's ≈0.9 MB of JavaScript to
 *   ≈0.33 MB, but the runtime's SDK is its own pinned version (not the one the tests ran) and it is
 *   loaded as hundreds of unminified CommonJS files: a fresh `node` importing the healthcheck with
 *   the SDK from node_modules took 3-4× longer (≈0.5-0.9 s against ≈0.15-0.25 s on the build
 *   machine; the bench prints both). Cold start wins over bytes on disk, so the SDK stays in.
 * - ESM with `mainFields: module, main`: the SDK and Powertools publish ES modules under `module`,
 *   which esbuild can tree-shake; their CommonJS builds are one opaque file per package.
 * - Code splitting: dynamic `import()`s become files of their own that load only when called. The
 *   SDK's credential chain imports SSO, INI, process, web-identity and IMDS providers (and the
 *   nested SSO/STS/sign-in clients) that way; a Lambda has its role's keys in its environment and
 *   never loads them. Without splitting esbuild inlines them and wraps every module they reach in
 *   a lazy-init closure, which also costs time at import.
 * - Four plugins trim code that is provably dead or provably the same (see each one below).
 * - Linked source maps (no sources inlined) and `--enable-source-maps` on the function: stack
 *   traces in CloudWatch name our files and lines. On Node 20 the flag makes each module load scan
 *   its code and read and parse its map: ≈25-60 ms of the healthcheck's cold import on the build
 *   machine. Kept, because a fault in the monitor must be readable from its log line; the bench
 *   imports with `LAMBDA_NODE_OPTIONS` (as deployed) and prints the figure without the flag too.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The file every bundle writes, and so the module part of the handler `index.handler`. */
export const LAMBDA_BUNDLE_FILE = 'index.mjs';

/** NODE_OPTIONS of every bundled function: source-mapped stack traces (see the decisions above). */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/**
 * Bundled CommonJS dependencies call `require` for Node built-ins, which an ESM file does not have;
 * esbuild's shim would throw "Dynamic require of … is not supported". Every chunk gets its own.
 */
export const REQUIRE_SHIM = "import { createRequire as __ops_createRequire } from 'node:module'; const require = __ops_createRequire(import.meta.url);";

/** Every Lambda this repository deploys: bundle name (dist/lambda/<name>) → repository-relative entry. */
export const LAMBDAS = Object.freeze({
  healthcheck: 'src/entry/lambda/healthcheck.ts',
  'run-ledger': 'src/entry/lambda/run-ledger.ts',
  'dead-letter-alerts': 'src/entry/lambda/dead-letter-alerts.ts',
  'trading-strategy': 'src/entry/lambda/trading/strategy.ts',
  'trading-portfolio': 'src/entry/lambda/trading/portfolio.ts',
  'trading-execution': 'src/entry/lambda/trading/execution.ts',
  'trading-notification': 'src/entry/lambda/trading/notification.ts',
  'trading-sweeper': 'src/entry/lambda/trading/sweeper.ts',
});


/**
 * zod re-exports its ~40 message locales through a namespace object that esbuild cannot tree-shake.
 * Only English is ever configured, so the locale index is replaced with English alone.
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

/**
 * Each generated SDK client declares every operation's schema in `schemas/schemas_0.js` as arrays
 * such as `[9, n0, _GF, { [_h]: ["GET", …] }, …]`, where `_h` is a module-level `const _h = "http"`.
 * esbuild treats a computed key as a possible side effect and so keeps every schema of every
 * operation (the Lambda client alone: 48 KB, of which the healthcheck uses GetFunction). Replacing
 * `[_h]:` with the constant's own string literal is the same object, and lets unused schemas go.
 * Only names declared as `const _x = "…";` in the same file are replaced.
 */
const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/].*[\\/]dist-es[\\/](.*[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const match of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(match[1], match[2]);
      const contents = source.replace(/\[(_\w+)\]:/g, (whole, name) => constants.get(name)?.concat(':') ?? whole);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Every SDK client imports its whole package.json (≈2.3 KB each) for one field: `packageInfo.version`
 * in the user agent. Name and version are kept; nothing in the SDK reads anything else.
 */
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

export const LAMBDA_PLUGINS = Object.freeze([zodEnglishOnly, sdkSchemaLiteralKeys, sdkPackageVersionOnly]);

/** Everything but the entry and where it goes; part of infra's rebuild stamp. */
export const LAMBDA_ESBUILD_OPTIONS = Object.freeze({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  minify: true,
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  banner: { js: REQUIRE_SHIM },
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

/**
 * The esbuild options for one Lambda: `entry` (repository-relative or absolute) bundled into
 * `outfile`, which must be `<directory>/index.mjs`; lazily loaded chunks go to `<directory>/chunks`.
 */
export function lambdaBuildOptions(entry, outfile) {
  if (basename(outfile) !== LAMBDA_BUNDLE_FILE) throw new Error(`a Lambda bundle is written to …/${LAMBDA_BUNDLE_FILE}, not ${outfile}`);
  return {
    ...LAMBDA_ESBUILD_OPTIONS,
    mainFields: [...LAMBDA_ESBUILD_OPTIONS.mainFields],
    outExtension: { ...LAMBDA_ESBUILD_OPTIONS.outExtension },
    banner: { ...LAMBDA_ESBUILD_OPTIONS.banner },
    entryPoints: [resolve(REPO_ROOT, entry)],
    outdir: dirname(outfile),
    absWorkingDir: REPO_ROOT,
    plugins: [...LAMBDA_PLUGINS],
  };
}

/**
 * From a build's metafile: the JavaScript files written (paths relative to `outdir`), and which of
 * them a cold start loads (the entry and every chunk it imports statically, transitively).
 */
export function bundleFiles(metafile, outdir) {
  const absolute = (path) => resolve(REPO_ROOT, path);
  const outputs = Object.entries(metafile.outputs).map(([path, output]) => ({ path: absolute(path), output }));
  const byPath = new Map(outputs.map((entry) => [entry.path, entry.output]));
  const entryPath = join(outdir, LAMBDA_BUNDLE_FILE);
  const loaded = new Set();
  const pending = [entryPath];
  while (pending.length > 0) {
    const path = pending.pop();
    if (loaded.has(path) || !byPath.has(path)) continue;
    loaded.add(path);
    for (const imported of byPath.get(path).imports) if (imported.kind === 'import-statement' && !imported.external) pending.push(absolute(imported.path));
  }
  const relativeTo = (path) => path.slice(outdir.length + 1);
  const js = outputs.filter(({ path }) => path.endsWith('.mjs'));
  return {
    files: outputs.map(({ path }) => relativeTo(path)),
    javascript: js.map(({ path, output }) => ({ file: relativeTo(path), bytes: output.bytes, atColdStart: loaded.has(path) })),
  };
}
