import 'aws-sdk-client-mock-vitest/extend';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoRunLedger, ensureRunLedgerTable, RUN_LEDGER_TABLE_SCHEMA } from '../../../src/aws/run-ledger-store.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import type { RunRecord, ScheduleKey } from '../../../src/ledger/run-ledger.ts';

const TABLE = 'run-ledger';
const docMock = mockClient(DynamoDBDocumentClient);
const ddbMock = mockClient(DynamoDBClient);

const baseClient = () => new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function ledger(options: Partial<ConstructorParameters<typeof DynamoRunLedger>[0]> = {}) {
  const sleep = vi.fn((_ms: number) => Promise.resolve());
  const store = new DynamoRunLedger({ client: DynamoDBDocumentClient.from(baseClient()), tableName: TABLE, sleep, ...options });
  return { store, sleep };
}

const TELEMETRY: ScheduleKey = { group: 'trading', name: 'telemetry' };
const PK = 'SCHEDULE#trading/telemetry';
const RUN_AT = new Date('2026-03-02T14:35:00.412Z');
const TASK = 'arn:aws:ecs:us-west-2:123456789012:task/prod/abc';
const SK = `RUN#2026-03-02T14:35:00.412Z#${TASK}`;

function run(extra: Partial<RunRecord> = {}): RunRecord {
  return {
    schedule: TELEMETRY,
    taskArn: TASK,
    clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
    runAt: RUN_AT,
    lastStatus: 'RUNNING',
    attributedBy: 'startedBy',
    ...extra,
  };
}

function lastItem(group: string, name: string, runAt = RUN_AT.getTime()) {
  return { pk: `SCHEDULE#${group}/${name}`, sk: 'LAST', group, name, runAt, runAtIso: new Date(runAt).toISOString(), taskArn: `${TASK}-${name}`, lastStatus: 'STOPPED', statusRank: 7, runCount: 3 };
}

beforeEach(() => {
  docMock.reset();
  ddbMock.reset();
});

