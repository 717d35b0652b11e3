import { describe, expect, it } from 'vitest';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { pairFailureOf, PairIncompleteError, runPairs, type PairOutcome } from '../../../src/org/run-pairs.ts';
import type { AccountTarget, OrgPair } from '../../../src/org/targets.ts';

const account = (id: string, name: string): AccountTarget => ({ id, name, role: 'ops-org-access', tags: {} });
const PROD = account('111111111111', 'prod');
const DEV = account('222222222222', 'dev');
const PAIRS: OrgPair[] = [
  { account: PROD, region: 'us-east-1' },
  { account: PROD, region: 'us-west-2' },
  { account: DEV, region: 'us-east-1' },
  { account: DEV, region: 'us-west-2' },
];
const key = (pair: OrgPair) => `${pair.account.name}/${pair.region}`;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

const summary = (outcomes: PairOutcome<string>[]) => outcomes.map((o) => (o.ok ? [key(o.pair), 'ok', o.value] : [key(o.pair), 'failed', o.failure]));

describe('runPairs: per-pair isolation', () => {
  it('turns what one pair throws into its failure and runs every other pair', async () => {
    const work = async (pair: OrgPair): Promise<string> => {
      switch (key(pair)) {
        case 'prod/us-west-2':
          throw new RoleAssumptionError(`arn:aws:iam::${PROD.id}:role/ops-org-access`, 'AccessDenied', 'not authorized to perform: sts:AssumeRole');
        case 'dev/us-east-1':
          throw throttled;
        case 'dev/us-west-2':
          throw new PairIncompleteError({ action: 'scheduler:ListSchedules', errorName: 'AccessDeniedException', reason: 'not authorized to perform: scheduler:ListSchedules' });
        default:
          return `checked ${key(pair)}`;
      }
    };

    const outcomes = await runPairs(PAIRS, work, { concurrency: 2, elapsed: () => 0 });

    expect(summary(outcomes)).toEqual([
      ['prod/us-east-1', 'ok', 'checked prod/us-east-1'],
      ['prod/us-west-2', 'failed', { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'not authorized to perform: sts:AssumeRole' }],
      ['dev/us-east-1', 'failed', { action: 'unknown', errorName: 'ThrottlingException', reason: 'Rate exceeded' }],
      ['dev/us-west-2', 'failed', { action: 'scheduler:ListSchedules', errorName: 'AccessDeniedException', reason: 'not authorized to perform: scheduler:ListSchedules' }],
    ]);
    expect(outcomes.map((o) => o.pair)).toEqual(PAIRS);
  });

  it('keeps input order when pairs finish out of order, and measures each pair', async () => {
    let clock = 0;
    const gates = PAIRS.map(() => deferred<void>());
    const run = runPairs(
      PAIRS,
      async (pair) => {
        await gates[PAIRS.indexOf(pair)]!.promise;
        return key(pair);
      },
      { concurrency: 4, elapsed: () => clock },
    );
    await settle();
    for (const [index, at] of [[3, 10], [1, 25], [0, 40], [2, 70]] as const) {
      clock = at;
      gates[index]!.resolve();
      await settle();
    }
    const outcomes = await run;

    expect(outcomes.map((o) => [o.ok ? o.value : 'failed', o.ms])).toEqual([
      ['prod/us-east-1', 40],
      ['prod/us-west-2', 25],
      ['dev/us-east-1', 70],
      ['dev/us-west-2', 10],
    ]);
  });

  it('clips a long reason to 300 characters', () => {
    const failure = pairFailureOf(new Error('x'.repeat(1000)));

    expect(failure.action).toBe('unknown');
    expect(failure.errorName).toBe('Error');
    expect(failure.reason).toBe(`${'x'.repeat(299)}… (1,000 characters)`);
  });

  it('names a thrown non-error UnknownError', () => {
    expect(pairFailureOf('boom')).toEqual({ action: 'unknown', errorName: 'UnknownError', reason: 'boom' });
  });
});

describe('runPairs: concurrency', () => {
  it('never has more than `concurrency` pairs in flight', async () => {
    const pairs: OrgPair[] = Array.from({ length: 10 }, (_, i) => ({ account: PROD, region: `region-${i}` }));
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    let inFlight = 0;
    let most = 0;
    const samples: number[] = [];
    const run = runPairs(
      pairs,
      async (pair) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        const gate = deferred<void>();
        gates.set(pair.region, gate);
        await gate.promise;
        inFlight -= 1;
        return pair.region;
      },
      { concurrency: 3, elapsed: () => 0 },
    );

    await settle();
    samples.push(inFlight);
    // Release the pairs in flight one by one, most recent first.
    for (let released = 0; released < pairs.length; released++) {
      const waiting = [...gates.entries()];
      const [region, gate] = waiting[waiting.length - 1]!;
      gates.delete(region);
      gate.resolve();
      await settle();
      samples.push(inFlight);
    }
    const outcomes = await run;

    expect(most).toBe(3);
    expect(samples).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 0]);
    expect(outcomes.map((o) => (o.ok ? o.value : 'failed'))).toEqual(pairs.map((p) => p.region));
  });

  it('starts no more workers than pairs, and nothing for no pairs', async () => {
    let calls = 0;
    expect(await runPairs([], async () => (calls += 1), { concurrency: 8, elapsed: () => 0 })).toEqual([]);
    expect(calls).toBe(0);
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await expect(runPairs(PAIRS, async () => 'x', { concurrency, elapsed: () => 0 })).rejects.toThrow(RangeError);
    }
    await expect(runPairs(PAIRS, async () => 'x', { concurrency: 0, elapsed: () => 0 })).rejects.toThrow('concurrency must be a positive integer, got 0');
  });
});

describe('runPairs: progress and the time budget', () => {
  it('reports (done, total, failed) after each pair', async () => {
    const progress: [number, number, number][] = [];

    await runPairs(
      PAIRS,
      async (pair) => {
        if (pair.region === 'us-west-2') throw throttled;
        return 'ok';
      },
      { concurrency: 1, elapsed: () => 0, progress: (done, total, failed) => progress.push([done, total, failed]) },
    );

    expect(progress).toEqual([
      [1, 4, 0],
      [2, 4, 1],
      [3, 4, 1],
      [4, 4, 2],
    ]);
  });

  it('does not start a pair once startBy says no: it fails as not-started', async () => {
    const started: string[] = [];
    let budget = 2;
    const progress: [number, number, number][] = [];

    const outcomes = await runPairs(
      PAIRS,
      async (pair) => {
        started.push(key(pair));
        return 'ok';
      },
      { concurrency: 1, elapsed: () => 0, startBy: () => budget-- > 0, progress: (done, total, failed) => progress.push([done, total, failed]) },
    );

    expect(started).toEqual(['prod/us-east-1', 'prod/us-west-2']);
    expect(outcomes.slice(2)).toEqual([
      { pair: PAIRS[2], ok: false, ms: 0, failure: { action: 'not-started', errorName: 'TimeBudgetExhausted', reason: 'not started: the run had no time left for this pair' } },
      { pair: PAIRS[3], ok: false, ms: 0, failure: { action: 'not-started', errorName: 'TimeBudgetExhausted', reason: 'not started: the run had no time left for this pair' } },
    ]);
    expect(outcomes.slice(0, 2).map((o) => o.ok)).toEqual([true, true]);
    expect(progress).toEqual([
      [1, 4, 0],
      [2, 4, 0],
      [3, 4, 1],
      [4, 4, 2],
    ]);
  });
});
