import { describe, expect, it } from 'vitest';
import { nyse } from '../../../src/market/index.ts';
import { orgSummaryLine, renderOrgReport } from '../../../src/org/org-render.ts';
import { buildOrgReport } from '../../../src/org/org-report.ts';
import { account, checked, checkReport, failed, finding, NOW, SATURDAY } from './org-fixtures.ts';

const PROD = account('111111111111', 'prod');
const STAGE = account('333333333333', 'stage');
const SANDBOX = account('444444444444', 'sandbox');
const DEV = account('222222222222', 'dev');

const fmt = { formatClock: (iso: string) => `clock(${iso})`, formatWhen: (iso: string) => `when(${iso})` };
const plain = { colour: false, ...fmt };

const base = { failOn: 'warning', calendar: nyse, now: NOW, source: 'the Organization', accounts: 3 } as const;

describe('renderOrgReport', () => {
  it('renders accounts with problems by region, folds a healthy account, and one NOT CHECKED line for an account failure', () => {
    const report = buildOrgReport(
      [
        checked(
          PROD,
          'us-east-1',
          checkReport('us-east-1', ['dispatcher', 'telemetry'], [
            finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: 'dispatcher' }),
            finding('MISSED_RUNS', 'warning', { schedule: 'telemetry' }),
            finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: 'dispatcher' }),
          ]),
        ),
        checked(PROD, 'us-west-2', checkReport('us-west-2', ['reporter'], [])),
        checked(STAGE, 'us-east-1', checkReport('us-east-1', ['a'], [])),
        checked(STAGE, 'us-west-2', checkReport('us-west-2', ['b', 'c'], [finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: 'b' })])),
      ],
      {
        ...base,
        skipped: [{ id: '555555555555', name: 'old', reason: 'SUSPENDED in the Organization' }],
        accountFailures: [{ account: SANDBOX, failure: { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'not authorized' }, regions: ['us-east-1', 'us-west-2'] }],
      },
    );

    expect(renderOrgReport(report, plain)).toBe(
      [
        'sandbox (444444444444)',
        '  us-east-1, us-west-2 NOT CHECKED: sts:AssumeRole failed (AccessDenied: not authorized)',
        'prod (111111111111)',
        '  us-east-1       2 schedules · 1 critical · 1 warning · 1 info',
        '    CRITICAL trading/dispatcher  TARGET_CLUSTER_NOT_FOUND',
        '             dispatcher: target cluster not found',
        '    WARNING  trading/telemetry  MISSED_RUNS',
        '             telemetry: missed runs',
        '  us-west-2       1 schedule · healthy',
        'stage (333333333333)  healthy · 2 regions · 3 schedules',
        'Not checked on purpose: old (555555555555): SUSPENDED in the Organization.',
        'Runbooks: runbooks/CHECK_INCOMPLETE.md, runbooks/MISSED_RUNS.md, runbooks/TARGET_CLUSTER_NOT_FOUND.md',
        '6 pairs (3 accounts × 2 regions) · 2 NOT CHECKED · 6 schedules · 1 critical · 2 warning · market OPEN until clock(2026-11-23T21:00:00.000Z) ET',
      ].join('\n'),
    );
  });

  it('shows a single failed pair on its region line, a whole-account failure without regions as all regions, and a group finding', () => {
    const report = buildOrgReport(
      [
        failed(DEV, 'us-east-1', { action: 'scheduler:ListSchedules', errorName: 'ThrottlingException', reason: 'Rate exceeded' }),
        checked(DEV, 'us-west-2', checkReport('us-west-2', ['x'], [finding('TARGET_ERRORS', 'warning', { group: 'trading' })])),
      ],
      {
        ...base,
        now: SATURDAY,
        accounts: 2,
        skipped: [],
        accountFailures: [{ account: SANDBOX, failure: { action: 'ec2:DescribeRegions', errorName: 'UnauthorizedOperation', reason: 'denied' }, regions: [] }],
      },
    );

    expect(renderOrgReport(report, plain)).toBe(
      [
        'sandbox (444444444444)',
        '  all regions     NOT CHECKED: ec2:DescribeRegions failed (UnauthorizedOperation: denied)',
        'dev (222222222222)',
        '  us-east-1       NOT CHECKED: scheduler:ListSchedules failed (ThrottlingException: Rate exceeded)',
        '  us-west-2       1 schedule · 1 warning',
        '    WARNING  group trading  TARGET_ERRORS',
        '             trading: target errors',
        'Runbooks: runbooks/CHECK_INCOMPLETE.md, runbooks/TARGET_ERRORS.md',
        '3 pairs (2 accounts × 2 regions) · 2 NOT CHECKED · 1 schedule · 0 critical · 3 warning · market CLOSED (weekend) · opens when(2026-11-30T14:30:00.000Z) ET',
      ].join('\n'),
    );
  });

  it('colours severities and NOT CHECKED only when asked', () => {
    const report = buildOrgReport(
      [checked(PROD, 'us-east-1', checkReport('us-east-1', ['d'], [finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: 'd' })]))],
      { ...base, accounts: 2, skipped: [], accountFailures: [{ account: SANDBOX, failure: { action: 'sts:AssumeRole', errorName: 'AccessDenied', reason: 'no' }, regions: ['us-east-1'] }] },
    );

    const lines = renderOrgReport(report, { colour: true, ...fmt }).split('\n');

    expect(lines[1]).toBe('  us-east-1       \u001b[33mNOT CHECKED\u001b[0m: sts:AssumeRole failed (AccessDenied: no)');
    expect(lines[4]).toBe('    \u001b[31mCRITICAL\u001b[0m trading/d  TARGET_CLUSTER_NOT_FOUND');
    expect(renderOrgReport(report, plain)).not.toContain('\u001b[');
  });

  it('is one summary line for an all-healthy single pair', () => {
    const report = buildOrgReport([checked(PROD, 'us-east-1', checkReport('us-east-1', ['a'], []))], { ...base, accounts: 1, skipped: [] });

    expect(renderOrgReport(report, plain)).toBe(
      ['prod (111111111111)  healthy · 1 region · 1 schedule', '1 pair (1 account × 1 region) · 1 schedule · 0 critical · 0 warning · market OPEN until clock(2026-11-23T21:00:00.000Z) ET'].join('\n'),
    );
    expect(orgSummaryLine(report, fmt)).toBe('1 pair (1 account × 1 region) · 1 schedule · 0 critical · 0 warning · market OPEN until clock(2026-11-23T21:00:00.000Z) ET');
  });
});
