import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALERT_POLICY_DEFAULTS,
  decideAlert,
  fitSubject,
  MAX_SUBJECT_LENGTH,
  MAX_TABLE_ROWS,
  renderAlertEmail,
  renderSelfHealedEmail,
  type AlertState,
  type SendDecision,
} from '../../../src/alerts/index.ts';
import { FindingCode, Severity, type Finding } from '../../../src/checks/finding.ts';
import { nyse } from '../../../src/market/index.ts';
import { checkIncomplete, clusterMissing, finding, incidentClusterFindings, MARKET_SCHEDULES, missedRuns, reportOf } from './fixtures.ts';

const AT = new Date('2026-01-29T16:41:00Z'); // Thu 11:41 ET, market open
const FIX = 'ops check-schedulers --fix --map ops-pipeline=ops-pipeline-cluster';

function decide(previous: AlertState | undefined, findings: Finding[], now: Date): SendDecision {
  const decision = decideAlert(previous, findings, { now, marketOpen: nyse.isOpen(now), ...ALERT_POLICY_DEFAULTS });
  if (!decision.send) throw new Error(`expected an email: ${decision.reason}`);
  return decision;
}

function email(previous: AlertState | undefined, findings: Finding[], now = AT, options: { runbookBaseUrl?: string; timezone?: string } = {}) {
  const decision = decide(previous, findings, now);
  return { decision, ...renderAlertEmail(decision, reportOf(findings, now), { fixCommand: FIX, ...options }) };
}

const incident = () => [...incidentClusterFindings(), ...MARKET_SCHEDULES.map((name) => missedRuns('ops-pipeline-market', name))];

