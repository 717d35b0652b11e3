import type { BuildOptions, Metafile, Plugin } from 'esbuild';

export declare const REPO_ROOT: string;
export declare const LAMBDA_BUNDLE_FILE: 'index.mjs';
export declare const LAMBDA_NODE_OPTIONS: string;
export declare const REQUIRE_SHIM: string;
export type LambdaName = 'healthcheck' | 'run-ledger' | 'dead-letter-alerts' | 'trading-strategy' | 'trading-portfolio' | 'trading-execution' | 'trading-notification' | 'trading-sweeper';
export declare const LAMBDAS: Readonly<Record<LambdaName, string>>;
export declare const LAMBDA_PLUGINS: readonly Plugin[];
export declare const LAMBDA_ESBUILD_OPTIONS: Readonly<BuildOptions & { metafile: true }>;
export declare function lambdaBuildOptions(entry: string, outfile: string): BuildOptions & { metafile: true; outdir: string };
export interface BundleJavaScriptFile {
  /** Relative to the bundle directory. */
  file: string;
  bytes: number;
  /** Loaded by importing index.mjs (the entry and its static imports), not only by a later import(). */
  atColdStart: boolean;
}
export declare function bundleFiles(metafile: Metafile, outdir: string): { files: string[]; javascript: BundleJavaScriptFile[] };
