import { describe, expect, it } from 'vitest';
import { nyse } from '../../../src/market/index.ts';
import { buildOrgReport, incompletePairFinding, type OrgReportOptions } from '../../../src/org/org-report.ts';
import type { PairFailure } from '../../../src/org/run-pairs.ts';
import { account, checked, checkReport, failed, finding, NOW, SATURDAY } from './org-fixtures.ts';

const PROD = account('111111111111', 'prod');
const STAGE = account('333333333333', 'stage');
const SANDBOX = account('444444444444', 'sandbox');

const ASSUME_DENIED: PairFailure = { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'not authorized' };
const THROTTLED: PairFailure = { action: 'scheduler:ListSchedules', errorName: 'ThrottlingException', reason: 'Rate exceeded' };
const SKIPPED = [{ id: '555555555555', name: 'old', reason: 'SUSPENDED in the Organization' }];

const options = (overrides: Partial<OrgReportOptions> = {}): OrgReportOptions => ({
  failOn: 'warning',
  calendar: nyse,
  now: NOW,
  source: 'the Organization',
  accounts: 3,
  skipped: SKIPPED,
  ...overrides,
});

const prodEast = checkReport('us-east-1', ['dispatcher', 'telemetry'], [
  finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: 'dispatcher' }),
  finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: 'dispatcher' }),
  finding('MISSED_RUNS', 'warning', { schedule: 'telemetry' }),
  finding('TARGET_ERRORS', 'warning', { group: 'trading' }),
]);
const prodWest = checkReport('us-west-2', ['reporter'], []);

function mergedReport() {
  return buildOrgReport([checked(PROD, 'us-east-1', prodEast, 800), checked(PROD, 'us-west-2', prodWest, 300), failed(STAGE, 'us-east-1', THROTTLED, 1200)], {
    ...options(),
    accountFailures: [{ account: SANDBOX, failure: ASSUME_DENIED, regions: ['us-east-1', 'us-west-2'] }],
    calls: { 'Scheduler.ListSchedules': 3, 'STS.AssumeRole': 3 },
  });
}

