/**
 * Renders the email a finished workflow sends: what was traded and how long it took, or where and why
 * it failed (with whatever orders were already executed, since those are real).
 */
import { EventType, type TerminalEvent } from './events.ts';
import { dec, formatMoney, sumDecimals } from './money.ts';
import type { Notification } from '../ports/notifier.ts';
import { strategyName } from './strategy.ts';
import type { ExecutedOrder, WorkflowRecord } from '../ports/workflow-store.ts';

export const SUBJECT_LIMIT = 100;

export function renderWorkflowSummary(event: TerminalEvent, record: WorkflowRecord | undefined): Notification {
  const id = event.correlationId;
  const orders = record?.orders ?? [];
  const context = record === undefined ? [] : [`Account ${record.params.accountId} · as of ${record.params.asOf} · ${strategyName(record.params.strategy)}`];
  switch (event.type) {
    case EventType.workflowCompleted: {
      const d = event.detail;
      const subject = `[ops] Workflow COMPLETED: ${d.ordersExecuted} order(s), ${formatMoney(dec(d.valueTraded))} traded (${id})`;
      const body = [
        `Workflow ${id} COMPLETED.`,
        ...context,
        `Started ${d.startedAt} · took ${formatDurationMs(d.durationMs)}`,
        '',
        `Orders executed: ${d.ordersExecuted} · value traded ${formatMoney(dec(d.valueTraded))}`,
        ...orderLines(orders),
      ];
      return { subject: clip(subject), body: body.join('\n') + '\n', attributes: { outcome: 'COMPLETED', correlationId: id } };
    }
    case EventType.workflowFailed: {
      const d = event.detail;
      const subject = `[ops] Workflow FAILED at ${d.step}: ${d.errorCode} (${id})`;
      const body = [
        `Workflow ${id} FAILED at step "${d.step}".`,
        ...context,
        `Reason: ${d.reason}`,
        `Error code: ${d.errorCode}`,
        `Started ${d.startedAt} · failed after ${formatDurationMs(d.durationMs)}`,
        '',
        orders.length === 0
          ? 'No orders were executed.'
          : `Orders executed before the failure: ${orders.length} · value ${formatMoney(valueTraded(orders))} (they stand; review the account)`,
        ...orderLines(orders),
      ];
      return { subject: clip(subject), body: body.join('\n') + '\n', attributes: { outcome: 'FAILED', correlationId: id, step: d.step, errorCode: d.errorCode } };
    }
  }
}

export function valueTraded(orders: readonly Pick<ExecutedOrder, 'notional'>[]) {
  return sumDecimals(orders.map((o) => dec(o.notional)));
}

function orderLines(orders: readonly ExecutedOrder[]): string[] {
  return orders.map((o) => `  ${o.side.toUpperCase().padEnd(4)} ${o.quantity} ${o.symbol} @ ${o.price} = ${formatMoney(dec(o.notional))}  (${o.clientOrderId})`);
}

function clip(subject: string): string {
  return subject.length <= SUBJECT_LIMIT ? subject : `${subject.slice(0, SUBJECT_LIMIT - 1)}…`;
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDurationMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
