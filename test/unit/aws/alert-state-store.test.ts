import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertState } from '../../../src/alerts/index.ts';
import { ALERT_STATE_TABLE_SCHEMA, DynamoAlertStateStore, ensureAlertStateTable } from '../../../src/aws/alert-state-store.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const TABLE = 'ops-alert-state';
const PK = 'ALERT#healthcheck';
const docMock = mockClient(DynamoDBDocumentClient);
const ddbMock = mockClient(DynamoDBClient);

const baseClient = () => new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const store = () => new DynamoAlertStateStore({ client: DynamoDBDocumentClient.from(baseClient()), tableName: TABLE, key: 'healthcheck' });
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });
const denied = (action: string) => Object.assign(new Error(`User is not authorized to perform: dynamodb:${action}`), { name: 'AccessDeniedException' });

const STATE: AlertState = {
  version: 1,
  failing: { 'TARGET_ERRORS group:ops-pipeline': { code: 'TARGET_ERRORS', severity: 'warning', since: '2026-01-29T16:41:00.000Z', group: 'ops-pipeline' } },
  lastSentAt: '2026-01-29T16:41:00.000Z',
  lastSentKind: 'alert',
};

beforeEach(() => {
  docMock.reset();
  ddbMock.reset();
});

describe('DynamoAlertStateStore.read', () => {
  it('gets the one item of the key, strongly consistent, and returns the state with its revision as token', async () => {
    docMock.on(GetCommand).resolves({ Item: { pk: PK, revision: 3, state: JSON.stringify(STATE) } });
    expect(await store().read()).toEqual({ state: STATE, token: '3' });
    expect(docMock).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { pk: PK }, ConsistentRead: true });
  });

  it('returns undefined when there is no item', async () => {
    docMock.on(GetCommand).resolves({});
    expect(await store().read()).toBeUndefined();
  });

  it.each([
    ['no revision', { pk: PK, state: JSON.stringify(STATE) }, /"revision" is not a positive integer/],
    ['a state that is not JSON', { pk: PK, revision: 1, state: '{' }, /"state" is not JSON/],
    ['a state that is a map', { pk: PK, revision: 1, state: STATE }, /"state" is not a string/],
    ['a state of another version', { pk: PK, revision: 1, state: JSON.stringify({ ...STATE, version: 2 }) }, /version/],
  ])('refuses an item with %s (FaultError naming the item)', async (_name, item, message) => {
    docMock.on(GetCommand).resolves({ Item: item });
    const error = await store().read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultError);
    expect((error as FaultError).code).toBe('ALERT_STATE_CORRUPT_ITEM');
    expect((error as FaultError).message).toMatch(message);
    expect((error as FaultError).message).toContain(PK);
  });
});

