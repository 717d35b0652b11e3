/**
 * The status page as one HTML document drawn from a StatusDocument: inline style, no external asset,
 * so the export opens from a file or an S3 link with no network. The live page (`ops status serve`)
 * adds one small inline script that re-fetches the sections on an interval and swaps them in place:
 * no reload, open <details> stay open, and a failed refresh says so instead of showing stale data as
 * fresh. The export has no script at all.
 */
import { formatClock, formatWallTime } from '../time-format.ts';
import { renderFindingsHtml } from './findings-html.ts';
import { escapeHtml, renderHeatmapHtml } from './heatmap-html.ts';
import { liveRefreshScript } from './page-live.ts';
import { STATUS_PAGE_CSS } from './page-style.ts';
import { renderRepairsHtml } from './repairs-html.ts';
import type { StatusDocument } from './status-document.ts';
import { renderWorkflowsHtml } from './workflow-timeline-html.ts';

export interface PageOptions {
  /** Serve mode: refresh the sections from this path every `refreshSeconds`. */
  live?: { refreshSeconds: number; sectionsPath: string };
}

export function renderStatusPage(doc: StatusDocument, options: PageOptions = {}): string {
  const title = `ops status · ${doc.region}`;
  const live = options.live;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STATUS_PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<a class="skip" href="#status-main">Skip to the status</a>',
    '<header class="top">',
    `<h1>${escapeHtml(title)}</h1>`,
    '<nav aria-label="Sections"><ul><li><a href="#heatmap">Runs</a></li><li><a href="#findings">Findings</a></li><li><a href="#repairs">Repairs</a></li><li><a href="#workflows">Workflows</a></li></ul></nav>',
    live
      ? `<p id="refresh-status" role="status" aria-live="polite">Live: refreshes every ${live.refreshSeconds} s.</p>`
      : `<p id="refresh-status">Snapshot exported at ${escapeHtml(formatWallTime(new Date(doc.generatedAt), doc.timezone))} (${escapeHtml(doc.timezone)}); it does not refresh.</p>`,
    '</header>',
    `<main id="status-main" data-generated-at="${escapeHtml(doc.generatedAt)}">`,
    renderStatusSections(doc),
    '</main>',
    live ? `<script>${liveRefreshScript(live.refreshSeconds, live.sectionsPath)}</script>` : '',
    '</body>',
    '</html>',
  ].join('\n');
}

