/**
 * The Broker port over Alpaca's Trading API (paper or live: the client's base URL decides).
 *
 * - account: GET /v2/account + GET /v2/positions. Cash is min(cash, buying_power), so the plan never
 *   spends what Alpaca would refuse (open orders and unsettled funds lower buying power).
 * - assets: GET /v2/assets/{symbol}; a 404 leaves the symbol out.
 * - placeOrder: POST /v2/orders, a market day order with the workflow's client_order_id (fractional
 *   quantities need `day`). 422 "client_order_id must be unique" → DuplicateClientOrderIdError, so a
 *   re-run looks the order up; 403 (buying power, quantity held) and 422 (invalid order) →
 *   OrderRejectedError with a coded reason.
 * - orderByClientId: GET /v2/orders:by_client_order_id; 404 → undefined.
 *
 * Alpaca fills asynchronously. placeOrder answers the order as Alpaca has it (usually `accepted`,
 * i.e. the port's `pending`), and orderByClientId its progress later: filled quantity, average fill
 * price and the status mapped by order-status.ts. The sweeper reconciles open orders through it.
 */
import { FaultError } from '../../../errors.ts';
import { DuplicateClientOrderIdError, OrderStatus, type AssetInfo, type Broker, type BrokerAccount, type BrokerOrder, type OrderRequest } from '../../ports/broker.ts';
import { Dec, toDecimalString } from '../../domain/money.ts';
import { AlpacaApi, type AlpacaClient, type AlpacaOutcome } from './client.ts';
import { AlpacaOrderRejectedError, AlpacaRejectReason, lifecycleOf } from './order-status.ts';
import { accountSchema, assetSchema, orderSchema, positionsSchema, type WireOrder } from './schemas.ts';

export interface AlpacaAccountDetails extends BrokerAccount {
  /** Alpaca's own figures, before the min() above. */
  rawCash: Dec;
  buyingPower: Dec;
}

export class AlpacaBroker implements Broker {
  private readonly client: AlpacaClient;

  constructor(client: AlpacaClient) {
    this.client = client;
  }

  async account(): Promise<AlpacaAccountDetails> {
    const [account, positions] = await Promise.all([
      this.client.get({ api: AlpacaApi.trading, path: '/v2/account', schema: accountSchema }),
      this.client.get({ api: AlpacaApi.trading, path: '/v2/positions', schema: positionsSchema }),
    ]);
    const held = new Map<string, Dec>();
    for (const position of positions) {
      if (position.side === 'short' || position.qty.isNegative()) {
        throw new FaultError('ALPACA_SHORT_POSITION', `The Alpaca account is short ${position.qty.abs().toFixed()} ${position.symbol}; the workflow trades long-only accounts.`, {
          hint: 'Close the short position before the next rebalance.',
        });
      }
      if (!position.qty.isZero()) held.set(position.symbol, position.qty);
    }
    return { cash: Dec.min(account.cash, account.buying_power), positions: held, rawCash: account.cash, buyingPower: account.buying_power };
  }

  async assets(symbols: readonly string[]): Promise<Map<string, AssetInfo>> {
    const unique = [...new Set(symbols)];
    const found = await Promise.all(
      unique.map(async (symbol) => {
        const outcome = await this.client.send({ api: AlpacaApi.trading, method: 'GET', path: `/v2/assets/${encodeURIComponent(symbol)}`, schema: assetSchema, expect: [404] });
        return outcome.ok ? ([symbol, { symbol, fractionable: outcome.value.fractionable }] as const) : undefined;
      }),
    );
    return new Map(found.filter((entry) => entry !== undefined));
  }

