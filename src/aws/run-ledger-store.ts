/**
 * The run ledger in DynamoDB (see src/ledger/run-ledger.ts for the port and its semantics).
 *
 * One table, two kinds of item per schedule, both under `pk = "SCHEDULE#<group>/<name>"`:
 *
 * | sk                          | what                         | attributes                                                     |
 * |-----------------------------|------------------------------|----------------------------------------------------------------|
 * | `LAST`                      | the schedule's latest run    | group, name, runAt (epoch ms), runAtIso, taskArn, lastStatus,   |
 * |                             | (never expires)              | statusRank, stoppedReason?, runCount                           |
 * | `RUN#<runAt ISO>#<taskArn>` | one item per ECS task (run)  | group, name, taskArn, clusterArn, taskDefinitionArn, runAt,     |
 * |                             | expires via `expiresAt`      | runAtIso, lastStatus, statusRank, attributedBy, stoppedReason?, |
 * |                             |                              | expiresAt (epoch seconds, runAt + historyTtlDays)               |
 *
 * The history sort key is deterministic per task because ECS never changes a task's createdAt, so a
 * conditional put makes redelivered events idempotent, and a Query over the key range returns history in
 * runAt order without a secondary index. runAt is stored as epoch millis so that the last-run condition
 * compares numbers. TTL is counted from runAt, not from the wall clock, so sandbox runs on a virtual clock
 * age like real ones.
 *
 * Only standard features (condition expressions, BatchGetItem, Query, UpdateTimeToLive) are used, so the
 * same code runs against moto and LocalStack.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FaultError, UserError } from '../errors.ts';
import { callDynamo, dynamoErrorMapper, grantToCallerHint, isConditionalCheckFailed } from './dynamo-errors.ts';
import { ensureDynamoTable, PK_SK_TABLE_SCHEMA, type EnsureTableOptions } from './dynamo-table.ts';
import {
  scheduleKeyId,
  type LastRun,
  type RecordResult,
  type RunLedger,
  type RunRecord,
  type ScheduleKey,
} from '../ledger/run-ledger.ts';
import { taskStatusRank } from '../ledger/task-status.ts';

export const RUN_LEDGER_TTL_ATTRIBUTE = 'expiresAt';

/** Spread into CreateTable: `new CreateTableCommand({ TableName, ...RUN_LEDGER_TABLE_SCHEMA })`. */
export const RUN_LEDGER_TABLE_SCHEMA = PK_SK_TABLE_SCHEMA;

const LAST_SK = 'LAST';
const RUN_SK_PREFIX = 'RUN#';
/** One item says since when the ledger has been recording (see RunLedger.coverage). */
const COVERAGE_KEY = { pk: 'LEDGER', sk: 'COVERAGE' } as const;
// '$' is the character after '#', so every `RUN#…` key sorts below it: the upper bound of the history range.
const RUN_SK_UPPER_BOUND = 'RUN$';
/** BatchGetItem's per-call limit. */
const BATCH_GET_MAX_KEYS = 100;
const DAY_SECONDS = 86_400;