/** Everything inside <main>: what the live page swaps in on each refresh. */
export function renderStatusSections(doc: StatusDocument): string {
  const formatTime = (iso: string) => formatClock(new Date(iso), doc.timezone);
  const formatWhen = (iso: string) => formatWallTime(new Date(iso), doc.timezone);
  const errorsFor = (section: string) =>
    doc.errors
      .filter((e) => e.section === section)
      .map((e) => `<p class="section-error" role="alert"><strong>Not shown:</strong> ${escapeHtml(e.message)}${e.hint ? ` ${escapeHtml(e.hint)}` : ''}</p>`)
      .join('\n');
  const { heatmap } = doc;
  return [
    summaryBlock(doc, formatWhen),
    '<section id="heatmap" aria-labelledby="heatmap-h">',
    `<h2 id="heatmap-h">Runs: expected fires against runs seen, last ${Math.round(heatmap.columns.length * heatmap.bucketMinutes / 60)} h</h2>`,
    errorsFor('heatmap'),
    evidenceNote(doc),
    legend(),
    renderHeatmapHtml(heatmap, { formatTime, labelEvery: labelEvery(heatmap.columns.length), caption: heatmapCaption(doc, formatTime) }),
    heatmap.folded > 0 ? `<p class="folded-note">${heatmap.rows.length - 1} schedules with missed runs are drawn one by one; the other ${heatmap.folded} are summed in the last row (a cell there is the worst of theirs).</p>` : '',
    '</section>',
    '<section id="findings" aria-labelledby="findings-h">',
    `<h2 id="findings-h">Findings (${doc.report.findings.length})</h2>`,
    errorsFor('findings'),
    renderFindingsHtml(doc.report.findings, doc.runbooks),
    '</section>',
    '<section id="repairs" aria-labelledby="repairs-h">',
    `<h2 id="repairs-h">Repair history</h2>`,
    errorsFor('repairs'),
    renderRepairsHtml(doc.repairs.rows, { formatTime: formatWhen, source: doc.repairs.source }),
    '</section>',
    '<section id="workflows" aria-labelledby="workflows-h">',
    `<h2 id="workflows-h">Trading workflows</h2>`,
    errorsFor('workflows'),
    doc.workflows === undefined
      ? '<p>No workflow table configured here, so no workflow timelines (the healthcheck\'s page has none; <code>ops status</code> shows them with <code>--workflow-table</code> or WORKFLOW_TABLE).</p>'
      : renderWorkflowsHtml(doc.workflows.timelines, { formatTime: formatWhen }),
    '</section>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function summaryBlock(doc: StatusDocument, formatWhen: (iso: string) => string): string {
  const { summary, market, blind } = doc.report;
  const sev = summary.findings;
  const verdict = doc.report.ok ? '<span class="ok">✓ Healthy</span>' : '<span class="bad">✗ Needs attention</span>';
  const marketWords = market.open ? `NYSE open${market.closesAt ? `, closes ${escapeHtml(formatWhen(market.closesAt))}` : ''}` : `NYSE closed${market.reason ? ` (${escapeHtml(market.reason)})` : ''}${market.opensAt ? `, opens ${escapeHtml(formatWhen(market.opensAt))}` : ''}`;
  return [
    '<section id="summary" aria-labelledby="summary-h">',
    `<h2 id="summary-h">${verdict} <span class="as-of">as of <time datetime="${escapeHtml(doc.generatedAt)}">${escapeHtml(formatWhen(doc.generatedAt))}</time> ${escapeHtml(doc.timezone)}</span></h2>`,
    blind ? `<p class="section-error" role="alert"><strong>The check could not see:</strong> ${escapeHtml(blind.reason)} ${escapeHtml(blind.hint)}</p>` : '',
    '<ul class="tiles">',
    tile('Schedules', String(summary.schedules), `${summary.groups} groups`),
    tile('Unhealthy', String(summary.unhealthySchedules), 'warning or critical', summary.unhealthySchedules > 0 ? 'bad' : 'ok'),
    tile('Findings', `${sev.critical} critical · ${sev.warning} warning`, `${sev.info} info`, sev.critical > 0 ? 'bad' : sev.warning > 0 ? 'warn' : 'ok'),
    tile('Market', market.open ? 'Open' : 'Closed', marketWords),
    tile('Repairs', String(doc.repairs.rows.length), doc.repairs.source.kind === 'table' ? `table ${doc.repairs.source.table}` : doc.repairs.source.auditLog),
    '</ul>',
    '</section>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function tile(label: string, value: string, note: string, tone?: 'ok' | 'warn' | 'bad'): string {
  return `<li class="tile${tone ? ` ${tone}` : ''}"><span class="tile-label">${escapeHtml(label)}</span><span class="tile-value">${escapeHtml(value)}</span><span class="tile-note">${escapeHtml(note)}</span></li>`;
}

function evidenceNote(doc: StatusDocument): string {
  const { evidence, coverageSince } = doc.heatmap;
  switch (evidence) {
    case 'ledger':
      return coverageSince ? `<p class="note">Runs come from the run ledger, which has recorded since <time datetime="${escapeHtml(coverageSince)}">${escapeHtml(formatWallTime(new Date(coverageSince), doc.timezone))}</time>.</p>` : '';
    case 'no-ledger':
      return '<p class="note">No run ledger is configured, so no run can be confirmed: every due fire shows as <em>before the run evidence starts</em>.</p>';
    case 'not-started':
      return '<p class="note">The run ledger has not recorded anything yet: every due fire shows as <em>before the run evidence starts</em> until its first run.</p>';
    case 'unreadable':
      return '';
  }
}

function legend(): string {
  const items: [string, string, string][] = [
    ['ran', '✓', 'ran'],
    ['partial', '◐', 'some missed'],
    ['missed', '✗', 'missed'],
    ['pending', '…', 'due, in grace'],
    ['not-due', '', 'not due'],
    ['before-coverage', '?', 'before evidence'],
    ['unverifiable', '·', 'due, no evidence kept (Lambda, SQS, SNS)'],
  ];
  const entries = items.map(([state, symbol, words]) => `<li><span class="cell ${state}" aria-hidden="true">${symbol}</span> ${words}</li>`).join('');
  return `<ul class="legend" aria-label="Legend">${entries}<li><span class="cell not-due open" aria-hidden="true"></span> NYSE open</li></ul>`;
}

function heatmapCaption(doc: StatusDocument, formatTime: (iso: string) => string): string {
  const { heatmap } = doc;
  return `${heatmap.schedules} schedules, runs per ${heatmap.bucketMinutes} minutes from ${formatTime(heatmap.from)} to ${formatTime(heatmap.to)} ${doc.timezone}; shaded columns: NYSE open`;
}

/** About eight labels across, whatever the window. */
function labelEvery(columns: number): number {
  return Math.max(1, Math.ceil(columns / 8));
}