describe('renderAlertEmail: the incident', () => {
  it('pins the whole first email of the 2026-01-29 incident', () => {
    const { subject, body } = email(undefined, incident(), AT, { runbookBaseUrl: 'https://github.com/acme/ops/blob/main/' });
    expect(subject).toBe('[CRITICAL] 12 schedules failing: TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5');
    const cluster = 'clusterArn=arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline';
    const missed = 'missedCount=5; lastRunAt=2026-01-29 11:36 ET; firstMissed=2026-01-29 11:37 ET';
    expect(body).toBe(
      [
        'CRITICAL: 12 schedules failing: TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5',
        '',
        'Market:   NYSE OPEN, closes 16:00 ET',
        'Checked:  Thu 2026-01-29 11:41 ET · us-west-2 · 13 schedules: 12 critical, 0 warning, 1 healthy',
        '',
        'What changed',
        '  new       TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5',
        '',
        'Affected (12 schedules)',
        '  SCHEDULE                                              SEVERITY  CHANGE  CODES                                  EVIDENCE',
        `  ops-pipeline-market/ops-pipeline-dispatcher           critical  new     TARGET_CLUSTER_NOT_FOUND, MISSED_RUNS  ${cluster}; ${missed}`,
        `  ops-pipeline-market/ops-pipeline-dispatcher-tiny      critical  new     TARGET_CLUSTER_NOT_FOUND, MISSED_RUNS  ${cluster}; ${missed}`,
        `  ops-pipeline-market/ops-pipeline-signal-engine-1m     critical  new     TARGET_CLUSTER_NOT_FOUND, MISSED_RUNS  ${cluster}; ${missed}`,
        `  ops-pipeline-market/ops-pipeline-watchlist-engine-5m  critical  new     TARGET_CLUSTER_NOT_FOUND, MISSED_RUNS  ${cluster}; ${missed}`,
        `  ops-pipeline-market/position-manager-1min             critical  new     TARGET_CLUSTER_NOT_FOUND, MISSED_RUNS  ${cluster}; ${missed}`,
        `  ops-pipeline/ops-pipeline-classifier                  critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ops-pipeline-feature-computer-1m         critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ops-pipeline-healthcheck-5m              critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ops-pipeline-position-manager            critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ops-pipeline-rss-ingest                  critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ops-pipeline-telemetry-ingestor-1m       critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        `  ops-pipeline/ticker-discovery-6h                      critical  new     TARGET_CLUSTER_NOT_FOUND               ${cluster}`,
        '',
        'Fix',
        '  ops check-schedulers --fix --map ops-pipeline=ops-pipeline-cluster',
        '',
        'Runbooks',
        '  TARGET_CLUSTER_NOT_FOUND  https://github.com/acme/ops/blob/main/runbooks/TARGET_CLUSTER_NOT_FOUND.md',
        '  MISSED_RUNS               https://github.com/acme/ops/blob/main/runbooks/MISSED_RUNS.md',
        '',
        'Failing since Thu 2026-01-29 11:41 ET (first seen by this check).',
        'You get one email per change, reminders while critical findings persist during market hours, and one email when every finding that alerted has cleared.',
        '',
      ].join('\n'),
    );
  });

  it('one missing cluster behind every critical finding: says so in the subject', () => {
    expect(email(undefined, incidentClusterFindings()).subject).toBe('[CRITICAL] 12 schedules target missing cluster ops-pipeline');
    const withWarning = [...incidentClusterFindings(), missedRuns('ops-pipeline', 'ticker-discovery-6h', Severity.warning)];
    expect(email(undefined, withWarning).subject).toBe('[CRITICAL] 12 schedules target missing cluster ops-pipeline (+1 more finding)');
  });

  it('two missing clusters, or warnings only: the generic subject with counts', () => {
    const two = [clusterMissing('a', 'x'), clusterMissing('a', 'y', 'arn:aws:ecs:us-west-2:123456789012:cluster/other')];
    expect(email(undefined, two).subject).toBe('[CRITICAL] 2 schedules failing: TARGET_CLUSTER_NOT_FOUND ×2');
    const warnings = [missedRuns('a', 'x', Severity.warning), checkIncomplete('ecs:ListTasks')];
    expect(email(undefined, warnings).subject).toBe('[WARNING] 1 schedule failing: MISSED_RUNS ×1, CHECK_INCOMPLETE ×1');
    expect(email(undefined, [checkIncomplete('ecs:ListTasks')]).subject).toBe('[WARNING] 1 finding failing: CHECK_INCOMPLETE ×1');
  });

  it('a later alert says what is new, worse and resolved, and marks the rows', () => {
    const first = decide(undefined, [clusterMissing('ops-pipeline', 'a'), clusterMissing('ops-pipeline', 'b'), missedRuns('ops-pipeline', 'c', Severity.warning)], AT);
    const later = new Date('2026-01-29T17:41:00Z');
    const now = [clusterMissing('ops-pipeline', 'a'), clusterMissing('ops-pipeline', 'd'), missedRuns('ops-pipeline', 'c', Severity.critical)];
    const { body, subject } = email(first.next, now, later);
    expect(subject).toBe('[CRITICAL] 3 schedules failing: TARGET_CLUSTER_NOT_FOUND ×2, MISSED_RUNS ×1');
    expect(body).toContain(
      [
        'What changed',
        '  new       TARGET_CLUSTER_NOT_FOUND ×1',
        '  worsened  MISSED_RUNS ×1 (now critical)',
        '  resolved  1:',
        '    ops-pipeline/b  TARGET_CLUSTER_NOT_FOUND',
      ].join('\n'),
    );
    expect(body).toMatch(/ {2}ops-pipeline\/a +critical {10}TARGET_CLUSTER_NOT_FOUND/);
    expect(body).toMatch(/ {2}ops-pipeline\/c +critical {2}worse {3}MISSED_RUNS/);
    expect(body).toMatch(/ {2}ops-pipeline\/d +critical {2}new {5}TARGET_CLUSTER_NOT_FOUND/);
    expect(body).toContain('Failing since Thu 2026-01-29 11:41 ET (1h).');
  });

  it('prints repo paths for runbooks without a base URL, and other zones when asked', () => {
    const { body } = email(undefined, [clusterMissing('a', 'x')], AT, { timezone: 'UTC' });
    expect(body).toContain('  TARGET_CLUSTER_NOT_FOUND  runbooks/TARGET_CLUSTER_NOT_FOUND.md');
    expect(body).toContain('Checked:  Thu 2026-01-29 16:41 UTC · us-west-2');
    expect(body).toContain('Market:   NYSE OPEN, closes 16:00 ET');
  });

  it('cuts the table at MAX_TABLE_ROWS rows', () => {
    const many = Array.from({ length: MAX_TABLE_ROWS + 10 }, (_, i) => clusterMissing('bulk', `job-${String(i).padStart(3, '0')}`));
    const { body, subject } = email(undefined, many);
    expect(subject).toBe(`[CRITICAL] ${MAX_TABLE_ROWS + 10} schedules target missing cluster ops-pipeline`);
    expect(body.split('\n').filter((line) => line.startsWith('  bulk/job-'))).toHaveLength(MAX_TABLE_ROWS);
    expect(body).toContain('  … and 10 more: run ops check-schedulers for the full list');
  });
});

describe('renderAlertEmail: reminder and recovery', () => {
  const evening = new Date('2026-01-29T20:41:00Z'); // 15:41 ET, still open
  const night = new Date('2026-01-29T23:03:00Z'); // 18:03 ET, closed

  it('a reminder says how long it has lasted', () => {
    const first = decide(undefined, incidentClusterFindings(), AT);
    const { decision, subject, body } = email(first.next, incidentClusterFindings(), evening);
    expect(decision.kind).toBe('reminder');
    expect(subject).toBe('[REMINDER] [CRITICAL] for 4h: 12 schedules target missing cluster ops-pipeline');
    expect(body.split('\n').slice(0, 7)).toEqual([
      'REMINDER — still CRITICAL after 4h: 12 schedules target missing cluster ops-pipeline',
      '',
      'Market:   NYSE OPEN, closes 16:00 ET',
      'Checked:  Thu 2026-01-29 15:41 ET · us-west-2 · 13 schedules: 12 critical, 0 warning, 1 healthy',
      '',
      'What changed',
      '  nothing new or worse since the last email',
    ]);
    expect(body).toContain('Failing since Thu 2026-01-29 11:41 ET (4h).');
  });

  it('pins the recovery email', () => {
    const first = decide(undefined, incidentClusterFindings().slice(0, 2), AT);
    const info = finding(FindingCode.NO_DEAD_LETTER_QUEUE, { group: 'ops-pipeline', name: 'ops-pipeline-classifier' }, Severity.info);
    const { decision, subject, body } = email(first.next, [info], night);
    expect(decision.kind).toBe('recovery');
    expect(subject).toBe('[RESOLVED] all schedules healthy again');
    expect(body).toBe(
      [
        'RESOLVED: all 2 failing finding(s) cleared; every schedule is healthy again.',
        '',
        'Market:   NYSE CLOSED (after close), opens Fri 2026-01-30 09:30 ET',
        'Checked:  Thu 2026-01-29 18:03 ET · us-west-2 · 13 schedules: 0 critical, 0 warning, 13 healthy',
        '',
        'Resolved (2)',
        '  ops-pipeline-market/ops-pipeline-dispatcher        TARGET_CLUSTER_NOT_FOUND',
        '  ops-pipeline-market/ops-pipeline-signal-engine-1m  TARGET_CLUSTER_NOT_FOUND',
        '',
        'Still reported below the alert threshold: 1 info (NO_DEAD_LETTER_QUEUE ×1); details: ops check-schedulers.',
        'No further emails until something fails again.',
        '',
      ].join('\n'),
    );
  });

  // The demo's 09:45 recovery: the repaired schedules run again, but the groups' TARGET_ERRORS (the
  // invocations that failed before the repair, still in the metrics window) are warnings below the
  // alert threshold. The email must not call that "every schedule is healthy".
  const targetErrors = (group: string) => finding(FindingCode.TARGET_ERRORS, { group }, Severity.warning, { targetErrors: 30, dropped: 18 });
  const recoveryWith = (findings: Finding[]) => {
    const first = decideAlert(undefined, incidentClusterFindings(), { now: AT, marketOpen: true, reminderHours: 2, minSeverity: Severity.critical });
    const decision = decideAlert(first.next, findings, { now: evening, marketOpen: true, reminderHours: 2, minSeverity: Severity.critical });
    if (!decision.send) throw new Error(decision.reason);
    expect(decision.kind).toBe('recovery');
    return renderAlertEmail(decision, reportOf(findings, evening), { fixCommand: FIX });
  };

  it('a recovery with warnings still reported says which, and does not claim every schedule is healthy', () => {
    const late = missedRuns('ops-pipeline', 'ops-pipeline-rss-ingest', Severity.warning, 1);
    const { subject, body } = recoveryWith([late, targetErrors('ops-pipeline'), targetErrors('ops-pipeline-market')]);
    expect(subject).toBe('[RESOLVED] all alerting findings cleared; 3 warnings still below the alert threshold');
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    const lines = body.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'RESOLVED: all 12 finding(s) that alerted have cleared; nothing is failing at the alert threshold any more.',
      'Not all healthy: 3 warnings are still reported below the threshold (listed at the end); they send no email.',
      '',
      'Market:   NYSE OPEN, closes 16:00 ET',
      'Checked:  Thu 2026-01-29 15:41 ET · us-west-2 · 13 schedules: 0 critical, 1 warning, 12 healthy',
    ]);
    expect(body).toContain(
      'Still reported below the alert threshold: 3 warning (TARGET_ERRORS ×2, MISSED_RUNS ×1: group ops-pipeline, group ops-pipeline-market, ops-pipeline/ops-pipeline-rss-ingest); details: ops check-schedulers.',
    );
    expect(body).not.toMatch(/healthy again/);
  });

  it('a recovery with only group warnings left: no "healthy again" either; one warning reads in the singular', () => {
    const { subject, body } = recoveryWith([targetErrors('ops-pipeline')]);
    expect(subject).toBe('[RESOLVED] all alerting findings cleared; 1 warning still below the alert threshold');
    expect(body).toContain('Not all healthy: 1 warning is still reported below the threshold (listed at the end); they send no email.');
    expect(body).toContain('13 schedules: 0 critical, 0 warning, 13 healthy');
    expect(body).toContain('Still reported below the alert threshold: 1 warning (TARGET_ERRORS ×1: group ops-pipeline); details: ops check-schedulers.');
  });
});

describe('subjects never exceed 100 characters', () => {
  it('fitSubject cuts with … and never splits a surrogate pair or keeps a newline', () => {
    expect(fitSubject('a'.repeat(150))).toBe(`${'a'.repeat(99)}…`);
    expect(fitSubject('a'.repeat(100))).toBe('a'.repeat(100));
    const emoji = fitSubject('😀'.repeat(80));
    expect(emoji.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(emoji).toBe(`${'😀'.repeat(49)}…`);
    expect(fitSubject('line one\r\nline two')).toBe('line one line two');
  });

  const name = fc.string({ minLength: 1, maxLength: 200, unit: fc.constantFrom('a', 'Z', '-', '_', '.', '7', 'é', '😀', '\n', ' ') });
  const code = fc.constantFrom(...Object.values(FindingCode));

  it('for any names, codes and kinds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ group: name, name, cluster: name, code, critical: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('alert', 'reminder', 'recovery'),
        (specs, kind) => {
          const findings = specs.map((s) =>
            finding(s.code, { group: s.group, name: s.name }, s.critical ? Severity.critical : Severity.warning, { clusterArn: `arn:aws:ecs:us-west-2:1:cluster/${s.cluster}` }),
          );
          let decision = decide(undefined, findings, AT);
          let report = reportOf(findings, AT);
          if (kind !== 'alert') {
            const later = kind === 'reminder' ? new Date('2026-01-29T20:41:00Z') : new Date('2026-01-29T17:00:00Z');
            const next = kind === 'reminder' ? findings.map((f) => ({ ...f, severity: Severity.critical })) : [];
            const critical = decideAlert(decision.next, next, { now: AT, marketOpen: true, ...ALERT_POLICY_DEFAULTS });
            const base = kind === 'reminder' ? critical.next : decision.next;
            decision = decide(base, kind === 'reminder' ? next : [], later);
            expect(decision.kind).toBe(kind);
            report = reportOf(next, later);
          }
          const { subject, body } = renderAlertEmail(decision, report, { fixCommand: FIX });
          expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
          expect(subject).not.toMatch(/[\r\n]/);
          expect(subject).toMatch(/^\[(CRITICAL|WARNING|REMINDER|RESOLVED)\]/);
          expect(body.endsWith('\n')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('renderSelfHealedEmail', () => {
  const from = 'arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline';
  const to = 'arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline-cluster';
  const change = (schedule: string, result: string) => ({ schedule, from, to, backup: `.ops/backups/20260129T164200000Z-${schedule.replace('/', '-')}.json`, result });

  it('pins the email after a partly successful repair', () => {
    const { subject, body } = renderSelfHealedEmail({
      changes: [change('ops-pipeline-market/ops-pipeline-dispatcher', 'ok'), change('ops-pipeline/ops-pipeline-classifier', 'failed')],
      report: reportOf(incidentClusterFindings(), AT),
      runbookBaseUrl: 'https://github.com/acme/ops/blob/main',
    });
    expect(subject).toBe('[AUTO-FIX PARTIAL] 1 of 2 schedules repointed to cluster ops-pipeline-cluster');
    expect(body).toBe(
      [
        'The healthcheck tried to repair 2 schedules: 1 repointed, 1 not. The rest need a person.',
        '',
        'Market:   NYSE OPEN, closes 16:00 ET',
        'Checked:  Thu 2026-01-29 11:41 ET · us-west-2 · 13 schedules: 12 critical, 0 warning, 1 healthy',
        'Still reported after the repair: 12 critical (TARGET_CLUSTER_NOT_FOUND ×12: ops-pipeline-market/ops-pipeline-dispatcher, ops-pipeline-market/ops-pipeline-dispatcher-tiny, ops-pipeline-market/ops-pipeline-signal-engine-1m, ops-pipeline-market/ops-pipeline-watchlist-engine-5m and 8 more).',
        '',
        'Changes',
        '  SCHEDULE                                     RESULT  FROM          TO                    BACKUP',
        '  ops-pipeline-market/ops-pipeline-dispatcher  ok      ops-pipeline  ops-pipeline-cluster  .ops/backups/20260129T164200000Z-ops-pipeline-market-ops-pipeline-dispatcher.json',
        '  ops-pipeline/ops-pipeline-classifier         failed  ops-pipeline  ops-pipeline-cluster  .ops/backups/20260129T164200000Z-ops-pipeline-ops-pipeline-classifier.json',
        '',
        'Undo (one schedule, from the backup listed above)',
        '  ops rollback <BACKUP> --yes',
        '',
        'Confirm',
        '  ops check-schedulers',
        '',
        'Runbook',
        '  TARGET_CLUSTER_NOT_FOUND  https://github.com/acme/ops/blob/main/runbooks/TARGET_CLUSTER_NOT_FOUND.md',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['all repaired', ['ok', 'ok', 'unchanged'], '[AUTO-FIXED] 2 schedules repointed to cluster ops-pipeline-cluster'],
    ['none repaired', ['failed', 'skipped'], '[AUTO-FIX FAILED] 0 of 2 schedules repointed to cluster ops-pipeline-cluster'],
    ['nothing to do', [], '[AUTO-FIX] nothing was changed'],
  ])('subject when %s', (_name, results, subject) => {
    const changes = results.map((result, i) => change(`g/s${i}`, result));
    expect(renderSelfHealedEmail({ changes, report: reportOf([], AT) }).subject).toBe(subject);
  });

  it('says what the check still reports after a full repair, so "repaired" is not read as "healthy"', () => {
    const changes = [change('ops-pipeline-market/ops-pipeline-dispatcher', 'ok')];
    const warnings = [finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline-market' }, Severity.warning)];
    const info = [finding(FindingCode.NO_DEAD_LETTER_QUEUE, { group: 'ops-pipeline', name: 'ops-pipeline-classifier' }, Severity.info)];
    const withWarnings = renderSelfHealedEmail({ changes, report: reportOf([...warnings, ...info], AT) }).body.split('\n');
    expect(withWarnings.slice(2, 6)).toEqual([
      'Market:   NYSE OPEN, closes 16:00 ET',
      'Checked:  Thu 2026-01-29 11:41 ET · us-west-2 · 13 schedules: 0 critical, 0 warning, 13 healthy',
      'Still reported after the repair: 1 warning (TARGET_ERRORS ×1: group ops-pipeline-market), 1 info (NO_DEAD_LETTER_QUEUE ×1).',
      '',
    ]);
    const clean = renderSelfHealedEmail({ changes, report: reportOf([], AT) }).body;
    expect(clean).toContain('After the repair the check reports nothing.');
  });

  it('keeps long subjects within 100 characters', () => {
    const long = `arn:aws:ecs:us-west-2:1:cluster/${'x'.repeat(150)}`;
    const { subject } = renderSelfHealedEmail({ changes: [{ ...change('g/s', 'ok'), to: long }], report: reportOf([], AT) });
    expect(subject.length).toBe(MAX_SUBJECT_LENGTH);
    expect(subject.endsWith('…')).toBe(true);
  });
});
