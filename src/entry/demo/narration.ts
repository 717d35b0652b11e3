/**
 * What the demo prints about each healthcheck run and at the end of each part, as pure functions of
 * the `ops healthcheck --json` document and the exit code: every line has to agree with the emails the
 * demo shows next to it and with the exit code it prints (a healthcheck that sent the [AUTO-FIXED]
 * email did send an email; `exit 1` after "0 unhealthy" says which findings it counts).
 */
import { atLeast, Severity, severityRank } from '../../checks/finding.ts';
import { HEALTHCHECK_DEFAULTS } from '../../healthcheck/run-healthcheck.ts';

export interface ReportDoc {
  ok?: boolean;
  failOn?: string;
  summary: { unhealthySchedules: number; otherFindings: number };
  findings: { code: string; severity: string; schedule?: { name: string }; group?: string; message: string }[];
}

/** The parts of `ops healthcheck --json` the demo reads. */
export interface HealthcheckDoc {
  report: ReportDoc;
  reportBeforeFix?: ReportDoc;
  alert: { status: string; sent?: boolean; kind?: string; subject?: string; reason?: string; error?: string; publishError?: string };
  autoFix: { status: string; healed?: number };
  selfHealedEmail?: { subject: string; sent: boolean; error?: string };
  errors?: { stage: string; message: string }[];
}

export interface HealthcheckNarration {
  /** The check: unhealthy schedules, the auto-fix, what else is reported. */
  summary: string;
  /** The emails this run sent (or why none) and the exit code with what it counts. */
  outcome: string;
  /** Schedules before the auto-fix changed anything (the count the detection is based on). */
  unhealthy: number;
  /** The emails, short: `[CRITICAL] alert email sent`, `[AUTO-FIXED] email sent; no alert email`. */
  emails: string;
}

/** The alert threshold the demo's healthcheck runs with (it passes no --alert-min-severity). */
const ALERT_MIN_SEVERITY: Severity = HEALTHCHECK_DEFAULTS.alertMinSeverity;

/** `repaired`: the schedules were repaired in this run or before it (group metrics still hold the failures). */
export function narrateHealthcheck(doc: HealthcheckDoc, exitCode: number, context: { repaired: boolean }): HealthcheckNarration {
  const before = doc.reportBeforeFix ?? doc.report;
  const unhealthy = before.summary.unhealthySchedules;
  const healed = doc.autoFix.status === 'applied' ? ` → auto-fix repointed ${doc.autoFix.healed ?? 0} → ${plural(doc.report.summary.unhealthySchedules, 'unhealthy schedule')}` : '';
  const summary = `${plural(unhealthy, 'unhealthy schedule')}${healed}${groupFindings(doc.report, context.repaired)}`;
  const emails = emailsOf(doc);
  return { summary, outcome: `${emails} · ${exitOf(doc, exitCode)}`, unhealthy, emails };
}

/** ` · 2 group/check findings (warning: TARGET_ERRORS ×2): invocations that failed before the repair, still in the metrics window`. */
function groupFindings(report: ReportDoc, repaired: boolean): string {
  const others = report.findings.filter((f) => f.schedule === undefined && f.severity !== Severity.info);
  if (others.length === 0) return '';
  const tiers = bySeverity(others).map(([severity, findings]) => `${severity}: ${codeCounts(findings)}`);
  const onlyTargetErrors = others.every((f) => f.code === 'TARGET_ERRORS');
  const what = repaired ? 'invocations that failed before the repair, still in the metrics window' : 'failed invocations in the metrics window';
  const why = onlyTargetErrors ? `: ${what}` : others.some((f) => f.code === 'TARGET_ERRORS') ? ` (TARGET_ERRORS: ${what})` : '';
  return ` · ${plural(others.length, 'group/check finding')} (${tiers.join('; ')})${why}`;
}

function emailsOf(doc: HealthcheckDoc): string {
  const parts: string[] = [];
  const healedEmail = doc.selfHealedEmail;
  if (healedEmail) parts.push(healedEmail.sent ? `${tagOf(healedEmail.subject)} email sent` : `${tagOf(healedEmail.subject)} email NOT sent (${healedEmail.error ?? 'unknown error'})`);
  const { alert } = doc;
  if (alert.status === 'decided') {
    const kind = alert.kind ?? 'alert';
    const error = alert.error ?? alert.publishError;
    if (alert.sent) parts.push(`${alert.subject ? `${tagOf(alert.subject)} ` : ''}${kind} email sent`);
    else if (error !== undefined) parts.push(`${kind} email NOT sent (${error}); the next run retries`);
    else parts.push(`no alert email${alert.reason ? `: ${firstClause(alert.reason)}` : ''}`);
  } else if (alert.status === 'failed') parts.push(`alert FAILED: ${alert.error ?? 'unknown error'}`);
  else parts.push('no alert email (alerting off)');
  return parts.join('; ');
}

