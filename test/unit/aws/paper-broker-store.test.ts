import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoPaperBroker } from '../../../src/aws/paper-broker-store.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import { dec } from '../../../src/trading/domain/money.ts';
import { DuplicateClientOrderIdError, OrderRejectedError, RejectReason, type OrderRequest } from '../../../src/trading/ports/broker.ts';

const TABLE = 'ops-paper-broker';
const PK = { S: 'ACCOUNT#main' };
const ddb = mockClient(DynamoDBClient);
const NOW = new Date('2026-11-23T20:00:00Z');
const quotes = new Map([['SPY', dec('600')]]);
const broker = (sleep = vi.fn(() => Promise.resolve())) =>
  new DynamoPaperBroker({
    client: new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
    tableName: TABLE,
    accountId: 'main',
    seedCash: '1000',
    quote: (s) => quotes.get(s),
    nonFractionable: ['GLD'],
    now: () => NOW,
    sleep,
  });
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const cancelled = (...reasons: CancellationReason[]) =>
  new TransactionCanceledException({ message: `Transaction cancelled [${reasons.map((r) => r.Code).join(', ')}]`, $metadata: {}, CancellationReasons: reasons });
const none: CancellationReason = { Code: 'None' };
const failed = (item?: CancellationReason['Item']): CancellationReason => ({ Code: 'ConditionalCheckFailed', ...(item ? { Item: item } : {}) });
const buy = (quantity = '1', clientOrderId = 'wf-1-SPY-buy'): OrderRequest => ({ clientOrderId, symbol: 'SPY', side: 'buy', quantity: dec(quantity), referencePrice: dec('600') });
const sell = (quantity = '1'): OrderRequest => ({ clientOrderId: 'wf-1-SPY-sell', symbol: 'SPY', side: 'sell', quantity: dec(quantity), referencePrice: dec('600') });

beforeEach(() => {
  ddb.reset();
  ddb.on(PutItemCommand).resolves({});
  ddb.on(TransactWriteItemsCommand).resolves({});
});

describe('seeding the account', () => {
  it('puts the account with PAPER_CASH only if absent, once per instance; an existing account (condition failed) is kept', async () => {
    ddb.on(PutItemCommand).rejects(ccf());
    ddb.on(GetItemCommand).resolves({ Item: { ...{ pk: PK, sk: { S: 'ACCOUNT' } }, cash: { N: '5.5' } } });
    ddb.on(QueryCommand).resolves({ Items: [{ symbol: { S: 'SPY' }, quantity: { N: '2' } }, { symbol: { S: 'EFA' }, quantity: { N: '0' } }] });
    const b = broker();
    const first = await b.account();
    await b.account();
    expect(first.cash.toString()).toBe('5.5');
    expect([...first.positions].map(([s, q]) => [s, q.toString()])).toEqual([['SPY', '2']]);
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({ pk: PK, sk: { S: 'ACCOUNT' }, cash: { N: '1000' }, seededCash: { N: '1000' } }) as never,
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { ConsistentRead: true });
  });

  it('a missing table is a UserError naming the table and how to create it, and the next call tries again', async () => {
    ddb.on(PutItemCommand).rejectsOnce(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} })).resolves({});
    const b = broker();
    const error = await b.placeOrder(buy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'PAPER_BROKER_TABLE_MISSING', hint: expect.stringContaining('PAPER_BROKER_TABLE') as never });
    await expect(b.placeOrder(buy())).resolves.toMatchObject({ status: 'filled' });
  });
});

