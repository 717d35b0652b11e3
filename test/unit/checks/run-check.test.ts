import { describe, expect, it } from 'vitest';
import { CHECK_DEFAULTS, runCheck, type CheckOptions } from '../../../src/checks/run-check.ts';
import { nyse } from '../../../src/market/index.ts';
import { createFakePorts, DEFAULT_ROLE_ARN, lookupError, scheduleFacts, unknown, type FakeAwsInput } from '../../support/check-fixtures.ts';

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

async function blindCheck(input: FakeAwsInput, overrides: Partial<CheckOptions> = {}) {
  const result = await runCheck(createFakePorts(input).ports, options(overrides));
  const blind = result.findings.filter((f) => f.code === 'MONITOR_BLIND');
  return { ...result, blindFindings: blind };
}

describe('runCheck: a check that cannot see says so (MONITOR_BLIND), whatever --fail-on says', () => {
  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers'],
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  ])('ListSchedules failing with %s → blind, NO_CREDENTIALS', async (errorName, message) => {
    const { blind, report, blindFindings } = await blindCheck({ schedules: [scheduleFacts('a')], listSchedulesError: lookupError('scheduler:ListSchedules', errorName, message) }, { failOn: 'critical' });
    expect(blind?.code).toBe('NO_CREDENTIALS');
    expect(blind?.cause).toBe('credentials');
    expect(blind?.reason).toBe(`the monitor cannot see: no schedule could be listed; scheduler:ListSchedules failed (${errorName}): ${message}`);
    expect(blind?.hint).toContain('AWS_PROFILE');
    expect(report.ok).toBe(false);
    expect(report.blind).toMatchObject({ code: 'NO_CREDENTIALS', action: 'scheduler:ListSchedules' });
    expect(blindFindings.map((f) => [f.severity, f.evidence.action])).toEqual([['critical', 'scheduler:ListSchedules']]);
  });

  it.each([
    ['Error', 'connect ECONNREFUSED 127.0.0.1:5000'],
    ['Error', 'getaddrinfo ENOTFOUND scheduler.nowhere.example'],
    ['TimeoutError', 'socket timed out'],
  ])('ListSchedules failing with %s "%s" → ENDPOINT_UNREACHABLE', async (errorName, message) => {
    const { blind } = await blindCheck({ listSchedulesError: lookupError('scheduler:ListSchedules', errorName, message) });
    expect(blind?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(blind?.hint).toContain('AWS_ENDPOINT_URL');
  });

  it('a region every call rejects → INVALID_REGION (issue 12 row 1: it used to pass with 0 schedules)', async () => {
    const message = 'Region not accepted: region="us-east-1 " is not a valid hostname component.';
    const { blind, report } = await blindCheck(
      { listSchedulesError: lookupError('scheduler:ListSchedules', 'Error', message), listGroupsError: lookupError('scheduler:ListScheduleGroups', 'Error', message) },
      { failOn: 'critical' },
    );
    expect(blind?.code).toBe('INVALID_REGION');
    expect(report.ok).toBe(false);
    // The blinding action is said once (MONITOR_BLIND); the other failure stays CHECK_INCOMPLETE.
    expect(report.findings.map((f) => [f.code, f.evidence.action])).toEqual([
      ['MONITOR_BLIND', 'scheduler:ListSchedules'],
      ['CHECK_INCOMPLETE', 'scheduler:ListScheduleGroups'],
    ]);
  });

  it('a denied ListSchedules → blind, ACCESS_DENIED, with what to grant', async () => {
    const { blind, report } = await blindCheck({ listSchedulesError: lookupError('scheduler:ListSchedules') });
    expect(blind?.code).toBe('ACCESS_DENIED');
    expect(blind?.hint).toContain('Grant scheduler:ListSchedules');
    expect(report.findings.map((f) => [f.code, f.evidence.action])).toEqual([['MONITOR_BLIND', 'scheduler:ListSchedules']]);
  });

  it('a throttled ListSchedules → blind as a fault (exit 3), MONITOR_BLIND', async () => {
    const { blind } = await blindCheck({ listSchedulesError: lookupError('scheduler:ListSchedules', 'ThrottlingException', 'Rate exceeded') });
    expect(blind?.code).toBe('MONITOR_BLIND');
    expect(blind?.cause).toBe('fault');
  });

  it('every listed schedule unreadable → blind', async () => {
    const { blind } = await blindCheck({
      schedules: [scheduleFacts('a'), scheduleFacts('b')],
      getSchedule: { 'trading/a': unknown('scheduler:GetSchedule', 'ThrottlingException', 'Rate exceeded'), 'trading/b': unknown('scheduler:GetSchedule', 'ThrottlingException', 'Rate exceeded') },
    });
    expect(blind?.reason).toContain('none of the 2 listed schedule(s) could be read');
  });

  it('credential-looking failures of one call among successful ones of the same API do not blind the check', async () => {
    const { blind, report } = await blindCheck({
      schedules: [scheduleFacts('a')],
      listGroupsError: lookupError('scheduler:ListScheduleGroups', 'CredentialsProviderError'),
      ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/a': new Date('2026-11-23T14:30:04Z') } },
    });
    expect(blind).toBeUndefined();
    expect(report.findings.map((f) => [f.code, f.evidence.action])).toEqual([['CHECK_INCOMPLETE', 'scheduler:ListScheduleGroups']]);
  });

  it('a whole API unreachable (every IAM call refused) blinds the check', async () => {
    const { blind } = await blindCheck({
      schedules: [scheduleFacts('a'), scheduleFacts('b')],
      roles: { [DEFAULT_ROLE_ARN]: unknown('iam:GetRole', 'Error', 'connect ECONNREFUSED 127.0.0.1:9') },
      ledger: { coversSince: LEDGER_SINCE },
    });
    expect(blind).toMatchObject({ code: 'ENDPOINT_UNREACHABLE', failure: { action: 'iam:GetRole' } });
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
