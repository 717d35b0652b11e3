/**
 * A stand-in for Alpaca's Trading and Market Data APIs on 127.0.0.1 (node:http, port 0): the
 * documented request and response shapes of the calls the Alpaca adapters make, with state (an
 * account, positions, assets, orders by client order id, daily bars) and switches to inject faults.
 *
 * Behaviour, as Alpaca documents it:
 * - every call needs APCA-API-KEY-ID / APCA-API-SECRET-KEY, else 401 {"code":40110000,"message":"request is not authorized"};
 * - POST /v2/orders: a reused client_order_id is 422 "client_order_id must be unique"; a buy above
 *   buying power is 403 "insufficient buying power"; a sell above the holding is 403 "insufficient
 *   qty available for order"; a fraction of a non-fractionable asset, a non-positive qty or an
 *   unknown symbol is 422; otherwise the order is `filled` at the quote (fill: 'immediate') or
 *   `accepted` (fill: 'accept') and moves on with `setOrderStatus`;
 * - GET /v2/orders:by_client_order_id and GET /v2/assets/{symbol}: 404 when unknown;
 * - GET /v2/stocks/{symbol}/bars (timeframe 1Day): `{bars, symbol, next_page_token}`, paged.
 *
 * Faults (`inject`) answer before the handler (or after it, with `afterCommit`: the order is made,
 * the client sees a 5xx, as when a connection drops after the broker committed).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dec, toDecimalString } from '../../src/trading/domain/money.ts';
import type { AlpacaOrderStatus } from '../../src/trading/adapters/alpaca/order-status.ts';

export interface ContractBar {
  date: string;
  close: string;
}

export interface AlpacaContractOptions {
  keyId: string;
  secretKey: string;
  cash: string;
  /** Default: cash. */
  buyingPower?: string;
  /** Quantity per symbol; negative is a short position. */
  positions?: Record<string, string>;
  assets?: Record<string, { fractionable: boolean }>;
  /** Orders fill at these prices. */
  quotes?: Record<string, string>;
  bars?: Record<string, ContractBar[]>;
  fill?: 'immediate' | 'accept';
  /** Largest bars page the server sends, whatever `limit` asks (default 10000). */
  barsPageSize?: number;
}

export interface Fault {
  status: number;
  /** How many matching requests it answers (default 1). */
  times?: number;
  method?: string;
  /** Path prefix, e.g. `/v2/orders`. */
  path?: string;
  retryAfterSeconds?: number;
  code?: number;
  message?: string;
  /** Run the handler first (state changes), then answer with the fault. */
  afterCommit?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  keyIdHeader: string | undefined;
}

interface ContractOrder {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  asset_class: 'us_equity';
  symbol: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: '';
  type: 'market';
  side: 'buy' | 'sell';
  time_in_force: string;
  status: AlpacaOrderStatus;
  extended_hours: false;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const STAMP = '2026-06-03T14:30:00Z';

export class AlpacaContractServer {
  readonly requests: RecordedRequest[] = [];
  private readonly options: AlpacaContractOptions;
  private cash: ReturnType<typeof dec>;
  private buyingPower: ReturnType<typeof dec>;
  private readonly positions = new Map<string, ReturnType<typeof dec>>();
  private readonly orders = new Map<string, ContractOrder>();
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private sequence = 0;
  private port = 0;

  private constructor(options: AlpacaContractOptions) {
    this.options = options;
    this.cash = dec(options.cash);
    this.buyingPower = dec(options.buyingPower ?? options.cash);
    for (const [symbol, qty] of Object.entries(options.positions ?? {})) this.positions.set(symbol, dec(qty));
  }

  static async start(options: AlpacaContractOptions): Promise<AlpacaContractServer> {
    const contract = new AlpacaContractServer(options);
    await new Promise<void>((resolve) => contract.server.listen(0, '127.0.0.1', resolve));
    contract.port = (contract.server.address() as AddressInfo).port;
    return contract;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Every order the server holds, in submission order. */
  allOrders(): ContractOrder[] {
    return [...this.orders.values()].map((o) => ({ ...o }));
  }

  account(): { cash: string; buyingPower: string; positions: Record<string, string> } {
    return { cash: toDecimalString(this.cash), buyingPower: toDecimalString(this.buyingPower), positions: Object.fromEntries([...this.positions].map(([s, q]) => [s, toDecimalString(q)])) };
  }

  /** Moves an order along its lifecycle; a growing filled quantity moves cash and positions. */
  setOrderStatus(clientOrderId: string, status: AlpacaOrderStatus, fill: { filledQty?: string; filledAvgPrice?: string } = {}): void {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) throw new Error(`no order ${clientOrderId}`);
    if (fill.filledQty !== undefined) {
      const price = dec(fill.filledAvgPrice ?? order.filled_avg_price ?? this.options.quotes?.[order.symbol] ?? '0');
      this.applyFill(order.symbol, order.side, dec(fill.filledQty).minus(order.filled_qty), price);
      order.filled_qty = fill.filledQty;
      order.filled_avg_price = toDecimalString(price);
      order.filled_at = STAMP;
    }
    order.status = status;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, keyIdHeader: header(req, 'apca-api-key-id') });