describe('DynamoRunLedger.recordRun', () => {
  it('creates the history item conditionally and moves the last run forward, counting the run', async () => {
    docMock.on(PutCommand).resolves({});
    docMock.on(UpdateCommand).resolves({});
    const { store } = ledger();

    expect(await store.recordRun(run({ stoppedReason: 'x' }))).toBe('recorded');

    expect(docMock).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(docMock).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: PK,
        sk: SK,
        group: 'trading',
        name: 'telemetry',
        taskArn: TASK,
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
        taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
        runAt: RUN_AT.getTime(),
        runAtIso: '2026-03-02T14:35:00.412Z',
        lastStatus: 'RUNNING',
        statusRank: 3,
        attributedBy: 'startedBy',
        stoppedReason: 'x',
        // TTL counts from runAt (virtual time in the sandbox), 14 days by default.
        expiresAt: Math.floor(RUN_AT.getTime() / 1000) + 14 * 86_400,
      },
    });
    expect(docMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: PK, sk: 'LAST' });
    expect(update.ConditionExpression).toContain('attribute_not_exists(runAt) OR runAt < :runAt');
    expect(update.UpdateExpression).toContain('ADD runCount :one');
    expect(update.UpdateExpression).toContain('stoppedReason = :why');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':runAt': RUN_AT.getTime(), ':taskArn': TASK, ':rank': 3, ':one': 1, ':why': 'x' });
  });

  it('honours historyTtlDays', async () => {
    docMock.on(PutCommand).resolves({});
    docMock.on(UpdateCommand).resolves({});
    const { store } = ledger({ historyTtlDays: 2 });
    await store.recordRun(run());
    expect(docMock.commandCalls(PutCommand)[0]!.args[0].input.Item?.expiresAt).toBe(Math.floor(RUN_AT.getTime() / 1000) + 2 * 86_400);
  });

  it("returns 'older' when the last-run condition fails for a new task, and still counts the run", async () => {
    docMock.on(PutCommand).resolves({});
    // A newer run is already the last run: the conditional move fails, the plain count succeeds.
    docMock.on(UpdateCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression !== undefined) throw ccf();
      return {};
    });
    const { store } = ledger();

    expect(await store.recordRun(run())).toBe('older');

    expect(docMock).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(docMock).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: { pk: PK, sk: 'LAST' },
      UpdateExpression: 'ADD runCount :one',
      ExpressionAttributeValues: { ':one': 1 },
    });
  });

  it("returns 'duplicate' when the task's history item exists: advances its status only upwards and never counts it again", async () => {
    docMock.on(PutCommand).rejects(ccf());
    docMock.on(UpdateCommand).resolves({});
    const { store } = ledger();

    expect(await store.recordRun(run({ lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' }))).toBe('duplicate');

    expect(docMock).toHaveReceivedNthCommandWith(UpdateCommand, 1, {
      Key: { pk: PK, sk: SK },
      ConditionExpression: 'statusRank < :rank',
      ExpressionAttributeValues: { ':status': 'STOPPED', ':rank': 7, ':why': 'Essential container in task exited' },
    });
    const last = docMock.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(last.Key).toEqual({ pk: PK, sk: 'LAST' });
    expect(last.UpdateExpression).not.toContain('runCount');
    expect(last.ExpressionAttributeValues).not.toHaveProperty(':one');
  });

  it("returns 'duplicate' when both the status and the last run are already as far as this event", async () => {
    docMock.on(PutCommand).rejects(ccf());
    docMock.on(UpdateCommand).rejects(ccf());
    const { store } = ledger();
    expect(await store.recordRun(run({ lastStatus: 'PENDING' }))).toBe('duplicate');
    expect(docMock).toHaveReceivedCommandTimes(UpdateCommand, 2);
  });

  it('removes a stale stoppedReason from the last run when the new event has none, and sends no unused values', async () => {
    docMock.on(PutCommand).resolves({});
    docMock.on(UpdateCommand).resolves({});
    const { store } = ledger();
    await store.recordRun(run());
    const update = docMock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toContain('REMOVE stoppedReason');
    // DynamoDB rejects expression values or names that the expressions do not use.
    const expressions = `${update.UpdateExpression} ${update.ConditionExpression}`;
    for (const placeholder of [...Object.keys(update.ExpressionAttributeValues ?? {}), ...Object.keys(update.ExpressionAttributeNames ?? {})]) {
      expect(expressions).toContain(placeholder);
    }
  });

  it('turns a missing table into a UserError with a hint, and other failures into a FaultError with the cause', async () => {
    docMock.on(PutCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    const { store } = ledger();
    const missing = await store.recordRun(run()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect(missing).toMatchObject({ code: 'RUN_LEDGER_TABLE_MISSING' });

    const boom = new Error('socket hang up');
    docMock.on(PutCommand).rejects(boom);
    const fault = await store.recordRun(run()).catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(FaultError);
    expect(fault).toMatchObject({ code: 'RUN_LEDGER_FAILED', cause: boom });
  });

  it('turns a denied call into a UserError naming the IAM action', async () => {
    docMock.on(PutCommand).rejects(Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), { name: 'AccessDeniedException' }));
    const { store } = ledger();
    const denied = await store.recordRun(run()).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(UserError);
    expect(denied).toMatchObject({ code: 'RUN_LEDGER_ACCESS_DENIED', hint: expect.stringContaining('dynamodb:PutItem') as unknown });
  });

  it('wraps a plain DynamoDBClient in a document client', async () => {
    docMock.on(PutCommand).resolves({});
    docMock.on(UpdateCommand).resolves({});
    const store = new DynamoRunLedger({ client: baseClient(), tableName: TABLE });
    expect(await store.recordRun(run())).toBe('recorded');
    expect(docMock).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('rejects a non-positive historyTtlDays', () => {
    expect(() => new DynamoRunLedger({ client: baseClient(), tableName: TABLE, historyTtlDays: 0 })).toThrow(UserError);
  });
});

describe('DynamoRunLedger.lastRuns', () => {
  it('batches 250 distinct keys (plus duplicates) into 3 BatchGetItem calls of at most 100 keys', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => ({ group: 'trading', name: `s${i}` }));
    docMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => ({
      Responses: {
        [TABLE]: input.RequestItems[TABLE]!.Keys.filter((_k, i) => i % 2 === 0).map((k) => {
          const [group, name] = k.pk.slice('SCHEDULE#'.length).split('/') as [string, string];
          return lastItem(group, name);
        }),
      },
    }));
    const { store, sleep } = ledger();

    const result = await store.lastRuns([...keys, ...keys.slice(0, 30)]);

    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    const sizes = docMock.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys?.length);
    expect(sizes).toEqual([100, 100, 50]);
    const requested = docMock.commandCalls(BatchGetCommand).flatMap((c) => c.args[0].input.RequestItems?.[TABLE]?.Keys ?? []);
    expect(new Set(requested.map((k) => (k as { pk: string }).pk)).size).toBe(250);
    expect(requested.every((k) => (k as { sk: string }).sk === 'LAST')).toBe(true);
    expect(result.size).toBe(125);
    expect(result.get('trading/s0')).toEqual({
      schedule: { group: 'trading', name: 's0' },
      runAt: RUN_AT,
      taskArn: `${TASK}-s0`,
      lastStatus: 'STOPPED',
      runCount: 3,
    });
    expect(result.has('trading/s1')).toBe(false);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('retries UnprocessedKeys with backoff, asking only for the unprocessed ones', async () => {
    const a = lastItem('trading', 'a');
    const b = lastItem('trading', 'b');
    const c = lastItem('trading', 'c');
    docMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [a] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: b.pk, sk: 'LAST' }, { pk: c.pk, sk: 'LAST' }] } } })
      .resolvesOnce({ Responses: { [TABLE]: [b] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: c.pk, sk: 'LAST' }] } } })
      .resolvesOnce({ Responses: { [TABLE]: [c] }, UnprocessedKeys: {} });
    const { store, sleep } = ledger();

    const result = await store.lastRuns(['a', 'b', 'c'].map((name) => ({ group: 'trading', name })));

    expect([...result.keys()].sort()).toEqual(['trading/a', 'trading/b', 'trading/c']);
    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 3);
    expect(docMock).toHaveReceivedNthCommandWith(BatchGetCommand, 2, { RequestItems: { [TABLE]: { Keys: [{ pk: b.pk, sk: 'LAST' }, { pk: c.pk, sk: 'LAST' }] } } });
    expect(docMock).toHaveReceivedNthCommandWith(BatchGetCommand, 3, { RequestItems: { [TABLE]: { Keys: [{ pk: c.pk, sk: 'LAST' }] } } });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100]);
  });

  it('gives up with a FaultError after a bounded number of attempts rather than reporting schedules as never run', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'SCHEDULE#trading/a', sk: 'LAST' }] } } });
    const { store, sleep } = ledger({ maxBatchGetAttempts: 8 });

    const error = await store.lastRuns([{ group: 'trading', name: 'a' }]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FaultError);
    expect(error).toMatchObject({ code: 'RUN_LEDGER_THROTTLED' });
    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 8);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });

  it('makes no call for an empty key list', async () => {
    const { store } = ledger();
    expect(await store.lastRuns([])).toEqual(new Map());
    expect(docMock).not.toHaveReceivedCommand(BatchGetCommand);
  });

  it('reports an item it cannot read as a FaultError instead of inventing a run', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [{ ...lastItem('trading', 'a'), runAt: 'yesterday' }] } });
    const { store } = ledger();
    await expect(store.lastRuns([{ group: 'trading', name: 'a' }])).rejects.toMatchObject({ code: 'RUN_LEDGER_CORRUPT_ITEM' });
  });
});

