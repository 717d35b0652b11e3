/**
 * The repair history as an HTML fragment for the status page (issue 17): one table row per audited
 * write, with the command that undoes it. Values a person reads short (who, cluster names) keep their
 * full form in a title and in visually hidden text, so neither a mouse nor a screen reader loses it.
 *
 * Class names for the page's CSS:
 *   table.repairs · tr.repair.status-<ok|skipped|failed|unchanged|unfinished> · td.result ·
 *   span.result-symbol · span.reason · td.undo code.undo-command · span.undone-by ·
 *   span.visually-hidden · p.repairs-empty
 */
import { ecsClusterName } from '../arn.ts';
import { escapeHtml } from './heatmap-html.ts';
import { shortWho, type RepairRow, type RepairSource, type RepairStatus } from './repairs.ts';

export interface RepairsHtmlOptions {
  formatTime: (iso: string) => string;
  /** Where the entries came from, named in the empty-history sentence. */
  source: RepairSource;
}

const RESULT: Record<RepairStatus, { symbol: string; word: string }> = {
  ok: { symbol: '✓', word: 'done' },
  unchanged: { symbol: '=', word: 'unchanged' },
  skipped: { symbol: '⤼', word: 'skipped' },
  failed: { symbol: '✗', word: 'failed' },
  unfinished: { symbol: '⚠', word: 'unfinished: the process stopped between backup and result; check the schedule' },
};

export function renderRepairsHtml(rows: readonly RepairRow[], options: RepairsHtmlOptions): string {
  if (rows.length === 0) return `<p class="repairs-empty">No repairs recorded in ${escapeHtml(sourceWords(options.source))}.</p>`;
  const body = rows.map((row) => renderRow(row, options)).join('\n');
  return [
    '<table class="repairs data">',
    '<caption>Repair history</caption>',
    '<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Result</th><th scope="col">Undo</th></tr></thead>',
    `<tbody>\n${body}\n</tbody>`,
    '</table>',
  ].join('\n');
}

function renderRow(row: RepairRow, options: RepairsHtmlOptions): string {
  const when = `<time datetime="${escapeHtml(row.at)}">${escapeHtml(options.formatTime(row.at))}</time>`;
  return `<tr class="repair status-${row.status}" data-entry-id="${escapeHtml(row.entryId)}"><td data-label="When">${when}</td><td data-label="Who">${renderWho(row)}</td><td data-label="What">${renderWhat(row)}</td><td class="result" data-label="Result">${renderResult(row)}</td><td class="undo" data-label="Undo">${renderUndo(row)}</td></tr>`;
}

function renderWho(row: RepairRow): string {
  const short = shortWho(row.who);
  const full = row.whoUnknownReason !== undefined ? `${row.who} (${row.whoUnknownReason})` : row.who;
  if (short === full) return escapeHtml(full);
  return `<span title="${escapeHtml(full)}">${escapeHtml(short)}</span><span class="visually-hidden"> (${escapeHtml(full)})</span>`;
}

function renderWhat(row: RepairRow): string {
  const action = row.action === 'rollback' ? `rollback${row.rollsBack !== undefined ? ` of ${row.rollsBack}` : ''}` : 'fix';
  const place = row.account !== undefined ? ` in ${row.account}${row.region !== undefined ? ` ${row.region}` : ''}` : '';
  const schedule = `${row.schedule.group}/${row.schedule.name}`;
  return `${escapeHtml(action)} <strong>${escapeHtml(schedule)}</strong>${escapeHtml(place)}: ${cluster(row.before.targetArn)} → ${cluster(row.after.targetArn)}`;
}

/** The cluster's name, its ARN kept in a title and for screen readers. */
function cluster(arn: string): string {
  if (arn === '') return '<span title="not recorded">—</span><span class="visually-hidden"> (not recorded)</span>';
  const name = ecsClusterName(arn);
  if (name === undefined) return escapeHtml(arn);
  return `<span title="${escapeHtml(arn)}">${escapeHtml(name)}</span><span class="visually-hidden"> (${escapeHtml(arn)})</span>`;
}

function renderResult(row: RepairRow): string {
  const { symbol, word } = RESULT[row.status];
  const reason = row.reason !== undefined ? ` <span class="reason">${escapeHtml(row.reason)}</span>` : '';
  return `<span class="result-symbol" aria-hidden="true">${symbol}</span> ${escapeHtml(word)}${reason}`;
}

function renderUndo(row: RepairRow): string {
  if (row.undo !== undefined) return `<code class="undo-command">${escapeHtml(row.undo)}</code>`;
  if (row.undoneBy !== undefined) return `<span class="undone-by">undone by ${escapeHtml(row.undoneBy)}</span>`;
  return '—<span class="visually-hidden"> nothing to undo</span>';
}

function sourceWords(source: RepairSource): string {
  return source.kind === 'file' ? source.auditLog : `DynamoDB table ${source.table}`;
}
