/**
 * The durable paper broker (src/aws/paper-broker-store.ts) on the sandbox's DynamoDB API: two broker
 * instances over one table stand for two Lambdas (portfolio, execution) or a warm and a cold container.
 *
 * Like workflow-dynamo-store.test.ts this file runs its own moto through src/sandbox/trading/atomic-moto.py:
 * stock moto evaluates conditions and writes (TransactWriteItems included) without a lock, so two
 * concurrent conditional writes to one item could both pass, which real DynamoDB never allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoPaperBroker, ensurePaperBrokerTable } from '../../src/aws/paper-broker-store.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { dec, toDecimalString } from '../../src/trading/domain/money.ts';
import { DuplicateClientOrderIdError, OrderRejectedError, RejectReason, type OrderRequest } from '../../src/trading/ports/broker.ts';
import { startAtomicMoto } from './workflow-sandbox.ts';
import { paperBrokers } from '../../src/entry/lambda/trading/runtime.ts';
import { InMemoryEventBus } from '../../src/trading/adapters/memory-bus.ts';
import { MemoryWorkflowStore } from '../../src/trading/adapters/memory-workflow-store.ts';
import { SyntheticMarketData } from '../../src/trading/adapters/synthetic-market-data.ts';
import { watchTerminalEvents } from '../../src/trading/adapters/terminal-watcher.ts';
import { startWorkflow } from '../../src/trading/domain/start-workflow.ts';
import { subscribeWorkflow } from '../../src/trading/domain/workflow-app.ts';
import { MemoryNotifier } from '../../src/trading/ports/notifier.ts';
import { MemoryLogger } from '../../src/trading/ports/workflow-logger.ts';

const TABLE = 'ops-paper-broker-e2e';
const quotes = new Map([
  ['SPY', dec('606.04')],
  ['EFA', dec('94.17')],
  ['GLD', dec('250.1')],
]);
let server: MotoServer;
let accountSeq = 0;

/** A new broker instance on its own SDK client: another Lambda with nothing in common but the table. */
const instance = (accountId: string, seedCash = '10000') =>
  new DynamoPaperBroker({
    client: createSandboxClients(server.endpoint, 'us-west-2').dynamodb,
    tableName: TABLE,
    accountId,
    seedCash,
    quote: (symbol) => quotes.get(symbol),
    nonFractionable: ['GLD'],
  });
const newAccount = () => `acct-${process.pid}-${++accountSeq}`;
const order = (clientOrderId: string, side: 'buy' | 'sell', symbol: string, quantity: string): OrderRequest => ({
  clientOrderId,
  symbol,
  side,
  quantity: dec(quantity),
  referencePrice: quotes.get(symbol) ?? dec(1),
});
const plain = (account: { cash: ReturnType<typeof dec>; positions: Map<string, ReturnType<typeof dec>> }) => ({
  cash: toDecimalString(account.cash),
  positions: Object.fromEntries([...account.positions].map(([symbol, quantity]) => [symbol, toDecimalString(quantity)])),
});
const items = async (accountId: string, prefix: string) => {
  const { Items = [] } = await createSandboxClients(server.endpoint, 'us-west-2').dynamodb.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: `ACCOUNT#${accountId}` }, ':prefix': { S: prefix } },
      ConsistentRead: true,
    }),
  );
  return Items;
};

beforeAll(async () => {
  server = await startAtomicMoto();
  const clients = createSandboxClients(server.endpoint, 'us-west-2');
  expect(await ensurePaperBrokerTable(clients.dynamodb, TABLE)).toEqual({ created: true, ttlUpdated: false });
});

afterAll(async () => {
  await server?.stop();
});

describe('ensurePaperBrokerTable', () => {
  it('is idempotent on an existing table', async () => {
    expect(await ensurePaperBrokerTable(createSandboxClients(server.endpoint, 'us-west-2').dynamodb, TABLE)).toEqual({ created: false, ttlUpdated: false });
  });
});

