/**
 * Hostile input, generated: whatever flags and values `schedule explain`, `market-hours`,
 * `check-schedulers` and `workflow` get, the answer is exit 0, 1 or 2 (3 is for bugs), exactly one
 * JSON document under --json, no stack trace, and a bounded amount of work (AWS calls, output size).
 * AWS is mocked: the properties are about the CLI's handling of input, not about AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListScheduleGroupsCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { runCli, type CliRun } from '../../../support/cli-harness.ts';

const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', WORKFLOW_TABLE: 'ops-workflows', EVENT_BUS_NAME: 'ops-trading' };
const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(node:.+\))$/m;
const MAX_AWS_CALLS = 100;
const MAX_OUTPUT = 200_000;
/** FUZZ_RUNS=1000 npx vitest run test/unit/entry/cli/cli-fuzz.test.ts for a longer hunt; CI runs the default. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stubs of different clients in one list
const stubs: AwsStub<any, any, any>[] = [];
beforeAll(() => {
  const scheduler = mockClient(SchedulerClient);
  scheduler.on(ListScheduleGroupsCommand).resolves({ ScheduleGroups: [{ Name: 'default' }] });
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
  const missingTable = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException', $metadata: {} });
  const dynamo = mockClient(DynamoDBClient);
  dynamo.onAnyCommand().rejects(missingTable);
  const bus = mockClient(EventBridgeClient);
  bus.onAnyCommand().rejects(Object.assign(new Error('Event bus ops-trading does not exist.'), { name: 'ResourceNotFoundException', $metadata: {} }));
  stubs.push(scheduler, dynamo, bus, mockClient(ECSClient), mockClient(CloudWatchClient), mockClient(STSClient));
});
afterAll(() => {
  for (const stub of stubs) stub.restore();
});

const awsCalls = () => stubs.reduce((sum, stub) => sum + stub.calls().length, 0);
const resetCalls = () => {
  for (const stub of stubs) stub.resetHistory();
};

/** Values a hostile tester types: numbers out of range, not numbers, huge, empty, unicode, long. */
const value = fc.oneof(
  fc.constantFrom('', ' ', '0', '-5', '-0', '1e309', 'NaN', 'Infinity', 'abc', '1.5', '99999999999999999999', '0x10', 'true', '--', '=', '*', '1900-01-01T15:00:00Z', '9999-12-31T23:59:59Z', '2026-02-30', '2026-11-23', 'America/Nowhere', 'SPY=2', 'SPY=0.6,TLT=0.4', 'A=1,A=1'),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2300-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);

const expression = fc.oneof(
  fc.tuple(fc.constantFrom('minute', 'minutes', 'hour', 'hours', 'day', 'days', 'weeks', 'x'), fc.oneof(fc.integer({ min: -10, max: 10 }), fc.constantFrom(0, 99999999999, 100000000, 2 ** 53))).map(([unit, n]) => `rate(${n} ${unit})`),
  fc.array(fc.constantFrom('*', '?', '0', '5', '31', '0/5', '9-16', 'MON-FRI', 'L', '6L', '2#3', '15W', 'JAN', '2', '1999', '2999', '99', '-1', ''), { minLength: 1, maxLength: 7 }).map((fields) => `cron(${fields.join(' ')})`),
  value.map((v) => `at(${v})`),
  value,
);

/** Flags with values, some of them the command's own, some not; repeated or missing values too. */
function argv(command: string[], flags: readonly string[], positional?: fc.Arbitrary<string>): fc.Arbitrary<string[]> {
  const flag = fc.tuple(fc.constantFrom(...flags, '--bogus'), fc.option(value, { nil: undefined })).map(([name, v]) => (v === undefined ? [name] : [name, v]));
  return fc.tuple(positional ? fc.option(positional, { nil: undefined }) : fc.constant(undefined), fc.array(flag, { maxLength: 5 }), fc.boolean()).map(([p, pairs, json]) => [
    ...command,
    ...(p !== undefined ? [p] : []),
    ...pairs.flat(),
    ...(json ? ['--json'] : []),
  ]);
}

function assertAnswered(args: string[], run: CliRun, calls: number): void {
  const where = JSON.stringify(args).slice(0, 400);
  expect([0, 1, 2], `${where}\n${run.stderr.slice(0, 2000)}`).toContain(run.exitCode);
  expect(run.stdout + run.stderr, where).not.toMatch(STACK_FRAME);
  expect(run.stderr, where).not.toContain('This is a bug');
  expect(calls, where).toBeLessThanOrEqual(MAX_AWS_CALLS);
  expect(run.stdout.length + run.stderr.length, where).toBeLessThanOrEqual(MAX_OUTPUT);
  if (args.includes('--json')) {
    // One document: JSON.parse rejects two documents in a row and empty output alike.
    expect(() => JSON.parse(run.stdout) as unknown, `${where}\n${run.stdout.slice(0, 400)}`).not.toThrow();
  }
}

/** Runs the property; returns how many inputs were checked, so a test sees the property ran at all. */
async function fuzz(args: fc.Arbitrary<string[]>, runs = RUNS): Promise<number> {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(args, async (input) => {
      resetCalls();
      const run = await runCli(input, { env });
      assertAnswered(input, run, awsCalls());
      checked += 1;
    }),
    { numRuns: runs },
  );
  return checked;
}

describe('CLI fuzz: every input gets an answer, never a fault', () => {
  it('schedule explain', async () => {
    expect(await fuzz(argv(['schedule', 'explain'], ['--tz', '--from', '--count', '--start-date', '--end-date'], expression), RUNS * 3)).toBe(RUNS * 3);
  });

  it('market-hours', async () => {
    expect(await fuzz(argv(['market-hours'], ['--at']))).toBe(RUNS);
  });

  it('check-schedulers', async () => {
    expect(await fuzz(argv(['check-schedulers'], ['--group', '--name-prefix', '--state', '--fail-on', '--concurrency', '--grace-minutes', '--metrics-window', '--at', '--market-critical', '--ledger-table', '--region', '--endpoint', '--max-changes', '--map', '--cluster']))).toBe(RUNS);
  });

  it('workflow run --local', async () => {
    expect(await fuzz(argv(['workflow', 'run', '--local'], ['--strategy', '--top', '--lookback', '--weights', '--min-trade', '--max-position-weight', '--max-order-notional', '--max-turnover', '--as-of', '--correlation-id', '--market-data', '--market-seed', '--cash', '--position']), Math.ceil(RUNS * 0.75))).toBe(Math.ceil(RUNS * 0.75));
  });

  it('workflow status / list / start against a missing table and bus', async () => {
    expect(await fuzz(fc.oneof(argv(['workflow', 'status'], ['--table', '--region'], value), argv(['workflow', 'list'], ['--table', '--state', '--limit', '--region']), argv(['workflow', 'start'], ['--top', '--min-trade', '--max-position-weight', '--max-turnover', '--as-of', '--bus', '--weights', '--strategy'])))).toBe(RUNS);
  });
});