describe('DynamoRunLedger.runsSince', () => {
  const historyItem = (minute: number) => {
    const runAt = Date.parse('2026-03-02T14:00:00.000Z') + minute * 60_000;
    return {
      pk: PK,
      sk: `RUN#${new Date(runAt).toISOString()}#${TASK}-${minute}`,
      taskArn: `${TASK}-${minute}`,
      clusterArn: 'arn:cluster',
      taskDefinitionArn: 'arn:td',
      runAt,
      runAtIso: new Date(runAt).toISOString(),
      lastStatus: 'STOPPED',
      statusRank: 7,
      attributedBy: 'group',
      expiresAt: 1,
    };
  };

  it('queries the RUN# key range from `since` and follows pagination', async () => {
    docMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [historyItem(5), historyItem(10)], LastEvaluatedKey: { pk: PK, sk: historyItem(10).sk } })
      .resolvesOnce({ Items: [historyItem(15)], LastEvaluatedKey: { pk: PK, sk: historyItem(15).sk } })
      .resolvesOnce({ Items: [] });
    const { store } = ledger();

    const runs = await store.runsSince(TELEMETRY, new Date('2026-03-02T14:05:00.000Z'));

    expect(runs.map((r) => r.taskArn)).toEqual([`${TASK}-5`, `${TASK}-10`, `${TASK}-15`]);
    expect(runs[0]).toEqual({
      schedule: TELEMETRY,
      taskArn: `${TASK}-5`,
      clusterArn: 'arn:cluster',
      taskDefinitionArn: 'arn:td',
      runAt: new Date('2026-03-02T14:05:00.000Z'),
      lastStatus: 'STOPPED',
      attributedBy: 'group',
    });
    expect(docMock).toHaveReceivedCommandTimes(QueryCommand, 3);
    expect(docMock).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': PK, ':from': 'RUN#2026-03-02T14:05:00.000Z', ':to': 'RUN$' },
    });
    expect(docMock.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toBeUndefined();
    expect(docMock).toHaveReceivedNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: { pk: PK, sk: historyItem(10).sk } });
    expect(docMock).toHaveReceivedNthCommandWith(QueryCommand, 3, { ExclusiveStartKey: { pk: PK, sk: historyItem(15).sk } });
  });

  it('bounds the range so every RUN# key (and no LAST item) falls inside it', () => {
    const from = `RUN#${new Date(0).toISOString()}`;
    const inside = `RUN#9999-12-31T23:59:59.999Z#arn:aws:ecs:us-west-2:1:task/zzz`;
    expect(from <= inside && inside <= 'RUN$').toBe(true);
    expect('LAST' < from || 'LAST' > 'RUN$').toBe(true);
  });
});

