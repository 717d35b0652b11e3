/**
 * What `npm run demo` prints about each healthcheck and at the end of each part: every line agrees with
 * the emails printed next to it and with the exit code it shows (issue 12, row 8).
 */
import { describe, expect, it } from 'vitest';
import { demoVerdict, narrateHealthcheck, timelineLines, type HealthcheckDoc, type ReportDoc } from '../../../../src/entry/demo/narration.ts';

type Doc = ReportDoc['findings'][number];
const cluster = (name: string): Doc => ({ code: 'TARGET_CLUSTER_NOT_FOUND', severity: 'critical', schedule: { name }, message: 'targets ECS cluster ops-pipeline' });
const targetErrors = (group: string): Doc => ({ code: 'TARGET_ERRORS', severity: 'warning', group, message: `schedule group ${group}: target errors` });
const noDlq = (name: string): Doc => ({ code: 'NO_DEAD_LETTER_QUEUE', severity: 'info', schedule: { name }, message: 'no dead-letter queue' });

function report(findings: Doc[], unhealthy: number): ReportDoc {
  return { ok: !findings.some((f) => f.severity !== 'info'), failOn: 'warning', summary: { unhealthySchedules: unhealthy, otherFindings: findings.filter((f) => !f.schedule).length }, findings };
}

const broken = report([...Array.from({ length: 12 }, (_, i) => cluster(`job-${i}`)), targetErrors('ops-pipeline'), targetErrors('ops-pipeline-market'), noDlq('job-1')], 12);
const repaired = report([targetErrors('ops-pipeline'), targetErrors('ops-pipeline-market'), noDlq('job-1')], 0);

describe('narrateHealthcheck', () => {
  it('an auto-fix that sent the [AUTO-FIXED] email says so, instead of "no alert email" alone', () => {
    const doc: HealthcheckDoc = {
      report: repaired,
      reportBeforeFix: broken,
      alert: { status: 'decided', sent: false, reason: 'no findings at or above critical' },
      autoFix: { status: 'applied', healed: 12 },
      selfHealedEmail: { subject: '[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster', sent: true },
    };
    const said = narrateHealthcheck(doc, 1, { repaired: true });
    expect(said.unhealthy).toBe(12);
    expect(said.summary).toBe(
      '12 unhealthy schedules → auto-fix repointed 12 → 0 unhealthy schedules · 2 group/check findings (warning: TARGET_ERRORS ×2): invocations that failed before the repair, still in the metrics window',
    );
    expect(said.emails).toBe('[AUTO-FIXED] email sent; no alert email: no findings at or above critical');
    expect(said.outcome).toBe(`${said.emails} · exit 1 (2 warning findings: it exits 1 on warning or worse, but only critical findings email)`);
  });

  it('"0 unhealthy · recovery sent · exit 1": the exit code says which findings it counts and that they do not email', () => {
    const doc: HealthcheckDoc = {
      report: repaired,
      alert: { status: 'decided', sent: true, kind: 'recovery', subject: '[RESOLVED] all alerting findings cleared; 2 warnings still below the alert threshold', reason: 'all 17 failing finding(s) resolved' },
      autoFix: { status: 'off' },
    };
    const said = narrateHealthcheck(doc, 1, { repaired: true });
    expect(said.summary).toMatch(/^0 unhealthy schedules · 2 group\/check findings \(warning: TARGET_ERRORS ×2\)/);
    expect(said.outcome).toBe('[RESOLVED] recovery email sent · exit 1 (2 warning findings: it exits 1 on warning or worse, but only critical findings email)');
  });

  it('before a repair: the alert, the critical and warning findings the exit code counts, and the failed invocations', () => {
    const doc: HealthcheckDoc = {
      report: broken,
      alert: { status: 'decided', sent: true, kind: 'alert', subject: '[CRITICAL] 12 schedules target missing cluster ops-pipeline', reason: 'failing set changed (12 new)' },
      autoFix: { status: 'off' },
    };
    const said = narrateHealthcheck(doc, 1, { repaired: false });
    expect(said.summary).toBe('12 unhealthy schedules · 2 group/check findings (warning: TARGET_ERRORS ×2): failed invocations in the metrics window');
    expect(said.outcome).toBe('[CRITICAL] alert email sent · exit 1 (12 critical + 2 warning findings)');
  });

  it('no email: the policy\'s reason, without the reminder schedule; a healthy run exits 0 and says why', () => {
    const quiet: HealthcheckDoc = {
      report: broken,
      alert: { status: 'decided', sent: false, reason: 'failing set unchanged (12 finding(s) at or above critical); next reminder due at 2026-11-23T16:35:00.000Z if the market is open' },
      autoFix: { status: 'off' },
    };
    expect(narrateHealthcheck(quiet, 1, { repaired: false }).emails).toBe('no alert email: failing set unchanged (12 finding(s) at or above critical)');
    const healthy: HealthcheckDoc = { report: report([noDlq('job-1')], 0), alert: { status: 'decided', sent: false, reason: 'no findings at or above critical' }, autoFix: { status: 'off' } };
    expect(narrateHealthcheck(healthy, 0, { repaired: true })).toMatchObject({
      summary: '0 unhealthy schedules',
      outcome: 'no alert email: no findings at or above critical · exit 0 (nothing at or above warning)',
    });
  });

  it('an exit 1 with nothing at the fail-on threshold is the run\'s own failure, and says so', () => {
    const doc: HealthcheckDoc = {
      report: report([], 0),
      alert: { status: 'decided', sent: false, kind: 'recovery', publishError: 'AuthorizationError: denied', reason: 'all 12 resolved' },
      autoFix: { status: 'off' },
      errors: [],
    };
    expect(narrateHealthcheck(doc, 1, { repaired: true }).outcome).toBe(
      'recovery email NOT sent (AuthorizationError: denied); the next run retries · exit 1: the run itself had errors (an email was not published or the auto-fix was refused)',
    );
  });
});