describe('buildOrgReport: 3 pairs and 1 account that could not be entered', () => {
  it('places every finding and schedule in its account and region', () => {
    const report = mergedReport();

    expect(report.findings.map((f) => [f.account, f.accountName, f.region, f.code, f.severity])).toEqual([
      ['444444444444', 'sandbox', '*', 'CHECK_INCOMPLETE', 'warning'],
      ['111111111111', 'prod', 'us-east-1', 'TARGET_CLUSTER_NOT_FOUND', 'critical'],
      ['111111111111', 'prod', 'us-east-1', 'NO_DEAD_LETTER_QUEUE', 'info'],
      ['111111111111', 'prod', 'us-east-1', 'MISSED_RUNS', 'warning'],
      ['111111111111', 'prod', 'us-east-1', 'TARGET_ERRORS', 'warning'],
      ['333333333333', 'stage', 'us-east-1', 'CHECK_INCOMPLETE', 'warning'],
    ]);
    // The pair's own finding, untouched apart from the placement.
    expect(report.findings[1]).toEqual({ ...prodEast.findings[0], account: '111111111111', accountName: 'prod', region: 'us-east-1' });
    expect(report.schedules.map((s) => [s.account, s.accountName, s.region, s.name, s.worst])).toEqual([
      ['111111111111', 'prod', 'us-east-1', 'dispatcher', 'critical'],
      ['111111111111', 'prod', 'us-east-1', 'telemetry', 'warning'],
      ['111111111111', 'prod', 'us-west-2', 'reporter', null],
    ]);
    expect(report.schedules[2]).toEqual({ ...prodWest.schedules[0], account: '111111111111', accountName: 'prod', region: 'us-west-2' });
  });

  it('totals the pairs, accounts, schedules and findings, and is not ok', () => {
    const report = mergedReport();

    expect(report.summary).toEqual({
      pairs: { total: 5, checked: 2, incomplete: 3 },
      accounts: 3,
      schedules: 3,
      findings: { critical: 1, warning: 4, info: 1 },
      unhealthySchedules: 2,
    });
    expect(report.targets).toEqual({ source: 'the Organization', accounts: 3, regions: ['us-east-1', 'us-west-2'], pairs: 5, skipped: SKIPPED });
    expect(report.ok).toBe(false);
    expect(report.mode).toBe('org');
    expect(report.failOn).toBe('warning');
    expect(report.generatedAt).toBe('2026-11-23T14:45:00.000Z');
    expect(report.market).toEqual({ name: 'NYSE', open: true, closesAt: '2026-11-23T21:00:00.000Z' });
    expect(report.calls).toEqual({ 'Scheduler.ListSchedules': 3, 'STS.AssumeRole': 3 });
  });

  it('summarises each pair; the account that could not be entered is one incomplete pair per region', () => {
    const report = mergedReport();
    const none = { critical: 0, warning: 0, info: 0 };

    expect(report.pairs).toEqual([
      { account: '444444444444', accountName: 'sandbox', region: 'us-east-1', status: 'incomplete', schedules: 0, findings: none, unhealthySchedules: 0, ms: 0, failure: ASSUME_DENIED },
      { account: '444444444444', accountName: 'sandbox', region: 'us-west-2', status: 'incomplete', schedules: 0, findings: none, unhealthySchedules: 0, ms: 0, failure: ASSUME_DENIED },
      { account: '111111111111', accountName: 'prod', region: 'us-east-1', status: 'checked', schedules: 2, findings: { critical: 1, warning: 2, info: 1 }, unhealthySchedules: 2, ms: 800 },
      { account: '111111111111', accountName: 'prod', region: 'us-west-2', status: 'checked', schedules: 1, findings: none, unhealthySchedules: 0, ms: 300 },
      { account: '333333333333', accountName: 'stage', region: 'us-east-1', status: 'incomplete', schedules: 0, findings: { critical: 0, warning: 1, info: 0 }, unhealthySchedules: 0, ms: 1200, failure: THROTTLED },
    ]);
    // One failure shared by the account's regions: the text rendering folds them into one line by it.
    expect(report.pairs[0]?.failure).toBe(report.pairs[1]?.failure);
  });

  it('is ONE CHECK_INCOMPLETE finding for the account, region *, with its regions in evidence', () => {
    const report = mergedReport();

    expect(report.findings.filter((f) => f.account === '444444444444')).toEqual([
      {
        code: 'CHECK_INCOMPLETE',
        severity: 'warning',
        message: 'sandbox (444444444444) was not checked in us-east-1, us-west-2: sts:AssumeRole failed (AccessDenied: not authorized).',
        evidence: { account: '444444444444', region: '*', action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'not authorized', role: 'ops-org-access', regions: ['us-east-1', 'us-west-2'] },
        fix: 'aws iam get-role --role-name ops-org-access   # in account 444444444444: deploy the member role (infra: ops:memberOf) or fix its trust policy',
        runbook: 'runbooks/CHECK_INCOMPLETE.md',
        account: '444444444444',
        accountName: 'sandbox',
        region: '*',
      },
    ]);
  });

  it('is one CHECK_INCOMPLETE finding for a pair that failed, naming the action', () => {
    const report = mergedReport();

    expect(report.findings.at(-1)).toEqual({
      code: 'CHECK_INCOMPLETE',
      severity: 'warning',
      message: 'stage (333333333333) us-east-1 was not checked: scheduler:ListSchedules failed (ThrottlingException: Rate exceeded).',
      evidence: { account: '333333333333', region: 'us-east-1', action: 'scheduler:ListSchedules', errorName: 'ThrottlingException', reason: 'Rate exceeded' },
      fix: 'ops check-schedulers --accounts 333333333333 --regions us-east-1',
      runbook: 'runbooks/CHECK_INCOMPLETE.md',
      account: '333333333333',
      accountName: 'stage',
      region: 'us-east-1',
    });
  });
});

