/**
 * Text renderings for people: the event timeline of a run, its orders, one workflow's status and a
 * list of workflows with their metrics. The CLI prints these; `--json` prints the data instead.
 */
import { describeEvent } from '../../trading/domain/describe-event.ts';
import type { WorkflowEvent } from '../../trading/domain/events.ts';
import { dec, formatMoney } from '../../trading/domain/money.ts';
import type { WorkflowMetrics, WorkflowView } from '../../trading/domain/status.ts';
import { formatDurationMs } from '../../trading/domain/summary.ts';
import { WorkflowState } from '../../trading/ports/workflow-store.ts';

// Moved to the trading domain so the status page can use it; existing imports keep working.
export { describeEvent };

/** One line per event: offset from the first event, type, and what it says. */
export function renderTimeline(events: readonly WorkflowEvent[]): string[] {
  const first = events[0] === undefined ? 0 : Date.parse(events[0].occurredAt);
  return events.map((event) => {
    const offset = `+${formatDurationMs(Date.parse(event.occurredAt) - first)}`;
    return `  ${offset.padStart(9)}  ${event.type.padEnd(18)} ${describeEvent(event)}`;
  });
}

export function renderOrders(orders: WorkflowView['orders']): string[] {
  if (orders.length === 0) return ['  (no orders)'];
  const rows = orders.map((o) => [o.side.toUpperCase(), o.symbol, o.quantity, o.price, formatMoney(dec(o.notional)), o.clientOrderId]);
  return table(['SIDE', 'SYMBOL', 'QUANTITY', 'PRICE', 'NOTIONAL', 'CLIENT ORDER ID'], rows, [false, false, true, true, true, false]);
}

/** The plan's orders as planned: reference price and notional before any fill. */
export function renderPlannedOrders(orders: NonNullable<WorkflowView['plan']>['orders']): string[] {
  if (orders.length === 0) return ['  (no orders)'];
  const rows = orders.map((o) => [o.side.toUpperCase(), o.symbol, o.quantity, o.price, formatMoney(dec(o.notional)), o.clientOrderId]);
  return table(['SIDE', 'SYMBOL', 'QUANTITY', 'REF PRICE', 'NOTIONAL', 'CLIENT ORDER ID'], rows, [false, false, true, true, true, false]);
}

export function renderSkipped(skipped: NonNullable<WorkflowView['plan']>['skipped']): string[] {
  if (skipped.length === 0) return ['  (none)'];
  const rows = skipped.map((s) => [s.side.toUpperCase(), s.symbol, formatMoney(dec(s.notional)), s.reason]);
  return table(['SIDE', 'SYMBOL', 'NOTIONAL', 'REASON'], rows, [false, false, true, false]);
}

export function renderStatus(view: WorkflowView): string {
  const lines = [
    `${view.correlationId}  ${view.state}${view.failure ? ` at ${view.failure.step}` : ''}`,
    `  account ${view.accountId} · as of ${view.asOf} · ${view.strategy}`,
    `  started ${view.startedAt}${view.finishedAt ? ` · finished ${view.finishedAt}` : ''} · ${view.state === WorkflowState.running ? 'running for' : 'took'} ${formatDurationMs(view.durationMs)}`,
  ];
  if (view.failure) lines.push(`  reason: ${view.failure.reason}`, `  error code: ${view.failure.errorCode}`);
  if (view.retryOf) lines.push(`  attempt ${view.retryOf.attempt} of ${view.retryOf.of}, retrying ${view.retryOf.previous}`);
  if (view.attempts && view.attempts.length > 1) lines.push(`  attempts: ${view.attempts.map((a) => `${a.correlationId} (${a.state})`).join(' → ')}`);
  for (const step of ['strategy', 'portfolio', 'execution'] as const) {
    const result = view.steps[step];
    const facts = result ? Object.entries(result.summary).map(([k, v]) => `${k} ${String(v)}`).join(' · ') : 'not done';
    lines.push(`  ${step.padEnd(10)} ${result ? `done ${result.completedAt} · ` : ''}${facts}`);
  }
  lines.push(`  orders: ${view.ordersExecuted}${view.expectedOrders !== undefined ? ` of ${view.expectedOrders} planned` : ''} · value ${formatMoney(dec(view.valueTraded))}`);
  if (view.orders.length > 0) lines.push(...renderOrders(view.orders).map((l) => `  ${l}`));
  if (view.openOrders.length > 0) {
    lines.push(`  Open at the broker (${view.openOrders.length}; the sweeper reconciles them):`);
    for (const o of view.openOrders) lines.push(`    ${o.side.toUpperCase()} ${o.symbol} ${o.filledQuantity} of ${o.quantity} filled · ${o.status} · placed ${o.placedAt} · ${o.clientOrderId}`);
  }
  if (view.plan !== undefined) {
    lines.push(`  Planned (${view.plan.orders.length}):`, ...renderPlannedOrders(view.plan.orders).map((l) => `  ${l}`));
    lines.push(`  Skipped (${view.plan.skipped.length}):`, ...renderSkipped(view.plan.skipped).map((l) => `  ${l}`));
  }
  if (view.state !== WorkflowState.running && !view.terminalPublished) lines.push('  terminal event not yet published (the sweeper re-publishes it)');
  return lines.join('\n');
}

export function renderList(workflows: readonly WorkflowView[], metrics: WorkflowMetrics): string {
  const lines: string[] = [];
  if (workflows.length === 0) lines.push('No workflows.');
  else {
    const rows = workflows.map((w) => [
      w.correlationId,
      w.state,
      w.failure ? `${w.failure.step}: ${w.failure.errorCode}` : '',
      w.startedAt,
      formatDurationMs(w.durationMs),
      String(w.ordersExecuted),
    ]);
    lines.push(...table(['CORRELATION ID', 'STATE', 'FAILURE', 'STARTED', 'DURATION', 'ORDERS'], rows, [false, false, false, false, true, true]));
  }
  const s = metrics.byState;
  lines.push('', `${metrics.total} workflow(s): ${s.RUNNING} running, ${s.COMPLETED} completed, ${s.FAILED} failed`);
  for (const state of [WorkflowState.completed, WorkflowState.failed] as const) {
    const d = metrics.durations[state];
    if (d) lines.push(`  ${state.toLowerCase()} duration: p50 ${formatDurationMs(d.p50Ms)} · mean ${formatDurationMs(d.meanMs)} · max ${formatDurationMs(d.maxMs)}`);
  }
  if (metrics.oldestRunningAgeMs !== undefined) lines.push(`  oldest running: ${formatDurationMs(metrics.oldestRunningAgeMs)}`);
  for (const r of metrics.failureReasons) lines.push(`  failures at ${r.step}: ${r.errorCode} × ${r.count} (last: ${r.lastReason})`);
  return lines.join('\n');
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].map((l) => `  ${l}`);
}
