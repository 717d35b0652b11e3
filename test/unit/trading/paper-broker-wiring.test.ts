/**
 * Which paper broker a trading Lambda gets: the durable one (src/aws/paper-broker-store.ts) when the
 * stack sets PAPER_BROKER_TABLE, one account item per PAPER_ACCOUNTS entry; the in-memory one otherwise.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createLambdaRuntime, paperBrokers } from '../../../src/entry/lambda/trading/runtime.ts';
import { SyntheticMarketData } from '../../../src/trading/adapters/synthetic-market-data.ts';
import { dec } from '../../../src/trading/domain/money.ts';

const ddb = mockClient(DynamoDBClient);
const base = { WORKFLOW_TABLE: 'ops-workflows', EVENT_BUS_NAME: 'ops-trading', AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
const clock = { now: () => new Date('2026-12-04T15:00:00Z') };
const client = () => new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const buy = (id: string) => ({ clientOrderId: id, symbol: 'SPY', side: 'buy' as const, quantity: dec(1), referencePrice: dec(1) });

beforeEach(() => {
  ddb.reset();
  ddb.on(PutItemCommand).resolves({});
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(GetItemCommand).resolves({ Item: { cash: { N: '5000' } } });
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('paperBrokers', () => {
  it('with PAPER_BROKER_TABLE: each account in that table, seeded with PAPER_CASH, filling at the session close', async () => {
    const brokers = paperBrokers({ PAPER_ACCOUNTS: 'main, tiny', PAPER_CASH: '5000', PAPER_BROKER_TABLE: 'ops-paper-broker' }, new SyntheticMarketData(), clock, { dynamodb: client() });
    const order = await brokers('tiny').placeOrder(buy('c-1'));
    expect(order.brokerOrderId).toMatch(/^paper-tiny-/);
    expect(order.fillPrice?.gt(1)).toBe(true);
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'ops-paper-broker',
      Item: expect.objectContaining({ pk: { S: 'ACCOUNT#tiny' }, sk: { S: 'ACCOUNT' }, cash: { N: '5000' }, seededAt: { S: '2026-12-04T15:00:00.000Z' } }) as never,
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(items.every((item) => (item.Put ?? item.Update)?.TableName === 'ops-paper-broker')).toBe(true);
    expect((await brokers('main').account()).cash.toString()).toBe('5000');
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'ops-paper-broker', Key: { pk: { S: 'ACCOUNT#main' }, sk: { S: 'ACCOUNT' } } });
  });

  it('without it: in memory, no DynamoDB call', async () => {
    const broker = paperBrokers({ PAPER_ACCOUNTS: 'main', PAPER_CASH: '5000' }, new SyntheticMarketData(), clock, { dynamodb: client() })('main');
    await broker.placeOrder(buy('c-1'));
    expect(await broker.orderByClientId('c-1')).toMatchObject({ status: 'filled' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('createLambdaRuntime wires the table from the environment through its own DynamoDB client', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const runtime = createLambdaRuntime({ ...base, PAPER_BROKER_TABLE: 'ops-paper-broker' }, 'portfolio');
    expect((await runtime.deps.brokers('main').account()).cash.toString()).toBe('5000');
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { TableName: 'ops-paper-broker', ConsistentRead: true });
    vi.unstubAllEnvs();
  });
});
