import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/checks/evaluate.ts';
import type { Finding, FindingCode, Severity } from '../../../src/checks/finding.ts';
import type { Snapshot } from '../../../src/checks/model.ts';
import { declarationOf } from '../../../src/checks/registry.ts';
import { buildReport, renderReport, summaryLine, type CheckReport } from '../../../src/checks/report.ts';
import { nyse } from '../../../src/market/index.ts';
import {
  arn,
  ecsEvidence,
  lambdaSchedule,
  ledgerEvidence,
  missing,
  refOf,
  scheduleFacts,
  snapshotOf,
} from '../../support/check-fixtures.ts';

const MONDAY_OPEN = new Date('2026-11-23T14:45:00Z');
const SATURDAY = new Date('2026-11-28T15:00:00Z');
const ESC = '\u001b[';

/** `16:00` and `Mon 2026-11-30 09:30` in New York, as the CLI prints them. */
const zoned = (iso: string) => Temporal.Instant.from(iso).toZonedDateTimeISO(nyse.timezone);
const formatClock = (iso: string) => zoned(iso).toPlainTime().toString({ smallestUnit: 'minute' });
const formatWhen = (iso: string) => {
  const z = zoned(iso);
  return `${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][z.dayOfWeek - 1]} ${z.toPlainDate().toString()} ${formatClock(iso)}`;
};
const fmt = { formatClock, formatWhen };

function finding(code: FindingCode, severity: Severity, where: { schedule?: ReturnType<typeof refOf>; group?: string } = {}): Finding {
  return { code, severity, ...where, message: `${code.toLowerCase()} message`, evidence: {}, fix: 'ops check-schedulers', runbook: declarationOf(code).runbook };
}

describe('buildReport: summary', () => {
  const worst = scheduleFacts('a-worst');
  const warned = scheduleFacts('b-warned');
  const infoOnly = scheduleFacts('c-info');
  const healthy = scheduleFacts('d-healthy');
  const lambda = lambdaSchedule('e-lambda', 'fn');
  const snapshot = snapshotOf({
    collectedAt: MONDAY_OPEN,
    schedules: [worst, warned, infoOnly, healthy, lambda, scheduleFacts('f-other', { group: 'other' })],
    evidence: {
      'trading/a-worst': ledgerEvidence({ coversSince: MONDAY_OPEN }),
      'trading/b-warned': ledgerEvidence({ coversSince: MONDAY_OPEN, lastRunAt: new Date('2026-11-23T14:30:01Z') }),
      'trading/c-info': ecsEvidence({ coversSince: MONDAY_OPEN }),
      'trading/d-healthy': ledgerEvidence({ coversSince: MONDAY_OPEN }),
    },
  });
  const findings = [
    finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: refOf(worst) }),
    finding('MISSED_RUNS', 'warning', { schedule: refOf(worst) }),
    finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: refOf(worst) }),
    finding('SCHEDULE_DISABLED', 'warning', { schedule: refOf(warned) }),
    finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: refOf(warned) }),
    finding('NO_DEAD_LETTER_QUEUE', 'info', { schedule: refOf(infoOnly) }),
    finding('TARGET_ERRORS', 'warning', { group: 'trading' }),
    finding('CHECK_INCOMPLETE', 'warning'),
  ];
  const report = buildReport(snapshot, findings, { failOn: 'warning', calendar: nyse });

  it('counts findings by severity and schedules by their worst finding', () => {
    expect(report.summary).toEqual({
      schedules: 6,
      groups: 2,
      findings: { critical: 1, warning: 4, info: 3 },
      schedulesBySeverity: { critical: 1, warning: 1, info: 1, healthy: 3 },
      unhealthySchedules: 2,
      otherFindings: 2,
      evidenceSources: { ledger: 3, ecs: 1, none: 2 },
    });
  });

  it('lists each schedule with its codes, worst severity and evidence', () => {
    expect(report.schedules.map((s) => [s.name, s.codes, s.worst])).toEqual([
      ['a-worst', ['TARGET_CLUSTER_NOT_FOUND', 'MISSED_RUNS', 'NO_DEAD_LETTER_QUEUE'], 'critical'],
      ['b-warned', ['SCHEDULE_DISABLED', 'NO_DEAD_LETTER_QUEUE'], 'warning'],
      ['c-info', ['NO_DEAD_LETTER_QUEUE'], 'info'],
      ['d-healthy', [], null],
      ['e-lambda', [], null],
      ['f-other', [], null],
    ]);
    expect(report.schedules.map((s) => s.evidence)).toEqual([
      { source: 'ledger', lastRunAt: null },
      { source: 'ledger', lastRunAt: '2026-11-23T14:30:01.000Z' },
      { source: 'ecs', lastRunAt: null },
      { source: 'ledger', lastRunAt: null },
      { source: 'none', note: 'fixture: no run evidence given' },
      { source: 'none', note: 'fixture: no run evidence given' },
    ]);
    expect(report.schedules[4]).toMatchObject({ group: 'trading', state: 'ENABLED', expression: 'cron(*/15 * * * ? *)', timezone: 'America/New_York', target: { kind: 'lambda', arn: arn.function('fn') } });
  });

  it('carries time, region, failOn, the findings as given and the call counts when passed', () => {
    const withCalls = buildReport(snapshot, findings, { failOn: 'critical', calendar: nyse, calls: { 'scheduler.getSchedule': 6 } });
    expect([withCalls.generatedAt, withCalls.region, withCalls.failOn, withCalls.calls]).toEqual(['2026-11-23T14:45:00.000Z', 'us-east-1', 'critical', { 'scheduler.getSchedule': 6 }]);
    expect(withCalls.findings).toBe(findings);
    expect(Object.hasOwn(report, 'calls')).toBe(false);
  });

  it.each([
    ['warning', 'a warning', 'warning', false],
    ['critical', 'a warning', 'warning', true],
    ['critical', 'a critical', 'critical', false],
    ['warning', 'an info', 'info', true],
    ['info', 'an info', 'info', false],
    ['warning', 'nothing', undefined, true],
  ] as const)('failOn %s with %s → ok %s', (failOn, _what, severity, ok) => {
    const fs = severity === undefined ? [] : [finding('SCHEDULE_DISABLED', severity, { schedule: refOf(warned) })];
    expect(buildReport(snapshot, fs, { failOn, calendar: nyse }).ok).toBe(ok);
  });
});

