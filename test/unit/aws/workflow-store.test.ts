import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoWorkflowStore, ensureWorkflowTable, WORKFLOW_TABLE_SCHEMA } from '../../../src/aws/workflow-store.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import { isTransient } from '../../../src/trading/domain/trading-errors.ts';
import { completedOutcome, order, PARAMS } from '../trading/workflow-store-contract.ts';

const TABLE = 'ops-workflows';
const docMock = mockClient(DynamoDBDocumentClient);
const ddbMock = mockClient(DynamoDBClient);
const baseClient = () => new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const store = () => new DynamoWorkflowStore({ client: DynamoDBDocumentClient.from(baseClient()), tableName: TABLE, newToken: () => 'token-1' });
const T0 = new Date('2026-11-23T15:00:00.000Z');

function item(extra: Record<string, unknown> = {}) {
  return {
    pk: 'WF#wf-1',
    sk: 'WORKFLOW',
    correlationId: 'wf-1',
    workflowState: 'RUNNING',
    params: PARAMS,
    startedAt: T0.getTime(),
    updatedAt: T0.getTime(),
    steps: {},
    orders: {},
    expiresAt: Math.floor(T0.getTime() / 1000) + 30 * 86_400,
    ...extra,
  };
}

beforeEach(() => {
  docMock.reset();
  ddbMock.reset();
});

describe('DynamoWorkflowStore writes', () => {
  it('creates with a conditional put: RUNNING, epoch-millis start, TTL in epoch seconds', async () => {
    docMock.on(PutCommand).resolves({});
    const { created, record } = await store().create({ correlationId: 'wf-1', params: PARAMS, startedAt: T0 });
    expect(created).toBe(true);
    expect(record.state).toBe('RUNNING');
    expect(docMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ pk: 'WF#wf-1', sk: 'WORKFLOW', workflowState: 'RUNNING', startedAt: T0.getTime(), expiresAt: Math.floor(T0.getTime() / 1000) + 30 * 86_400 }) as Record<string, unknown>,
    });
  });

  it('returns the existing record when the create condition fails', async () => {
    docMock.on(PutCommand).rejects(ccf());
    docMock.on(GetCommand).resolves({ Item: item({ workflowState: 'COMPLETED', finishedAt: T0.getTime() + 5 }) });
    const { created, record } = await store().create({ correlationId: 'wf-1', params: PARAMS, startedAt: new Date(0) });
    expect(created).toBe(false);
    expect(record).toMatchObject({ state: 'COMPLETED', startedAt: T0, finishedAt: new Date(T0.getTime() + 5) });
    expect(docMock).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
  });

  it('finishes with an update conditional on RUNNING that stores the terminal event; a lost race reads the winner', async () => {
    const outcome = completedOutcome({ correlationId: 'wf-1', startedAt: T0 }, T0);
    docMock.on(UpdateCommand).resolvesOnce({ Attributes: item({ workflowState: 'COMPLETED', finishedAt: T0.getTime(), terminalEvent: JSON.stringify(outcome.event) }) }).rejectsOnce(ccf());
    docMock.on(GetCommand).resolves({ Item: item({ workflowState: 'FAILED', failure: { step: 'portfolio', reason: 'r', errorCode: 'E' } }) });
    const won = await store().finish('wf-1', outcome, T0);
    expect(won.won).toBe(true);
    expect(won.record?.terminalEvent).toEqual(outcome.event);
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toBe('#state = :running');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':to': 'COMPLETED', ':running': 'RUNNING', ':event': JSON.stringify(outcome.event) });
    const lost = await store().finish('wf-1', outcome, T0);
    expect(lost).toMatchObject({ won: false, record: { state: 'FAILED', failure: { step: 'portfolio' } } });
  });

  it('records an executed order idempotently (if_not_exists) and counts the map it gets back', async () => {
    docMock.on(UpdateCommand).resolves({
      Attributes: item({ expectedOrders: 2, orders: { 'ops-a': { ...order('ops-a', 0, T0), executedAt: T0.getTime() } } }),
    });
    expect(await store().recordExecutedOrder('wf-1', order('ops-a', 0, T0))).toEqual({ accepted: true, executed: 1, open: 0, expected: 2, orders: [order('ops-a', 0, T0)] });
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    // The same write drops the order's open entry: an order is open or executed, never both.
    expect(update.UpdateExpression).toBe('SET #orders.#cid = if_not_exists(#orders.#cid, :order), #updatedAt = :now REMOVE #open.#cid');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#cid': 'ops-a', '#state': 'workflowState', '#open': 'openOrders' });
    expect(update.ReturnValues).toBe('ALL_NEW');
  });

  it('reports a refused step result (workflow not RUNNING) as false', async () => {
    docMock.on(UpdateCommand).rejects(ccf());
    expect(await store().recordStep('wf-1', 'strategy', { completedAt: T0, summary: {} })).toBe(false);
  });
});

