/**
 * Findings → what a person or a program reads. The JSON document is the contract for `--json`
 * (documented in README "check-schedulers JSON"); the text is a table grouped by severity.
 */
import type { MarketCalendar } from '../market/index.ts';
import type { Blindness } from './blindness.ts';
import { atLeast, severityRank, type Finding, type Severity } from './finding.ts';
import { scheduleId, type Snapshot } from './model.ts';

export interface CheckReport {
  ok: boolean;
  generatedAt: string;
  region: string;
  failOn: Severity;
  summary: {
    schedules: number;
    groups: number;
    /** Findings by severity. */
    findings: Record<Severity, number>;
    /** Schedules by their worst finding; `healthy` has none at all. */
    schedulesBySeverity: Record<Severity | 'healthy', number>;
    /** Schedules with a warning or critical finding (the healthcheck's UnhealthySchedules metric). */
    unhealthySchedules: number;
    /** Findings about a group or the check itself rather than one schedule. */
    otherFindings: number;
    evidenceSources: Record<string, number>;
  };
  market: { name: string; open: boolean; closesAt?: string; opensAt?: string; reason?: string };
  findings: Finding[];
  schedules: {
    group: string;
    name: string;
    arn: string;
    state: string;
    expression: string;
    timezone: string;
    target: { kind: string; arn: string };
    evidence: { source: string; lastRunAt?: string | null; note?: string };
    codes: string[];
    worst: Severity | null;
  }[];
  calls?: Record<string, number>;
  /** Present when the check could not see (MONITOR_BLIND): the report proves nothing. */
  blind?: { code: Blindness['code']; cause: Blindness['cause']; action: string; reason: string; hint: string };
}

export function buildReport(
  snapshot: Snapshot,
  findings: Finding[],
  opts: { failOn: Severity; calendar: MarketCalendar; calls?: Record<string, number>; blind?: Blindness },
): CheckReport {
  const now = snapshot.collectedAt;
  const status = opts.calendar.status(now);
  const bySchedule = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (!finding.schedule) continue;
    const id = scheduleId(finding.schedule);
    bySchedule.set(id, [...(bySchedule.get(id) ?? []), finding]);
  }
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const evidenceSources: Record<string, number> = {};
  const schedules = snapshot.schedules.map((s) => {
    const own = bySchedule.get(scheduleId(s)) ?? [];
    const evidence = snapshot.evidence.get(scheduleId(s));
    const source = evidence?.source ?? 'none';
    evidenceSources[source] = (evidenceSources[source] ?? 0) + 1;
    const worst = own.reduce<Severity | null>((acc, f) => (acc === null || severityRank(f.severity) > severityRank(acc) ? f.severity : acc), null);
    return {
      group: s.group,
      name: s.name,
      arn: s.arn,
      state: s.state,
      expression: s.expression,
      timezone: s.timezone,
      target: { kind: s.target.kind, arn: s.target.arn },
      evidence:
        evidence === undefined || evidence.source === 'none'
          ? { source: 'none', note: evidence?.reason ?? 'not collected' }
          : { source: evidence.source, lastRunAt: evidence.lastRunAt?.toISOString() ?? null },
      codes: [...new Set(own.map((f) => f.code))],
      worst,
    };
  });
  const failing = opts.blind !== undefined || findings.some((f) => atLeast(f.severity, opts.failOn));
  const blind = opts.blind;
  return {
    ok: !failing,
    generatedAt: now.toISOString(),
    region: snapshot.region,
    failOn: opts.failOn,
    summary: {
      schedules: snapshot.schedules.length,
      groups: new Set(snapshot.schedules.map((s) => s.group)).size,
      findings: { critical: count('critical'), warning: count('warning'), info: count('info') },
      schedulesBySeverity: {
        critical: schedules.filter((s) => s.worst === 'critical').length,
        warning: schedules.filter((s) => s.worst === 'warning').length,
        info: schedules.filter((s) => s.worst === 'info').length,
        healthy: schedules.filter((s) => s.worst === null).length,
      },
      unhealthySchedules: schedules.filter((s) => s.worst !== null && s.worst !== 'info').length,
      otherFindings: findings.filter((f) => !f.schedule).length,
      evidenceSources,
    },
    market: status.open
      ? { name: opts.calendar.name, open: true, closesAt: status.closesAt.toISOString() }
      : { name: opts.calendar.name, open: false, opensAt: status.opensAt.toISOString(), reason: status.reason },
    findings,
    schedules,
    ...(opts.calls ? { calls: opts.calls } : {}),
    ...(blind ? { blind: { code: blind.code, cause: blind.cause, action: blind.failure.action, reason: blind.reason, hint: blind.hint } } : {}),
  };
}

