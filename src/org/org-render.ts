/**
 * The org report as text, grouped by account, then region. Pairs with nothing at warning or above
 * fold into one line per account, so 200 healthy pairs do not bury the three that are not; info
 * findings are counted per pair and listed in the JSON document only.
 */
import { severityRank, type Severity } from '../checks/finding.ts';
import type { OrgFinding, OrgReport, PairSummary } from './org-report.ts';

const COLOURS: Record<Severity, string> = { critical: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m' };
const RESET = '\u001b[0m';

export interface OrgRenderOptions {
  colour: boolean;
  formatClock: (iso: string) => string;
  formatWhen: (iso: string) => string;
}

export function renderOrgReport(report: OrgReport, opts: OrgRenderOptions): string {
  const paint = (severity: Severity, text: string) => (opts.colour ? `${COLOURS[severity]}${text}${RESET}` : text);
  const lines: string[] = [];
  const byAccount = new Map<string, PairSummary[]>();
  for (const pair of report.pairs) byAccount.set(pair.account, [...(byAccount.get(pair.account) ?? []), pair]);
  const findingsOf = (pair: PairSummary) => report.findings.filter((f) => f.account === pair.account && f.region === pair.region && f.severity !== 'info');

  for (const [account, pairs] of byAccount) {
    const name = pairs[0]?.accountName ?? account;
    const loud = pairs.filter((p) => p.status === 'incomplete' || findingsOf(p).length > 0);
    const schedules = pairs.reduce((sum, p) => sum + p.schedules, 0);
    if (loud.length === 0) {
      lines.push(`${name} (${account})  healthy · ${pairs.length} region${pairs.length === 1 ? '' : 's'} · ${schedules} schedule${schedules === 1 ? '' : 's'}`);
      continue;
    }
    lines.push(`${name} (${account})`);
    let previous: PairSummary | undefined;
    for (const pair of pairs) {
      const own = findingsOf(pair);
      if (pair.status === 'incomplete') {
        // An account that could not be entered fails every region with the same failure: one line.
        if (previous?.status === 'incomplete' && previous.failure === pair.failure) continue;
        previous = pair;
        const regions = pairs.filter((p) => p.failure === pair.failure).map((p) => p.region);
        const where = regions.length > 1 ? regions.join(', ') : pair.region === '*' ? 'all regions' : pair.region;
        lines.push(`  ${where.padEnd(15)} ${paint('warning', 'NOT CHECKED')}: ${pair.failure?.action ?? 'unknown'} failed (${pair.failure?.errorName ?? ''}: ${pair.failure?.reason ?? ''})`);
        continue;
      }
      previous = pair;
      lines.push(`  ${pair.region.padEnd(15)} ${pairLine(pair)}`);
      for (const finding of sortFindings(own)) {
        const where = finding.schedule ? `${finding.schedule.group}/${finding.schedule.name}` : finding.group ? `group ${finding.group}` : '(whole check)';
        lines.push(`    ${paint(finding.severity, finding.severity.toUpperCase().padEnd(8))} ${where}  ${finding.code}`);
        lines.push(`             ${finding.message}`);
      }
    }
  }
  if (report.targets.skipped.length > 0) {
    lines.push(`Not checked on purpose: ${report.targets.skipped.map((s) => `${s.name} (${s.id}): ${s.reason}`).join('; ')}.`);
  }
  const runbooks = [...new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => f.runbook))];
  if (runbooks.length > 0) lines.push(`Runbooks: ${runbooks.join(', ')}`);
  lines.push(orgSummaryLine(report, opts));
  return lines.join('\n');
}

function pairLine(pair: PairSummary): string {
  const parts = [`${pair.schedules} schedule${pair.schedules === 1 ? '' : 's'}`];
  if (pair.findings.critical > 0) parts.push(`${pair.findings.critical} critical`);
  if (pair.findings.warning > 0) parts.push(`${pair.findings.warning} warning`);
  if (pair.findings.info > 0) parts.push(`${pair.findings.info} info`);
  if (pair.findings.critical === 0 && pair.findings.warning === 0) parts.push('healthy');
  return parts.join(' · ');
}

function sortFindings(findings: readonly OrgFinding[]): OrgFinding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.schedule?.name ?? '').localeCompare(b.schedule?.name ?? ''));
}

export function orgSummaryLine(report: OrgReport, opts: Pick<OrgRenderOptions, 'formatClock' | 'formatWhen'>): string {
  const { summary, market } = report;
  const pairs = `${summary.pairs.total} pair${summary.pairs.total === 1 ? '' : 's'} (${summary.accounts} account${summary.accounts === 1 ? '' : 's'} × ${report.targets.regions.length} region${report.targets.regions.length === 1 ? '' : 's'})`;
  const parts = [pairs];
  if (summary.pairs.incomplete > 0) parts.push(`${summary.pairs.incomplete} NOT CHECKED`);
  parts.push(`${summary.schedules} schedule${summary.schedules === 1 ? '' : 's'}`, `${summary.findings.critical} critical`, `${summary.findings.warning} warning`);
  parts.push(
    market.open
      ? `market OPEN until ${opts.formatClock(market.closesAt ?? '')} ET`
      : `market CLOSED (${market.reason ?? 'closed'}) · opens ${opts.formatWhen(market.opensAt ?? '')} ET`,
  );
  return parts.join(' · ');
}
