/**
 * Bundles a Lambda entry while the Pulumi program runs, so `pulumi up` always ships the code in the
 * working tree (no separate build step to forget). The bundle is made by scripts/build-lambda.mjs
 * with the options of scripts/lambda-bundle-config.mjs: the same code and options as
 * `npm run build:lambda`, the bench and the bundle tests. The AWS SDK is bundled too, so the
 * versions the tests ran are the versions deployed (why, and what else the options decide, is
 * written in that config).
 *
 * esbuild's plugins (the config has four) run only in its asynchronous API and a Pulumi component
 * is built synchronously, so the build runs as a child `node` process of that script.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import * as pulumi from '@pulumi/pulumi';
import { LAMBDA_BUNDLE_FILE, LAMBDA_ESBUILD_OPTIONS, LAMBDA_NODE_OPTIONS, REPO_ROOT as CONFIG_ROOT } from '../scripts/lambda-bundle-config.mjs';
import type { BuiltLambda } from '../scripts/build-lambda.mjs';

export const REPO_ROOT = CONFIG_ROOT;
export const BUNDLE_ROOT = join(REPO_ROOT, 'dist', 'lambda');
export const LAMBDA_RUNTIME = 'nodejs20.x';
/** The file every bundle writes, and the export every entry provides. */
export const BUNDLE_FILE = LAMBDA_BUNDLE_FILE;
export const LAMBDA_HANDLER = 'index.handler';
/** NODE_OPTIONS of every bundled function (source-mapped stack traces). */
export { LAMBDA_NODE_OPTIONS };
/** Where Lambda unpacks the archive: a bundled asset `x` is at `${LAMBDA_TASK_ROOT}/x`. */
export const LAMBDA_TASK_ROOT = '/var/task';

/** The build script and the configuration it reads; a change to either rebuilds every bundle. */
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build-lambda.mjs');
const BUILD_CONFIG = join(REPO_ROOT, 'scripts', 'lambda-bundle-config.mjs');

/** A directory of data files the code reads at run time (esbuild bundles code, not data). */
export interface BundleAsset {
  /** Repository-relative source directory. */
  source: string;
  /** Directory inside the archive. */
  target: string;
}

export interface LambdaBundle {
  name: string;
  /** Repository-relative entry, e.g. `src/entry/lambda/healthcheck.ts`. */
  entry: string;
  /** Directory the archive zips: index.mjs, the chunks it loads lazily, their source maps, the assets. */
  directory: string;
  archive: pulumi.asset.FileArchive;
}

export class MissingLambdaEntryError extends Error {
  override readonly name = 'MissingLambdaEntryError';
}

/**
 * Bundles `entry` into dist/lambda/<name>/ (index.mjs, its lazily loaded chunks, their source maps)
 * and copies its assets next to it. Skips the build when nothing it read changed since the last one
 * (a stamp lists every input file esbuild read and every file written, with content hashes); the
 * tests run the program several times, and a build takes about a second per function. Delete
 * dist/lambda to force a rebuild. The build writes into a directory of its own, whose files are
 * then renamed into place one by one, index.mjs last: a reader (or a concurrent bundle of the same
 * entry) never sees half a file, and whoever finds index.mjs finds the chunks it imports.
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
  const stampFile = join(BUNDLE_ROOT, '.stamps', `${name}.json`);
  const key = JSON.stringify({
    esbuild: esbuildVersion,
    options: LAMBDA_ESBUILD_OPTIONS,
    // The plugins are code: the script and the config are hashed instead.
    script: hashFile(BUILD_SCRIPT),
    config: hashFile(BUILD_CONFIG),
    entry: relative(REPO_ROOT, entryPath),
    assets,
  });

  if (!isUpToDate(stampFile, key, directory)) {
    const built = buildInChildProcess(name, entryPath);
    for (const asset of assets) syncDirectory(resolve(REPO_ROOT, asset.source), join(directory, asset.target));
    pruneDirectory(directory, built, assets);
    const inputs = [...built.inputs.map((input) => resolve(REPO_ROOT, input)), ...assets.flatMap((asset) => filesUnder(resolve(REPO_ROOT, asset.source)))];
    const stamp: BundleStamp = {
      key,
      outputs: Object.fromEntries(built.files.map((file) => [file, hashFile(join(directory, file))])),
      inputs: Object.fromEntries(inputs.map((file) => [relative(REPO_ROOT, file), hashFile(file)])),
    };
    writeAtomically(stampFile, JSON.stringify(stamp));
  }
  return { name, entry, directory, archive: new pulumi.asset.FileArchive(directory) };
}

export class LambdaBuildError extends Error {
  override readonly name = 'LambdaBuildError';
}

/** Runs scripts/build-lambda.mjs for one entry, then renames what it wrote into dist/lambda/<name>. */
function buildInChildProcess(name: string, entryPath: string): BuiltLambda {
  const scratch = join(BUNDLE_ROOT, '.build', `${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const directory = join(BUNDLE_ROOT, name);
  try {
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, [BUILD_SCRIPT, '--entry', entryPath, '--out', scratch, '--json'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new LambdaBuildError(`Lambda "${name}": esbuild could not bundle ${relative(REPO_ROOT, entryPath)}${stderr ? `:\n${stderr}` : '.'}`, { cause: error });
    }
    const built = JSON.parse(stdout) as BuiltLambda;
    // Chunks and maps first, index.mjs last.
    const ordered = [...built.files].sort((a, b) => Number(a === BUNDLE_FILE) - Number(b === BUNDLE_FILE));
    for (const file of ordered) {
      const target = join(directory, file);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(scratch, file), target);
    }
    return built;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface BundleStamp {
  key: string;
  /** Bundle-relative path → content hash of every file the build wrote. */
  outputs: Record<string, string>;
  /** Repository-relative path → content hash of every file the build read (and every asset). */
  inputs: Record<string, string>;
}

function isUpToDate(stampFile: string, key: string, directory: string): boolean {
  let stamp: BundleStamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as BundleStamp;
  } catch {
    return false;
  }
  if (stamp.key !== key || typeof stamp.outputs !== 'object' || !(BUNDLE_FILE in stamp.outputs)) return false;
  const unchanged = (files: Record<string, string>, root: string) =>
    Object.entries(files).every(([file, hash]) => {
      const path = resolve(root, file);
      return existsSync(path) && hashFile(path) === hash;
    });
  return unchanged(stamp.outputs, directory) && unchanged(stamp.inputs, REPO_ROOT);
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
 * Removes what an earlier build left in the bundle directory and this one did not write (a chunk of
 * an older build, an asset the function no longer ships), so the archive holds exactly this build.
 * Temporary files of a concurrent build of the same bundle are left alone.
 */
function pruneDirectory(directory: string, built: BuiltLambda, assets: readonly BundleAsset[]): void {
  const written = new Set(built.files.map((file) => join(directory, file)));
  const assetRoots = assets.map((asset) => join(directory, asset.target));
  const kept = (path: string) => written.has(path) || path.includes('.tmp-') || assetRoots.some((root) => path === root || path.startsWith(`${root}${sep}`));
  const prune = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (kept(path)) continue;
      if (entry.isDirectory()) {
        prune(path);
        if (readdirSync(path).length === 0) rmSync(path, { recursive: true, force: true });
      } else rmSync(path, { force: true });
    }
  };
  prune(directory);
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