const COLOURS: Record<Severity, string> = { critical: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };
const RESET = '\u001b[0m';

export function renderReport(report: CheckReport, opts: { colour: boolean; formatClock: (iso: string) => string; formatWhen: (iso: string) => string }): string {
  const paint = (severity: Severity, text: string) => (opts.colour ? `${COLOURS[severity]}${text}${RESET}` : text);
  const lines: string[] = [];
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const rows = report.findings.filter((f) => f.severity === severity);
    if (rows.length === 0) continue;
    lines.push(paint(severity, `${severity.toUpperCase()} (${rows.length})`));
    const perTarget = new Map<string, Finding[]>();
    for (const f of rows) {
      const key = f.schedule ? `${f.schedule.group}/${f.schedule.name}` : f.group ? `group ${f.group}` : '(whole check)';
      perTarget.set(key, [...(perTarget.get(key) ?? []), f]);
    }
    const width = Math.min(60, Math.max(...[...perTarget.keys()].map((k) => k.length)));
    for (const [key, fs] of perTarget) {
      lines.push(`  ${key.padEnd(width)}  ${fs.map((f) => f.code).join(', ')}`);
      for (const f of fs) lines.push(`  ${''.padEnd(width)}    ${f.message}`);
    }
    lines.push('');
  }
  const withoutEvidence = report.schedules.filter((s) => s.evidence.source === 'none');
  if (withoutEvidence.length > 0) {
    lines.push(`No run evidence for ${withoutEvidence.length} schedule(s) (${[...new Set(withoutEvidence.map((s) => s.target.kind))].join(', ')} targets): checked for target existence and group metrics only.`);
  }
  const sources = Object.entries(report.summary.evidenceSources).filter(([source]) => source !== 'none').map(([source, n]) => `${source} ${n}`);
  if (sources.length > 0) lines.push(`Run evidence from: ${sources.join(', ')}.`);
  const runbooks = [...new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => f.runbook))];
  if (runbooks.length > 0) lines.push(`Runbooks: ${runbooks.join(', ')}`);
  lines.push(summaryLine(report, opts));
  return lines.join('\n');
}

export function summaryLine(report: CheckReport, opts: { formatClock: (iso: string) => string; formatWhen: (iso: string) => string }): string {
  const { summary, market } = report;
  const market_ = market.open
    ? `market OPEN until ${opts.formatClock(market.closesAt ?? '')} ET`
    : `market CLOSED (${market.reason ?? 'closed'}) · opens ${opts.formatWhen(market.opensAt ?? '')} ET`;
  const bySeverity = summary.schedulesBySeverity;
  const parts = [`${summary.schedules} schedule${summary.schedules === 1 ? '' : 's'}`, `${bySeverity.critical} critical`];
  // "0 schedules · 0 critical" from a check that saw nothing reads as healthy; say what it is.
  if (report.blind) parts.unshift('NOT CHECKED: the monitor cannot see');
  if (bySeverity.warning > 0) parts.push(`${bySeverity.warning} warning`);
  if (summary.otherFindings > 0) parts.push(`${summary.otherFindings} group/check finding(s)`);
  parts.push(market_);
  return parts.join(' · ');
}
