/**
 * What the CLI says about a bad option value: the value is named for what it is, the hint's example
 * is valid, nothing a workflow would fail on later is accepted, and a user's hint is for a user.
 */
import { describe, expect, it } from 'vitest';
import { parseCountOption } from '../../../../src/entry/cli/parse-instant.ts';
import { UserError } from '../../../../src/errors.ts';
import { runCli } from '../../../support/cli-harness.ts';

interface ErrorDoc {
  ok: false;
  error: { kind: string; code: string; message: string; hint?: string };
}
const errorOf = (run: { json: () => unknown }) => (run.json() as ErrorDoc).error;
const thrown = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
};

describe('parseCountOption', () => {
  it('says a non-number is not a number instead of "got NaN"', () => {
    const error = thrown(() => parseCountOption('concurrency', Number.NaN, 256));
    expect(error.message).toBe('--concurrency must be a whole number from 1 to 256; the value given is not a number.');
    expect(error.message).not.toContain('NaN');
  });

  it.each([
    [8, undefined, '--top 8'],
    [8, 3, '--top 3'],
    [1, undefined, '--top 1'],
    [1000, undefined, '--top 10'],
    [250, 63, '--top 63'],
    [8, 0, '--top 1'],
  ])('keeps the example inside 1..%i (example %s → %s)', (max, example, expected) => {
    const error = thrown(() => parseCountOption('top', 1_000_000, max, example));
    expect(error.hint).toBe(`Pass ${expected}, for example.`);
  });

  it('names an option given twice', () => {
    expect(thrown(() => parseCountOption('limit', [5, 6], 1000)).message).toBe('--limit was given 2 times; it takes one value, a whole number from 1 to 1000.');
  });

  it.each([0, -1, 2.5, Number.POSITIVE_INFINITY, 1001])('refuses %s', (value) => {
    expect(thrown(() => parseCountOption('limit', value, 1000)).code).toBe('INVALID_COUNT');
  });

  it('accepts a whole number in range', () => {
    expect(parseCountOption('limit', 1000, 1000)).toBe(1000);
  });
});

describe('number options on the command line', () => {
  it('check-schedulers --concurrency abc: exit 2, "not a number"', async () => {
    const run = await runCli(['check-schedulers', '--concurrency', 'abc', '--endpoint', 'http://127.0.0.1:9', '--json'], { env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_COUNT', message: '--concurrency must be a whole number from 1 to 256; the value given is not a number.' });
  });

  it.each([
    [['workflow', 'list', '--limit', 'abc', '--region', 'us-east-1', '--table', 't'], '--limit'],
    [['workflow', 'run', '--local', '--lookback', 'abc'], '--lookback'],
    [['workflow', 'run', '--local', '--top', 'x'], '--top'],
  ])('%j: exit 2, "not a number"', async (argv, option) => {
    const run = await runCli([...argv, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).message).toMatch(new RegExp(`^${option} must be a whole number from 1 to \\d+; the value given is not a number\\.$`));
  });

  it('workflow run --local --top 1000: the hint’s example lies inside the range it states', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--top', '1000', '--json']);
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    const [, max] = /from 1 to (\d+)/.exec(error.message) ?? [];
    const [, example] = /--top (\d+)/.exec(error.hint ?? '') ?? [];
    expect(Number(example)).toBeGreaterThanOrEqual(1);
    expect(Number(example)).toBeLessThanOrEqual(Number(max));
  });
});

describe('workflow money and weight options', () => {
  it.each(['-5', '-0.01'])('--min-trade %s is refused with exit 2 and a hint', async (value) => {
    const run = await runCli(['workflow', 'run', '--local', `--min-trade=${value}`, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_OPTION', message: `--min-trade "${value}" is negative.`, hint: expect.stringContaining('--min-trade 100') as unknown });
  });

  it.each(['abc', 'NaN', 'Infinity', '1e3', ''])('--min-trade "%s" is not a decimal (exit 2)', async (value) => {
    const run = await runCli(['workflow', 'run', '--local', `--min-trade=${value}`, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_OPTION', message: `--min-trade "${value}" is not a decimal number.` });
  });

  it('--min-trade 0 places every trade (exit 0)', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--min-trade', '0', '--json']);
    expect(run.exitCode).toBe(0);
  });

  it('workflow start refuses a negative --min-trade before it talks to AWS', async () => {
    // Keys and a local endpoint, so that code which did not refuse could only reach 127.0.0.1.
    const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const run = await runCli(['workflow', 'start', '--region', 'us-east-1', '--table', 't', '--bus', 'b', '--endpoint', 'http://127.0.0.1:9', '--min-trade=-5', '--json'], { env });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).message).toBe('--min-trade "-5" is negative.');
  });

  it.each([
    ['SPY=-0.5,TLT=1.5', 'SPY has a negative weight (-0.5).'],
    ['SPY=0.5,TLT=0.4', 'Target weights sum to 0.9, not 1 ± 0.0001.'],
    ['SPY=0.5,SPY=0.5', 'SPY has more than one target weight.'],
  ])('--weights %s is refused up front (exit 2), not a FAILED workflow', async (weights, problem) => {
    const run = await runCli(['workflow', 'run', '--local', '--strategy', 'fixed', '--weights', weights, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_WEIGHTS', message: `--weights "${weights}": ${problem}`, hint: expect.stringContaining('sum to 1') as unknown });
  });

  it('cuts a long value in the message', async () => {
    const long = '1'.repeat(5000) + 'x';
    const run = await runCli(['workflow', 'run', '--local', '--cash', long, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).message.length).toBeLessThan(300);
    expect(errorOf(run).message).toContain('(5,001 characters)');
  });
});

describe('market-hours outside the calendar years', () => {
  it('hints what a user can do, not how to widen SUPPORTED_YEARS', async () => {
    const run = await runCli(['market-hours', '--at', '1900-01-01T15:00:00Z', '--json']);
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    expect(error.code).toBe('UNSUPPORTED_YEAR');
    expect(error.hint).toBe('Use a date from 2000 to 2099: the NYSE calendar in ops covers only those years.');
  });

  it('after the last session it can see, says which instants it can answer', async () => {
    const run = await runCli(['market-hours', '--at', '2099-12-31T22:00:00Z', '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).hint).toBe('Use an instant whose previous and next NYSE sessions both fall within 2000–2099.');
  });

  it('cuts a long --at in the message', async () => {
    const run = await runCli(['market-hours', '--at', 'x'.repeat(10_000), '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).message).toContain('(10,000 characters)');
  });
});
