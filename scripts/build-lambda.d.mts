import type { BundleJavaScriptFile, LambdaName } from './lambda-bundle-config.mjs';

export { LAMBDAS, lambdaBuildOptions } from './lambda-bundle-config.mjs';
export interface BuiltLambda {
  /** Files written, relative to the bundle directory. */
  files: string[];
  javascript: BundleJavaScriptFile[];
  /** Repository-relative files the build read. */
  inputs: string[];
}
export declare function buildLambda(entry: string, directory: string): Promise<BuiltLambda>;
export declare function buildLambdas(options?: { outdir?: string; names?: LambdaName[] }): Promise<{ name: LambdaName; directory: string; file: string; bytes: number; coldStartBytes: number }[]>;
