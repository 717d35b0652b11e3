/**
 * Deterministic client order ids: the same workflow, symbol and side always give the same id, so an
 * execution step that runs twice (redelivery, a retry after a crash) asks the broker for the same
 * order twice and the broker's uniqueness rule turns the second into a look-up instead of a trade.
 */
import { createHash } from 'node:crypto';
import type { OrderSide } from './events.ts';

/** `ops-` + 40 hex characters: well inside every broker's limit (Alpaca allows 128). */
export function clientOrderId(correlationId: string, symbol: string, side: OrderSide): string {
  return `ops-${createHash('sha256').update(`${correlationId}\u001f${symbol}\u001f${side}`).digest('hex').slice(0, 40)}`;
}