describe('ensureRunLedgerTable', () => {
  const activeTable = {
    Table: {
      TableName: TABLE,
      TableStatus: 'ACTIVE' as const,
      KeySchema: RUN_LEDGER_TABLE_SCHEMA.KeySchema,
      AttributeDefinitions: RUN_LEDGER_TABLE_SCHEMA.AttributeDefinitions,
    },
  };

  it('creates a missing table, waits for ACTIVE and enables TTL on expiresAt', async () => {
    ddbMock
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolvesOnce({ Table: { ...activeTable.Table, TableStatus: 'CREATING' } })
      .resolves(activeTable);
    ddbMock.on(CreateTableCommand).resolves({});
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    ddbMock.on(UpdateTimeToLiveCommand).resolves({});
    const sleep = vi.fn(() => Promise.resolve());

    expect(await ensureRunLedgerTable(baseClient(), TABLE, { sleep })).toEqual({ created: true, ttlUpdated: true });

    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(CreateTableCommand, {
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(UpdateTimeToLiveCommand, {
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is a no-op on a ready table', async () => {
    ddbMock.on(DescribeTableCommand).resolves(activeTable);
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });

    expect(await ensureRunLedgerTable(baseClient(), TABLE)).toEqual({ created: false, ttlUpdated: false });
    expect(ddbMock).not.toHaveReceivedCommand(CreateTableCommand);
    expect(ddbMock).not.toHaveReceivedCommand(UpdateTimeToLiveCommand);
  });

  it('accepts losing a creation race (ResourceInUseException)', async () => {
    ddbMock
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves(activeTable);
    ddbMock.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', $metadata: {} }));
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLING', AttributeName: 'expiresAt' } });

    expect(await ensureRunLedgerTable(baseClient(), TABLE)).toEqual({ created: false, ttlUpdated: false });
  });

  it('accepts losing a TTL race: UpdateTimeToLive fails because another caller just enabled it', async () => {
    ddbMock.on(DescribeTableCommand).resolves(activeTable);
    ddbMock
      .on(DescribeTimeToLiveCommand)
      .resolvesOnce({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } })
      .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLING', AttributeName: 'expiresAt' } });
    ddbMock.on(UpdateTimeToLiveCommand).rejects(new Error('TimeToLive is already enabled'));

    expect(await ensureRunLedgerTable(baseClient(), TABLE)).toEqual({ created: false, ttlUpdated: false });
  });

  it('reports a TTL failure that is not a race', async () => {
    ddbMock.on(DescribeTableCommand).resolves(activeTable);
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    ddbMock.on(UpdateTimeToLiveCommand).rejects(new Error('rate exceeded'));

    await expect(ensureRunLedgerTable(baseClient(), TABLE)).rejects.toMatchObject({ code: 'RUN_LEDGER_FAILED' });
  });

  it('refuses a table with another key schema', async () => {
    ddbMock.on(DescribeTableCommand).resolves({
      Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] },
    });
    await expect(ensureRunLedgerTable(baseClient(), TABLE)).rejects.toMatchObject({ code: 'RUN_LEDGER_TABLE_MISMATCH' });
    expect(ddbMock).not.toHaveReceivedCommand(UpdateTimeToLiveCommand);
  });
});
