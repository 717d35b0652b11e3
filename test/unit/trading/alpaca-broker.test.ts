/**
 * Contract tests: the Alpaca broker adapter against a stand-in of Alpaca's Trading API on 127.0.0.1
 * (test/support/alpaca-contract-server.ts). No test talks to the internet, none waits: the client's
 * sleep is a fake that records the delays.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorKind, FaultError, UserError } from '../../../src/errors.ts';
import { AlpacaBroker } from '../../../src/trading/adapters/alpaca/broker.ts';
import { AlpacaClient } from '../../../src/trading/adapters/alpaca/client.ts';
import { AlpacaOrderRejectedError } from '../../../src/trading/adapters/alpaca/order-status.ts';
import { dec } from '../../../src/trading/domain/money.ts';
import { DuplicateClientOrderIdError, OrderRejectedError, type OrderRequest } from '../../../src/trading/ports/broker.ts';
import { KEY_ID, SECRET, startHarness, type Harness } from './alpaca-support.ts';

const quotes = { SPY: '600', GLD: '300', TLT: '90' };
const assets = { SPY: { fractionable: true }, GLD: { fractionable: false }, TLT: { fractionable: true } };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.server.close();
  harness = undefined;
});

async function setUp(options: Parameters<typeof startHarness>[0] = {}, client: Parameters<typeof startHarness>[1] = {}) {
  harness = await startHarness({ quotes, assets, ...options }, client);
  return { ...harness, broker: new AlpacaBroker(harness.client) };
}

const order = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', quantity: string): OrderRequest => ({ clientOrderId, symbol, side, quantity: dec(quantity), referencePrice: dec('1') });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('AlpacaBroker: account and assets', () => {
  it('reads cash as min(cash, buying_power) and long positions, sending the key headers', async () => {
    const { broker, server } = await setUp({ cash: '5000.25', buyingPower: '4000.5', positions: { SPY: '1.5', GLD: '2', TLT: '0' } });
    const account = await broker.account();
    expect(account.cash.toFixed()).toBe('4000.5');
    expect(account.rawCash.toFixed()).toBe('5000.25');
    expect(account.buyingPower.toFixed()).toBe('4000.5');
    expect([...account.positions].map(([s, q]) => `${s}=${q.toFixed()}`)).toEqual(['SPY=1.5', 'GLD=2']);
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.keyIdHeader}`).sort()).toEqual([`GET /v2/account ${KEY_ID}`, `GET /v2/positions ${KEY_ID}`]);
  });

  it('refuses to plan over a short position', async () => {
    const { broker } = await setUp({ positions: { SPY: '-3' } });
    const error = await caught(broker.account());
    expect(error).toBeInstanceOf(FaultError);
    expect((error as FaultError).code).toBe('ALPACA_SHORT_POSITION');
  });

  it('reports fractionable per asset and leaves unknown symbols out', async () => {
    const { broker, server } = await setUp();
    const found = await broker.assets(['SPY', 'GLD', 'NOPE', 'SPY']);
    expect([...found.values()]).toEqual([
      { symbol: 'SPY', fractionable: true },
      { symbol: 'GLD', fractionable: false },
    ]);
    expect(server.requests.map((r) => r.path).sort()).toEqual(['/v2/assets/GLD', '/v2/assets/NOPE', '/v2/assets/SPY']);
  });
});

describe('AlpacaBroker: orders', () => {
  it('submits a market day order with the client order id and answers the fill', async () => {
    const { broker, server } = await setUp();
    const filled = await broker.placeOrder(order('ops-1', 'SPY', 'buy', '1.5'));
    expect(filled).toMatchObject({ status: 'filled', clientOrderId: 'ops-1', symbol: 'SPY', side: 'buy', brokerOrderId: '61e69015-8549-4bfd-b9c3-000000000001' });
    expect(filled.quantity.toFixed()).toBe('1.5');
    expect(filled.fillPrice?.toFixed()).toBe('600');
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v2/orders',
      body: { symbol: 'SPY', qty: '1.5', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'ops-1' },
    });
    expect(server.account()).toMatchObject({ cash: '9100', positions: { SPY: '1.5' } });
  });

  it('places no second order on replay: the reused id is DuplicateClientOrderIdError and the order is found by it', async () => {
    const { broker, server } = await setUp();
    await broker.placeOrder(order('ops-replay', 'SPY', 'buy', '2'));
    const error = await caught(broker.placeOrder(order('ops-replay', 'SPY', 'buy', '2')));
    expect(error).toBeInstanceOf(DuplicateClientOrderIdError);
    expect((error as DuplicateClientOrderIdError).clientOrderId).toBe('ops-replay');
    expect(server.allOrders()).toHaveLength(1);
    expect(server.account().cash).toBe('8800');
    const found = await broker.orderByClientId('ops-replay');
    expect(found).toMatchObject({ status: 'filled', clientOrderId: 'ops-replay' });
    expect(found?.fillPrice?.toFixed()).toBe('600');
    expect(server.requests.at(-1)).toMatchObject({ path: '/v2/orders:by_client_order_id', query: { client_order_id: 'ops-replay' } });
    expect(await broker.orderByClientId('ops-never')).toBeUndefined();
  });

  it('retries a POST whose answer was lost after Alpaca committed it, and still holds one order', async () => {
    const { broker, server, sleeps } = await setUp();
    server.inject({ status: 502, method: 'POST', path: '/v2/orders', afterCommit: true });
    const error = await caught(broker.placeOrder(order('ops-lost', 'SPY', 'buy', '1')));
    // The retry meets the first attempt's order: the execution step's duplicate path looks it up.
    expect(error).toBeInstanceOf(DuplicateClientOrderIdError);
    expect(sleeps).toEqual([500]);
    expect(server.allOrders().map((o) => o.client_order_id)).toEqual(['ops-lost']);
    expect((await broker.orderByClientId('ops-lost'))?.status).toBe('filled');
  });

  it('maps 403 insufficient buying power to a coded OrderRejectedError and places nothing', async () => {
    const { broker, server } = await setUp({ cash: '1000' });
    const error = await caught(broker.placeOrder(order('ops-big', 'SPY', 'buy', '2')));
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toBeInstanceOf(AlpacaOrderRejectedError);
    const rejected = error as AlpacaOrderRejectedError;
    expect(rejected.code).toBe('ORDER_REJECTED');
    expect(rejected.reason).toBe('INSUFFICIENT_BUYING_POWER');
    expect(rejected.details()).toEqual({ reason: 'INSUFFICIENT_BUYING_POWER', clientOrderId: 'ops-big', httpStatus: 403, alpacaCode: 40310000 });
    expect(rejected.message).toContain('insufficient buying power');
    expect(server.allOrders()).toEqual([]);
  });

  it.each([
    ['403 a sell above the holding', order('r1', 'TLT', 'sell', '1'), 403, 'INSUFFICIENT_POSITION'],
    ['422 a fraction of a whole-share asset', order('r2', 'GLD', 'buy', '0.5'), 422, 'FRACTIONAL_NOT_SUPPORTED'],
    ['422 a quantity that is not positive', order('r3', 'SPY', 'buy', '0'), 422, 'INVALID_QUANTITY'],
    ['422 an unknown symbol', order('r4', 'NOPE', 'buy', '1'), 422, 'UNKNOWN_SYMBOL'],
  ])('maps %s to its reason', async (_what, request, status, reason) => {
    const { broker, server } = await setUp();
    const error = await caught(broker.placeOrder(request));
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect((error as AlpacaOrderRejectedError).reason).toBe(reason);
    expect((error as AlpacaOrderRejectedError).httpStatus).toBe(status);
    expect(server.allOrders()).toEqual([]);
  });

  it.each([
    [422, 'order type is invalid', 'INVALID_ORDER'],
    [403, 'account is not allowed to trade', 'ORDER_FORBIDDEN'],
    [403, 'insufficient day trading buying power', 'INSUFFICIENT_BUYING_POWER'],
  ])('maps an injected %i "%s" to %s', async (status, message, reason) => {
    const { broker, server } = await setUp();
    server.inject({ status, message, method: 'POST', path: '/v2/orders' });
    const error = await caught(broker.placeOrder(order('inj', 'SPY', 'buy', '1')));
    expect((error as AlpacaOrderRejectedError).reason).toBe(reason);
    expect((error as AlpacaOrderRejectedError).httpStatus).toBe(status);
  });
});

describe('AlpacaBroker: asynchronous fills through the port', () => {
  it('walks accepted → new → partially_filled → filled: placeOrder answers the open order, orderByClientId its progress', async () => {
    const { broker, server } = await setUp({ fill: 'accept' });
    const placed = await broker.placeOrder(order('ops-async', 'SPY', 'buy', '2'));
    expect(placed).toMatchObject({ status: 'pending', brokerStatus: 'accepted', clientOrderId: 'ops-async' });
    expect(placed.filledQuantity.toFixed()).toBe('0');
    expect(placed.fillPrice).toBeUndefined();

    server.setOrderStatus('ops-async', 'new');
    expect(await broker.orderByClientId('ops-async')).toMatchObject({ status: 'pending', brokerStatus: 'new' });

    server.setOrderStatus('ops-async', 'partially_filled', { filledQty: '0.5', filledAvgPrice: '601' });
    const partial = await broker.orderByClientId('ops-async');
    expect(partial).toMatchObject({ status: 'partially_filled', brokerStatus: 'partially_filled' });
    expect([partial?.quantity.toFixed(), partial?.filledQuantity.toFixed(), partial?.fillPrice?.toFixed()]).toEqual(['2', '0.5', '601']);

    server.setOrderStatus('ops-async', 'filled', { filledQty: '2', filledAvgPrice: '600.5' });
    const filled = await broker.orderByClientId('ops-async');
    expect(filled).toMatchObject({ status: 'filled', clientOrderId: 'ops-async' });
    expect([filled?.quantity.toFixed(), filled?.filledQuantity.toFixed(), filled?.fillPrice?.toFixed()]).toEqual(['2', '2', '600.5']);
    expect(server.allOrders()).toHaveLength(1);
  });

  it.each([
    ['canceled', undefined, 'canceled', 'ORDER_CANCELED', '0'],
    ['expired', undefined, 'expired', 'ORDER_EXPIRED', '0'],
    ['rejected', undefined, 'rejected', 'BROKER_REJECTED', '0'],
    ['replaced', undefined, 'canceled', 'ORDER_CANCELED', '0'],
    ['canceled', '1', 'canceled', 'ORDER_CANCELED', '1'],
    ['expired', '2', 'expired', 'ORDER_EXPIRED', '2'],
  ] as const)('a terminal %s order (filled %s) is %s on the port, with what did fill', async (status, filledQty, portStatus, reason, filled) => {
    const { broker, server } = await setUp({ fill: 'accept' });
    await broker.placeOrder(order('ops-end', 'TLT', 'buy', '3'));
    server.setOrderStatus('ops-end', status, filledQty === undefined ? {} : { filledQty, filledAvgPrice: '90' });
    const answer = await broker.orderByClientId('ops-end');
    expect(answer?.status).toBe(portStatus);
    expect(answer?.rejectReason).toBe(reason);
    expect(answer?.quantity.toFixed()).toBe('3');
    // What did fill is what the books record.
    expect(answer?.filledQuantity.toFixed()).toBe(filled);
    expect(answer?.fillPrice?.toFixed()).toBe(filledQty === undefined ? undefined : '90');
  });

  it('a POST answered with status rejected is an OrderRejectedError (BROKER_REJECTED)', async () => {
    const rejecting: typeof fetch = async () =>
      new Response(JSON.stringify({ id: 'o-1', client_order_id: 'ops-rej', symbol: 'SPY', side: 'buy', qty: '1', filled_qty: '0', filled_avg_price: null, status: 'rejected' }), { status: 200 });
    const { broker } = await setUp({}, { fetch: rejecting });
    const error = await caught(broker.placeOrder(order('ops-rej', 'SPY', 'buy', '1')));
    expect(error).toBeInstanceOf(AlpacaOrderRejectedError);
    expect((error as AlpacaOrderRejectedError).reason).toBe('BROKER_REJECTED');
  });
});

describe('AlpacaClient: errors and retries', () => {
  it('maps 401 to a UserError with a hint, without retrying and without the secret', async () => {
    const { broker, server, sleeps } = await setUp({}, { credentials: { keyId: KEY_ID, secretKey: 'wrong-secret' } });
    const error = await caught(broker.account());
    expect(error).toBeInstanceOf(UserError);
    const user = error as UserError;
    expect(user.kind).toBe(ErrorKind.user);
    expect(user.code).toBe('ALPACA_UNAUTHORIZED');
    expect(user.hint).toContain('paper keys');
    expect(sleeps).toEqual([]);
    expect(server.requests.filter((r) => r.path === '/v2/account')).toHaveLength(1);
    for (const text of [user.message, user.hint, JSON.stringify(user.details() ?? {})]) {
      expect(text).not.toContain('wrong-secret');
      expect(text).not.toContain(SECRET);
    }
  });

  it('maps an injected 401 the same way', async () => {
    const { broker, server } = await setUp();
    server.inject({ status: 401, path: '/v2/positions' });
    await expect(broker.account()).rejects.toMatchObject({ code: 'ALPACA_UNAUTHORIZED' });
  });

  it('never shows the keys when the client or the broker is printed', async () => {
    const { broker, client } = await setUp();
    for (const text of [inspect(client, { depth: 5 }), inspect(broker, { depth: 5 }), JSON.stringify(client), JSON.stringify(broker)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(KEY_ID);
    }
  });

  it('refuses empty credentials up front', () => {
    expect(() => new AlpacaClient({ credentials: { keyId: KEY_ID, secretKey: ' ' }, sleep: async () => {} })).toThrow(UserError);
  });

  it('retries a 429 after Retry-After seconds', async () => {
    const { broker, server, sleeps } = await setUp();
    server.inject({ status: 429, path: '/v2/account', retryAfterSeconds: 3 });
    expect((await broker.account()).cash.toFixed()).toBe('10000');
    expect(sleeps).toEqual([3000]);
    expect(server.requests.filter((r) => r.path === '/v2/account')).toHaveLength(2);
  });

  it('retries a 429 on POST /v2/orders and places the order once', async () => {
    const { broker, server, sleeps } = await setUp();
    server.inject({ status: 429, method: 'POST', retryAfterSeconds: 1, times: 2 });
    expect((await broker.placeOrder(order('ops-429', 'SPY', 'buy', '1'))).status).toBe('filled');
    expect(sleeps).toEqual([1000, 1000]);
    expect(server.allOrders()).toHaveLength(1);
  });

  it('backs off exponentially on a 429 without Retry-After', async () => {
    const { broker, server, sleeps } = await setUp();
    server.inject({ status: 429, path: '/v2/account', times: 2 });
    await broker.account();
    expect(sleeps).toEqual([500, 1000]);
  });

  it('gives up on 429 after the bounded attempts with ALPACA_RATE_LIMITED', async () => {
    const { broker, server, sleeps } = await setUp({}, { maxAttempts: 3 });
    server.inject({ status: 429, path: '/v2/account', retryAfterSeconds: 2, times: 99 });
    const error = await caught(broker.account());
    expect(error).toBeInstanceOf(FaultError);
    expect((error as FaultError).code).toBe('ALPACA_RATE_LIMITED');
    expect(sleeps).toEqual([2000, 2000]);
    expect(server.requests.filter((r) => r.path === '/v2/account')).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond its ceiling', async () => {
    const { broker, server, sleeps } = await setUp({}, { maxRetryAfterMs: 30_000 });
    server.inject({ status: 429, path: '/v2/account', retryAfterSeconds: 120 });
    await expect(broker.account()).rejects.toMatchObject({ code: 'ALPACA_RATE_LIMITED' });
    expect(sleeps).toEqual([]);
  });

  it.each([500, 502, 503, 504])('retries a %i with backoff and succeeds', async (status) => {
    const { broker, server, sleeps } = await setUp();
    server.inject({ status, path: '/v2/account', times: 2 });
    expect((await broker.account()).cash.toFixed()).toBe('10000');
    expect(sleeps).toEqual([500, 1000]);
  });

  it('turns persistent 5xx into a FaultError after the bounded attempts', async () => {
    const { broker, server, sleeps } = await setUp({}, { baseDelayMs: 100 });
    server.inject({ status: 503, path: '/v2/orders', times: 99 });
    const error = await caught(broker.placeOrder(order('ops-down', 'SPY', 'buy', '1')));
    expect(error).toBeInstanceOf(FaultError);
    expect(error).not.toBeInstanceOf(OrderRejectedError);
    expect((error as FaultError).code).toBe('ALPACA_UNAVAILABLE');
    expect((error as FaultError).hint).toContain('status.alpaca.markets');
    expect(sleeps).toEqual([100, 200, 400]);
    expect(server.requests.filter((r) => r.path === '/v2/orders')).toHaveLength(4);
    expect(server.allOrders()).toEqual([]);
  });

  it('retries network errors, then gives up with ALPACA_UNAVAILABLE', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls += 1;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    };
    const { broker, sleeps } = await setUp({}, { fetch: failing, maxAttempts: 2 });
    const error = await caught(broker.account());
    expect((error as FaultError).code).toBe('ALPACA_UNAVAILABLE');
    expect((error as FaultError).message).toContain('ECONNREFUSED');
    expect(calls).toBe(4); // two attempts each for /v2/account and /v2/positions
    expect(sleeps).toEqual([500, 500]);
  });

  it('fails loudly on a body that is not the documented shape', async () => {
    const bad: typeof fetch = async () => new Response(JSON.stringify({ cash: 12.5, buying_power: 'lots' }), { status: 200 });
    const { broker } = await setUp({}, { fetch: bad });
    const error = await caught(broker.account());
    expect((error as FaultError).code).toBe('ALPACA_BAD_RESPONSE');
    expect((error as FaultError).message).toMatch(/cash|buying_power/);
  });

  it('throws ALPACA_REQUEST_FAILED for a 4xx no caller expects', async () => {
    const { broker, server } = await setUp();
    server.inject({ status: 403, path: '/v2/account', message: 'forbidden' });
    const error = await caught(broker.account());
    expect((error as FaultError).code).toBe('ALPACA_REQUEST_FAILED');
    expect((error as FaultError).details()).toMatchObject({ httpStatus: 403, endpoint: 'GET /v2/account' });
  });
});
