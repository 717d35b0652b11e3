/**
 * The workflows as an HTML fragment for the status page (issue 17): one <details> per run, open when
 * it failed or is still running (what someone opening the page is looking for), with the step
 * durations and every event indented under the event that caused it.
 *
 * Class names for the page's CSS:
 *   details.workflow.state-<running|completed|failed> · span.state-symbol · p.wf-failure ·
 *   table.wf-steps · ol.wf-events · li.depth-<0..6> (li.orphan) · span.wf-offset · span.wf-type ·
 *   span.wf-summary · span.wf-orphan · p.workflows-empty
 */
import { formatDurationMs } from '../trading/domain/summary.ts';
import { WorkflowState } from '../trading/ports/workflow-store.ts';
import { escapeHtml } from './heatmap-html.ts';
import type { StepTiming, TimelineEvent, WorkflowTimeline } from './workflow-timeline.ts';

export interface WorkflowsHtmlOptions {
  formatTime: (iso: string) => string;
}

/** Deeper causation chains than this are drawn at this indent. */
export const MAX_DEPTH_CLASS = 6;

const STATE: Record<WorkflowState, { symbol: string; word: string }> = {
  RUNNING: { symbol: '⟳', word: 'RUNNING' },
  COMPLETED: { symbol: '✓', word: 'COMPLETED' },
  FAILED: { symbol: '✗', word: 'FAILED' },
};

export function renderWorkflowsHtml(timelines: readonly WorkflowTimeline[], options: WorkflowsHtmlOptions): string {
  if (timelines.length === 0) return '<p class="workflows-empty">No workflows in the store in this window.</p>';
  return timelines.map((timeline) => renderWorkflow(timeline, options)).join('\n');
}

function renderWorkflow(timeline: WorkflowTimeline, options: WorkflowsHtmlOptions): string {
  const open = timeline.state === WorkflowState.failed || timeline.state === WorkflowState.running;
  const { symbol, word } = STATE[timeline.state];
  const running = timeline.state === WorkflowState.running ? 'running for ' : '';
  const count = `${timeline.events.length} event${timeline.events.length === 1 ? '' : 's'}`;
  const summary = `${escapeHtml(timeline.correlationId)} · <span class="state-symbol" aria-hidden="true">${symbol}</span> ${word} · ${running}${formatDurationMs(timeline.durationMs)} · ${count}`;
  const started = `<p class="wf-started">Started <time datetime="${escapeHtml(timeline.startedAt)}">${escapeHtml(options.formatTime(timeline.startedAt))}</time>${
    timeline.finishedAt !== undefined ? `, finished <time datetime="${escapeHtml(timeline.finishedAt)}">${escapeHtml(options.formatTime(timeline.finishedAt))}</time>` : ''
  }</p>`;
  const failure = timeline.failure
    ? `<p class="wf-failure">Failed at step <strong>${escapeHtml(timeline.failure.step)}</strong>: <code>${escapeHtml(timeline.failure.errorCode)}</code> · ${escapeHtml(timeline.failure.reason)}</p>`
    : '';
  return [
    // The id lets the live page keep a workflow open across refreshes; the data attribute names it for scripts.
    `<details class="workflow state-${timeline.state.toLowerCase()}" id="wf-${escapeHtml(timeline.correlationId)}" data-correlation-id="${escapeHtml(timeline.correlationId)}"${open ? ' open' : ''}>`,
    `<summary>${summary}</summary>`,
    started,
    failure,
    renderSteps(timeline.correlationId, timeline.steps, options),
    renderEvents(timeline.events, options),
    '</details>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function renderSteps(correlationId: string, steps: readonly StepTiming[], options: WorkflowsHtmlOptions): string {
  const rows = steps.map((s) => {
    const done = s.completedAt !== undefined ? `<time datetime="${escapeHtml(s.completedAt)}">${escapeHtml(options.formatTime(s.completedAt))}</time>` : 'not done';
    const took = s.durationMs !== undefined ? formatDurationMs(s.durationMs) : '—';
    return `<tr><th scope="row">${escapeHtml(s.step)}</th><td data-label="Completed">${done}</td><td data-label="Took">${took}</td></tr>`;
  });
  return [
    '<table class="wf-steps data">',
    `<caption>Step durations of ${escapeHtml(correlationId)}</caption>`,
    '<thead><tr><th scope="col">Step</th><th scope="col">Completed</th><th scope="col">Took</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
  ].join('\n');
}

function renderEvents(events: readonly TimelineEvent[], options: WorkflowsHtmlOptions): string {
  const items = events.map((e) => {
    const classes = [`depth-${Math.min(e.depth, MAX_DEPTH_CLASS)}`, ...(e.orphan ? ['orphan'] : [])].join(' ');
    const orphan = e.orphan ? ` <span class="wf-orphan">(its cause ${escapeHtml(e.causationId)} is not in this workflow)</span>` : '';
    return (
      `<li class="${classes}" data-event-id="${escapeHtml(e.eventId)}"><time datetime="${escapeHtml(e.occurredAt)}">${escapeHtml(options.formatTime(e.occurredAt))}</time>` +
      ` <span class="wf-offset">${offset(e.offsetMs)}</span> <span class="wf-type">${escapeHtml(e.type)}</span>` +
      ` <span class="wf-summary">${escapeHtml(e.summary)}</span>${orphan}</li>`
    );
  });
  return `<ol class="wf-events">\n${items.join('\n')}\n</ol>`;
}

/** An event stamped before the record's start (clock skew between processes) shows as negative. */
function offset(ms: number): string {
  return ms < 0 ? `−${formatDurationMs(-ms)}` : `+${formatDurationMs(ms)}`;
}