describe('timelineLines', () => {
  const open = new Date('2026-11-23T14:30:00Z');
  const at = (m: number) => new Date(open.getTime() + m * 60_000);
  const et = (d: Date) => `+${(d.getTime() - open.getTime()) / 60_000}m`;

  it('part 2: the first email is the [AUTO-FIXED] one, and the recovery row says why none is owed', () => {
    const lines = timelineLines(
      { firstMissedRun: at(0), detection: at(5), alert: at(5), repair: at(5), firstTaskStarted: at(6) },
      [{ subject: '[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster', at: at(5) }],
      et,
    );
    expect(lines).toContain('  first email          +5m  [AUTO-FIXED]');
    expect(lines).toContain('  recovery emailed     —  (no alert went out, so no recovery is owed: the only email was [AUTO-FIXED], sent after the repair)');
    expect(lines.at(-1)).toBe('  detection latency: 5.0 virtual min · repair latency: 5.0 virtual min (the 2026-01-29 outage: 6.5 hours, nobody told)');
  });

  it('part 1: the alert, then the recovery; an alert without a recovery yet says it is still owed', () => {
    const emails = [
      { subject: '[CRITICAL] 12 schedules failing', at: at(5) },
      { subject: '[RESOLVED] all alerting findings cleared', at: at(15) },
    ];
    const lines = timelineLines({ firstMissedRun: at(0), detection: at(5), alert: at(5), repair: at(10), firstTaskStarted: at(11), recovery: at(15) }, emails, et);
    expect(lines).toContain('  first email          +5m  [CRITICAL]');
    expect(lines).toContain('  recovery emailed     +15m');
    const pending = timelineLines({ firstMissedRun: at(0), detection: at(5), alert: at(5) }, emails.slice(0, 1), et);
    expect(pending).toContain('  recovery emailed     —  (not yet: the findings that alerted have not all cleared)');
  });
});

describe('demoVerdict', () => {
  const open = new Date('2026-11-23T14:30:00Z');
  const at = (m: number) => new Date(open.getTime() + m * 60_000);
  const healed = { detection: at(5), repair: at(10), firstTaskStarted: at(11) };

  it('exit 0 when every part detected, repaired and then saw a task start; it tells its exit code from the healthchecks\'', () => {
    const verdict = demoVerdict([
      { mode: 'manual-fix', timeline: healed, healthchecks: [{ exitCode: 1 }, { exitCode: 1 }] },
      { mode: 'auto-fix', timeline: healed, healthchecks: [{ exitCode: 1 }] },
    ]);
    expect(verdict).toEqual({
      exitCode: 0,
      line: "ops demo: exit 0: both parts detected the fault, repaired it and saw a task start after the repair; a healthcheck's exit code above is its own: 1 while anything at or above warning is reported.",
    });
  });

  it('exit 1 names the part that did not heal', () => {
    const verdict = demoVerdict([
      { mode: 'manual-fix', timeline: healed, healthchecks: [{ exitCode: 0 }] },
      { mode: 'auto-fix', timeline: { detection: at(5) }, healthchecks: [{ exitCode: 1 }] },
    ]);
    expect(verdict).toEqual({ exitCode: 1, line: 'ops demo: exit 1: auto-fix did not detect the fault, repair it and see a task start after the repair.' });
    expect(demoVerdict([{ mode: 'auto-fix', timeline: healed, healthchecks: [{ exitCode: 0 }] }]).line).toBe(
      'ops demo: exit 0: the part detected the fault, repaired it and saw a task start after the repair.',
    );
  });
});
