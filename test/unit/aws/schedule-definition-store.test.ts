/**
 * The DynamoDB schedule-definition cache: batching (100 keys per BatchGetItem, 25 puts per
 * BatchWriteItem), bounded retries of unprocessed keys and items, dates that come back as Dates, and
 * faults that cost GetSchedule calls but never the check. Then the layered cache through the reader
 * and collect(): a second process over the same table makes no GetSchedule for unchanged schedules.
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ResourceNotFoundException as DynamoResourceNotFound,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduleDefinitionCache, layeredDefinitionCache, type CachedDefinition } from '../../../src/aws/schedule-definition-cache.ts';
import {
  createDynamoDefinitionCache,
  ensureScheduleDefinitionTable,
  SCHEDULE_DEFINITION_TABLE_SCHEMA,
  type DynamoDefinitionCacheOptions,
} from '../../../src/aws/schedule-definition-store.ts';
import { createSchedulerReader, toScheduleFacts } from '../../../src/aws/scheduler-reader.ts';
import { collect } from '../../../src/checks/collect.ts';
import type { ScheduleListing } from '../../../src/checks/ports.ts';
import { createFakePorts } from '../../support/check-fixtures.ts';
import { fakeDefinitionTable, fakeScheduler, fleetOf, getScheduleOutput, scheduleArn, type FleetSchedule } from './definition-fakes.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const TABLE = 'ops-schedule-definitions';
const NOW = new Date('2026-11-23T15:00:00Z');
const MODIFIED = new Date('2026-11-20T10:11:12.345Z');
const LATER = new Date('2026-11-23T14:00:00.001Z');
const EXPIRES_AT = Math.floor(NOW.getTime() / 1000) + 30 * 86_400;

const docMock = mockClient(DynamoDBDocumentClient);
const ddbMock = mockClient(DynamoDBClient);
const schedulerMock = mockClient(SchedulerClient);
const dynamo = new DynamoDBClient(OFFLINE_CLIENT_CONFIG);
const scheduler = new SchedulerClient(OFFLINE_CLIENT_CONFIG);

beforeEach(() => {
  docMock.reset();
  ddbMock.reset();
  schedulerMock.reset();
});

function store(options: Partial<DynamoDefinitionCacheOptions> = {}) {
  const warnings: string[] = [];
  const sleep = vi.fn((_ms: number) => Promise.resolve());
  const cache = createDynamoDefinitionCache({ client: dynamo, tableName: TABLE, clock: () => NOW, sleep, warn: (m) => warnings.push(m), concurrency: 1, ...options });
  return { cache, warnings, sleep };
}

const listingOf = (s: FleetSchedule, modified: Date | 'undated' = s.modified): ScheduleListing => ({
  group: s.group,
  name: s.name,
  arn: scheduleArn(s.group, s.name),
  state: 'ENABLED',
  targetArn: 'x',
  ...(modified !== 'undated' ? { lastModificationDate: modified } : {}),
});
const entryOf = (s: FleetSchedule): CachedDefinition => ({ lastModified: s.modified.getTime(), facts: toScheduleFacts(s, getScheduleOutput(s)) });
const batchGetKeys = () => docMock.commandCalls(BatchGetCommand).map((call) => (call.args[0].input.RequestItems?.[TABLE]?.Keys ?? []).length);
const batchWriteSizes = () => docMock.commandCalls(BatchWriteCommand).map((call) => (call.args[0].input.RequestItems?.[TABLE] ?? []).length);
const denied = () => new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform dynamodb:BatchGetItem', $metadata: {} });

describe('reads', () => {
  it('asks in BatchGetItem calls of at most 100 distinct keys, and only for listings with a date and an ARN', async () => {
    fakeDefinitionTable(docMock, TABLE);
    const fleet = [...fleetOf(250, MODIFIED).values()];
    const listings = [...fleet.map((s) => listingOf(s)), listingOf(fleet[0]!), { ...listingOf(fleet[1]!), arn: '' }, listingOf({ ...fleet[2]!, name: 'undated' }, 'undated')];

    await store().cache.prefetch(listings);

    expect(batchGetKeys()).toEqual([100, 100, 50]);
    const asked = docMock.commandCalls(BatchGetCommand).flatMap((call) => (call.args[0].input.RequestItems?.[TABLE]?.Keys ?? []).map((k) => String(k.arn)));
    expect(new Set(asked).size).toBe(250);
    expect(asked).not.toContain(scheduleArn('trading', 'undated'));
  });

  it('makes no call when there is nothing to ask', async () => {
    fakeDefinitionTable(docMock, TABLE);
    await store().cache.prefetch([]);
    expect(docMock).not.toHaveReceivedCommand(BatchGetCommand);
  });

  it('retries UnprocessedKeys with backoff, asking only for those, then counts what is left as misses', async () => {
    const [a, b, c] = [...fleetOf(3, MODIFIED).values()] as [FleetSchedule, FleetSchedule, FleetSchedule];
    const item = (s: FleetSchedule) => ({ arn: scheduleArn(s.group, s.name), lastModified: MODIFIED.getTime(), facts: JSON.stringify(entryOf(s).facts), format: 1 });
    const key = (s: FleetSchedule) => ({ arn: scheduleArn(s.group, s.name) });
    docMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [item(a)] }, UnprocessedKeys: { [TABLE]: { Keys: [key(b), key(c)] } } })
      .resolvesOnce({ Responses: { [TABLE]: [item(b)] }, UnprocessedKeys: { [TABLE]: { Keys: [key(c)] } } })
      .resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [key(c)] } } });
    const { cache, warnings, sleep } = store({ maxBatchAttempts: 4 });

    await cache.prefetch([a, b, c].map((s) => listingOf(s)));

    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 4);
    expect(docMock).toHaveReceivedNthCommandWith(BatchGetCommand, 2, { RequestItems: { [TABLE]: { Keys: [key(b), key(c)] } } });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100, 200]);
    expect(cache.get(listingOf(a))?.lastModified).toBe(MODIFIED.getTime());
    expect(cache.get(listingOf(b))?.lastModified).toBe(MODIFIED.getTime());
    expect(cache.get(listingOf(c))).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/left 1 key\(s\) unprocessed after 4 BatchGetItem attempts/)]);
  });

  it('a failed read is a miss for every schedule, reported once with its hint, and stops asking', async () => {
    docMock.on(BatchGetCommand).rejects(denied());
    const { cache, warnings } = store();

    await expect(cache.prefetch([...fleetOf(250, MODIFIED).values()].map((s) => listingOf(s)))).resolves.toBeUndefined();

    expect(docMock).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/BatchGetItem on schedule-definition cache table "ops-schedule-definitions" was denied/);
    expect(warnings[0]).toMatch(/Grant dynamodb:BatchGetItem/);
    expect(warnings[0]).toMatch(/250 schedule\(s\) are read with GetSchedule instead/);
    expect(cache.get(listingOf([...fleetOf(1, MODIFIED).values()][0]!))).toBeUndefined();
  });

  it('treats an item of another layout, bad JSON or a bad date as a miss', async () => {
    const [a, b, c, d] = [...fleetOf(4, MODIFIED).values()] as [FleetSchedule, FleetSchedule, FleetSchedule, FleetSchedule];
    const items = fakeDefinitionTable(docMock, TABLE);
    const good = (s: FleetSchedule) => ({ arn: scheduleArn(s.group, s.name), lastModified: MODIFIED.getTime(), facts: JSON.stringify(entryOf(s).facts), format: 1 });
    items.set(good(a).arn, good(a));
    items.set(good(b).arn, { ...good(b), format: 2 });
    items.set(good(c).arn, { ...good(c), facts: '{"group":' });
    items.set(good(d).arn, { ...good(d), facts: good(d).facts.replace(MODIFIED.toISOString(), 'last tuesday') });
    const { cache, warnings } = store();

    await cache.prefetch([a, b, c, d].map((s) => listingOf(s)));

    expect(cache.get(listingOf(a))).toBeDefined();
    for (const s of [b, c, d]) expect(cache.get(listingOf(s)), s.name).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/3 item\(s\) were not written by this version of ops/)]);
  });
});

describe('writes', () => {
  it('writes what was set in BatchWriteItem calls of at most 25, with the date, the facts as JSON and a 30-day TTL', async () => {
    const items = fakeDefinitionTable(docMock, TABLE);
    const fleet = [...fleetOf(60, MODIFIED).values()];
    const { cache, warnings } = store();
    for (const s of fleet) cache.set(listingOf(s), entryOf(s));

    await cache.flush();

    expect(batchWriteSizes()).toEqual([25, 25, 10]);
    expect(items.size).toBe(60);
    const item = items.get(scheduleArn('trading', 'job-0007'))!;
    expect(item).toMatchObject({ arn: scheduleArn('trading', 'job-0007'), lastModified: MODIFIED.getTime(), format: 1, group: 'trading', name: 'job-0007', expiresAt: EXPIRES_AT });
    expect(JSON.parse(String(item.facts))).toMatchObject({ expression: 'rate(8 minutes)', lastModificationDate: MODIFIED.toISOString() });
    expect(warnings).toEqual([]);

    await cache.flush();
    expect(docMock).toHaveReceivedCommandTimes(BatchWriteCommand, 3);
  });

  it('hands back the facts another process wrote, Dates as Dates', async () => {
    fakeDefinitionTable(docMock, TABLE);
    const [s] = [...fleetOf(1, MODIFIED).values()] as [FleetSchedule];
    const writer = store().cache;
    writer.set(listingOf(s), entryOf(s));
    await writer.flush();

    const reader = store().cache;
    await reader.prefetch([listingOf(s)]);
    const read = reader.get(listingOf(s));

    expect(read).toEqual(entryOf(s));
    expect(read?.facts.lastModificationDate).toBeInstanceOf(Date);
    expect(read?.facts.startDate).toEqual(new Date('2026-01-01T00:00:00.250Z'));
    expect(read?.facts.creationDate?.getTime()).toBe(new Date('2025-12-01T12:00:00.125Z').getTime());
  });

  it('retries UnprocessedItems with backoff and keeps what is still unwritten for the next flush', async () => {
    const fleet = [...fleetOf(3, MODIFIED).values()];
    const stuck = scheduleArn('trading', 'job-0002');
    const unprocessed = (input: { RequestItems: Record<string, { PutRequest: { Item: { arn: string } } }[]> }) => ({
      UnprocessedItems: { [TABLE]: (input.RequestItems[TABLE] ?? []).filter((r) => r.PutRequest.Item.arn === stuck) },
    });
    docMock.on(BatchWriteCommand).callsFake(unprocessed);
    const { cache, warnings, sleep } = store({ maxBatchAttempts: 3 });
    for (const s of fleet) cache.set(listingOf(s), entryOf(s));

    await cache.flush();

    expect(batchWriteSizes()).toEqual([3, 1, 1]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100]);
    expect(warnings).toEqual([expect.stringMatching(/left 1 item\(s\) unprocessed after 3 BatchWriteItem attempts/)]);

    docMock.reset();
    const items = fakeDefinitionTable(docMock, TABLE);
    await cache.flush();
    expect(batchWriteSizes()).toEqual([1]);
    expect([...items.keys()]).toEqual([stuck]);
  });

  it('a failed write is reported, not thrown, and stops writing', async () => {
    docMock.on(BatchWriteCommand).rejects(new DynamoResourceNotFound({ message: 'Requested resource not found', $metadata: {} }));
    const { cache, warnings } = store();
    for (const s of fleetOf(60, MODIFIED).values()) cache.set(listingOf(s), entryOf(s));

    await expect(cache.flush()).resolves.toBeUndefined();

    expect(docMock).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
    expect(warnings).toEqual([expect.stringMatching(/schedule-definition cache table "ops-schedule-definitions" does not exist.*60 definition\(s\) not saved/)]);
  });
});

describe('through the reader and collect()', () => {
  const collectOptions = { filter: {}, now: NOW, region: 'us-east-1', concurrency: 8, metricsWindowMinutes: 15, ecsRetentionMinutes: 60 };

  /** A process: its own reader and memory cache, over the shared fake table. */
  function processOver(options: Partial<DynamoDefinitionCacheOptions> = {}, memory = createScheduleDefinitionCache()) {
    const { cache: table, warnings } = store(options);
    const reader = createSchedulerReader(scheduler, { definitionCache: layeredDefinitionCache(memory, table), warn: (m) => warnings.push(m) });
    const ports = { ...createFakePorts().ports, scheduler: reader };
    return { check: () => collect(ports, collectOptions), warnings, memory };
  }

  it('a second process over the same table makes no GetSchedule for unchanged schedules, and one for a changed one', async () => {
    const items = fakeDefinitionTable(docMock, TABLE);
    const fleet = fleetOf(120, MODIFIED);
    fakeScheduler(schedulerMock, fleet);

    const first = await processOver().check();
    expect(schedulerMock).toHaveReceivedCommandTimes(GetScheduleCommand, 120);
    expect(items.size).toBe(120);
    expect(batchWriteSizes()).toEqual([25, 25, 25, 25, 20]);

    schedulerMock.resetHistory();
    docMock.resetHistory();
    const second = await processOver().check();
    expect(schedulerMock).toHaveReceivedCommandTimes(GetScheduleCommand, 0);
    expect(batchGetKeys()).toEqual([100, 20]);
    expect(docMock).not.toHaveReceivedCommand(BatchWriteCommand);
    expect(second.schedules).toEqual(first.schedules);

    const changed = fleet.get(scheduleArn('trading', 'job-0042'))!;
    changed.expression = 'rate(1 hour)';
    changed.modified = LATER;
    schedulerMock.resetHistory();
    docMock.resetHistory();
    const third = await processOver().check();
    expect(schedulerMock).toHaveReceivedCommandExactlyOnceWith(GetScheduleCommand, { GroupName: 'trading', Name: 'job-0042' });
    expect(third.schedules.find((s) => s.name === 'job-0042')).toMatchObject({ expression: 'rate(1 hour)', lastModificationDate: LATER });
    expect(batchWriteSizes()).toEqual([1]);
    expect(items.get(scheduleArn('trading', 'job-0042'))).toMatchObject({ lastModified: LATER.getTime() });
  });

  it('always reads a schedule ListSchedules gives no LastModificationDate, and never asks the table about it', async () => {
    const items = fakeDefinitionTable(docMock, TABLE);
    const fleet = fleetOf(3, MODIFIED);
    fleet.get(scheduleArn('trading', 'job-0001'))!.unlisted = true;
    fakeScheduler(schedulerMock, fleet);
    await processOver().check();
    expect(items.size).toBe(3);

    schedulerMock.resetHistory();
    docMock.resetHistory();
    await processOver().check();

    expect(schedulerMock).toHaveReceivedCommandExactlyOnceWith(GetScheduleCommand, { GroupName: 'trading', Name: 'job-0001' });
    expect(batchGetKeys()).toEqual([2]);
  });

  it('a warm process (memory cache) asks neither the table nor GetSchedule', async () => {
    fakeDefinitionTable(docMock, TABLE);
    fakeScheduler(schedulerMock, fleetOf(30, MODIFIED));
    const memory = createScheduleDefinitionCache();
    await processOver({}, memory).check();

    schedulerMock.resetHistory();
    docMock.resetHistory();
    const warm = await processOver({}, memory).check();

    expect(warm.schedules).toHaveLength(30);
    expect(schedulerMock).toHaveReceivedCommandTimes(GetScheduleCommand, 0);
    expect(docMock).not.toHaveReceivedCommand(BatchGetCommand);
    expect(docMock).not.toHaveReceivedCommand(BatchWriteCommand);
  });

  it('a table that cannot be read falls back to GetSchedule: every schedule is checked, nothing is blind', async () => {
    docMock.on(BatchGetCommand).rejects(denied());
    docMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    fakeScheduler(schedulerMock, fleetOf(40, MODIFIED));
    const run = processOver();

    const snapshot = await run.check();

    expect(snapshot.schedules).toHaveLength(40);
    expect(snapshot.unreadable).toEqual([]);
    expect(snapshot.failures).toEqual([]);
    expect(schedulerMock).toHaveReceivedCommandTimes(GetScheduleCommand, 40);
    expect(run.warnings).toEqual([expect.stringMatching(/was denied.*40 schedule\(s\) are read with GetSchedule instead/)]);
  });

  it('a table that cannot be written does not fail the check; the fault is reported', async () => {
    fakeDefinitionTable(docMock, TABLE);
    docMock.on(BatchWriteCommand).rejects(new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', message: 'boom', $metadata: {} }));
    fakeScheduler(schedulerMock, fleetOf(40, MODIFIED));
    const run = processOver();

    const snapshot = await run.check();

    expect(snapshot.schedules).toHaveLength(40);
    expect(snapshot.failures).toEqual([]);
    expect(run.warnings).toEqual([expect.stringMatching(/BatchWriteItem on schedule-definition cache table "ops-schedule-definitions" failed: boom; 40 definition\(s\) not saved/)]);
  });

  it('a cache that breaks its promise and throws still leaves the check whole', async () => {
    fakeScheduler(schedulerMock, fleetOf(5, MODIFIED));
    const broken = { ...createScheduleDefinitionCache(), prefetch: () => Promise.reject(new Error('bug')), flush: () => Promise.reject(new Error('bug')) };
    const warnings: string[] = [];
    const reader = createSchedulerReader(scheduler, { definitionCache: broken, warn: (m) => warnings.push(m) });

    const snapshot = await collect({ ...createFakePorts().ports, scheduler: reader }, collectOptions);

    expect(snapshot.schedules).toHaveLength(5);
    expect(warnings).toEqual([expect.stringMatching(/prefetch failed \(bug\)/), expect.stringMatching(/flush failed \(bug\)/)]);
  });
});

describe('ensureScheduleDefinitionTable', () => {
  it('creates the table keyed by arn, on demand, and turns on TTL on expiresAt', async () => {
    ddbMock
      .on(DescribeTableCommand)
      .rejectsOnce(new DynamoResourceNotFound({ message: 'not found', $metadata: {} }))
      .resolves({ Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'arn', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'arn', AttributeType: 'S' }] } });
    ddbMock.on(CreateTableCommand).resolves({});
    ddbMock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    ddbMock.on(UpdateTimeToLiveCommand).resolves({});

    expect(await ensureScheduleDefinitionTable(dynamo, TABLE)).toEqual({ created: true, ttlUpdated: true });
    expect(ddbMock).toHaveReceivedCommandWith(CreateTableCommand, { TableName: TABLE, ...SCHEDULE_DEFINITION_TABLE_SCHEMA });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateTimeToLiveCommand, { TableName: TABLE, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('refuses a table of the same name with another key', async () => {
    ddbMock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] } });
    await expect(ensureScheduleDefinitionTable(dynamo, TABLE)).rejects.toMatchObject({ code: 'DEFINITION_CACHE_TABLE_MISMATCH' });
  });
});