export interface DynamoRunLedgerOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** How long history items live after their runAt (default 14 days); the last-run item never expires. */
  historyTtlDays?: number;
  /** Attempts per BatchGetItem chunk while DynamoDB returns UnprocessedKeys (default 6). */
  maxBatchGetAttempts?: number;
  /** Backoff between UnprocessedKeys retries; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

export class DynamoRunLedger implements RunLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly historyTtlSeconds: number;
  private readonly maxBatchGetAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoRunLedgerOptions) {
    const ttlDays = options.historyTtlDays ?? 14;
    if (!(ttlDays > 0)) {
      throw new UserError('INVALID_LEDGER_CONFIG', `historyTtlDays must be positive, got ${ttlDays}.`, 'Pass a number of days such as 14.');
    }
    const attempts = options.maxBatchGetAttempts ?? 6;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new UserError('INVALID_LEDGER_CONFIG', `maxBatchGetAttempts must be a positive integer, got ${attempts}.`, 'Pass a small integer such as 6.');
    }
    this.doc = options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client);
    this.tableName = options.tableName;
    this.historyTtlSeconds = Math.round(ttlDays * DAY_SECONDS);
    this.maxBatchGetAttempts = attempts;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async recordRun(run: RunRecord): Promise<RecordResult> {
    const pk = partitionKey(run.schedule);
    const runAtMs = run.runAt.getTime();
    const runAtIso = run.runAt.toISOString();
    const statusRank = taskStatusRank(run.lastStatus);
    const created = await this.writeHistory(run, pk, runAtMs, runAtIso, statusRank);
    const moved = await this.advanceLastRun(run, pk, runAtMs, runAtIso, statusRank, created);
    if (created && !moved) {
      // The run is real even though a newer one is already the last run: count it.
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk, sk: LAST_SK },
            UpdateExpression: 'ADD runCount :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      );
    }
    return !created ? 'duplicate' : moved ? 'recorded' : 'older';
  }

  /** Returns true when this call created the task's history item. */
  private async writeHistory(run: RunRecord, pk: string, runAtMs: number, runAtIso: string, statusRank: number): Promise<boolean> {
    const sk = `${RUN_SK_PREFIX}${runAtIso}#${run.taskArn}`;
    try {
      await this.send('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk,
              sk,
              group: run.schedule.group,
              name: run.schedule.name,
              taskArn: run.taskArn,
              clusterArn: run.clusterArn,
              taskDefinitionArn: run.taskDefinitionArn,
              runAt: runAtMs,
              runAtIso,
              lastStatus: run.lastStatus,
              statusRank,
              attributedBy: run.attributedBy,
              ...(run.stoppedReason !== undefined ? { stoppedReason: run.stoppedReason } : {}),
              [RUN_LEDGER_TTL_ATTRIBUTE]: Math.floor(runAtMs / 1000) + this.historyTtlSeconds,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Seen before: only a later lifecycle status may change it, so a late PENDING cannot undo STOPPED.
    const withReason = run.stoppedReason !== undefined;
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk, sk },
            UpdateExpression: `SET lastStatus = :status, statusRank = :rank${withReason ? ', stoppedReason = :why' : ''}`,
            ConditionExpression: 'statusRank < :rank',
            ExpressionAttributeValues: { ':status': run.lastStatus, ':rank': statusRank, ...(withReason ? { ':why': run.stoppedReason } : {}) },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return false;
  }

  /**
   * Moves the LAST item forward, never back (same rule as supersedesLastRun in the port). Runs for
   * duplicates too, so a retry heals a previous attempt that died between the two writes.
   * Returns true when the item changed.
   */
  private async advanceLastRun(
    run: RunRecord,
    pk: string,
    runAtMs: number,
    runAtIso: string,
    statusRank: number,
    created: boolean,
  ): Promise<boolean> {
    const withReason = run.stoppedReason !== undefined;
    const update = [
      'SET #group = :group, #name = :name, runAt = :runAt, runAtIso = :runAtIso, taskArn = :taskArn, lastStatus = :status, statusRank = :rank' +
        (withReason ? ', stoppedReason = :why' : ''),
      ...(withReason ? [] : ['REMOVE stoppedReason']),
      ...(created ? ['ADD runCount :one'] : []),
    ].join(' ');
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk, sk: LAST_SK },
            UpdateExpression: update,
            ConditionExpression:
              'attribute_not_exists(runAt) OR runAt < :runAt OR (runAt = :runAt AND taskArn < :taskArn) OR (taskArn = :taskArn AND statusRank < :rank)',
            ExpressionAttributeNames: { '#group': 'group', '#name': 'name' },
            ExpressionAttributeValues: {
              ':group': run.schedule.group,
              ':name': run.schedule.name,
              ':runAt': runAtMs,
              ':runAtIso': runAtIso,
              ':taskArn': run.taskArn,
              ':status': run.lastStatus,
              ':rank': statusRank,
              ...(withReason ? { ':why': run.stoppedReason } : {}),
              ...(created ? { ':one': 1 } : {}),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async coverage(): Promise<Date | undefined> {
    const response = await this.send('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: COVERAGE_KEY, ConsistentRead: true })),
    );
    return response.Item === undefined ? undefined : new Date(readNumber(response.Item, 'coversSince'));
  }

  async markCoverage(since: Date): Promise<Date> {
    try {
      await this.send('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...COVERAGE_KEY, coversSince: since.getTime(), coversSinceIso: since.toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return new Date(since);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.coverage();
      if (existing === undefined) throw new FaultError('RUN_LEDGER_FAILED', `Run-ledger coverage item on "${this.tableName}" vanished while being read.`);
      return existing;
    }
  }

  async lastRuns(keys: readonly ScheduleKey[]): Promise<Map<string, LastRun>> {
    const byPk = new Map<string, ScheduleKey>();
    for (const key of keys) byPk.set(partitionKey(key), { group: key.group, name: key.name });
    const pks = [...byPk.keys()];
    const result = new Map<string, LastRun>();
    for (let start = 0; start < pks.length; start += BATCH_GET_MAX_KEYS) {
      const items = await this.batchGet(pks.slice(start, start + BATCH_GET_MAX_KEYS).map((pk) => ({ pk, sk: LAST_SK })));
      for (const item of items) {
        const key = byPk.get(readString(item, 'pk'));
        if (key === undefined) continue;
        result.set(scheduleKeyId(key), toLastRun(key, item));
      }
    }
    return result;
  }

  private async batchGet(keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > this.maxBatchGetAttempts) {
        throw new FaultError(
          'RUN_LEDGER_THROTTLED',
          `DynamoDB left ${pending.length} run-ledger keys unprocessed after ${this.maxBatchGetAttempts} BatchGetItem attempts on "${this.tableName}".`,
        );
      }
      // Exponential backoff, as AWS asks for UnprocessedKeys; bounded so a check never hangs for long.
      if (attempt > 1) await this.sleep(Math.min(50 * 2 ** (attempt - 2), 1_000));
      const request = pending;
      const response = await this.send('BatchGetItem', () =>
        this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request } } })),
      );
      items.push(...(response.Responses?.[this.tableName] ?? []));
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  async runsSince(key: ScheduleKey, since: Date): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const exclusiveStartKey = startKey;
      const page = await this.send('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': partitionKey(key), ':from': `${RUN_SK_PREFIX}${since.toISOString()}`, ':to': RUN_SK_UPPER_BOUND },
            ...(exclusiveStartKey !== undefined ? { ExclusiveStartKey: exclusiveStartKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) runs.push(toRunRecord(key, item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return runs;
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callDynamo(operation, this.tableName, ledgerError, call);
  }
}

/**
 * Creates the ledger table if it is missing and turns on TTL for history items. Idempotent and safe to
 * race: another creator (ResourceInUseException) is fine. Used by the sandbox and e2e tests; in AWS the
 * table comes from infra.
 */
export async function ensureRunLedgerTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<{ created: boolean; ttlUpdated: boolean }> {
  return ensureDynamoTable(
    client,
    tableName,
    {
      schema: RUN_LEDGER_TABLE_SCHEMA,
      ttlAttribute: RUN_LEDGER_TTL_ATTRIBUTE,
      error: ledgerError,
      notActiveCode: 'RUN_LEDGER_TABLE_NOT_ACTIVE',
      mismatch: {
        code: 'RUN_LEDGER_TABLE_MISMATCH',
        message: (name) => `DynamoDB table "${name}" exists but its key schema is not pk (HASH, S) + sk (RANGE, S).`,
        hint: 'Point the run ledger at another table name, or delete the table so it can be recreated.',
      },
    },
    options,
  );
}

function partitionKey(key: ScheduleKey): string {
  return `SCHEDULE#${scheduleKeyId(key)}`;
}

function toLastRun(key: ScheduleKey, item: Record<string, unknown>): LastRun {
  const runCount = item.runCount;
  const stoppedReason = item.stoppedReason;
  return {
    schedule: key,
    runAt: new Date(readNumber(item, 'runAt')),
    taskArn: readString(item, 'taskArn'),
    lastStatus: readString(item, 'lastStatus'),
    ...(typeof runCount === 'number' ? { runCount } : {}),
    ...(typeof stoppedReason === 'string' ? { stoppedReason } : {}),
  };
}

function toRunRecord(key: ScheduleKey, item: Record<string, unknown>): RunRecord {
  const attributedBy = readString(item, 'attributedBy');
  if (attributedBy !== 'group' && attributedBy !== 'startedBy') throw corruptItem(item, 'attributedBy');
  const stoppedReason = item.stoppedReason;
  return {
    schedule: { group: key.group, name: key.name },
    taskArn: readString(item, 'taskArn'),
    clusterArn: readString(item, 'clusterArn'),
    taskDefinitionArn: readString(item, 'taskDefinitionArn'),
    runAt: new Date(readNumber(item, 'runAt')),
    lastStatus: readString(item, 'lastStatus'),
    attributedBy,
    ...(typeof stoppedReason === 'string' ? { stoppedReason } : {}),
  };
}

function readString(item: Record<string, unknown>, attribute: string): string {
  const value = item[attribute];
  if (typeof value !== 'string') throw corruptItem(item, attribute);
  return value;
}

function readNumber(item: Record<string, unknown>, attribute: string): number {
  const value = item[attribute];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw corruptItem(item, attribute);
  return value;
}

function corruptItem(item: Record<string, unknown>, attribute: string): FaultError {
  const where = `${String(item.pk)} / ${String(item.sk)}`;
  return new FaultError('RUN_LEDGER_CORRUPT_ITEM', `Run-ledger item ${where} has no valid "${attribute}"; was it written by another tool?`);
}

const ledgerError = dynamoErrorMapper({
  table: 'run-ledger table',
  codes: { missing: 'RUN_LEDGER_TABLE_MISSING', denied: 'RUN_LEDGER_ACCESS_DENIED', failed: 'RUN_LEDGER_FAILED' },
  hints: { missing: 'Deploy the stack (pulumi up) or start the sandbox, or point the ledger at the right table and region.', denied: grantToCallerHint },
});
