/**
 * A paper broker: an account in memory that fills acceptable orders at the price the paper market
 * quotes (not the plan's price), and refuses what a real broker would refuse: a reused client order
 * id, a buy above buying power, a sell above the holding, a fractional quantity of a non-fractionable
 * asset, a symbol without a quote (the rules in src/trading/domain/paper-fill.ts, shared with the
 * durable paper broker in src/aws/paper-broker-store.ts).
 *
 * By default every order fills at once, in full. Two deterministic knobs model what real brokers do:
 * - `liquidity`: at most this quantity of a symbol fills per fill round. With immediate fills the
 *   remainder is canceled at once (like an immediate-or-cancel order; the durable broker does the
 *   same), so the order ends `canceled` with a partial fill.
 * - `fills: 'deferred'`: placeOrder only accepts (`pending`); each `advanceMarket()` runs one fill
 *   round over the open orders (`partially_filled` until done), and `endOrder()` cancels, expires or
 *   rejects what is left: what a test needs to walk the asynchronous path step by step.
 */
import { DuplicateClientOrderIdError, isFinalStatus, OrderRejectedError, OrderStatus, type AssetInfo, type Broker, type BrokerAccount, type BrokerOrder, type OrderRequest } from '../ports/broker.ts';
import { dec, Dec } from '../domain/money.ts';
import { accountCheck, INSUFFICIENT_LIQUIDITY, priceOrder, type PaperRejection } from '../domain/paper-fill.ts';

export interface PaperBrokerOptions {
  cash: Dec | string;
  positions?: ReadonlyMap<string, Dec | string> | Record<string, Dec | string>;
  /** The paper market's quote per symbol; orders fill at it. */
  quote: (symbol: string) => Dec | undefined;
  nonFractionable?: Iterable<string>;
  /** Prefix of broker order ids (default `paper`). */
  idPrefix?: string;
  /** Most quantity per symbol that fills in one round (default: unlimited). */
  liquidity?: Record<string, Dec | string>;
  /** `immediate` (default): fill at placement. `deferred`: fill only on advanceMarket(). */
  fills?: 'immediate' | 'deferred';
}

export class PaperBroker implements Broker {
  private cash: Dec;
  private readonly positions = new Map<string, Dec>();
  private readonly orders = new Map<string, BrokerOrder>();
  private readonly quote: (symbol: string) => Dec | undefined;
  private readonly nonFractionable: ReadonlySet<string>;
  private readonly idPrefix: string;
  private readonly liquidity: ReadonlyMap<string, Dec>;
  private readonly deferred: boolean;
  private sequence = 0;
  /** Every call to placeOrder, accepted or not: what tests count. */
  readonly placeOrderCalls: OrderRequest[] = [];

  constructor(options: PaperBrokerOptions) {
    this.cash = dec(options.cash);
    const positions: ReadonlyMap<string, Dec | string> =
      options.positions instanceof Map ? options.positions : new Map(Object.entries((options.positions ?? {}) as Record<string, Dec | string>));
    for (const [symbol, quantity] of positions) this.positions.set(symbol, dec(quantity));
    this.quote = options.quote;
    this.nonFractionable = new Set(options.nonFractionable ?? []);
    this.idPrefix = options.idPrefix ?? 'paper';
    this.liquidity = new Map(Object.entries(options.liquidity ?? {}).map(([symbol, limit]) => [symbol, dec(limit)]));
    for (const [symbol, limit] of this.liquidity) if (!limit.gt(0)) throw new RangeError(`liquidity of ${symbol} must be positive, got ${limit.toFixed()}`);
    this.deferred = options.fills === 'deferred';
  }

  async account(): Promise<BrokerAccount> {
    return { cash: this.cash, positions: new Map([...this.positions].filter(([, q]) => !q.isZero())) };
  }

  async assets(symbols: readonly string[]): Promise<Map<string, AssetInfo>> {
    return new Map(symbols.map((symbol) => [symbol, { symbol, fractionable: !this.nonFractionable.has(symbol) }]));
  }