describe('DynamoPaperBroker on the sandbox', () => {
  it('seeds the account once: a later instance with other PAPER_CASH sees the first account, not a reset', async () => {
    const id = newAccount();
    const portfolio = instance(id, '10000');
    expect(plain(await portfolio.account())).toEqual({ cash: '10000', positions: {} });
    await portfolio.placeOrder(order('c-1', 'buy', 'SPY', '2'));
    const execution = instance(id, '999999');
    expect(plain(await execution.account())).toEqual({ cash: '8787.92', positions: { SPY: '2' } });
  });

  it('two instances see one account: a fill by one is what the other reads, exactly in decimals', async () => {
    const id = newAccount();
    const [portfolio, execution] = [instance(id), instance(id)];
    const filled = await execution.placeOrder(order('c-buy', 'buy', 'EFA', '12.345678'));
    expect(filled).toMatchObject({ clientOrderId: 'c-buy', status: 'filled', symbol: 'EFA', side: 'buy' });
    expect(toDecimalString(filled.fillPrice!)).toBe('94.17');
    // 12.345678 × 94.17 = 1162.59249726: exact, no binary float on the way.
    expect(plain(await portfolio.account())).toEqual({ cash: '8837.40750274', positions: { EFA: '12.345678' } });
    await portfolio.placeOrder(order('c-sell', 'sell', 'EFA', '12.345678'));
    expect(plain(await execution.account())).toEqual({ cash: '10000', positions: {} });
    const fills = await items(id, 'FILL#');
    expect(fills.map((f) => [f.clientOrderId?.S, f.side?.S, f.quantity?.N, f.price?.N, f.notional?.N])).toEqual([
      ['c-buy', 'buy', '12.345678', '94.17', '1162.59249726'],
      ['c-sell', 'sell', '12.345678', '94.17', '1162.59249726'],
    ]);
  });

  it('the same client order id from two instances at once: exactly one order, one fill, one cash change, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const id = newAccount();
      const [a, b] = [instance(id), instance(id)];
      await Promise.all([a.account(), b.account()]);
      const request = order('wf-1-SPY-buy', 'buy', 'SPY', '3');
      const results = await Promise.allSettled([a.placeOrder(request), b.placeOrder(request)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost[0]?.reason, `round ${round}`).toBeInstanceOf(DuplicateClientOrderIdError);
      const first = won[0]!.value;
      expect(await b.orderByClientId(request.clientOrderId)).toEqual(first);
      expect(await a.orderByClientId(request.clientOrderId)).toEqual(first);
      expect(plain(await a.account())).toEqual({ cash: '8181.88', positions: { SPY: '3' } });
      expect(await items(id, 'ORDER#')).toHaveLength(1);
      expect(await items(id, 'FILL#')).toHaveLength(1);
    }
  });

  it('two different buys that each fit but not together, from two instances at once: one fills, one is rejected, cash never goes negative', async () => {
    for (let round = 0; round < 5; round++) {
      const id = newAccount();
      const [a, b] = [instance(id, '1000'), instance(id, '1000')];
      await Promise.all([a.account(), b.account()]);
      const results = await Promise.allSettled([a.placeOrder(order('c-a', 'buy', 'SPY', '1')), b.placeOrder(order('c-b', 'buy', 'SPY', '1'))]);
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect((refused?.reason as OrderRejectedError).reason, `round ${round}`).toBe(RejectReason.insufficientBuyingPower);
      expect(plain(await a.account())).toEqual({ cash: '393.96', positions: { SPY: '1' } });
    }
  });

  it('a liquidity limit fills part of an order and cancels the rest, once: a replay neither trades again nor changes the order', async () => {
    const id = newAccount();
    const limited = () =>
      new DynamoPaperBroker({
        client: createSandboxClients(server.endpoint, 'us-west-2').dynamodb,
        tableName: TABLE,
        accountId: id,
        seedCash: '10000',
        quote: (symbol) => quotes.get(symbol),
        liquidity: { EFA: '4.5' },
      });
    const placed = await limited().placeOrder(order('c-partial', 'buy', 'EFA', '10'));
    expect(placed).toMatchObject({ status: 'canceled', rejectReason: 'INSUFFICIENT_LIQUIDITY' });
    expect([toDecimalString(placed.quantity), toDecimalString(placed.filledQuantity)]).toEqual(['10', '4.5']);
    await expect(limited().placeOrder(order('c-partial', 'buy', 'EFA', '10'))).rejects.toBeInstanceOf(DuplicateClientOrderIdError);
    const found = await limited().orderByClientId('c-partial');
    expect(found).toMatchObject({ status: 'canceled', filledQuantity: dec('4.5'), quantity: dec('10'), fillPrice: dec('94.17') });
    // 4.5 × 94.17 = 423.765 left the cash, once; one FILL item of 4.5.
    expect(plain(await limited().account())).toEqual({ cash: '9576.235', positions: { EFA: '4.5' } });
    expect((await items(id, 'FILL#')).map((f) => f.quantity?.N)).toEqual(['4.5']);
  });

  it('a buy beyond the cash is rejected with a coded reason, stored, and leaves the account alone', async () => {
    const id = newAccount();
    const broker = instance(id, '1000');
    const error = await broker.placeOrder(order('c-big', 'buy', 'SPY', '2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect((error as OrderRejectedError).reason).toBe(RejectReason.insufficientBuyingPower);
    expect((error as OrderRejectedError).message).toBe('Buying 2 SPY at 606.04 needs 1212.08; buying power is 1000.');
    expect(await instance(id).orderByClientId('c-big')).toMatchObject({ status: 'rejected', rejectReason: RejectReason.insufficientBuyingPower, symbol: 'SPY' });
    expect((await items(id, 'ORDER#'))[0]?.rejectMessage?.S).toBe('Buying 2 SPY at 606.04 needs 1212.08; buying power is 1000.');
    expect(plain(await broker.account())).toEqual({ cash: '1000', positions: {} });
    expect(await items(id, 'FILL#')).toEqual([]);
    // The id is spent: a replay is a duplicate, and the lookup finds the rejection.
    await expect(instance(id).placeOrder(order('c-big', 'buy', 'SPY', '1'))).rejects.toBeInstanceOf(DuplicateClientOrderIdError);
  });

  it('refuses selling more than held, and the checks that need no account, storing each', async () => {
    const id = newAccount();
    const broker = instance(id);
    await broker.placeOrder(order('c-1', 'buy', 'SPY', '1'));
    const reasonOf = (request: OrderRequest) => broker.placeOrder(request).then(() => 'filled', (e: unknown) => (e as OrderRejectedError).reason);
    expect(await reasonOf(order('c-2', 'sell', 'SPY', '1.5'))).toBe(RejectReason.insufficientPosition);
    expect(await reasonOf(order('c-3', 'sell', 'EFA', '1'))).toBe(RejectReason.insufficientPosition);
    expect(await reasonOf(order('c-4', 'buy', 'GLD', '0.5'))).toBe(RejectReason.fractionalNotSupported);
    expect(await reasonOf(order('c-5', 'buy', 'XYZ', '1'))).toBe(RejectReason.noQuote);
    expect(await reasonOf(order('c-6', 'buy', 'SPY', '0'))).toBe(RejectReason.invalidQuantity);
    const stored = await items(id, 'ORDER#');
    expect(stored.map((o) => [o.clientOrderId?.S, o.status?.S, o.rejectReason?.S])).toEqual([
      ['c-1', 'filled', undefined],
      ['c-2', 'rejected', RejectReason.insufficientPosition],
      ['c-3', 'rejected', RejectReason.insufficientPosition],
      ['c-4', 'rejected', RejectReason.fractionalNotSupported],
      ['c-5', 'rejected', RejectReason.noQuote],
      ['c-6', 'rejected', RejectReason.invalidQuantity],
    ]);
    expect(plain(await broker.account())).toEqual({ cash: '9393.96', positions: { SPY: '1' } });
  });

  it('a cold start (a new instance, a new client) sees the positions and the orders', async () => {
    const id = newAccount();
    const warm = instance(id);
    await warm.placeOrder(order('c-1', 'buy', 'SPY', '4'));
    await warm.placeOrder(order('c-2', 'buy', 'EFA', '10'));
    await warm.placeOrder(order('c-3', 'sell', 'SPY', '1'));
    const cold = instance(id);
    expect(plain(await cold.account())).toEqual({ cash: '7240.18', positions: { SPY: '3', EFA: '10' } });
    expect(await cold.orderByClientId('c-2')).toMatchObject({ status: 'filled', quantity: dec('10'), fillPrice: dec('94.17') });
    expect(await cold.orderByClientId('never')).toBeUndefined();
  });

  it('a workflow whose every delivery wires its brokers afresh (a cold Lambda each) trades one account, and the next run sees the holding', async () => {
    const id = newAccount();
    const env = { PAPER_ACCOUNTS: id, PAPER_CASH: '10000', PAPER_BROKER_TABLE: TABLE };
    const marketData = new SyntheticMarketData();
    let t = Date.parse('2026-12-04T15:00:00Z');
    const clock = { now: () => new Date(t++) };
    const store = new MemoryWorkflowStore();
    const bus = new InMemoryEventBus();
    const logger = new MemoryLogger();
    const coldBrokers = () => paperBrokers(env, marketData, clock, { dynamodb: createSandboxClients(server.endpoint, 'us-west-2').dynamodb });
    subscribeWorkflow(bus, () => ({ store, bus, clock, logger, marketData, brokers: coldBrokers(), notifier: new MemoryNotifier() }));
    const params = (asOf: string) => ({ accountId: id, asOf, strategy: { kind: 'fixed' as const, weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' });
    const run = async (correlationId: string, asOf: string) => {
      const watcher = watchTerminalEvents(bus);
      await startWorkflow({ store, bus, clock }, { correlationId, params: params(asOf) });
      const terminal = await watcher.waitOrIdle(correlationId);
      watcher.stop();
      expect(terminal?.type, JSON.stringify((await store.get(correlationId))?.failure)).toBe('WorkflowCompleted');
      return (await store.get(correlationId))!;
    };

    const first = await run('wf-durable-1', '2026-12-04');
    expect(first.orders.map((o) => [o.symbol, o.side])).toEqual([['SPY', 'buy']]);
    const account = await coldBrokers()(id).account();
    expect(plain(account)).toEqual({ cash: toDecimalString(dec('10000').minus(first.orders[0]!.notional)), positions: { SPY: first.orders[0]!.quantity } });
    // A broker in memory would start from 10000 cash again and buy SPY a second time.
    t = Date.parse('2026-12-07T15:00:00Z');
    const second = await run('wf-durable-2', '2026-12-07');
    expect(second.orders).toEqual([]);
    expect(plain(await coldBrokers()(id).account())).toEqual(plain(account));
  });
});
