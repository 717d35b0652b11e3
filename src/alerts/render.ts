/**
 * Alert decisions → plain-text emails (SNS email protocol: a subject ≤ 100 characters and a text body).
 *
 * The subject says how bad and how many at a glance; the body says what the market is doing, what
 * changed since the last email, which schedules are affected with the evidence that matters, the exact
 * repair command, and where the runbooks are. Rendering is pure: every time comes from the report and the
 * decision.
 */
import { severityRank, Severity, FindingCode, type Finding } from '../checks/finding.ts';
import { CHECKS } from '../checks/registry.ts';
import type { CheckReport } from '../checks/report.ts';
import { NYSE_TIMEZONE } from '../market/index.ts';
import { describeFingerprint, fingerprintOf } from './fingerprint.ts';
import type { SendDecision } from './policy.ts';
import type { FailingEntry } from './state.ts';
import { clockTime, duration, isoInstant, shortTime, wallTime } from './time.ts';

export interface AlertEmail {
  subject: string;
  body: string;
}

export interface AlertEmailOptions {
  /** The exact repair command, e.g. `ops check-schedulers --fix --map ops-pipeline=ops-pipeline-cluster`. */
  fixCommand: string;
  /** e.g. `https://github.com/acme/ops/blob/main`; runbook paths are appended. Without it, repo paths are printed. */
  runbookBaseUrl?: string;
  /** Zone for times other than the market line (always ET); default America/New_York. */
  timezone?: string;
  /** One line on why the check ran, e.g. a change-driven run's `Checked because of UpdateSchedule by … at …`. */
  cause?: string;
  /** Where the check ran, when one alert stream is one of many (org mode's account and region). */
  where?: EmailPlace;
}

/**
 * `short` goes in the subject after the severity (`prod-trading us-east-1`: a subject has 100
 * characters, and what failed must fit too); `full` is the body's `Where:` line under the headline
 * (`prod-trading (111111111111) us-east-1`).
 */
export interface EmailPlace {
  short: string;
  full: string;
}

/** SNS rejects longer email subjects. */
export const MAX_SUBJECT_LENGTH = 100;
/** Rows of the affected-schedules table before it is cut (the CLI lists everything). */
export const MAX_TABLE_ROWS = 50;
const MAX_LISTED_RESOLVED = 20;

/** Evidence worth a glance in an email, in the order shown. */
const EVIDENCE_HIGHLIGHTS = [
  'clusterArn',
  'clusterStatus',
  'taskDefinitionArn',
  'status',
  'roleArn',
  'functionArn',
  'deadLetterArn',
  'missedCount',
  'lastRunAt',
  'firstMissed',
  'state',
  'endDate',
  'reason',
  'targetErrors',
  'dropped',
  'sentToDeadLetter',
  'action',
  'errorName',
  'affectedCount',
  // Dead letters (INVOCATION_FAILED): the lost run and what the target answered.
  'scheduledTime',
  'errorCode',
  'occurrences',
  'errorMessage',
  'bodyExcerpt',
] as const;

const CLUSTER_PHRASES: Partial<Record<string, string>> = {
  [FindingCode.TARGET_CLUSTER_NOT_FOUND]: 'missing',
  [FindingCode.TARGET_CLUSTER_INACTIVE]: 'inactive',
};

