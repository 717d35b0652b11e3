/**
 * Current findings by severity, grouped by code, each group with its runbook rendered once (a fleet
 * with 300 MISSED_RUNS shows one runbook, not 300); a runbook this process cannot read (the Lambda
 * ships none) is named by its path. Every finding is one <li> carrying its code and
 * subject as data attributes, so a test (or a script) can compare the page with `--json` exactly.
 *
 * Classes: findings, sev-critical|sev-warning|sev-info, code-group, finding, runbook, md.
 */
import { severityRank, type Finding, type Severity } from '../checks/finding.ts';
import { escapeHtml } from './heatmap-html.ts';

const SEVERITY_MARK: Record<Severity, string> = { critical: '✗', warning: '!', info: 'i' };
/** Past this, a code's schedules sit behind "show all" so the headline stays on screen. */
const LIST_OPEN_LIMIT = 12;

/** `group/name`, `group: <name>` for group findings, or `(whole check)`. */
export function findingSubject(finding: Pick<Finding, 'schedule' | 'group'>): string {
  if (finding.schedule) return `${finding.schedule.group}/${finding.schedule.name}`;
  if (finding.group) return `group ${finding.group}`;
  return '(whole check)';
}

/** `runbooks`: each code's runbook, already rendered to HTML (runbook-html.ts). */
export function renderFindingsHtml(findings: readonly Finding[], runbooks: Readonly<Record<string, string>>): string {
  if (findings.length === 0) return '<p class="all-clear">✓ No findings: every schedule points at something that exists, is on, and ran when due.</p>';
  const bySeverity = new Map<Severity, Finding[]>();
  for (const finding of [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))) {
    bySeverity.set(finding.severity, [...(bySeverity.get(finding.severity) ?? []), finding]);
  }
  const parts: string[] = [];
  for (const [severity, list] of bySeverity) {
    parts.push(`<h3 class="sev-${severity}"><span aria-hidden="true">${SEVERITY_MARK[severity]}</span> ${capitalise(severity)} (${list.length})</h3>`);
    const byCode = new Map<string, Finding[]>();
    for (const finding of list) byCode.set(finding.code, [...(byCode.get(finding.code) ?? []), finding]);
    for (const [code, group] of byCode) parts.push(codeGroup(code, severity, group, runbooks[code]));
  }
  return parts.join('\n');
}

function codeGroup(code: string, severity: Severity, findings: readonly Finding[], runbook: string | undefined): string {
  const items = findings.map(findingItem).join('\n');
  const list = `<ul class="findings">\n${items}\n</ul>`;
  const runbookPath = findings[0]?.runbook ?? `runbooks/${code}.md`;
  const runbookBlock =
    runbook === undefined
      ? `<p class="runbook-path">Runbook: <code>${escapeHtml(runbookPath)}</code></p>`
      : `<details class="runbook" id="runbook-${escapeHtml(code)}"><summary>Runbook: what it means, impact, confirm, fix</summary><div class="md">${runbook}</div></details>`;
  const heading = `<h4><code>${escapeHtml(code)}</code> · ${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}</h4>`;
  const body = findings.length > LIST_OPEN_LIMIT ? `<details class="all-findings" id="all-${escapeHtml(code)}"><summary>Show all ${findings.length}</summary>${list}</details>` : list;
  return `<article class="code-group sev-${severity}" data-code="${escapeHtml(code)}">${heading}\n${body}\n${runbookBlock}</article>`;
}

function findingItem(finding: Finding): string {
  const subject = findingSubject(finding);
  return (
    `<li class="finding" data-code="${escapeHtml(finding.code)}" data-severity="${finding.severity}" data-subject="${escapeHtml(subject)}">` +
    `<span class="subject">${escapeHtml(subject)}</span> <span class="message">${escapeHtml(finding.message)}</span>` +
    (finding.fix ? `<div class="fix">Fix: <code>${escapeHtml(finding.fix)}</code></div>` : '') +
    '</li>'
  );
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
