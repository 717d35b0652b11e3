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
 * Alpaca fills asynchronously. placeOrder and orderByClientId answer `filled` or `rejected` when
 * Alpaca has decided, and throw OrderPendingError while the order is open; submitOrder/trackOrder
 * (OrderTracking) give the whole lifecycle for the asynchronous reconciliation to come.
 */
import { FaultError } from '../../../errors.ts';
import { DuplicateClientOrderIdError, type AssetInfo, type Broker, type BrokerAccount, type BrokerOrder, type OrderRequest } from '../../ports/broker.ts';
import { Dec, toDecimalString } from '../../domain/money.ts';
import { AlpacaApi, type AlpacaClient, type AlpacaOutcome } from './client.ts';
import { AlpacaOrderRejectedError, AlpacaRejectReason, lifecycleOf, OrderLifecycle, toBrokerOrder, type OrderTracking, type TrackedOrder } from './order-status.ts';
import { accountSchema, assetSchema, orderSchema, positionsSchema, type WireOrder } from './schemas.ts';

export interface AlpacaAccountDetails extends BrokerAccount {
  /** Alpaca's own figures, before the min() above. */
  rawCash: Dec;
  buyingPower: Dec;
}

export class AlpacaBroker implements Broker, OrderTracking {
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

  async placeOrder(request: OrderRequest): Promise<BrokerOrder> {
    const order = await this.submitOrder(request);
    const answer = toBrokerOrder(order);
    if (answer.status === 'rejected') {
      throw new AlpacaOrderRejectedError(request.clientOrderId, order.rejectReason ?? AlpacaRejectReason.brokerRejected, `Alpaca ${order.brokerStatus} ${request.side} ${toDecimalString(request.quantity)} ${request.symbol}.`);
    }
    return answer;
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const order = await this.trackOrder(clientOrderId);
    return order === undefined ? undefined : toBrokerOrder(order);
  }

  async submitOrder(request: OrderRequest): Promise<TrackedOrder> {
    const quantity = toDecimalString(request.quantity);
    const outcome = await this.client.send({
      api: AlpacaApi.trading,
      method: 'POST',
      path: '/v2/orders',
      body: { symbol: request.symbol, qty: quantity, side: request.side, type: 'market', time_in_force: 'day', client_order_id: request.clientOrderId },
      schema: orderSchema,
      expect: [403, 422],
    });
    if (!outcome.ok) throw rejection(request, outcome);
    return tracked(outcome.value);
  }

  async trackOrder(clientOrderId: string): Promise<TrackedOrder | undefined> {
    const outcome = await this.client.send({
      api: AlpacaApi.trading,
      method: 'GET',
      path: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
      schema: orderSchema,
      expect: [404],
    });
    return outcome.ok ? tracked(outcome.value) : undefined;
  }
}

function tracked(wire: WireOrder): TrackedOrder {
  const lifecycle = lifecycleOf(wire.status, wire.filled_qty);
  return {
    brokerOrderId: wire.id,
    clientOrderId: wire.client_order_id,
    symbol: wire.symbol,
    side: wire.side,
    quantity: wire.qty ?? wire.filled_qty,
    lifecycle,
    filledQuantity: wire.filled_qty,
    ...(wire.filled_avg_price === null ? {} : { averageFillPrice: wire.filled_avg_price }),
    brokerStatus: wire.status,
    ...(lifecycle === OrderLifecycle.rejected ? { rejectReason: AlpacaRejectReason.brokerRejected } : {}),
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