export function renderAlertEmail(decision: SendDecision, report: CheckReport, options: AlertEmailOptions): AlertEmail {
  const timezone = options.timezone ?? NYSE_TIMEZONE;
  const findings = findingsByFingerprint(report.findings);
  const failing = Object.entries(decision.next.failing);
  const lines: string[] = [];
  let subject: string;

  switch (decision.kind) {
    case 'alert': {
      const worst = worstSeverity(failing);
      const phrase = describeFailingSet(failing, findings);
      subject = `[${worst.toUpperCase()}] ${placed(options.where, ': ')}${phrase}`;
      lines.push(`${worst.toUpperCase()}: ${phrase}`, '');
      lines.push(...failureDetails(decision, failing, findings, report, timezone, options));
      lines.push('You get one email per change, reminders while critical findings persist during market hours, and one email when every finding that alerted has cleared.');
      break;
    }
    case 'reminder': {
      const worst = worstSeverity(failing);
      const phrase = describeFailingSet(failing, findings);
      const lasting = duration(nowOf(decision, report) - earliestSince(failing, decision, report));
      subject = `[REMINDER] [${worst.toUpperCase()}] ${placed(options.where, ' ')}for ${lasting}: ${phrase}`;
      lines.push(`REMINDER — still ${worst.toUpperCase()} after ${lasting}: ${phrase}`, '');
      lines.push(...failureDetails(decision, failing, findings, report, timezone, options));
      lines.push('Reminders repeat while critical findings persist and the market is open.');
      break;
    }
    case 'recovery': {
      // "Healthy" only when nothing but info is left: a warning below the alert threshold (the
      // TARGET_ERRORS of the runs that failed before the repair, a MISSED_RUNS outside market hours)
      // is still a warning, and the status line counts it.
      const resolved = decision.changes.resolved.length;
      const open = report.findings.filter((f) => f.severity !== Severity.info).length;
      const noun = report.findings.some((f) => f.severity === Severity.critical) ? 'finding' : 'warning';
      if (open === 0) {
        subject = `[RESOLVED] ${placed(options.where, ': ')}all schedules healthy again`;
        lines.push(`RESOLVED: all ${resolved} failing finding(s) cleared; every schedule is healthy again.`, '');
      } else {
        subject = `[RESOLVED] ${placed(options.where, ': ')}all alerting findings cleared; ${plural(open, noun)} still below the alert threshold`;
        lines.push(
          `RESOLVED: all ${resolved} finding(s) that alerted have cleared; nothing is failing at the alert threshold any more.`,
          `Not all healthy: ${plural(open, noun)} ${open === 1 ? 'is' : 'are'} still reported below the threshold (listed at the end); they send no email.`,
          '',
        );
      }
      lines.push(...statusLines(report, timezone), '');
      lines.push(`Resolved (${resolved})`, ...resolvedLines(decision.changes.resolved, MAX_TABLE_ROWS), '');
      const below = stillReported(report);
      if (below !== undefined) lines.push(`Still reported below the alert threshold: ${below}; details: ops check-schedulers.`);
      lines.push('No further emails until something fails again.');
      break;
    }
  }
  // Under the headline: what the reader learns first after how bad it is, then where and why.
  if (options.cause !== undefined) lines.splice(1, 0, options.cause);
  if (options.where !== undefined) lines.splice(1, 0, `Where:    ${options.where.full}`);
  return { subject: fitSubject(subject), body: `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n` };
}

export interface SelfHealedChange {
  /** `group/name`. */
  schedule: string;
  /** Cluster ARN before. */
  from: string;
  /** Cluster ARN after. */
  to: string;
  /** Where the previous definition was saved (file or S3 URI). */
  backup: string;
  /** The write's status: `ok`, `unchanged`, `skipped`, `failed`, or a reason. */
  result: string;
}

/** The email the healthcheck sends after repairing schedules on its own. */
export function renderSelfHealedEmail(input: { changes: SelfHealedChange[]; report: CheckReport; runbookBaseUrl?: string; where?: EmailPlace }): AlertEmail {
  const { changes, report } = input;
  const repointed = changes.filter((c) => c.result === 'ok');
  const problems = changes.filter((c) => c.result !== 'ok' && c.result !== 'unchanged');
  const targets = [...new Set(changes.map((c) => c.to))];
  const where = targets.length === 1 ? `cluster ${clusterName(targets[0] ?? '')}` : `${targets.length} clusters`;
  const n = changes.length;
  let subject: string;
  const at = placed(input.where, ': ');
  if (n === 0) subject = `[AUTO-FIX] ${at}nothing was changed`;
  else if (problems.length === 0) subject = `[AUTO-FIXED] ${at}${plural(repointed.length, 'schedule')} repointed to ${where}`;
  else if (repointed.length === 0) subject = `[AUTO-FIX FAILED] ${at}0 of ${plural(n, 'schedule')} repointed to ${where}`;
  else subject = `[AUTO-FIX PARTIAL] ${at}${repointed.length} of ${plural(n, 'schedule')} repointed to ${where}`;

  const lines: string[] = [];
  lines.push(
    problems.length === 0
      ? `The healthcheck repaired ${plural(repointed.length, 'schedule')} on its own: Target.Arn now names an existing cluster; every other field was written back unchanged.`
      : `The healthcheck tried to repair ${plural(n, 'schedule')}: ${repointed.length} repointed, ${problems.length} not. The rest need a person.`,
    '',
  );
  if (input.where !== undefined) lines.push(`Where:    ${input.where.full}`);
  lines.push(...statusLines(report, NYSE_TIMEZONE));
  // The report is the one after the repair: say what it still reports, so "repaired" is not read as "healthy".
  const after = stillReported(report);
  lines.push(after === undefined ? 'After the repair the check reports nothing.' : `Still reported after the repair: ${after}.`, '');
  if (n > 0) {
    lines.push('Changes');
    lines.push(
      ...table(
        ['SCHEDULE', 'RESULT', 'FROM', 'TO', 'BACKUP'],
        changes.map((c) => [c.schedule, c.result, clusterName(c.from), clusterName(c.to), c.backup]),
      ),
      '',
    );
    lines.push('Undo (one schedule, from the backup listed above)', '  ops rollback <BACKUP> --yes', '');
  }
  lines.push('Confirm', '  ops check-schedulers', '');
  lines.push('Runbook', `  ${FindingCode.TARGET_CLUSTER_NOT_FOUND}  ${runbookLink(`runbooks/${FindingCode.TARGET_CLUSTER_NOT_FOUND}.md`, input.runbookBaseUrl)}`);
  return { subject: fitSubject(subject), body: `${lines.join('\n').trimEnd()}\n` };
}