describe('DynamoWorkflowStore claims', () => {
  const key = { consumer: 'portfolio', eventId: 'evt-1', correlationId: 'wf-1' };

  it('claims with one conditional update of the workflow item that checks its state and returns the record', async () => {
    docMock.on(UpdateCommand).resolves({ Attributes: item({ claims: { 'portfolio#evt-1': { st: 'claimed', leaseUntil: T0.getTime() + 90_000 } }, claimAttempts: { 'portfolio#evt-1': 2 } }) });
    const result = await store().claimDelivery(key, T0, 90_000, 'RUNNING');
    expect(result).toMatchObject({ status: 'claimed', claim: { ...key, token: 'token-1' }, attempt: 2, record: { correlationId: 'wf-1', deliveries: [{ consumer: 'portfolio', eventId: 'evt-1', status: 'claimed' }] } });
    expect(docMock.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(docMock.commandCalls(GetCommand)).toHaveLength(0);
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: 'WF#wf-1', sk: 'WORKFLOW' });
    expect(update.ConditionExpression).toBe('attribute_exists(#pk) AND #state = :required AND (attribute_not_exists(#claims.#k) OR (#claims.#k.#st = :claimed AND #claims.#k.#lease < :now))');
    expect(update.ExpressionAttributeNames).toMatchObject({ '#k': 'portfolio#evt-1', '#state': 'workflowState' });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':claim': { st: 'claimed', token: 'token-1', leaseUntil: T0.getTime() + 90_000 }, ':now': T0.getTime(), ':required': 'RUNNING' });
  });

  it('tells unknown, wrong state, done and held apart from one read when the condition fails, and claims again if the claim vanished', async () => {
    docMock.on(UpdateCommand).rejects(ccf());
    docMock
      .on(GetCommand)
      .resolvesOnce({})
      .resolvesOnce({ Item: item({ workflowState: 'FAILED' }) })
      .resolvesOnce({ Item: item({ claims: { 'portfolio#evt-1': { st: 'done', leaseUntil: 0, outcome: 'failed' } } }) })
      .resolvesOnce({ Item: item({ claims: { 'portfolio#evt-1': { st: 'claimed', leaseUntil: T0.getTime() + 5 } } }) });
    expect(await store().claimDelivery(key, T0, 1, 'RUNNING')).toEqual({ status: 'unknown' });
    expect(await store().claimDelivery(key, T0, 1, 'RUNNING')).toMatchObject({ status: 'state', record: { state: 'FAILED' } });
    expect(await store().claimDelivery(key, T0, 1, 'RUNNING')).toMatchObject({ status: 'done', outcome: 'failed' });
    expect(await store().claimDelivery(key, T0, 1, 'RUNNING')).toMatchObject({ status: 'held', leaseUntil: new Date(T0.getTime() + 5) });
    docMock.reset();
    docMock.on(UpdateCommand).rejectsOnce(ccf()).resolves({ Attributes: item() });
    docMock.on(GetCommand).resolves({ Item: item() });
    expect((await store().claimDelivery(key, T0, 1, 'RUNNING')).status).toBe('claimed');
  });

  it('marks a terminal delivery published in the claim write', async () => {
    docMock.on(UpdateCommand).resolves({ Attributes: item({ workflowState: 'COMPLETED' }) });
    await store().claimDelivery({ ...key, consumer: 'notification' }, T0, 1, 'COMPLETED');
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toContain('#published = if_not_exists(#published, :now)');
  });

  it('gives an item written before claims lived in it its maps once, then claims', async () => {
    const legacy = Object.assign(new Error('The document path provided in the update expression is invalid for update'), { name: 'ValidationException' });
    docMock.on(UpdateCommand).rejectsOnce(legacy).resolvesOnce({}).resolves({ Attributes: item() });
    expect((await store().claimDelivery(key, T0, 1, 'RUNNING')).status).toBe('claimed');
    const calls = docMock.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression);
    expect(calls[1]).toBe(
      'SET #claims = if_not_exists(#claims, :empty), #attempts = if_not_exists(#attempts, :empty), #outbox = if_not_exists(#outbox, :empty), #open = if_not_exists(#open, :empty)',
    );
    expect(calls).toHaveLength(3);
  });

  it('gives such an item its maps before a fill too: removing the fill from openOrders needs the map', async () => {
    const legacy = Object.assign(new Error('The document path provided in the update expression is invalid for update'), { name: 'ValidationException' });
    docMock.on(UpdateCommand).rejectsOnce(legacy).resolvesOnce({}).resolves({ Attributes: item({ orders: {}, expectedOrders: 1 }) });
    expect(await store().recordExecutedOrder('wf-1', order('ops-1', 0, T0))).toMatchObject({ accepted: true });
    const calls = docMock.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression);
    expect(calls).toHaveLength(3);
    expect(calls[1]).toContain('#open = if_not_exists(#open, :empty)');
    expect(calls[2]).toContain('REMOVE #open.#cid');
  });

  it('completes and releases only with the holder\'s token', async () => {
    docMock.on(UpdateCommand).rejects(ccf());
    const claim = { consumer: 'portfolio', eventId: 'evt-1', correlationId: 'wf-1', token: 'stale' };
    await expect(store().completeClaim(claim, 'succeeded', T0)).resolves.toBeUndefined();
    await expect(store().releaseClaim(claim)).resolves.toBeUndefined();
    const [complete, release] = docMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(complete?.ConditionExpression).toBe('#claims.#k.#token = :token');
    expect(release?.UpdateExpression).toBe('REMOVE #claims.#k, #attempts.#k');
    expect(release?.ConditionExpression).toBe('#claims.#k.#token = :token');
  });
});

