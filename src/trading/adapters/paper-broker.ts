/**
 * A paper broker: an account in memory that fills every acceptable order at once, at the price the
 * paper market quotes (not the plan's price), and refuses what a real broker would refuse: a reused
 * client order id, a buy above buying power, a sell above the holding, a fractional quantity of a
 * non-fractionable asset, a symbol without a quote.
 */
import { OrderRejectedError, DuplicateClientOrderIdError, OrderStatus, RejectReason, type AssetInfo, type Broker, type BrokerAccount, type BrokerOrder, type OrderRequest } from '../ports/broker.ts';
import { dec, Dec, toDecimalString } from '../domain/money.ts';

export interface PaperBrokerOptions {
  cash: Dec | string;
  positions?: ReadonlyMap<string, Dec | string> | Record<string, Dec | string>;
  /** The paper market's quote per symbol; orders fill at it. */
  quote: (symbol: string) => Dec | undefined;
  nonFractionable?: Iterable<string>;
  /** Prefix of broker order ids (default `paper`). */
  idPrefix?: string;
}

export class PaperBroker implements Broker {
  private cash: Dec;
  private readonly positions = new Map<string, Dec>();
  private readonly orders = new Map<string, BrokerOrder>();
  private readonly quote: (symbol: string) => Dec | undefined;
  private readonly nonFractionable: ReadonlySet<string>;
  private readonly idPrefix: string;
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
    const reject = (reason: RejectReason, message: string): never => {
      this.orders.set(request.clientOrderId, { ...this.baseOrder(request), status: OrderStatus.rejected, rejectReason: reason });
      throw new OrderRejectedError(request.clientOrderId, reason, message);
    };
    const { symbol, side, quantity } = request;
    if (quantity.lte(0)) return reject(RejectReason.invalidQuantity, `Quantity ${toDecimalString(quantity)} of ${symbol} is not positive.`);
    if (this.nonFractionable.has(symbol) && !quantity.isInteger()) {
      return reject(RejectReason.fractionalNotSupported, `${symbol} trades in whole shares only; got ${toDecimalString(quantity)}.`);
    }
    const price = this.quote(symbol);
    if (price === undefined) return reject(RejectReason.noQuote, `No quote for ${symbol}.`);
    const notional = quantity.times(price);
    const held = this.positions.get(symbol) ?? new Dec(0);
    if (side === 'buy' && notional.gt(this.cash)) {
      return reject(
        RejectReason.insufficientBuyingPower,
        `Buying ${toDecimalString(quantity)} ${symbol} at ${toDecimalString(price)} needs ${toDecimalString(notional)}; buying power is ${toDecimalString(this.cash)}.`,
      );
    }
    if (side === 'sell' && quantity.gt(held)) {
      return reject(RejectReason.insufficientPosition, `Selling ${toDecimalString(quantity)} ${symbol}, but only ${toDecimalString(held)} is held.`);
    }
    this.cash = side === 'buy' ? this.cash.minus(notional) : this.cash.plus(notional);
    this.positions.set(symbol, side === 'buy' ? held.plus(quantity) : held.minus(quantity));
    const order: BrokerOrder = { ...this.baseOrder(request), status: OrderStatus.filled, fillPrice: price };
    this.orders.set(request.clientOrderId, order);
    return { ...order };
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? undefined : { ...order };
  }

  /** Orders accepted or rejected, in placement order. */
  allOrders(): BrokerOrder[] {
    return [...this.orders.values()].map((o) => ({ ...o }));
  }

  private baseOrder(request: OrderRequest): Omit<BrokerOrder, 'status'> {
    this.sequence += 1;
    return {
      brokerOrderId: `${this.idPrefix}-${String(this.sequence).padStart(6, '0')}`,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
    };
  }
}
