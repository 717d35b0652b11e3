import { describe, expect, it } from 'vitest';
import { CHECK_DEFAULTS, runCheck, type CheckOptions } from '../../../src/checks/run-check.ts';
import { UserError } from '../../../src/errors.ts';
import { nyse } from '../../../src/market/index.ts';
import { createFakePorts, lookupError, scheduleFacts, type FakeAwsInput } from '../../support/check-fixtures.ts';

const NOW = new Date('2026-11-23T14:45:00Z');
const LEDGER_SINCE = new Date('2026-11-01T00:00:00Z');

const options = (overrides: Partial<CheckOptions> = {}): CheckOptions => ({
  filter: {},
  now: NOW,
  region: 'us-east-1',
  concurrency: CHECK_DEFAULTS.concurrency,
  metricsWindowMinutes: CHECK_DEFAULTS.metricsWindowMinutes,
  ecsRetentionMinutes: CHECK_DEFAULTS.ecsRetentionMinutes,
  calendar: nyse,
  graceMinutes: CHECK_DEFAULTS.graceMinutes,
  marketCriticalPatterns: [],
  failOn: CHECK_DEFAULTS.failOn,
  ...overrides,
});

async function rejection(input: FakeAwsInput): Promise<UserError> {
  const error: unknown = await runCheck(createFakePorts(input).ports, options()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('runCheck: no access is a configuration error, not a finding', () => {
  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers'],
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  ])('ListSchedules failing with %s → NO_CREDENTIALS', async (errorName, message) => {
    const error = await rejection({ schedules: [scheduleFacts('a')], listSchedulesError: lookupError('scheduler:ListSchedules', errorName, message) });
    expect(error.code).toBe('NO_CREDENTIALS');
    expect(error.kind).toBe('user');
    expect(error.message).toBe(`AWS rejected or could not find credentials: ${message}`);
    expect(error.hint).toContain('AWS_PROFILE');
  });

  it.each([
    ['Error', 'connect ECONNREFUSED 127.0.0.1:5000'],
    ['Error', 'getaddrinfo ENOTFOUND scheduler.nowhere.example'],
    ['TimeoutError', 'socket timed out'],
  ])('ListSchedules failing with %s "%s" → ENDPOINT_UNREACHABLE', async (errorName, message) => {
    const error = await rejection({ listSchedulesError: lookupError('scheduler:ListSchedules', errorName, message) });
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toBe(`Cannot reach the Scheduler API: ${message}`);
    expect(error.hint).toContain('AWS_ENDPOINT_URL');
  });

  it('a denied ListSchedules is reported as CHECK_INCOMPLETE, not thrown', async () => {
    const { report } = await runCheck(createFakePorts({ listSchedulesError: lookupError('scheduler:ListSchedules') }).ports, options());
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.code, f.evidence.action])).toEqual([['CHECK_INCOMPLETE', 'scheduler:ListSchedules']]);
  });

  it('credential-looking failures of other calls do not abort the check', async () => {
    const { report } = await runCheck(
      createFakePorts({ schedules: [scheduleFacts('a')], listGroupsError: lookupError('scheduler:ListScheduleGroups', 'CredentialsProviderError'), ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/a': new Date('2026-11-23T14:30:04Z') } } }).ports,
      options(),
    );
    expect(report.findings.map((f) => [f.code, f.evidence.action])).toEqual([['CHECK_INCOMPLETE', 'scheduler:ListScheduleGroups']]);
  });
});

describe('runCheck: collect → evaluate → report', () => {
  const world: FakeAwsInput = {
    schedules: [scheduleFacts('ok'), scheduleFacts('off', { state: 'DISABLED' })],
    ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/ok': new Date('2026-11-23T14:30:04Z') } },
  };

  it.each([
    ['warning', false],
    ['critical', true],
  ] as const)('a warning with failOn=%s → ok %s', async (failOn, ok) => {
    const { report, findings } = await runCheck(createFakePorts(world).ports, options({ failOn }));
    expect(findings.map((f) => [f.code, f.severity, f.schedule?.name])).toEqual([['SCHEDULE_DISABLED', 'warning', 'off']]);
    expect(report.ok).toBe(ok);
    expect(report.failOn).toBe(failOn);
  });

  it('passes the call counts into the report and returns the snapshot it evaluated', async () => {
    const fake = createFakePorts(world);
    const { report, snapshot } = await runCheck(fake.ports, options({ calls: () => fake.calls.counts() }));
    expect(snapshot.schedules.map((s) => s.name)).toEqual(['ok', 'off']);
    expect(report.summary).toMatchObject({ schedules: 2, unhealthySchedules: 1, evidenceSources: { ledger: 2 } });
    expect(report.calls).toEqual({
      'scheduler.listGroups': 1,
      'scheduler.listSchedules': 1,
      'scheduler.getSchedule': 2,
      'ecs.describeClusters': 1,
      'ecs.describeTaskDefinition': 1,
      'iam.getRole': 1,
      'queues.getQueue': 1,
      'metrics.schedulerGroupMetrics': 1,
      'ledger.coversSince': 1,
      'ledger.lastRuns': 1,
    });
  });

  it('uses the market-critical patterns and the calendar it is given', async () => {
    const fake = createFakePorts({ schedules: [scheduleFacts('signal-engine')], ledger: { coversSince: LEDGER_SINCE } });
    const { report } = await runCheck(fake.ports, options({ marketCriticalPatterns: ['signal-*'] }));
    expect(report.findings.map((f) => [f.code, f.severity])).toEqual([['MISSED_RUNS', 'critical']]);
    expect(report.market).toEqual({ name: 'NYSE', open: true, closesAt: '2026-11-23T21:00:00.000Z' });
  });
});