    let reply: Reply;
    if (header(req, 'apca-api-key-id') !== this.options.keyId || header(req, 'apca-api-secret-key') !== this.options.secretKey) {
      reply = { status: 401, body: { code: 40110000, message: 'request is not authorized' } };
    } else {
      const fault = this.takeFault(method, url.pathname);
      if (fault !== undefined && !fault.afterCommit) reply = faultReply(fault);
      else {
        reply = this.route(method, url, body);
        if (fault !== undefined) reply = faultReply(fault);
      }
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.left > 0 && (f.method === undefined || f.method === method) && (f.path === undefined || path.startsWith(f.path)));
    if (fault !== undefined) fault.left -= 1;
    return fault;
  }

  private route(method: string, url: URL, body: unknown): Reply {
    const path = url.pathname;
    if (method === 'GET' && path === '/v2/account') return { status: 200, body: this.accountBody() };
    if (method === 'GET' && path === '/v2/positions') return { status: 200, body: this.positionsBody() };
    if (method === 'POST' && path === '/v2/orders') return this.submit(body);
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const cid = url.searchParams.get('client_order_id') ?? '';
      const order = this.orders.get(cid);
      return order === undefined ? { status: 404, body: { code: 40410000, message: `order not found for ${cid}` } } : { status: 200, body: order };
    }
    const asset = /^\/v2\/assets\/([^/]+)$/.exec(path);
    if (method === 'GET' && asset !== null) return this.assetBody(decodeURIComponent(asset[1]!));
    const bars = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(path);
    if (method === 'GET' && bars !== null) return this.barsBody(decodeURIComponent(bars[1]!), url.searchParams);
    return { status: 404, body: { message: 'Not Found' } };
  }

  private accountBody(): unknown {
    return {
      id: '904837e3-3b76-47ec-b432-046db621571b',
      account_number: 'PA0000000000',
      status: 'ACTIVE',
      currency: 'USD',
      cash: toDecimalString(this.cash),
      buying_power: toDecimalString(this.buyingPower),
      portfolio_value: toDecimalString(this.cash),
      pattern_day_trader: false,
      trading_blocked: false,
      account_blocked: false,
      multiplier: '1',
    };
  }

  private positionsBody(): unknown {
    return [...this.positions]
      .filter(([, qty]) => !qty.isZero())
      .map(([symbol, qty]) => ({
        asset_id: `asset-${symbol}`,
        symbol,
        exchange: 'ARCA',
        asset_class: 'us_equity',
        qty: toDecimalString(qty),
        qty_available: toDecimalString(qty),
        side: qty.isNegative() ? 'short' : 'long',
        avg_entry_price: this.options.quotes?.[symbol] ?? '0',
      }));
  }

  private assetBody(symbol: string): Reply {
    const asset = this.options.assets?.[symbol];
    if (asset === undefined) return { status: 404, body: { code: 40410000, message: `asset not found for ${symbol}` } };
    return {
      status: 200,
      body: { id: `asset-${symbol}`, class: 'us_equity', exchange: 'ARCA', symbol, name: symbol, status: 'active', tradable: true, marginable: true, shortable: true, easy_to_borrow: true, fractionable: asset.fractionable },
    };
  }

  private submit(body: unknown): Reply {
    const b = (body ?? {}) as Record<string, unknown>;
    const invalid = (message: string): Reply => ({ status: 422, body: { code: 40010001, message } });
    const { symbol, qty, side, type, time_in_force: tif, client_order_id: cid } = b;
    if (typeof symbol !== 'string' || typeof qty !== 'string' || (side !== 'buy' && side !== 'sell') || type !== 'market' || typeof tif !== 'string') return invalid('invalid order request');
    if (typeof cid !== 'string' || cid === '' || cid.length > 128) return invalid('client_order_id is invalid');
    if (this.orders.has(cid)) return invalid('client_order_id must be unique');
    const asset = this.options.assets?.[symbol];
    if (asset === undefined) return invalid(`asset "${symbol}" not found`);
    let quantity;
    try {
      quantity = dec(qty);
    } catch {
      return invalid('qty must be a number');
    }
    if (quantity.lte(0)) return invalid('qty must be > 0');
    if (!asset.fractionable && !quantity.isInteger()) return invalid(`asset ${symbol} is not fractionable`);
    if (!quantity.isInteger() && tif !== 'day') return invalid('fractional orders must be DAY orders');
    const price = dec(this.options.quotes?.[symbol] ?? '0');
    const held = this.positions.get(symbol) ?? dec(0);
    if (side === 'buy' && quantity.times(price).gt(this.buyingPower)) {
      return { status: 403, body: { code: 40310000, message: 'insufficient buying power', buying_power: toDecimalString(this.buyingPower), cost_basis: toDecimalString(quantity.times(price)) } };
    }
    if (side === 'sell' && quantity.gt(held)) {
      return {
        status: 403,
        body: { code: 40310000, message: `insufficient qty available for order (requested: ${qty}, available: ${toDecimalString(held)})`, symbol, requested: qty, available: toDecimalString(held) },
      };
    }
    this.sequence += 1;
    const order: ContractOrder = {
      id: `61e69015-8549-4bfd-b9c3-${String(this.sequence).padStart(12, '0')}`,
      client_order_id: cid,
      created_at: STAMP,
      updated_at: STAMP,
      submitted_at: STAMP,
      filled_at: null,
      asset_class: 'us_equity',
      symbol,
      qty,
      filled_qty: '0',
      filled_avg_price: null,
      order_class: '',
      type: 'market',
      side,
      time_in_force: tif,
      status: 'accepted',
      extended_hours: false,
    };
    this.orders.set(cid, order);
    if ((this.options.fill ?? 'immediate') === 'immediate') this.setOrderStatus(cid, 'filled', { filledQty: qty, filledAvgPrice: toDecimalString(price) });
    return { status: 200, body: order };
  }

  private applyFill(symbol: string, side: 'buy' | 'sell', quantity: ReturnType<typeof dec>, price: ReturnType<typeof dec>): void {
    const notional = quantity.times(price);
    const held = this.positions.get(symbol) ?? dec(0);
    this.positions.set(symbol, side === 'buy' ? held.plus(quantity) : held.minus(quantity));
    this.cash = side === 'buy' ? this.cash.minus(notional) : this.cash.plus(notional);
    this.buyingPower = side === 'buy' ? this.buyingPower.minus(notional) : this.buyingPower.plus(notional);
  }

  private barsBody(symbol: string, params: URLSearchParams): Reply {
    if (params.get('timeframe') !== '1Day') return { status: 400, body: { code: 40010001, message: 'invalid timeframe' } };
    const series = this.options.bars?.[symbol];
    if (series === undefined) return { status: 200, body: { bars: null, symbol, next_page_token: null } };
    const start = instant(params.get('start'), '0000-01-01T00:00:00Z');
    const end = instant(params.get('end'), '9999-12-31T00:00:00Z');
    const all = series
      .map((bar) => ({ t: newYorkMidnight(bar.date), bar }))
      .filter(({ t }) => Date.parse(t) >= start && Date.parse(t) <= end)
      .map(({ t, bar }) => {
        const c = Number(bar.close);
        return { t, o: c, h: c, l: c, c, v: 1000, n: 10, vw: c };
      });
    if (params.get('sort') === 'desc') all.reverse();
    const offset = Number(params.get('page_token') ?? '0');
    const limit = Math.min(Number(params.get('limit') ?? '1000'), this.options.barsPageSize ?? 10_000);
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    return { status: 200, body: { bars: page, symbol, next_page_token: next } };
  }
}

function faultReply(fault: Fault): Reply {
  const defaults: Record<number, { code: number; message: string }> = {
    401: { code: 40110000, message: 'request is not authorized' },
    403: { code: 40310000, message: 'insufficient buying power' },
    422: { code: 40010001, message: 'invalid order' },
    429: { code: 42910000, message: 'rate limit exceeded' },
  };
  const base = defaults[fault.status] ?? { code: 50010000, message: 'internal server error' };
  return {
    status: fault.status,
    body: { code: fault.code ?? base.code, message: fault.message ?? base.message },
    headers: fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `2026-06-03` or an RFC-3339 instant → epoch ms. */
function instant(value: string | null, fallback: string): number {
  const text = value ?? fallback;
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}

/** Midnight in New York on `date`, as Alpaca stamps daily bars: 04:00Z in summer, 05:00Z in winter. */
function newYorkMidnight(date: string): string {
  const hour = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' });
  return hour.format(new Date(`${date}T04:00:00Z`)) === '00' ? `${date}T04:00:00Z` : `${date}T05:00:00Z`;
}