  async placeOrder(request: OrderRequest): Promise<BrokerOrder> {
    this.placeOrderCalls.push({ ...request });
    if (this.orders.has(request.clientOrderId)) throw new DuplicateClientOrderIdError(request.clientOrderId);
    const reject = (rejection: PaperRejection): never => {
      this.orders.set(request.clientOrderId, { ...this.baseOrder(request), status: OrderStatus.rejected, rejectReason: rejection.reason });
      throw new OrderRejectedError(request.clientOrderId, rejection.reason, rejection.message);
    };
    const priced = priceOrder(request, { quote: this.quote, nonFractionable: this.nonFractionable });
    if (!priced.ok) return reject(priced);
    const refused = accountCheck(request, priced.price, priced.notional, this.cash, this.positions.get(request.symbol) ?? new Dec(0));
    if (refused !== undefined) return reject(refused);
    const order: BrokerOrder = { ...this.baseOrder(request), status: OrderStatus.pending };
    this.orders.set(request.clientOrderId, order);
    if (!this.deferred) {
      this.fillRound(order);
      if (!isFinalStatus(order.status)) this.end(order, OrderStatus.canceled, INSUFFICIENT_LIQUIDITY);
    }
    return copy(order);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? undefined : copy(order);
  }

  /** One fill round over every open order (deferred fills): each fills up to its symbol's liquidity. */
  advanceMarket(): void {
    for (const order of this.orders.values()) if (!isFinalStatus(order.status)) this.fillRound(order);
  }

  /** Ends an open order where it stands (what the broker or a person does to a live order). */
  endOrder(clientOrderId: string, status: typeof OrderStatus.canceled | typeof OrderStatus.expired | typeof OrderStatus.rejected, reason?: string): void {
    const order = this.orders.get(clientOrderId);
    if (order === undefined || isFinalStatus(order.status)) throw new Error(`no open paper order ${clientOrderId}`);
    this.end(order, status, reason);
  }

  /** Orders accepted or rejected, in placement order. */
  allOrders(): BrokerOrder[] {
    return [...this.orders.values()].map(copy);
  }

  /**
   * Fills up to the symbol's liquidity at the quote. A buy the cash no longer covers (or a sell the
   * holding no longer covers) ends the order there, like a broker canceling for buying power.
   */
  private fillRound(order: BrokerOrder): void {
    const price = this.quote(order.symbol);
    if (price === undefined) return;
    const remaining = order.quantity.minus(order.filledQuantity);
    const limit = this.liquidity.get(order.symbol);
    const quantity = limit === undefined ? remaining : Dec.min(remaining, limit);
    const notional = quantity.times(price);
    const held = this.positions.get(order.symbol) ?? new Dec(0);
    const request = { clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, quantity, referencePrice: price };
    const refused = accountCheck(request, price, notional, this.cash, held);
    if (refused !== undefined) return this.end(order, OrderStatus.canceled, refused.reason);
    this.cash = order.side === 'buy' ? this.cash.minus(notional) : this.cash.plus(notional);
    this.positions.set(order.symbol, order.side === 'buy' ? held.plus(quantity) : held.minus(quantity));
    const filled = order.filledQuantity.plus(quantity);
    order.fillPrice = order.filledQuantity.isZero() || order.fillPrice === undefined ? price : order.filledQuantity.times(order.fillPrice).plus(notional).div(filled);
    order.filledQuantity = filled;
    order.status = filled.gte(order.quantity) ? OrderStatus.filled : OrderStatus.partiallyFilled;
    order.brokerStatus = order.status;
  }

  private end(order: BrokerOrder, status: OrderStatus, reason: string | undefined): void {
    order.status = status;
    order.brokerStatus = status;
    if (reason !== undefined) order.rejectReason = reason;
  }

  private baseOrder(request: OrderRequest): Omit<BrokerOrder, 'status'> {
    this.sequence += 1;
    return {
      brokerOrderId: `${this.idPrefix}-${String(this.sequence).padStart(6, '0')}`,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      filledQuantity: new Dec(0),
    };
  }
}

function copy(order: BrokerOrder): BrokerOrder {
  return { ...order };
}