/** `exit 1: 2 warning finding(s) …` — what the exit code counts, so it never reads as a contradiction. */
function exitOf(doc: HealthcheckDoc, exitCode: number): string {
  const failOn = asSeverity(doc.report.failOn) ?? Severity.warning;
  const counted = doc.report.findings.filter((f) => {
    const severity = asSeverity(f.severity);
    return severity !== undefined && atLeast(severity, failOn);
  });
  if (exitCode === 0) return `exit 0 (nothing at or above ${failOn})`;
  if (exitCode === 1 && counted.length > 0) {
    const tiers = bySeverity(counted).map(([severity, findings]) => `${findings.length} ${severity}`);
    const belowAlert = counted.filter((f) => {
      const severity = asSeverity(f.severity);
      return severity !== undefined && !atLeast(severity, ALERT_MIN_SEVERITY);
    });
    // Without this, "0 unhealthy · recovery sent · exit 1" reads as a contradiction.
    const note = belowAlert.length === counted.length ? `: it exits 1 on ${failOn} or worse, but only ${ALERT_MIN_SEVERITY} findings email` : '';
    return `exit 1 (${tiers.join(' + ')} finding${counted.length === 1 ? '' : 's'}${note})`;
  }
  const errors = (doc.errors ?? []).map((e) => `${e.stage}: ${e.message}`);
  if (exitCode === 1) return `exit 1: the run itself had errors${errors.length > 0 ? ` (${errors.join('; ')})` : ' (an email was not published or the auto-fix was refused)'}`;
  return `exit ${exitCode}`;
}

export interface EmailSeen {
  subject: string;
  at: Date;
}

export interface TimelinePoints {
  firstMissedRun?: Date;
  detection?: Date;
  alert?: Date;
  repair?: Date;
  firstTaskStarted?: Date;
  recovery?: Date;
}

/** The closing timeline of a part; `et` formats an instant as `09:35 ET`. */
export function timelineLines(t: TimelinePoints, emails: readonly EmailSeen[], et: (at: Date) => string): string[] {
  const row = (label: string, at: Date | undefined, note = '') => `  ${label.padEnd(20)} ${at ? et(at) : '—'}${note}`;
  const since = (at: Date | undefined) => (at && t.firstMissedRun ? `${((at.getTime() - t.firstMissedRun.getTime()) / 60_000).toFixed(1)} virtual min` : '—');
  const first = emails[0];
  const alerted = emails.some((e) => /^\[(CRITICAL|WARNING|REMINDER)\]/.test(e.subject));
  const tags = [...new Set(emails.map((e) => tagOf(e.subject)))];
  const noRecovery = t.recovery
    ? ''
    : !alerted
      ? emails.length > 0
        ? `  (no alert went out, so no recovery is owed: the only email was ${tags.join(', ')}, sent after the repair)`
        : '  (no alert went out, so no recovery is owed)'
      : '  (not yet: the findings that alerted have not all cleared)';
  return [
    '',
    'Timeline',
    row('first missed run', t.firstMissedRun),
    row('detected', t.detection),
    row('first email', t.alert, first ? `  ${tagOf(first.subject)}` : ''),
    row('repaired', t.repair),
    row('first task started', t.firstTaskStarted),
    row('recovery emailed', t.recovery, noRecovery),
    `  detection latency: ${since(t.detection)} · repair latency: ${since(t.repair)} (the 2026-01-29 outage: 6.5 hours, nobody told)`,
  ];
}

export interface PartOutcome {
  mode: string;
  timeline: TimelinePoints;
  healthchecks: readonly { exitCode: number }[];
}

/** The demo's own verdict and exit code: each part saw the fault, repaired it, then saw a task start. */
export function demoVerdict(parts: readonly PartOutcome[]): { exitCode: 0 | 1; line: string } {
  const failed = parts.filter((p) => {
    const t = p.timeline;
    return !(t.detection && t.repair && t.firstTaskStarted && t.firstTaskStarted >= t.repair);
  });
  if (parts.length > 0 && failed.length === 0) {
    const which = parts.length === 1 ? 'the part' : parts.length === 2 ? 'both parts' : `all ${parts.length} parts`;
    const own = parts.some((p) => p.healthchecks.some((h) => h.exitCode !== 0))
      ? "; a healthcheck's exit code above is its own: 1 while anything at or above warning is reported"
      : '';
    return { exitCode: 0, line: `ops demo: exit 0: ${which} detected the fault, repaired it and saw a task start after the repair${own}.` };
  }
  const names = failed.map((p) => p.mode).join(', ');
  return { exitCode: 1, line: `ops demo: exit 1: ${names === '' ? 'no part ran' : `${names} did not detect the fault, repair it and see a task start after the repair`}.` };
}

/** Command output and emails, set off from the narration by four spaces. */
export function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function tagOf(subject: string): string {
  return /^\[[^\]]+\]/.exec(subject)?.[0] ?? subject;
}

/** `failing set unchanged (17 finding(s) at or above critical)` of a reason that goes on after `; `. */
function firstClause(reason: string): string {
  return reason.split('; ')[0] ?? reason;
}

function asSeverity(value: string | undefined): Severity | undefined {
  return value === Severity.critical || value === Severity.warning || value === Severity.info ? value : undefined;
}

function bySeverity<T extends { severity: string }>(findings: readonly T[]): [Severity, T[]][] {
  const tiers = new Map<Severity, T[]>();
  for (const f of findings) {
    const severity = asSeverity(f.severity);
    if (severity === undefined) continue;
    tiers.set(severity, [...(tiers.get(severity) ?? []), f]);
  }
  return [...tiers].sort(([a], [b]) => severityRank(b) - severityRank(a));
}

function codeCounts(findings: readonly { code: string }[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