  /** The order as Alpaca has it after accepting it; a refusal on the spot throws (see rejection()). */
  async placeOrder(request: OrderRequest): Promise<BrokerOrder> {
    const outcome = await this.client.send({
      api: AlpacaApi.trading,
      method: 'POST',
      path: '/v2/orders',
      body: { symbol: request.symbol, qty: toDecimalString(request.quantity), side: request.side, type: 'market', time_in_force: 'day', client_order_id: request.clientOrderId },
      schema: orderSchema,
      expect: [403, 422],
    });
    if (!outcome.ok) throw rejection(request, outcome);
    const order = toBrokerOrder(outcome.value);
    if (order.status === OrderStatus.rejected) {
      throw new AlpacaOrderRejectedError(request.clientOrderId, AlpacaRejectReason.brokerRejected, `Alpaca ${outcome.value.status} ${request.side} ${toDecimalString(request.quantity)} ${request.symbol}.`);
    }
    return order;
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const outcome = await this.client.send({
      api: AlpacaApi.trading,
      method: 'GET',
      path: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
      schema: orderSchema,
      expect: [404],
    });
    return outcome.ok ? toBrokerOrder(outcome.value) : undefined;
  }
}

/** Alpaca's order → the port's: status from order-status.ts, quantities and the average fill price as reported. */
export function toBrokerOrder(wire: WireOrder): BrokerOrder {
  const status = lifecycleOf(wire.status, wire.filled_qty);
  if (status === OrderStatus.filled && (wire.filled_avg_price === null || wire.filled_qty.isZero())) {
    throw new FaultError('ALPACA_BAD_RESPONSE', `Alpaca reports order ${wire.client_order_id} filled without a filled quantity and average price.`);
  }
  return {
    brokerOrderId: wire.id,
    clientOrderId: wire.client_order_id,
    symbol: wire.symbol,
    side: wire.side,
    quantity: wire.qty ?? wire.filled_qty,
    status,
    filledQuantity: wire.filled_qty,
    ...(wire.filled_avg_price !== null && wire.filled_qty.gt(0) ? { fillPrice: wire.filled_avg_price } : {}),
    brokerStatus: wire.status,
    ...(status === OrderStatus.rejected ? { rejectReason: AlpacaRejectReason.brokerRejected } : {}),
    ...(status === OrderStatus.canceled ? { rejectReason: AlpacaRejectReason.canceled } : {}),
    ...(status === OrderStatus.expired ? { rejectReason: AlpacaRejectReason.expired } : {}),
  };
}

const DUPLICATE_ID = /client_order_id must be unique/i;

/** 403/422 on POST /v2/orders → the error the execution step understands. */
function rejection(request: OrderRequest, outcome: Extract<AlpacaOutcome<unknown>, { ok: false }>): Error {
  const { status, code, message } = outcome;
  if (status === 422 && DUPLICATE_ID.test(message)) return new DuplicateClientOrderIdError(request.clientOrderId);
  const what = `${request.side} ${toDecimalString(request.quantity)} ${request.symbol}`;
  return new AlpacaOrderRejectedError(request.clientOrderId, rejectReasonOf(status, message), `Alpaca refused ${what} (${status}: ${message}).`, {
    httpStatus: status,
    ...(code === undefined ? {} : { code }),
  });
}

/** Alpaca's error messages are its only stable discriminator within one status (codes are per status). */
export function rejectReasonOf(status: number, message: string): AlpacaRejectReason {
  const m = message.toLowerCase();
  if (m.includes('insufficient buying power') || m.includes('insufficient day trading buying power')) return AlpacaRejectReason.insufficientBuyingPower;
  if (m.includes('insufficient qty') || m.includes('insufficient quantity')) return AlpacaRejectReason.insufficientPosition;
  if (m.includes('fractionable') || m.includes('fractional')) return AlpacaRejectReason.fractionalNotSupported;
  if (/asset .*not (found|active|tradable)|could not find asset|invalid symbol/.test(m)) return AlpacaRejectReason.unknownSymbol;
  if (/\bqty\b|quantity/.test(m)) return AlpacaRejectReason.invalidQuantity;
  return status === 403 ? AlpacaRejectReason.forbidden : AlpacaRejectReason.invalidOrder;
}
