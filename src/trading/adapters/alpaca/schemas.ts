/**
 * The Alpaca wire shapes the adapters read, validated at the boundary (zod). Only the fields used
 * are declared; zod drops the rest. Money and quantities arrive as decimal strings on the Trading
 * API and as JSON numbers on the Market Data API; both become decimal.js values here.
 */
import * as z from 'zod';
import { dec, type Dec } from '../../domain/money.ts';
import { ALPACA_ORDER_STATUSES, type AlpacaOrderStatus } from './order-status.ts';

function toDec(value: string | number, ctx: z.RefinementCtx): Dec {
  try {
    const parsed = dec(value);
    if (parsed.isFinite()) return parsed;
  } catch {
    // fall through to the issue below
  }
  ctx.addIssue({ code: 'custom', message: `not a decimal number: ${JSON.stringify(value)}` });
  return z.NEVER;
}

/** "4000.32" → Dec. */
export const wireDecimal = z.string().transform(toDec);
/** 187.15 (a JSON number; decimal.js reads its shortest round-trip form, so 187.15 stays 187.15). */
const wireNumber = z.number().transform(toDec);

export const accountSchema = z.object({
  cash: wireDecimal,
  buying_power: wireDecimal,
  status: z.string().optional(),
  trading_blocked: z.boolean().optional(),
});

export const positionSchema = z.object({
  symbol: z.string().min(1),
  qty: wireDecimal,
  side: z.enum(['long', 'short']),
});
export const positionsSchema = z.array(positionSchema);

export const assetSchema = z.object({
  symbol: z.string().min(1),
  fractionable: z.boolean(),
  tradable: z.boolean().optional(),
  status: z.string().optional(),
});

export const orderSchema = z.object({
  id: z.string().min(1),
  client_order_id: z.string().min(1),
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  /** Null for notional (dollar-amount) orders, which this adapter never places. */
  qty: wireDecimal.nullable(),
  filled_qty: wireDecimal,
  filled_avg_price: wireDecimal.nullable(),
  status: z.enum(ALPACA_ORDER_STATUSES as [AlpacaOrderStatus, ...AlpacaOrderStatus[]]),
});
export type WireOrder = z.infer<typeof orderSchema>;

const barSchema = z.object({
  /** RFC-3339 start of the bar; for 1Day bars midnight New York time, e.g. 2026-06-03T04:00:00Z. */
  t: z.string().min(1),
  c: wireNumber,
});

/** GET /v2/stocks/{symbol}/bars. `bars` is null when the symbol has none in the window. */
export const barsPageSchema = z.object({
  bars: z.array(barSchema).nullable(),
  next_page_token: z.string().nullable().optional(),
});

/** The error envelope: `{"code": 40310000, "message": "insufficient buying power"}`. */
export const errorBodySchema = z.object({ code: z.number().optional(), message: z.string().optional() });
