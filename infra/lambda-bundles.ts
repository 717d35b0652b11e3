/**
 * Bundles a Lambda entry with esbuild while the Pulumi program runs, so `pulumi up` always ships the
 * code in the working tree (no separate build step to forget). One self-contained ESM file per
 * function: the AWS SDK is bundled too, so the versions the tests ran are the versions deployed
 * rather than whatever the nodejs20.x runtime happens to carry.
 */
import { buildSync, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_ROOT = join(REPO_ROOT, 'dist', 'lambda');
export const LAMBDA_RUNTIME = 'nodejs20.x';
/** The file every bundle writes, and the export every entry provides. */
export const BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';
/** Where Lambda unpacks the archive: a bundled asset `x` is at `${LAMBDA_TASK_ROOT}/x`. */
export const LAMBDA_TASK_ROOT = '/var/task';

/** A directory of data files the code reads at run time (esbuild bundles code, not data). */
export interface BundleAsset {
  /** Repository-relative source directory. */
  source: string;
  /** Directory inside the archive. */
  target: string;
}

/**
 * Bundled CommonJS dependencies call `require` for Node built-ins, which an ESM file does not have;
 * esbuild's shim would throw "Dynamic require of … is not supported".
 */
const REQUIRE_SHIM = "import { createRequire as __ops_createRequire } from 'node:module'; const require = __ops_createRequire(import.meta.url);";

export const ESBUILD_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_SHIM },
  sourcemap: 'linked',
  // Stack traces in CloudWatch name our files (NODE_OPTIONS=--enable-source-maps on each function).
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface LambdaBundle {
  name: string;
  /** Repository-relative entry, e.g. `src/entry/lambda/healthcheck.ts`. */
  entry: string;
  /** Directory the archive zips: holds index.mjs (and its source map). */
  directory: string;
  archive: pulumi.asset.FileArchive;
}

export class MissingLambdaEntryError extends Error {
  override readonly name = 'MissingLambdaEntryError';
}

/**
 * Bundles `entry` into dist/lambda/<name>/index.mjs and copies its assets next to it. Skips the build
 * when nothing it read changed since the last one (a stamp lists every input file esbuild read, with
 * a content hash); the tests run the program several times, and esbuild takes about a second per
 * function. Delete dist/lambda to force a rebuild. Every file is written to a temporary name and
 * renamed, so a reader (or a concurrent bundle of the same entry) never sees half a file.
 */
export function bundleLambda(name: string, entry: string, assets: readonly BundleAsset[] = []): LambdaBundle {
  const entryPath = resolve(REPO_ROOT, entry);
  if (!existsSync(entryPath)) {
    throw new MissingLambdaEntryError(`Lambda "${name}": entry ${relative(REPO_ROOT, entryPath)} does not exist.`);
  }
  for (const asset of assets) {
    if (!existsSync(resolve(REPO_ROOT, asset.source))) throw new MissingLambdaEntryError(`Lambda "${name}": asset directory ${asset.source} does not exist.`);
  }
  const directory = join(BUNDLE_ROOT, name);
  const outfile = join(directory, BUNDLE_FILE);
  const stampFile = join(BUNDLE_ROOT, '.stamps', `${name}.json`);
  const key = JSON.stringify({ esbuild: esbuildVersion, options: ESBUILD_OPTIONS, entry: relative(REPO_ROOT, entryPath), assets });

  if (!isUpToDate(stampFile, key, outfile)) {
    const result = buildSync({ ...ESBUILD_OPTIONS, entryPoints: [entryPath], outfile, write: false, absWorkingDir: REPO_ROOT, metafile: true });
    // Write the map first: a reader that finds index.mjs finds its map too.
    const ordered = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('.mjs')) - Number(b.path.endsWith('.mjs')));
    for (const file of ordered) writeAtomically(file.path, file.contents);
    for (const asset of assets) syncDirectory(resolve(REPO_ROOT, asset.source), join(directory, asset.target));
    pruneDirectory(directory, [...result.outputFiles.map((file) => relative(directory, file.path)), ...assets.map((asset) => asset.target)]);
    const inputs = [...Object.keys(result.metafile.inputs).map((input) => resolve(REPO_ROOT, input)), ...assets.flatMap((asset) => filesUnder(resolve(REPO_ROOT, asset.source)))];
    const stamp: BundleStamp = { key, output: hashFile(outfile), inputs: Object.fromEntries(inputs.map((file) => [relative(REPO_ROOT, file), hashFile(file)])) };
    writeAtomically(stampFile, JSON.stringify(stamp));
  }
  return { name, entry, directory, archive: new pulumi.asset.FileArchive(directory) };
}

interface BundleStamp {
  key: string;
  /** Hash of index.mjs as written. */
  output: string;
  /** Repository-relative path → content hash of every file the build read (and every asset). */
  inputs: Record<string, string>;
}

function isUpToDate(stampFile: string, key: string, outfile: string): boolean {
  let stamp: BundleStamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as BundleStamp;
  } catch {
    return false;
  }
  if (stamp.key !== key || !existsSync(outfile) || hashFile(outfile) !== stamp.output) return false;
  return Object.entries(stamp.inputs).every(([file, hash]) => {
    const path = resolve(REPO_ROOT, file);
    return existsSync(path) && hashFile(path) === hash;
  });
}

function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function writeAtomically(path: string, contents: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

/**
 * Removes what an earlier build left in the bundle directory and this one did not write (an asset
 * the function no longer ships), so the archive holds exactly this build. Temporary files of a
 * concurrent build of the same bundle are left alone.
 */
function pruneDirectory(directory: string, kept: readonly string[]): void {
  const keep = new Set(kept.map((path) => path.split(/[\\/]/)[0]));
  for (const entry of readdirSync(directory)) {
    if (!keep.has(entry) && !entry.includes('.tmp-')) rmSync(join(directory, entry), { recursive: true, force: true });
  }
}

/** Makes `target` hold exactly the files of `source`, replacing each file atomically. */
function syncDirectory(source: string, target: string): void {
  const wanted = new Set<string>();
  for (const file of filesUnder(source)) {
    const rel = relative(source, file);
    wanted.add(rel);
    writeAtomically(join(target, rel), readFileSync(file));
  }
  for (const file of existsSync(target) ? filesUnder(target) : []) {
    if (!wanted.has(relative(target, file))) rmSync(file, { force: true });
  }
}
