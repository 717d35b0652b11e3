/**
 * A paper broker: an account in memory that fills every acceptable order at once, at the price the
 * paper market quotes (not the plan's price), and refuses what a real broker would refuse: a reused
 * client order id, a buy above buying power, a sell above the holding, a fractional quantity of a
 * non-fractionable asset, a symbol without a quote (the rules in src/trading/domain/paper-fill.ts,
 * shared with the durable paper broker in src/aws/paper-broker-store.ts).
 */
import { OrderRejectedError, DuplicateClientOrderIdError, OrderStatus, type AssetInfo, type Broker, type BrokerAccount, type BrokerOrder, type OrderRequest } from '../ports/broker.ts';
import { dec, Dec } from '../domain/money.ts';
import { accountCheck, priceOrder, type PaperRejection } from '../domain/paper-fill.ts';

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
    const reject = (rejection: PaperRejection): never => {
      this.orders.set(request.clientOrderId, { ...this.baseOrder(request), status: OrderStatus.rejected, rejectReason: rejection.reason });
      throw new OrderRejectedError(request.clientOrderId, rejection.reason, rejection.message);
    };
    const { symbol, side, quantity } = request;
    const priced = priceOrder(request, { quote: this.quote, nonFractionable: this.nonFractionable });
    if (!priced.ok) return reject(priced);
    const { price, notional } = priced;
    const held = this.positions.get(symbol) ?? new Dec(0);
    const refused = accountCheck(request, price, notional, this.cash, held);
    if (refused !== undefined) return reject(refused);
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
