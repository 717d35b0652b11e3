/**
 * Runs one piece of work per account × region pair with bounded concurrency and per-pair isolation:
 * whatever one pair throws (a denied AssumeRole, a throttled or unreachable region, a blind check)
 * becomes that pair's failure, as data, and every other pair still runs to the end. The caller turns
 * failures into CHECK_INCOMPLETE findings (org-report.ts).
 */
import { pairFailureOf, type PairFailure } from './pair-failure.ts';
import type { OrgPair } from './targets.ts';

export { PairIncompleteError, pairFailureOf, type PairFailure } from './pair-failure.ts';

export type PairOutcome<T> =
  | { pair: OrgPair; ok: true; value: T; ms: number }
  | { pair: OrgPair; ok: false; failure: PairFailure; ms: number };

export interface RunPairsOptions {
  concurrency: number;
  /** Wall-clock milliseconds (injected); measures each pair. */
  elapsed: () => number;
  /** After each pair: how many are done, of how many, and how many failed so far. */
  progress?: (done: number, total: number, failed: number) => void;
  /**
   * A pair not started by now is not started at all and fails as `not started` (the Lambda's time
   * budget): better an incomplete pair on record than a run killed mid-write with nothing reported.
   */
  startBy?: () => boolean;
}

export async function runPairs<T>(pairs: readonly OrgPair[], work: (pair: OrgPair) => Promise<T>, options: RunPairsOptions): Promise<PairOutcome<T>[]> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
  const outcomes = new Array<PairOutcome<T>>(pairs.length);
  let next = 0;
  let done = 0;
  let failed = 0;
  const one = async (index: number): Promise<void> => {
    const pair = pairs[index] as OrgPair;
    const started = options.elapsed();
    if (options.startBy !== undefined && !options.startBy()) {
      outcomes[index] = { pair, ok: false, ms: 0, failure: { action: 'not-started', errorName: 'TimeBudgetExhausted', reason: 'not started: the run had no time left for this pair' } };
    } else {
      try {
        const value = await work(pair);
        outcomes[index] = { pair, ok: true, value, ms: options.elapsed() - started };
      } catch (error) {
        outcomes[index] = { pair, ok: false, failure: pairFailureOf(error), ms: options.elapsed() - started };
      }
    }
    done += 1;
    if (!(outcomes[index] as PairOutcome<T>).ok) failed += 1;
    options.progress?.(done, pairs.length, failed);
  };
  const worker = async (): Promise<void> => {
    while (next < pairs.length) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, pairs.length) }, worker));
  return outcomes;
}