describe('buildOrgReport: ok and failOn', () => {
  const quiet = checkReport('us-east-1', ['a'], [finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: 'a' })]);

  it('is ok when nothing reaches failOn', () => {
    const report = buildOrgReport([checked(PROD, 'us-east-1', quiet)], options());

    expect(report.ok).toBe(true);
    expect(report.summary.findings).toEqual({ critical: 0, warning: 0, info: 1 });
  });

  it('an account failure is a warning: not ok at failOn warning, ok at failOn critical', () => {
    const accountFailures = [{ account: SANDBOX, failure: ASSUME_DENIED, regions: ['us-east-1'] }];

    expect(buildOrgReport([checked(PROD, 'us-east-1', quiet)], options({ accountFailures })).ok).toBe(false);
    expect(buildOrgReport([checked(PROD, 'us-east-1', quiet)], options({ accountFailures, failOn: 'critical' })).ok).toBe(true);
    expect(buildOrgReport([checked(PROD, 'us-east-1', quiet)], options({ failOn: 'info' })).ok).toBe(false);
  });

  it('a critical finding fails at failOn critical', () => {
    expect(buildOrgReport([checked(PROD, 'us-east-1', prodEast)], options({ failOn: 'critical' })).ok).toBe(false);
  });
});

describe('buildOrgReport: edges', () => {
  it('an account that failed before its regions were known (--all-regions) is one pair in region *', () => {
    const report = buildOrgReport([], options({ accountFailures: [{ account: SANDBOX, failure: { action: 'ec2:DescribeRegions', errorName: 'UnauthorizedOperation', reason: 'no' }, regions: [] }] }));

    expect(report.pairs.map((p) => [p.account, p.region, p.status])).toEqual([['444444444444', '*', 'incomplete']]);
    expect(report.findings.map((f) => [f.message, f.fix, f.evidence.regions])).toEqual([
      ['sandbox (444444444444) was not checked in any region: ec2:DescribeRegions failed (UnauthorizedOperation: no).', 'ops check-schedulers --accounts 444444444444 --all-regions', []],
    ]);
    expect(report.targets.regions).toEqual([]);
    expect(report.summary.pairs).toEqual({ total: 1, checked: 0, incomplete: 1 });
  });

  it('an account that failed otherwise than AssumeRole gets a command for its regions, never `--regions *`', () => {
    const report = buildOrgReport([], options({ accountFailures: [{ account: SANDBOX, failure: { action: 'unknown', errorName: 'TimeoutError', reason: 'connect ETIMEDOUT' }, regions: ['us-east-1', 'us-west-2'] }] }));

    expect(report.findings.map((f) => [f.region, f.fix])).toEqual([['*', 'ops check-schedulers --accounts 444444444444 --regions us-east-1,us-west-2']]);
  });

  it('names the role of a role ARN in the fix', () => {
    const custom = account('666666666666', 'custom', 'arn:aws:iam::666666666666:role/team/audit-access');

    const f = incompletePairFinding({ account: custom, region: 'eu-west-1' }, ASSUME_DENIED);

    expect(f.fix).toBe('aws iam get-role --role-name audit-access   # in account 666666666666: deploy the member role (infra: ops:memberOf) or fix its trust policy');
    expect(f.evidence.role).toBe('arn:aws:iam::666666666666:role/team/audit-access');
  });

  it('says a pair not started had no time left', () => {
    const f = incompletePairFinding({ account: PROD, region: 'us-west-2' }, { action: 'not-started', errorName: 'TimeBudgetExhausted', reason: 'not started' });

    expect(f.message).toBe('prod (111111111111) us-west-2 was not checked: the run had no time left for it.');
    expect(f.evidence).toEqual({ account: '111111111111', region: 'us-west-2', action: 'not-started', errorName: 'TimeBudgetExhausted', reason: 'not started' });
  });

  it('reports a closed market with when it opens', () => {
    const report = buildOrgReport([checked(PROD, 'us-east-1', prodWest)], options({ now: SATURDAY }));

    expect(report.market).toEqual({ name: 'NYSE', open: false, opensAt: '2026-11-30T14:30:00.000Z', reason: 'weekend' });
    expect(report).not.toHaveProperty('calls');
  });
});
