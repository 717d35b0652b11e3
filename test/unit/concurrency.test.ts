import { describe, expect, it } from 'vitest';
import { chunk, mapWithConcurrency } from '../../src/concurrency.ts';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapWithConcurrency', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const out = await mapWithConcurrency(items, 5, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Later items finish first, so order must come from the index, not from completion.
      for (let i = 0; i < 40 - n; i += 10) await tick();
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual(items.map((n) => n * 2));
    expect(peak).toBe(5);
  });

  it('returns an empty array without calling fn for no items', async () => {
    let calls = 0;
    await expect(mapWithConcurrency([], 3, () => Promise.resolve(calls++))).resolves.toEqual([]);
    expect(calls).toBe(0);
  });

  it('rejects with the first error and starts no further items', async () => {
    const started: number[] = [];
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('boom');
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
  });

  it.each([0, -1, 1.5])('refuses limit %s', async (limit) => {
    await expect(mapWithConcurrency([1], limit, (n) => Promise.resolve(n))).rejects.toThrow(RangeError);
  });
});

describe('chunk', () => {
  it('splits into batches of at most size, in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 100)).toEqual([]);
    expect(chunk(Array.from({ length: 250 }, (_, i) => i), 100).map((c) => c.length)).toEqual([100, 100, 50]);
  });
});
