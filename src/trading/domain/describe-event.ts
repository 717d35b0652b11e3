/**
 * One line that says what an event says, for people: the CLI's timeline and the status page's
 * workflow list print the same words.
 */
import { EventType, type WorkflowEvent } from './events.ts';
import { dec, formatMoney } from './money.ts';
import { formatDurationMs } from './summary.ts';

export function describeEvent(event: WorkflowEvent): string {
  switch (event.type) {
    case EventType.workflowStarted:
      return `account ${event.detail.accountId} · as of ${event.detail.asOf} · ${event.detail.strategy.kind}`;
    case EventType.signalGenerated:
      return `${event.detail.strategy}: ${event.detail.targets.map((t) => `${t.symbol} ${dec(t.weight).toDecimalPlaces(4).toFixed(4)}`).join(', ')}`;
    case EventType.rebalancePlanned: {
      const sells = event.detail.orders.filter((o) => o.side === 'sell').length;
      return `equity ${formatMoney(dec(event.detail.equity))} · ${event.detail.orders.length} order(s): ${sells} sell, ${event.detail.orders.length - sells} buy · ${event.detail.skipped.length} skipped`;
    }
    case EventType.tradeExecuted:
      return `${event.detail.side.toUpperCase()} ${event.detail.quantity} ${event.detail.symbol} @ ${event.detail.price} = ${formatMoney(dec(event.detail.notional))} (${event.detail.orderIndex + 1}/${event.detail.orderCount})`;
    case EventType.workflowCompleted:
      return `${event.detail.ordersExecuted} order(s) · ${formatMoney(dec(event.detail.valueTraded))} traded · ${formatDurationMs(event.detail.durationMs)}`;
    case EventType.workflowFailed:
      return `at ${event.detail.step}: ${event.detail.errorCode} · ${event.detail.reason}`;
  }
}
