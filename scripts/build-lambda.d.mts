import type { BuildOptions } from 'esbuild';

export declare const LAMBDAS: Readonly<Record<'healthcheck' | 'run-ledger', string>>;
export declare function lambdaBuildOptions(entry: string, outfile: string): BuildOptions & { metafile: true };
export declare function buildLambdas(options?: { outdir?: string; names?: string[] }): Promise<{ name: string; file: string; bytes: number }[]>;
