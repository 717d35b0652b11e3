import { describe, expect, it } from 'vitest';
import { runLocalWorkflow, type LocalRunResult } from '../../../src/entry/wiring/local-workflow.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import type { WorkflowRecord } from '../../../src/trading/ports/workflow-store.ts';
import { buildWorkflowTimeline, workflowEvents, type WorkflowTimeline } from '../../../src/status/workflow-timeline.ts';
import { renderWorkflowsHtml } from '../../../src/status/workflow-timeline-html.ts';
import { describeEvent } from '../../../src/entry/cli/workflow-render.ts';

const START = Date.parse('2026-11-23T15:00:00.000Z');

/** Each read of the clock is `stepMs` later, so every event gets its own instant (0: all one instant). */
function tickingClock(stepMs: number) {
  let t = START;
  return {
    now: () => {
      const at = new Date(t);
      t += stepMs;
      return at;
    },
  };
}

async function localRun(options: { stepMs?: number; correlationId: string; strategy?: Parameters<typeof runLocalWorkflow>[0]['strategy'] }): Promise<{ run: LocalRunResult; record: WorkflowRecord }> {
  const store = new MemoryWorkflowStore();
  const run = await runLocalWorkflow({
    clock: tickingClock(options.stepMs ?? 250),
    store,
    correlationId: options.correlationId,
    asOf: '2026-11-20',
    ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
  });
  const record = await store.get(options.correlationId);
  if (record === undefined) throw new Error('the run left no record');
  return { run, record };
}

describe('workflowEvents', () => {
  it('rebuilds every event the run\'s bus carried from the stored record alone, each once', async () => {
    const { run, record } = await localRun({ correlationId: 'wf-all' });
    const seen = [...new Set(run.timeline.map((e) => e.eventId))];

    const events = workflowEvents(record);

    expect(events.map((e) => e.eventId).sort()).toEqual([...seen].sort());
    expect(events.map((e) => e.type)).toEqual(['WorkflowStarted', 'SignalGenerated', 'RebalancePlanned', 'TradeExecuted', 'TradeExecuted', 'TradeExecuted', 'WorkflowCompleted']);
    // The rebuilt fills say what the published ones said.
    expect(events.filter((e) => e.type === 'TradeExecuted').map((e) => e.detail)).toEqual(run.timeline.filter((e) => e.type === 'TradeExecuted').map((e) => e.detail));
  });

  it('puts a cause before its effects when they share an instant', async () => {
    const { record } = await localRun({ correlationId: 'wf-frozen', stepMs: 0 });
    const events = workflowEvents(record);
    expect(new Set(events.map((e) => e.occurredAt)).size).toBe(1);
    expect(events.map((e) => e.type).slice(0, 3)).toEqual(['WorkflowStarted', 'SignalGenerated', 'RebalancePlanned']);
    const position = new Map(events.map((e, i) => [e.eventId, i]));
    for (const [i, e] of events.entries()) if (position.has(e.causationId)) expect(position.get(e.causationId)).toBeLessThan(i);
  });

  it('drops a duplicate of an event kept in two places', async () => {
    const { record } = await localRun({ correlationId: 'wf-dup' });
    const signal = record.outbox.strategy ?? [];
    const doubled: WorkflowRecord = { ...record, outbox: { ...record.outbox, strategy: [...signal, ...signal] } };
    expect(workflowEvents(doubled)).toHaveLength(workflowEvents(record).length);
  });
});