describe('DynamoAlertStateStore.write', () => {
  it('without a token: creates the item only if it does not exist, at revision 1', async () => {
    docMock.on(PutCommand).resolves({});
    expect(await store().write(STATE, undefined)).toBe('written');
    expect(docMock).toHaveReceivedCommandTimes(PutCommand, 1);
    const input = docMock.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input).toEqual({ TableName: TABLE, Item: { pk: PK, revision: 1, state: JSON.stringify(STATE) }, ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('with a token: replaces the item only at that revision, and moves it one on', async () => {
    docMock.on(PutCommand).resolves({});
    expect(await store().write(STATE, '7')).toBe('written');
    const input = docMock.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input).toEqual({
      TableName: TABLE,
      Item: { pk: PK, revision: 8, state: JSON.stringify(STATE) },
      ConditionExpression: 'revision = :expected',
      ExpressionAttributeValues: { ':expected': 7 },
    });
  });

  it.each([undefined, '7'])('maps ConditionalCheckFailed to conflict (token %s)', async (token) => {
    docMock.on(PutCommand).rejects(ccf());
    expect(await store().write(STATE, token)).toBe('conflict');
  });

  it('a missing table is a UserError with a hint', async () => {
    docMock.on(PutCommand).rejects(notFound());
    const error = await store().write(STATE, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'ALERT_STATE_TABLE_MISSING', hint: expect.stringContaining('pulumi up') as unknown });
    expect((error as UserError).cause).toBeInstanceOf(ResourceNotFoundException);
  });

  it('access denied is a UserError naming the action to grant', async () => {
    docMock.on(GetCommand).rejects(denied('GetItem'));
    const error = await store().read().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ALERT_STATE_ACCESS_DENIED', hint: 'Grant dynamodb:GetItem on the table to the role or user in use.' });
    expect(error).toBeInstanceOf(UserError);
  });

  it('anything else is a FaultError with the cause', async () => {
    const boom = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    docMock.on(PutCommand).rejects(boom);
    const error = await store().write(STATE, '2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultError);
    expect(error).toMatchObject({ code: 'ALERT_STATE_FAILED', cause: boom });
  });

  it.each(['0', 'abc', '1.5', ''])('refuses a token that is not a revision (%j) without calling DynamoDB', async (token) => {
    await expect(store().write(STATE, token)).rejects.toMatchObject({ code: 'ALERT_STATE_BAD_TOKEN' });
    expect(docMock).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  it('refuses an invalid state without calling DynamoDB', async () => {
    await expect(store().write({ ...STATE, lastSentAt: 'yesterday' }, undefined)).rejects.toMatchObject({ code: 'ALERT_STATE_INVALID' });
    expect(docMock).toHaveReceivedCommandTimes(PutCommand, 0);
  });

  it('refuses an empty key or table name', () => {
    expect(() => new DynamoAlertStateStore({ client: baseClient(), tableName: TABLE, key: '' })).toThrow(UserError);
    expect(() => new DynamoAlertStateStore({ client: baseClient(), tableName: '', key: 'k' })).toThrow(UserError);
  });
});

describe('ensureAlertStateTable', () => {
  const active = { Table: { TableStatus: 'ACTIVE' as const, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }] } };
  const sleep = vi.fn((_ms: number) => Promise.resolve());

  beforeEach(() => sleep.mockClear());

  it('creates a missing table (pk S HASH, on demand) and waits until it is ACTIVE', async () => {
    ddbMock
      .on(DescribeTableCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ Table: { ...active.Table, TableStatus: 'CREATING' as const } })
      .resolves(active);
    ddbMock.on(CreateTableCommand).resolves({});
    expect(await ensureAlertStateTable(baseClient(), TABLE, { sleep })).toEqual({ created: true });
    expect(ddbMock).toHaveReceivedCommandWith(CreateTableCommand, { TableName: TABLE, ...ALERT_STATE_TABLE_SCHEMA });
    expect(ALERT_STATE_TABLE_SCHEMA).toEqual({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('is idempotent: an existing table is left alone', async () => {
    ddbMock.on(DescribeTableCommand).resolves(active);
    expect(await ensureAlertStateTable(baseClient(), TABLE, { sleep })).toEqual({ created: false });
    expect(ddbMock).toHaveReceivedCommandTimes(CreateTableCommand, 0);
  });

  it('tolerates losing the creation race', async () => {
    ddbMock.on(DescribeTableCommand).rejectsOnce(notFound()).resolves(active);
    ddbMock.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', $metadata: {} }));
    expect(await ensureAlertStateTable(baseClient(), TABLE, { sleep })).toEqual({ created: false });
  });

  it('refuses a table with another key schema', async () => {
    ddbMock.on(DescribeTableCommand).resolves({
      Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
    });
    await expect(ensureAlertStateTable(baseClient(), TABLE, { sleep })).rejects.toMatchObject({ code: 'ALERT_STATE_TABLE_MISMATCH' });
  });

  it('gives up on a table that never becomes ACTIVE', async () => {
    ddbMock.on(DescribeTableCommand).resolves({ Table: { ...active.Table, TableStatus: 'CREATING' as const } });
    await expect(ensureAlertStateTable(baseClient(), TABLE, { sleep, maxWaitAttempts: 3 })).rejects.toMatchObject({ code: 'ALERT_STATE_TABLE_NOT_ACTIVE' });
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('maps a denied CreateTable to a UserError', async () => {
    ddbMock.on(DescribeTableCommand).rejects(notFound());
    ddbMock.on(CreateTableCommand).rejects(denied('CreateTable'));
    await expect(ensureAlertStateTable(baseClient(), TABLE, { sleep })).rejects.toMatchObject({ code: 'ALERT_STATE_ACCESS_DENIED' });
  });
});
