/**
 * The runs heatmap as an HTML fragment for the status page (issue 17): a plain table, because a
 * table is what a screen reader can walk (row = schedule, column = time) and what a narrow screen can
 * scroll sideways with the schedule names kept in view. No script, no external asset: the export must
 * open with no network. Colour is never the only signal: each cell carries a symbol and a label.
 */
import type { CellState, Heatmap, HeatmapCell } from './heatmap.ts';

const SYMBOL: Record<CellState, string> = { ran: '✓', partial: '◐', missed: '✗', pending: '…', 'not-due': '', 'before-coverage': '?', unverifiable: '·' };
const WORDS: Record<CellState, string> = {
  ran: 'ran',
  partial: 'some runs missed',
  missed: 'missed',
  pending: 'due, within its grace',
  'not-due': 'not due',
  'before-coverage': 'before the run evidence starts',
  unverifiable: 'due; this target kind leaves no run evidence',
};

export interface HeatmapHtmlOptions {
  /** Column label, e.g. `09:30` in New York time. */
  formatTime: (iso: string) => string;
  /** Label every n-th column (the others stay readable through their cells' labels). */
  labelEvery?: number;
  caption?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function cellLabel(cell: HeatmapCell, time: string): string {
  // Runs of an unverifiable target are unknown: "0 of 3 ran" would read as missed.
  const counts = cell.expected === 0 ? '' : cell.state === 'unverifiable' ? ` (${cell.expected} due)` : ` (${cell.ran} of ${cell.expected} ran)`;
  return `${time}: ${WORDS[cell.state]}${counts}`;
}

/** `146/188 ran, 42 missed`; a row whose every due fire is unverifiable says so instead of `0/49 ran`. */
function totalsText(row: Heatmap['rows'][number]): string {
  const unverifiable = row.cells.reduce((n, cell) => n + (cell.state === 'unverifiable' ? cell.expected : 0), 0);
  if (unverifiable > 0 && unverifiable === row.totals.expected) return `${unverifiable} due, no run evidence`;
  return `${row.totals.ran}/${row.totals.expected} ran${row.totals.missed > 0 ? `, ${row.totals.missed} missed` : ''}`;
}

export function renderHeatmapHtml(heatmap: Heatmap, options: HeatmapHtmlOptions): string {
  const every = Math.max(1, options.labelEvery ?? 1);
  const times = heatmap.columns.map((c) => options.formatTime(c.start));
  const header = heatmap.columns
    .map((column, i) => `<th scope="col" class="${column.marketOpen ? 'open' : 'closed'}"${i % every === 0 ? '' : ' aria-label="' + escapeHtml(times[i] ?? '') + '"'}>${i % every === 0 ? escapeHtml(times[i] ?? '') : ''}</th>`)
    .join('');
  const body = heatmap.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          const label = escapeHtml(cellLabel(cell, times[i] ?? ''));
          const open = heatmap.columns[i]?.marketOpen ? ' open' : '';
          return `<td class="cell ${cell.state}${open}" title="${label}" aria-label="${label}">${SYMBOL[cell.state]}</td>`;
        })
        .join('');
      const summary = totalsText(row);
      return `<tr><th scope="row">${escapeHtml(row.id)}</th>${cells}<td class="totals">${summary}</td></tr>`;
    })
    .join('\n');
  const caption = options.caption ?? `Runs per ${heatmap.bucketMinutes} minutes, ${times[0] ?? ''} to ${options.formatTime(heatmap.to)}; shaded columns: NYSE open`;
  return [
    // Focusable, so a keyboard can scroll it sideways on a narrow screen.
    '<div class="heatmap-scroll" tabindex="0" role="region" aria-label="Runs heatmap (scrolls sideways)">',
    '<table class="heatmap">',
    `<caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr><th scope="col">Schedule</th>${header}<th scope="col">Total</th></tr></thead>`,
    `<tbody>\n${body}\n</tbody>`,
    '</table>',
    '</div>',
  ].join('\n');
}
