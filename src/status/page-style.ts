/**
 * The page's whole style sheet, inlined so the export needs nothing else. Colours pass WCAG AA
 * contrast on their backgrounds (axe-core checks it in the browser tests), and every colour signal is
 * doubled with a symbol or a word. Narrow screens: the heatmap scrolls sideways inside its own box
 * with the schedule names kept in view, tiles wrap, and wide tables become stacked rows.
 */
export const STATUS_PAGE_CSS = `
:root { --fg: #1b1f24; --muted: #4d5662; --bg: #ffffff; --panel: #f4f6f8; --line: #d0d7de;
  --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #b3261e; --bad-bg: #ffe1de; --warn: #7a4d00; --warn-bg: #fff1c7;
  --open: #e6edff; --pending-bg: #eef1f4; --unknown-bg: #ececec; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 24px; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top h1 { font-size: 20px; margin: 0; }
header.top nav ul { display: flex; gap: 16px; list-style: none; margin: 0; padding: 0; }
header.top a { color: #0645ad; }
#refresh-status { margin: 0; color: var(--muted); font-size: 13px; }
main { padding: 8px 20px 40px; max-width: 1600px; }
main.stale { opacity: 0.6; }
section { margin-top: 20px; }
h2 { font-size: 18px; margin: 8px 0; } h3 { font-size: 16px; margin: 16px 0 6px; } h4 { font-size: 15px; margin: 8px 0 4px; }
.as-of { font-weight: normal; color: var(--muted); font-size: 14px; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; list-style: none; padding: 0; margin: 8px 0; }
.tile { display: flex; flex-direction: column; min-width: 150px; flex: 1 1 150px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.tile.bad { background: var(--bad-bg); border-color: var(--bad); } .tile.warn { background: var(--warn-bg); } .tile.ok { background: var(--ok-bg); }
.tile-label { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.tile-value { font-size: 18px; font-weight: 600; } .tile-note { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.section-error { background: var(--bad-bg); border-left: 4px solid var(--bad); padding: 6px 10px; }
.note, .folded-note { color: var(--muted); font-size: 13px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 6px 0; font-size: 13px; }
.legend .cell { display: inline-block; width: 18px; height: 18px; text-align: center; line-height: 18px; border: 1px solid var(--line); }
.heatmap-scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; }
table.heatmap { border-collapse: collapse; font-size: 12px; }
table.heatmap caption { text-align: left; padding: 6px 8px; color: var(--muted); caption-side: top; }
table.heatmap th, table.heatmap td { border: 1px solid #e3e7eb; padding: 0; }
table.heatmap thead th { font-weight: normal; color: var(--muted); padding: 2px 3px; white-space: nowrap; font-size: 11px; }
table.heatmap th[scope=row] { position: sticky; left: 0; background: var(--bg); text-align: left; padding: 2px 8px; white-space: nowrap; font-weight: normal; max-width: 260px; overflow: hidden; text-overflow: ellipsis; z-index: 1; }
table.heatmap td.cell { width: 20px; min-width: 20px; height: 20px; text-align: center; }
table.heatmap td.totals { padding: 2px 8px; white-space: nowrap; color: var(--muted); }
.cell.open, th.open { background: var(--open); }
.cell.ran { background: var(--ok-bg); color: var(--ok); }
.cell.missed { background: var(--bad); color: #ffffff; font-weight: 700; }
.cell.partial { background: var(--warn-bg); color: var(--warn); }
.cell.pending { background: var(--pending-bg); color: var(--muted); }
.cell.before-coverage { background: var(--unknown-bg); color: var(--muted); }
.cell.unverifiable { background: var(--unknown-bg); color: var(--fg); font-weight: 700; }
.code-group { border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px; padding: 4px 12px; margin: 8px 0; }
.code-group.sev-critical { border-left-color: var(--bad); } .code-group.sev-warning { border-left-color: #bf8700; } .code-group.sev-info { border-left-color: var(--muted); }
h3.sev-critical { color: var(--bad); } h3.sev-warning { color: var(--warn); }
ul.findings { padding-left: 18px; margin: 4px 0; }
li.finding { margin: 4px 0; } li.finding .subject { font-weight: 600; overflow-wrap: anywhere; } .fix code { overflow-wrap: anywhere; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: var(--panel); padding: 0 3px; border-radius: 3px; }
pre { background: var(--panel); padding: 8px; overflow-x: auto; border-radius: 4px; } pre code { padding: 0; }
details > summary { cursor: pointer; color: #0645ad; margin: 4px 0; }
.md { border-top: 1px dashed var(--line); margin-top: 4px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data caption { text-align: left; color: var(--muted); padding: 4px 0; }
/* The section's heading already says it; the caption stays for screen readers. */
table.repairs caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.data th { background: var(--panel); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
details.workflow { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; margin: 8px 0; }
details.workflow.state-failed { border-left: 4px solid var(--bad); } details.workflow.state-completed { border-left: 4px solid var(--ok); }
.wf-failure { background: var(--bad-bg); padding: 4px 8px; }
ol.wf-events { list-style: none; padding-left: 0; font-size: 13px; }
ol.wf-events li { padding: 2px 0; border-bottom: 1px dotted var(--line); overflow-wrap: anywhere; }
ol.wf-events li.depth-1 { padding-left: 16px; } ol.wf-events li.depth-2 { padding-left: 32px; } ol.wf-events li.depth-3 { padding-left: 48px; }
ol.wf-events li.depth-4 { padding-left: 64px; } ol.wf-events li.depth-5 { padding-left: 80px; } ol.wf-events li.depth-6 { padding-left: 96px; }
.wf-offset { color: var(--muted); display: inline-block; min-width: 4.5em; } .wf-type { font-weight: 600; }
tr.repair.status-failed td.result, tr.repair.status-unfinished td.result { color: var(--bad); font-weight: 600; }
.all-clear { color: var(--ok); font-weight: 600; }
@media (max-width: 700px) {
  header.top, main { padding-left: 10px; padding-right: 10px; }
  table.heatmap th[scope=row] { max-width: 130px; }
  table.data thead { position: absolute; left: -9999px; }
  table.data, table.data tbody, table.data tr, table.data td, table.data th[scope=row] { display: block; width: 100%; }
  table.data tr { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 4px 0; }
  table.data td { border: 0; padding: 2px 8px; }
  table.data td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
`;