// ── subject ─────────────────────────────────────────────────────────────────────────────────────

/** `prod-trading us-east-1: ` for a subject, or nothing. */
function placed(where: EmailPlace | undefined, separator: string): string {
  return where === undefined || where.short === '' ? '' : `${where.short}${separator}`;
}

/** One line, at most MAX_SUBJECT_LENGTH characters, cut with `…` (never inside a surrogate pair). */
export function fitSubject(subject: string): string {
  const line = subject.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  if (line.length <= MAX_SUBJECT_LENGTH) return line;
  let cut = '';
  for (const char of line) {
    if (cut.length + char.length + 1 > MAX_SUBJECT_LENGTH) break;
    cut += char;
  }
  return `${cut.trimEnd()}…`;
}

/**
 * `12 schedules target missing cluster ops-pipeline` when every finding of the worst severity is the
 * same missing (or inactive) cluster; else `12 schedules failing: TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5`.
 */
function describeFailingSet(failing: [string, FailingEntry][], findings: Map<string, Finding>): string {
  const worst = worstSeverity(failing);
  const tier = failing.filter(([, entry]) => entry.severity === worst);
  const codes = new Set(tier.map(([, entry]) => entry.code));
  const [onlyCode] = codes;
  if (codes.size === 1 && onlyCode === FindingCode.MONITOR_BLIND) {
    const blind = findings.get(tier[0]?.[0] ?? '');
    const action = typeof blind?.evidence.action === 'string' ? blind.evidence.action : 'the AWS calls';
    const errorName = typeof blind?.evidence.errorName === 'string' ? ` (${blind.evidence.errorName})` : '';
    return `the monitor cannot see: ${action} failed${errorName}`;
  }
  if (codes.size === 1 && onlyCode === FindingCode.INVOCATION_FAILED) {
    // `invocation failed: ops-pipeline/classifier: ClusterNotFoundException`, the error from this batch's dead letters.
    const schedules = [...new Set(tier.flatMap(([, entry]) => (entry.schedule !== undefined ? [entry.schedule] : [])))];
    const errors = [
      ...new Set(
        tier.flatMap(([fingerprint]) => {
          const code = findings.get(fingerprint)?.evidence.errorCode;
          return typeof code === 'string' ? [code] : [];
        }),
      ),
    ];
    // Messages on a dead-letter queue that name no schedule count with the other findings.
    const others = failing.length - tier.length + tier.filter(([, entry]) => entry.schedule === undefined).length;
    const more = (n: number) => (n > 0 ? ` (+${n} more finding${n === 1 ? '' : 's'})` : '');
    if (schedules.length === 0) return `unrecognised message on dead-letter ${distinctSubjects(tier).size === 1 ? describeFingerprint(tier[0]![0]).subject : 'queues'}${more(failing.length - tier.length)}`;
    const what = errors.length > 0 ? `: ${errors.join(', ')}` : '';
    return `${schedules.length === 1 ? `invocation failed: ${schedules[0]}` : `invocations failed for ${schedules.length} schedules`}${what}${more(others)}`;
  }
  const adjective = codes.size === 1 && onlyCode !== undefined ? CLUSTER_PHRASES[onlyCode] : undefined;
  if (adjective !== undefined) {
    const clusters = new Set(tier.map(([fingerprint]) => findings.get(fingerprint)?.evidence.clusterArn));
    const [cluster] = clusters;
    if (clusters.size === 1 && typeof cluster === 'string') {
      const others = failing.length - tier.length;
      const more = others > 0 ? ` (+${others} more finding${others === 1 ? '' : 's'})` : '';
      return `${plural(distinctSubjects(tier).size, 'schedule')} target ${adjective} cluster ${clusterName(cluster)}${more}`;
    }
  }
  const list = codeCounts(failing.map(([, entry]) => entry));
  const schedules = new Set(failing.flatMap(([, entry]) => (entry.schedule !== undefined ? [entry.schedule] : []))).size;
  const head = schedules > 0 ? `${plural(schedules, 'schedule')} failing` : `${plural(failing.length, 'finding')} failing`;
  return `${head}: ${list}`;
}