describe('buildWorkflowTimeline', () => {
  it('orders a completed run depth-first by causation with offsets from the start and one-line summaries', async () => {
    const { run, record } = await localRun({ correlationId: 'wf-tree' });
    const timeline = buildWorkflowTimeline(record, new Date(START + 3_600_000));

    expect(timeline).toMatchObject({ correlationId: 'wf-tree', state: 'COMPLETED', startedAt: '2026-11-23T15:00:00.000Z' });
    expect(timeline.events).toHaveLength(new Set(run.timeline.map((e) => e.eventId)).size);
    expect(timeline.events.map((e) => [e.type, e.depth])).toEqual([
      ['WorkflowStarted', 0],
      ['SignalGenerated', 1],
      ['RebalancePlanned', 2],
      ['TradeExecuted', 3],
      ['TradeExecuted', 3],
      ['TradeExecuted', 3],
      ['WorkflowCompleted', 3],
    ]);
    expect(timeline.events.some((e) => e.orphan)).toBe(false);
    const [started, signal] = timeline.events;
    expect(started).toMatchObject({ offsetMs: 0, causationId: 'wf-tree' });
    expect(signal?.causationId).toBe(started?.eventId);
    expect(signal?.offsetMs).toBeGreaterThan(0);
    const bySeen = new Map(run.timeline.map((e) => [e.eventId, e]));
    for (const e of timeline.events) expect(e.summary).toBe(describeEvent(bySeen.get(e.eventId)!));
    // Finished: the duration is the run's, not the time since.
    expect(timeline.finishedAt).toBe(record.finishedAt?.toISOString());
    expect(timeline.durationMs).toBe(record.finishedAt!.getTime() - START);
  });

  it('times each step from the one before it (or the start)', async () => {
    const { record } = await localRun({ correlationId: 'wf-steps' });
    const timeline = buildWorkflowTimeline(record, new Date(START));
    const done = (step: 'strategy' | 'portfolio' | 'execution') => record.steps[step]!.completedAt.getTime();

    expect(timeline.steps).toEqual([
      { step: 'strategy', completedAt: record.steps.strategy!.completedAt.toISOString(), durationMs: done('strategy') - START },
      { step: 'portfolio', completedAt: record.steps.portfolio!.completedAt.toISOString(), durationMs: done('portfolio') - done('strategy') },
      { step: 'execution', completedAt: record.steps.execution!.completedAt.toISOString(), durationMs: done('execution') - done('portfolio') },
    ]);
    expect(timeline.steps.every((s) => (s.durationMs ?? 0) > 0)).toBe(true);
  });

  it('shows a failed run\'s failure and the steps it never reached', async () => {
    const { record } = await localRun({ correlationId: 'wf-fail', strategy: { kind: 'momentum', universe: ['SPY', 'XYZ'], lookbackDays: 20, topN: 1 } });
    const timeline = buildWorkflowTimeline(record, new Date(START + 3_600_000));

    expect(timeline.state).toBe('FAILED');
    expect(timeline.failure).toMatchObject({ step: 'strategy', errorCode: 'INSUFFICIENT_HISTORY' });
    expect(timeline.events.map((e) => [e.type, e.depth])).toEqual([
      ['WorkflowStarted', 0],
      ['WorkflowFailed', 1],
    ]);
    expect(timeline.steps).toEqual([{ step: 'strategy' }, { step: 'portfolio' }, { step: 'execution' }]);
  });

  it('measures a running workflow up to now', async () => {
    const store = new MemoryWorkflowStore();
    const { record } = await store.create({ correlationId: 'wf-run', params: { accountId: 'paper', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' }, startedAt: new Date(START) });

    const timeline = buildWorkflowTimeline(record, new Date(START + 90_000));

    expect(timeline).toMatchObject({ state: 'RUNNING', durationMs: 90_000 });
    expect(timeline.finishedAt).toBeUndefined();
    expect(timeline.events.map((e) => e.type)).toEqual(['WorkflowStarted']);
  });

  it('keeps an event whose cause is missing, at the top level and marked orphan, with its own effects under it', async () => {
    const { record } = await localRun({ correlationId: 'wf-orphan' });
    const { strategy: _dropped, ...outbox } = record.outbox;
    const timeline = buildWorkflowTimeline({ ...record, outbox }, new Date(START));

    const signalId = record.outbox.strategy?.[0]?.eventId;
    expect(timeline.events.map((e) => [e.type, e.depth, e.orphan ?? false])).toEqual([
      ['WorkflowStarted', 0, false],
      ['RebalancePlanned', 0, true],
      ['TradeExecuted', 1, false],
      ['TradeExecuted', 1, false],
      ['TradeExecuted', 1, false],
      ['WorkflowCompleted', 1, false],
    ]);
    expect(timeline.events[1]?.causationId).toBe(signalId);
  });
});

describe('renderWorkflowsHtml', () => {
  const formatTime = (iso: string) => `NY ${iso.slice(11, 19)}`;

  it('draws a closed <details> for a completed run: summary line, step table, events indented by depth', async () => {
    const { record } = await localRun({ correlationId: 'wf-html' });
    const timeline = buildWorkflowTimeline(record, new Date(START));
    const html = renderWorkflowsHtml([timeline], { formatTime });

    expect(html).toContain('<details class="workflow state-completed" id="wf-wf-html" data-correlation-id="wf-html">');
    expect(html).toContain('<summary>wf-html · <span class="state-symbol" aria-hidden="true">✓</span> COMPLETED · ');
    expect(html).toContain(' · 7 events</summary>');
    expect(html).toContain('<caption>Step durations of wf-html</caption>');
    expect(html).toContain(`<tr><th scope="row">strategy</th><td data-label="Completed"><time datetime="${record.steps.strategy!.completedAt.toISOString()}">`);
    expect(html.match(/<li class="depth-(\d)"/g)).toEqual(['<li class="depth-0"', '<li class="depth-1"', '<li class="depth-2"', '<li class="depth-3"', '<li class="depth-3"', '<li class="depth-3"', '<li class="depth-3"']);
    expect(html.match(/<li class="depth-\d" data-event-id="[^"]+">/g)).toHaveLength(7);
    expect(html).toContain(
      `<li class="depth-0" data-event-id="${workflowEvents(record)[0]!.eventId}"><time datetime="2026-11-23T15:00:00.000Z">NY 15:00:00</time> <span class="wf-offset">+0 ms</span> <span class="wf-type">WorkflowStarted</span> <span class="wf-summary">account paper · as of 2026-11-20 · momentum</span></li>`,
    );
    expect(html).toContain('<ol class="wf-events">');
  });

  it('opens a failed run and says where and why it failed', async () => {
    const { record } = await localRun({ correlationId: 'wf-html-fail', strategy: { kind: 'momentum', universe: ['SPY', 'XYZ'], lookbackDays: 20, topN: 1 } });
    const html = renderWorkflowsHtml([buildWorkflowTimeline(record, new Date(START))], { formatTime });

    expect(html).toContain('<details class="workflow state-failed" id="wf-wf-html-fail" data-correlation-id="wf-html-fail" open>');
    expect(html).toContain('<span class="state-symbol" aria-hidden="true">✗</span> FAILED');
    expect(html).toContain('<p class="wf-failure">Failed at step <strong>strategy</strong>: <code>INSUFFICIENT_HISTORY</code> · ');
    expect(html).toContain('<tr><th scope="row">portfolio</th><td data-label="Completed">not done</td><td data-label="Took">—</td></tr>');
  });

  const synthetic = (overrides: Partial<WorkflowTimeline>): WorkflowTimeline => ({
    correlationId: 'wf-<x>',
    state: 'RUNNING',
    startedAt: '2026-11-23T15:00:00.000Z',
    durationMs: 65_000,
    events: [],
    steps: [{ step: 'strategy' }, { step: 'portfolio' }, { step: 'execution' }],
    ...overrides,
  });

  it('opens a running one, caps the indent class at 6, marks orphans in words and escapes text', () => {
    const event = { eventId: 'e', type: 'TradeExecuted' as const, occurredAt: '2026-11-23T15:00:01.000Z', offsetMs: 1_000, causationId: 'evt-<gone>', summary: 'BUY <1> SPY' };
    const html = renderWorkflowsHtml([synthetic({ events: [{ ...event, depth: 9 }, { ...event, depth: 0, orphan: true }] })], { formatTime });

    expect(html).toContain('<details class="workflow state-running" id="wf-wf-&lt;x&gt;" data-correlation-id="wf-&lt;x&gt;" open>');
    expect(html).toContain('<summary>wf-&lt;x&gt; · <span class="state-symbol" aria-hidden="true">⟳</span> RUNNING · running for 1 min 05 s · 2 events</summary>');
    expect(html).toContain('<li class="depth-6" data-event-id=');
    expect(html).toContain('<li class="depth-0 orphan" data-event-id=');
    expect(html).toContain('<span class="wf-orphan">(its cause evt-&lt;gone&gt; is not in this workflow)</span>');
    expect(html).toContain('<span class="wf-summary">BUY &lt;1&gt; SPY</span>');
    expect(html).not.toContain('<gone>');
  });

  it('says so when there are no workflows', () => {
    expect(renderWorkflowsHtml([], { formatTime })).toBe('<p class="workflows-empty">No workflows in the store in this window.</p>');
  });
});