describe('placeOrder', () => {
  it('fills in one transaction: the order if the id is unused, the fill, the cash (buy: only if cash ≥ notional) and the position', async () => {
    const order = await broker().placeOrder(buy('1.5'));
    expect(order).toMatchObject({ clientOrderId: 'wf-1-SPY-buy', status: 'filled', symbol: 'SPY', side: 'buy' });
    expect(order.brokerOrderId).toMatch(/^paper-main-/);
    const [call] = ddb.commandCalls(TransactWriteItemsCommand);
    const items = call!.args[0].input.TransactItems!;
    expect(items).toHaveLength(4);
    expect(items[0]!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)', Item: { sk: { S: 'ORDER#wf-1-SPY-buy' }, status: { S: 'filled' }, fillPrice: { N: '600' } } });
    expect(items[1]!.Put).toMatchObject({ Item: { sk: { S: 'FILL#wf-1-SPY-buy#0001' }, quantity: { N: '1.5' }, price: { N: '600' }, notional: { N: '900' } } });
    expect(items[2]!.Update).toMatchObject({
      Key: { pk: PK, sk: { S: 'ACCOUNT' } },
      UpdateExpression: 'SET updatedAt = :at ADD cash :delta',
      ConditionExpression: 'cash >= :notional',
      ExpressionAttributeValues: { ':delta': { N: '-900' }, ':notional': { N: '900' } },
    });
    expect(items[3]!.Update).toMatchObject({ Key: { pk: PK, sk: { S: 'POSITION#SPY' } }, ExpressionAttributeValues: { ':delta': { N: '1.5' } } });
    expect(items[3]!.Update!.ConditionExpression).toBeUndefined();
  });

  it('with a liquidity limit fills that much and cancels the rest in the same transaction; the account covers the whole order', async () => {
    const limited = new DynamoPaperBroker({
      client: new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
      tableName: TABLE,
      accountId: 'main',
      seedCash: '1000',
      quote: (s) => quotes.get(s),
      liquidity: { SPY: '0.5' },
      now: () => NOW,
    });
    const order = await limited.placeOrder(buy('1.5'));
    expect(order).toMatchObject({ status: 'canceled', rejectReason: 'INSUFFICIENT_LIQUIDITY' });
    expect([order.quantity.toFixed(), order.filledQuantity.toFixed(), order.fillPrice?.toFixed()]).toEqual(['1.5', '0.5', '600']);
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put).toMatchObject({ Item: { status: { S: 'canceled' }, quantity: { N: '1.5' }, filledQuantity: { N: '0.5' }, rejectReason: { S: 'INSUFFICIENT_LIQUIDITY' } } });
    expect(items[1]!.Put).toMatchObject({ Item: { quantity: { N: '0.5' }, notional: { N: '300' } } });
    expect(items[2]!.Update).toMatchObject({ ConditionExpression: 'cash >= :notional', ExpressionAttributeValues: { ':delta': { N: '-300' }, ':notional': { N: '900' } } });
    expect(items[3]!.Update).toMatchObject({ ExpressionAttributeValues: { ':delta': { N: '0.5' } } });
  });

  it('refuses a liquidity limit that is not a positive number', () => {
    const make = (limit: string) => () =>
      new DynamoPaperBroker({ client: new DynamoDBClient({ region: 'us-west-2' }), tableName: TABLE, accountId: 'main', seedCash: '1', quote: () => undefined, liquidity: { SPY: limit } });
    expect(make('0')).toThrow(UserError);
    expect(make('lots')).toThrow(/paper liquidity of SPY must be a positive number, got "lots"/);
  });

  it('a sell is conditional on the holding and credits the cash', async () => {
    await broker().placeOrder(sell('2'));
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(items[2]!.Update).toMatchObject({ ConditionExpression: 'attribute_exists(cash)', ExpressionAttributeValues: { ':delta': { N: '1200' } } });
    expect(items[3]!.Update).toMatchObject({ ConditionExpression: 'quantity >= :quantity', ExpressionAttributeValues: { ':delta': { N: '-2' }, ':quantity': { N: '2' } } });
  });

  it('the order condition failing means the id was used: DuplicateClientOrderIdError, nothing else written', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(failed(), none, failed({ cash: { N: '0' } }), none));
    const error = await broker().placeOrder(buy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateClientOrderIdError);
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1); // the seed only
  });

  it('the cash condition failing on a buy: stored as rejected (INSUFFICIENT_BUYING_POWER, with the message), then OrderRejectedError', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(none, none, failed({ cash: { N: '250.5' } }), none));
    const error = await broker().placeOrder(buy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect(error).toMatchObject({ reason: RejectReason.insufficientBuyingPower, message: 'Buying 1 SPY at 600 needs 600; buying power is 250.5.' });
    expect(ddb).toHaveReceivedNthCommandWith(PutItemCommand, 2, {
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ sk: { S: 'ORDER#wf-1-SPY-buy' }, status: { S: 'rejected' }, rejectReason: { S: 'INSUFFICIENT_BUYING_POWER' }, rejectMessage: { S: 'Buying 1 SPY at 600 needs 600; buying power is 250.5.' } }) as never,
    });
  });

  it('the position condition failing on a sell: INSUFFICIENT_POSITION with the holding (0 when there is none)', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(none, none, none, failed({ quantity: { N: '0.5' } }))).rejectsOnce(cancelled(none, none, none, failed()));
    const b = broker();
    await expect(b.placeOrder(sell('2'))).rejects.toMatchObject({ reason: RejectReason.insufficientPosition, message: 'Selling 2 SPY, but only 0.5 is held.' });
    await expect(b.placeOrder(sell('2'))).rejects.toMatchObject({ reason: RejectReason.insufficientPosition, message: 'Selling 2 SPY, but only 0 is held.' });
  });

  it('a rejection whose put finds the id used meanwhile is a duplicate: the other order stands', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled(none, none, failed(), none));
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(ccf());
    await expect(broker().placeOrder(buy())).rejects.toBeInstanceOf(DuplicateClientOrderIdError);
  });

  it('refusals that need no account are stored without a transaction', async () => {
    const b = broker();
    await expect(b.placeOrder({ ...buy(), symbol: 'GLD', quantity: dec('0.5') })).rejects.toMatchObject({ reason: RejectReason.fractionalNotSupported });
    await expect(b.placeOrder({ ...buy(), clientOrderId: 'x', symbol: 'XYZ' })).rejects.toMatchObject({ reason: RejectReason.noQuote });
    await expect(b.placeOrder({ ...buy('0'), clientOrderId: 'y' })).rejects.toMatchObject({ reason: RejectReason.invalidQuantity });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 4);
  });

  it('a transaction conflict is retried with backoff; still conflicting after the attempts, a FaultError', async () => {
    const sleep = vi.fn(() => Promise.resolve());
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(none, none, { Code: 'TransactionConflict' }, none)).resolves({});
    await expect(broker(sleep).placeOrder(buy())).resolves.toMatchObject({ status: 'filled' });
    expect(sleep).toHaveBeenCalledTimes(1);

    ddb.on(TransactWriteItemsCommand).rejects(cancelled(none, none, { Code: 'TransactionConflict' }, none));
    const error = await broker(sleep).placeOrder(buy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultError);
    expect(error).toMatchObject({ code: 'PAPER_BROKER_TRANSACTION_CANCELLED' });
    expect((error as Error).message).toContain('after 5 attempt(s): None, None, TransactionConflict, None');
  });

  it('other failures of the transaction map like every adapter on our tables', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(Object.assign(new Error('User is not authorized to perform: dynamodb:UpdateItem'), { name: 'AccessDeniedException' }));
    await expect(broker().placeOrder(buy())).rejects.toMatchObject({ code: 'PAPER_BROKER_ACCESS_DENIED', hint: 'Grant dynamodb:PutItem and dynamodb:UpdateItem on the table (a transaction needs both) to the role or user in use.' });
    ddb.on(TransactWriteItemsCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
    await expect(broker().placeOrder(buy())).rejects.toMatchObject({ code: 'PAPER_BROKER_FAILED' });
  });
});

describe('orderByClientId', () => {
  it('reads the order consistently; a missing one is undefined', async () => {
    ddb.on(GetItemCommand, { Key: { pk: PK, sk: { S: 'ORDER#a' } } }).resolves({
      Item: { pk: PK, sk: { S: 'ORDER#a' }, brokerOrderId: { S: 'paper-main-1' }, clientOrderId: { S: 'a' }, symbol: { S: 'SPY' }, side: { S: 'buy' }, quantity: { N: '2' }, status: { S: 'filled' }, fillPrice: { N: '600.5' } },
    });
    ddb.on(GetItemCommand, { Key: { pk: PK, sk: { S: 'ORDER#b' } } }).resolves({});
    const b = broker();
    // An item written before partial fills existed (no filledQuantity): a filled order filled in full.
    expect(await b.orderByClientId('a')).toEqual({ brokerOrderId: 'paper-main-1', clientOrderId: 'a', symbol: 'SPY', side: 'buy', quantity: dec('2'), status: 'filled', filledQuantity: dec('2'), fillPrice: dec('600.5') });
    expect(await b.orderByClientId('b')).toBeUndefined();
  });
});