// ── body parts ──────────────────────────────────────────────────────────────────────────────────

function statusLines(report: CheckReport, timezone: string): string[] {
  const { market, summary } = report;
  const closes = isoInstant(market.closesAt);
  const opens = isoInstant(market.opensAt);
  const marketLine = market.open
    ? `Market:   ${market.name} OPEN${closes ? `, closes ${clockTime(closes, NYSE_TIMEZONE)}` : ''}`
    : `Market:   ${market.name} CLOSED (${market.reason ?? 'closed'})${opens ? `, opens ${wallTime(opens, NYSE_TIMEZONE)}` : ''}`;
  const checkedAt = isoInstant(report.generatedAt);
  const bySeverity = summary.schedulesBySeverity;
  const counts = `${plural(summary.schedules, 'schedule')}: ${bySeverity.critical} critical, ${bySeverity.warning} warning, ${bySeverity.healthy + bySeverity.info} healthy`;
  return [marketLine, `Checked:  ${checkedAt ? wallTime(checkedAt, timezone) : report.generatedAt} · ${report.region} · ${counts}`];
}

function changeLines(decision: SendDecision, failing: [string, FailingEntry][]): string[] {
  const entries = new Map(failing);
  const byCode = (fingerprints: string[]) =>
    codeCounts(fingerprints.map((fp) => entries.get(fp) ?? { code: describeFingerprint(fp).code, severity: Severity.info }));
  const { added, worsened, resolved } = decision.changes;
  const lines: string[] = [];
  if (added.length > 0) lines.push(`  new       ${byCode(added)}`);
  if (worsened.length > 0) {
    const now = worstSeverity(failing.filter(([fingerprint]) => worsened.includes(fingerprint)));
    lines.push(`  worsened  ${byCode(worsened)} (now ${now})`);
  }
  if (added.length === 0 && worsened.length === 0) lines.push('  nothing new or worse since the last email');
  if (resolved.length > 0) {
    lines.push(`  resolved  ${resolved.length}:`);
    lines.push(...resolvedLines(resolved, MAX_LISTED_RESOLVED).map((line) => `  ${line}`));
  }
  return lines;
}

function resolvedLines(resolved: string[], max: number): string[] {
  const described = resolved.map(describeFingerprint).sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.code < b.code ? -1 : 1));
  const rows = table(['SCHEDULE', 'CODE'], described.slice(0, max).map((d) => [d.subject, d.code]), { header: false });
  if (described.length > max) rows.push(`  … and ${described.length - max} more`);
  return rows;
}

/** What an alert and a reminder both show: market status, changes, affected schedules, fix, runbooks. */
function failureDetails(
  decision: SendDecision,
  failing: [string, FailingEntry][],
  findings: Map<string, Finding>,
  report: CheckReport,
  timezone: string,
  options: AlertEmailOptions,
): string[] {
  return [
    ...statusLines(report, timezone),
    '',
    'What changed',
    ...changeLines(decision, failing),
    '',
    ...failingTable(decision, failing, findings, timezone),
    '',
    ...fixLines(options.fixCommand),
    '',
    ...runbookLines(failing, findings, options.runbookBaseUrl),
    '',
    sinceLine(failing, decision, report, timezone),
  ];
}

