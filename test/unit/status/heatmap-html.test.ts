import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHeatmapHtml } from '../../../src/status/heatmap-html.ts';
import type { Heatmap } from '../../../src/status/heatmap.ts';

const MAP: Heatmap = {
  from: '2026-11-23T14:00:00.000Z',
  to: '2026-11-23T14:30:00.000Z',
  bucketMinutes: 15,
  columns: [
    { start: '2026-11-23T14:00:00.000Z', marketOpen: false },
    { start: '2026-11-23T14:15:00.000Z', marketOpen: true },
  ],
  rows: [
    {
      id: 'ops/<b>risky</b>',
      cells: [
        { state: 'ran', expected: 1, ran: 1 },
        { state: 'missed', expected: 1, ran: 0 },
      ],
      totals: { expected: 2, ran: 1, missed: 1 },
    },
  ],
};
const clock = (iso: string) => iso.slice(11, 16);

describe('renderHeatmapHtml', () => {
  it('draws one row per schedule with a symbol and a spoken label in every cell, market columns shaded', () => {
    const html = renderHeatmapHtml(MAP, { formatTime: clock });
    expect(html).toContain('<caption>Runs per 15 minutes, 14:00 to 14:30; shaded columns: NYSE open</caption>');
    expect(html).toContain('<thead><tr><th scope="col">Schedule</th><th scope="col" class="closed">14:00</th><th scope="col" class="open">14:15</th><th scope="col">Total</th></tr></thead>');
    expect(html).toContain(
      '<tr><th scope="row">ops/&lt;b&gt;risky&lt;/b&gt;</th>' +
        '<td class="cell ran" title="14:00: ran (1 of 1 ran)" aria-label="14:00: ran (1 of 1 ran)">✓</td>' +
        '<td class="cell missed open" title="14:15: missed (0 of 1 ran)" aria-label="14:15: missed (0 of 1 ran)">✗</td>' +
        '<td class="totals">1/2 ran, 1 missed</td></tr>',
    );
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('labels only every n-th column head, keeping the others named for screen readers', () => {
    const html = renderHeatmapHtml(MAP, { formatTime: clock, labelEvery: 2 });
    expect(html).toContain('<th scope="col" class="closed">14:00</th><th scope="col" class="open" aria-label="14:15"></th>');
  });

  it('totals a row whose target leaves no run evidence as fires due, not as 0 ran', () => {
    const row = { id: 'ops/lambda', cells: [{ state: 'unverifiable' as const, expected: 3, ran: 0 }, { state: 'not-due' as const, expected: 0, ran: 0 }], totals: { expected: 3, ran: 0, missed: 0 } };
    const html = renderHeatmapHtml({ ...MAP, rows: [row] }, { formatTime: clock });
    expect(html).toContain('<td class="totals">3 due, no run evidence</td>');
    expect(html).toContain('aria-label="14:00: due; this target kind leaves no run evidence (3 due)"');
  });

  it('escapes everything that is not markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