describe('DynamoWorkflowStore reads', () => {
  it('lists through the byState index, newest first, following pages up to the limit', async () => {
    docMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [item({ correlationId: 'wf-3', pk: 'WF#wf-3', startedAt: 3 })], LastEvaluatedKey: { pk: 'x' } })
      .resolvesOnce({ Items: [item({ correlationId: 'wf-2', pk: 'WF#wf-2', startedAt: 2 })] });
    const records = await store().list({ state: 'RUNNING', startedBefore: new Date(10), limit: 5 });
    expect(records.map((r) => r.correlationId)).toEqual(['wf-3', 'wf-2']);
    const first = docMock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(first).toMatchObject({ IndexName: 'byState', ScanIndexForward: false, KeyConditionExpression: '#state = :state AND #startedAt < :before', Limit: 5 });
    expect(docMock.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'x' });
  });

  it('queries every state when none is given', async () => {
    docMock.on(QueryCommand).resolves({ Items: [] });
    await store().list();
    expect(docMock.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':state'] as unknown)).toEqual(['RUNNING', 'COMPLETED', 'FAILED']);
  });

  it('refuses an item that is not a workflow record', async () => {
    docMock.on(GetCommand).resolves({ Item: item({ workflowState: 'PAUSED' }) });
    const error = await store().get('wf-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultError);
    expect((error as FaultError).code).toBe('WORKFLOW_STORE_CORRUPT_ITEM');
  });

  it.each([
    [new ResourceNotFoundException({ message: 'no table', $metadata: {} }), UserError, 'WORKFLOW_TABLE_MISSING', false],
    [Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), UserError, 'WORKFLOW_STORE_ACCESS_DENIED', false],
    [new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }), FaultError, 'WORKFLOW_STORE_THROTTLED', true],
    [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), FaultError, 'WORKFLOW_STORE_FAILED', true],
  ])('maps %s to an OpsError (transient for the gate: %s)', async (thrown, type, code, transient) => {
    docMock.on(GetCommand).rejects(thrown);
    const error = await store().get('wf-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as FaultError).code).toBe(code);
    expect(isTransient(error)).toBe(transient);
  });
});

describe('ensureWorkflowTable', () => {
  const active = { Table: { TableStatus: 'ACTIVE', ...WORKFLOW_TABLE_SCHEMA } } as unknown as DescribeTableCommandOutput;

  it('creates the table with its state index and turns on TTL', async () => {
    ddbMock.on(DescribeTableCommand).rejectsOnce(new ResourceNotFoundException({ message: 'missing', $metadata: {} })).resolves(active);
    ddbMock.on(CreateTableCommand).resolves({});
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    ddbMock.on(UpdateTimeToLiveCommand).resolves({});
    expect(await ensureWorkflowTable(baseClient(), TABLE)).toEqual({ created: true, ttlUpdated: true });
    expect(ddbMock).toHaveReceivedCommandWith(CreateTableCommand, { TableName: TABLE, GlobalSecondaryIndexes: WORKFLOW_TABLE_SCHEMA.GlobalSecondaryIndexes });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateTimeToLiveCommand, { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('refuses a table with another schema', async () => {
    ddbMock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] } });
    await expect(ensureWorkflowTable(baseClient(), TABLE)).rejects.toMatchObject({ code: 'WORKFLOW_TABLE_MISMATCH' });
  });
});