function failingTable(decision: SendDecision, failing: [string, FailingEntry][], findings: Map<string, Finding>, timezone: string): string[] {
  const added = new Set(decision.changes.added);
  const worsened = new Set(decision.changes.worsened);
  const rows = new Map<string, { severity: Severity; change: string; codes: string[]; evidence: Map<string, string> }>();
  for (const [fingerprint, entry] of failing) {
    const subject = subjectOf(fingerprint, entry);
    const row = rows.get(subject) ?? { severity: entry.severity, change: '', codes: [], evidence: new Map<string, string>() };
    if (severityRank(entry.severity) > severityRank(row.severity)) row.severity = entry.severity;
    if (added.has(fingerprint)) row.change = 'new';
    else if (worsened.has(fingerprint) && row.change !== 'new') row.change = 'worse';
    if (!row.codes.includes(entry.code)) row.codes.push(entry.code);
    const finding = findings.get(fingerprint);
    if (finding) for (const [key, value] of highlights(finding, timezone)) if (!row.evidence.has(key)) row.evidence.set(key, value);
    rows.set(subject, row);
  }
  const sorted = [...rows].sort(([a, x], [b, y]) => severityRank(y.severity) - severityRank(x.severity) || (a < b ? -1 : a > b ? 1 : 0));
  const schedules = new Set(failing.flatMap(([, e]) => (e.schedule !== undefined ? [e.schedule] : []))).size;
  const others = sorted.length - schedules;
  const lines = [`Affected (${plural(schedules, 'schedule')}${others > 0 ? `, ${others} group/check` : ''})`];
  lines.push(
    ...table(
      ['SCHEDULE', 'SEVERITY', 'CHANGE', 'CODES', 'EVIDENCE'],
      sorted.slice(0, MAX_TABLE_ROWS).map(([subject, row]) => [
        subject,
        row.severity,
        row.change,
        [...row.codes].sort((a, b) => codeOrder(a) - codeOrder(b)).join(', '),
        [...row.evidence]
          .sort(([a], [b]) => highlightOrder(a) - highlightOrder(b))
          .map(([key, value]) => `${key}=${value}`)
          .join('; '),
      ]),
    ),
  );
  if (sorted.length > MAX_TABLE_ROWS) lines.push(`  … and ${sorted.length - MAX_TABLE_ROWS} more: run ops check-schedulers for the full list`);
  return lines;
}

function fixLines(fixCommand: string): string[] {
  return ['Fix', `  ${fixCommand}`];
}

function runbookLines(failing: [string, FailingEntry][], findings: Map<string, Finding>, base: string | undefined): string[] {
  const byCode = new Map<string, string>();
  for (const [fingerprint, entry] of failing) {
    if (!byCode.has(entry.code)) byCode.set(entry.code, findings.get(fingerprint)?.runbook ?? `runbooks/${entry.code}.md`);
  }
  const width = Math.max(...[...byCode.keys()].map((code) => code.length));
  const ordered = [...byCode].sort(([a], [b]) => codeOrder(a) - codeOrder(b));
  return ['Runbooks', ...ordered.map(([code, path]) => `  ${code.padEnd(width)}  ${runbookLink(path, base)}`)];
}

function sinceLine(failing: [string, FailingEntry][], decision: SendDecision, report: CheckReport, timezone: string): string {
  const since = earliestSince(failing, decision, report);
  const lasting = nowOf(decision, report) - since;
  return `Failing since ${wallTime(new Date(since), timezone)}${lasting >= 60_000 ? ` (${duration(lasting)})` : ' (first seen by this check)'}.`;
}

const MAX_LISTED_SUBJECTS = 4;

/**
 * What the report still holds, worst first: `2 warning (TARGET_ERRORS ×2: group ops-pipeline, group
 * ops-pipeline-market), 6 info (NO_DEAD_LETTER_QUEUE ×6)`; undefined when it holds nothing.
 */