describe('buildReport: market', () => {
  const at = (collectedAt: Date) => buildReport(snapshotOf({ collectedAt, schedules: [] }), [], { failOn: 'warning', calendar: nyse }).market;

  it('open on a Monday morning, closing at 16:00 ET', () => {
    expect(at(MONDAY_OPEN)).toEqual({ name: 'NYSE', open: true, closesAt: '2026-11-23T21:00:00.000Z' });
  });

  it('closed on a Saturday, opening Monday 09:30 ET', () => {
    expect(at(SATURDAY)).toEqual({ name: 'NYSE', open: false, opensAt: '2026-11-30T14:30:00.000Z', reason: 'weekend' });
  });

  it('closed on Thanksgiving, with the holiday as the reason', () => {
    expect(at(new Date('2026-11-26T15:00:00Z'))).toEqual({ name: 'NYSE', open: false, opensAt: '2026-11-27T14:30:00.000Z', reason: 'Thanksgiving Day' });
  });

  it('open until the early close the day after Thanksgiving', () => {
    expect(at(new Date('2026-11-27T15:00:00Z'))).toEqual({ name: 'NYSE', open: true, closesAt: '2026-11-27T18:00:00.000Z' });
  });
});

describe('renderReport', () => {
  const now = MONDAY_OPEN;
  const small = (): CheckReport => {
    const snapshot: Snapshot = snapshotOf({
      collectedAt: now,
      schedules: [
        scheduleFacts('a', { target: { arn: arn.cluster('gone') } }),
        scheduleFacts('b', { state: 'DISABLED' }),
        scheduleFacts('c', { target: { deadLetterArn: undefined } }),
        lambdaSchedule('d', 'fn'),
      ],
      clusters: { [arn.cluster('gone')]: missing() },
      evidence: {
        'trading/a': ecsEvidence({ coversSince: new Date('2026-11-23T13:45:00Z'), runs: [new Date('2026-11-23T14:30:01Z')] }),
        'trading/b': ledgerEvidence({ coversSince: now }),
        'trading/c': ledgerEvidence({ coversSince: now, lastRunAt: now }),
      },
    });
    return buildReport(snapshot, evaluate(snapshot, { now, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] }), { failOn: 'warning', calendar: nyse });
  };

  it('pins the text of a small report (no colour)', () => {
    expect(renderReport(small(), { colour: false, ...fmt })).toBe(
      [
        'CRITICAL (1)',
        '  trading/a  TARGET_CLUSTER_NOT_FOUND',
        '               targets ECS cluster gone, which does not exist; every run fails',
        '',
        'WARNING (1)',
        '  trading/b  SCHEDULE_DISABLED',
        '               is DISABLED; it will not run until someone enables it',
        '',
        'INFO (1)',
        '  trading/c  NO_DEAD_LETTER_QUEUE',
        '               has no dead-letter queue; failed invocations are dropped without a trace',
        '',
        'No run evidence for 1 schedule(s) (lambda targets): checked for target existence and group metrics only.',
        'Run evidence from: ecs 1, ledger 2.',
        'Runbooks: runbooks/TARGET_CLUSTER_NOT_FOUND.md, runbooks/SCHEDULE_DISABLED.md',
        '4 schedules · 1 critical · 1 warning · market OPEN until 16:00 ET',
      ].join('\n'),
    );
  });

  it('has no escape codes without colour, and paints each severity heading with colour', () => {
    const plain = renderReport(small(), { colour: false, ...fmt });
    const coloured = renderReport(small(), { colour: true, ...fmt });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}31mCRITICAL (1)${ESC}0m`);
    expect(coloured).toContain(`${ESC}33mWARNING (1)${ESC}0m`);
    expect(coloured).toContain(`${ESC}36mINFO (1)${ESC}0m`);
    // Stripping the codes gives back the plain text.
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('groups several findings of one schedule on one line and aligns the group/check-level ones', () => {
    const s = scheduleFacts('long-schedule-name');
    const report = buildReport(
      snapshotOf({ collectedAt: now, schedules: [s] }),
      [
        finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: refOf(s) }),
        finding('TARGET_ROLE_MISSING', 'critical', { schedule: refOf(s) }),
        finding('TARGET_ERRORS', 'warning', { group: 'trading' }),
        finding('CHECK_INCOMPLETE', 'warning'),
      ],
      { failOn: 'warning', calendar: nyse },
    );
    expect(renderReport(report, { colour: false, ...fmt }).split('\n').slice(0, 11)).toEqual([
      'CRITICAL (2)',
      '  trading/long-schedule-name  TARGET_CLUSTER_NOT_FOUND, TARGET_ROLE_MISSING',
      '                                target_cluster_not_found message',
      '                                target_role_missing message',
      '',
      'WARNING (2)',
      '  group trading  TARGET_ERRORS',
      '                   target_errors message',
      '  (whole check)  CHECK_INCOMPLETE',
      '                   check_incomplete message',
      '',
    ]);
  });

  it('summary: 13 schedules, 12 critical, market open', () => {
    const schedules = Array.from({ length: 13 }, (_, i) => scheduleFacts(`s${String(i).padStart(2, '0')}`));
    const findings = schedules.slice(0, 12).map((s) => finding('TARGET_CLUSTER_NOT_FOUND', 'critical', { schedule: refOf(s) }));
    const report = buildReport(snapshotOf({ collectedAt: now, schedules }), findings, { failOn: 'warning', calendar: nyse });
    expect(summaryLine(report, fmt)).toBe('13 schedules · 12 critical · market OPEN until 16:00 ET');
    expect(renderReport(report, { colour: false, ...fmt }).split('\n').at(-1)).toBe('13 schedules · 12 critical · market OPEN until 16:00 ET');
  });

  it('summary: closed market with the reason and the next open; group/check findings counted', () => {
    const s = scheduleFacts('a');
    const report = buildReport(snapshotOf({ collectedAt: SATURDAY, schedules: [s] }), [finding('SCHEDULE_DISABLED', 'warning', { schedule: refOf(s) }), finding('CHECK_INCOMPLETE', 'warning')], {
      failOn: 'warning',
      calendar: nyse,
    });
    expect(summaryLine(report, fmt)).toBe('1 schedule · 0 critical · 1 warning · 1 group/check finding(s) · market CLOSED (weekend) · opens Mon 2026-11-30 09:30 ET');
  });

  it('a healthy report is just the evidence note and the summary', () => {
    const s = scheduleFacts('a');
    const report = buildReport(snapshotOf({ collectedAt: now, schedules: [s], evidence: { 'trading/a': ledgerEvidence({ coversSince: now, lastRunAt: now }) } }), [], { failOn: 'warning', calendar: nyse });
    expect(report.ok).toBe(true);
    expect(renderReport(report, { colour: true, ...fmt })).toBe('Run evidence from: ledger 1.\n1 schedule · 0 critical · market OPEN until 16:00 ET');
  });
});