function stillReported(report: CheckReport): string | undefined {
  const parts: string[] = [];
  for (const severity of [Severity.critical, Severity.warning, Severity.info]) {
    const tier = report.findings.filter((f) => f.severity === severity);
    if (tier.length === 0) continue;
    const codes = codeCounts(tier.map((f) => ({ code: f.code, severity: f.severity })));
    if (severity === Severity.info) {
      parts.push(`${tier.length} ${severity} (${codes})`);
      continue;
    }
    const subjects = [...new Set(tier.map((f) => (f.schedule ? `${f.schedule.group}/${f.schedule.name}` : f.group !== undefined ? `group ${f.group}` : 'the check')))].sort();
    const listed = subjects.slice(0, MAX_LISTED_SUBJECTS).join(', ');
    const more = subjects.length > MAX_LISTED_SUBJECTS ? ` and ${subjects.length - MAX_LISTED_SUBJECTS} more` : '';
    parts.push(`${tier.length} ${severity} (${codes}: ${listed}${more})`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

/** `TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5`: worst severity first, then the most frequent. */
function codeCounts(entries: { code: string; severity: Severity }[]): string {
  const counts = new Map<string, { n: number; rank: number }>();
  for (const entry of entries) {
    const seen = counts.get(entry.code) ?? { n: 0, rank: 0 };
    counts.set(entry.code, { n: seen.n + 1, rank: Math.max(seen.rank, severityRank(entry.severity)) });
  }
  return [...counts]
    .sort(([a, x], [b, y]) => y.rank - x.rank || y.n - x.n || codeOrder(a) - codeOrder(b) || (a < b ? -1 : 1))
    .map(([code, { n }]) => `${code} ×${n}`)
    .join(', ');
}

/** The registry's order: root causes (the target is gone) before symptoms (runs missed). */
function codeOrder(code: string): number {
  const index = CHECKS.findIndex((check) => check.code === code);
  return index < 0 ? CHECKS.length : index;
}

function findingsByFingerprint(findings: readonly Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const finding of findings) {
    const fingerprint = fingerprintOf(finding);
    const existing = map.get(fingerprint);
    if (existing === undefined || severityRank(finding.severity) > severityRank(existing.severity)) map.set(fingerprint, finding);
  }
  return map;
}

function highlightOrder(key: string): number {
  return (EVIDENCE_HIGHLIGHTS as readonly string[]).indexOf(key);
}

function highlights(finding: Finding, timezone: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const key of EVIDENCE_HIGHLIGHTS) {
    if (!(key in finding.evidence)) continue;
    const value = finding.evidence[key];
    if (value === undefined) continue;
    pairs.push([key, evidenceValue(value, timezone)]);
  }
  return pairs;
}

function evidenceValue(value: unknown, timezone: string): string {
  if (value === null) return 'none';
  const instant = isoInstant(value);
  if (instant) return shortTime(instant, timezone);
  if (Array.isArray(value)) return value.map((v) => evidenceValue(v, timezone)).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

function subjectOf(fingerprint: string, entry: FailingEntry): string {
  if (entry.schedule !== undefined) return entry.schedule;
  if (entry.group !== undefined) return `group ${entry.group}`;
  return describeFingerprint(fingerprint).subject;
}

function distinctSubjects(entries: [string, FailingEntry][]): Set<string> {
  return new Set(entries.map(([fingerprint, entry]) => subjectOf(fingerprint, entry)));
}

function worstSeverity(entries: [string, FailingEntry][]): Severity {
  let worst: Severity = Severity.info;
  for (const [, entry] of entries) if (severityRank(entry.severity) > severityRank(worst)) worst = entry.severity;
  return worst;
}

function earliestSince(failing: [string, FailingEntry][], decision: SendDecision, report: CheckReport): number {
  const times = failing.map(([, entry]) => new Date(entry.since).getTime()).filter((t) => !Number.isNaN(t));
  return times.length > 0 ? Math.min(...times) : nowOf(decision, report);
}

function nowOf(decision: SendDecision, report: CheckReport): number {
  return (isoInstant(decision.next.lastSentAt) ?? isoInstant(report.generatedAt) ?? new Date(0)).getTime();
}

function clusterName(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return arn.includes(':cluster/') && slash >= 0 ? arn.slice(slash + 1) : arn;
}

/** A runbook's repository path under `base` (a URL prefix), or the path itself without one. */
export function runbookLink(path: string, base: string | undefined): string {
  if (base === undefined || base === '') return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function table(headers: string[], rows: string[][], options: { header?: boolean } = {}): string[] {
  const all = options.header === false ? rows : [headers, ...rows];
  const widths = headers.map((_, i) => Math.min(60, Math.max(0, ...all.map((row) => (row[i] ?? '').length))));
  return all.map((row) =>
    `  ${row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')}`.trimEnd(),
  );
}
