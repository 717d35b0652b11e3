/**
 * The schedule-definition cache in DynamoDB: the tier that survives the process, so a cold Lambda or
 * a CLI run skips GetSchedule for every schedule whose LastModificationDate has not moved since any
 * earlier check read it (see schedule-definition-cache.ts for the rules every tier follows).
 *
 * One item per schedule, keyed by its ARN:
 *
 * | attribute      | what                                                                           |
 * |----------------|--------------------------------------------------------------------------------|
 * | `arn` (HASH)   | the schedule ARN                                                               |
 * | `lastModified` | the LastModificationDate (epoch ms) the definition was read at                 |
 * | `facts`        | the ScheduleFacts as JSON (dates as ISO strings, revived as Dates on read)     |
 * | `format`       | the `facts` layout; an item of another layout is a miss, never a guess         |
 * | `group`,`name` | for a person reading the table                                                 |
 * | `expiresAt`    | TTL, epoch seconds: 30 days after the write, so deleted schedules' items vanish |
 *
 * Reads are BatchGetItem (100 keys a call), writes BatchWriteItem (25 puts a call), a few calls in
 * flight, UnprocessedKeys/UnprocessedItems retried a bounded number of times with backoff. A key still
 * unread is a miss; an item still unwritten stays queued for the next flush. No failure here escapes:
 * it is reported through `warn` and costs GetSchedule calls, never the check.
 *
 * An item that is never rewritten expires after 30 days even though it is still right: the schedule is
 * then read with GetSchedule once more and written again. Cheaper than refreshing the TTL of every hit.
 */
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { TargetKind, type ScheduleFacts } from '../checks/model.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { isOpsError } from '../errors.ts';
import { callDynamo, dynamoErrorMapper, grantToCallerHint } from './dynamo-errors.ts';
import { ensureDynamoTable, type EnsureTableOptions } from './dynamo-table.ts';
import type { CachedDefinition, DefinitionRef, ScheduleDefinitionCache } from './schedule-definition-cache.ts';

/** Spread into CreateTable: `new CreateTableCommand({ TableName, ...SCHEDULE_DEFINITION_TABLE_SCHEMA })`. */
export const SCHEDULE_DEFINITION_TABLE_SCHEMA = Object.freeze({
  AttributeDefinitions: [{ AttributeName: 'arn', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'arn', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>);

export const SCHEDULE_DEFINITION_TTL_ATTRIBUTE = 'expiresAt';
export const DEFAULT_DEFINITION_TTL_DAYS = 30;
/** Actions the cache needs on its table, and nothing else: infra grants exactly these. */
export const SCHEDULE_DEFINITION_ACTIONS = Object.freeze(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'] as const);

/** BatchGetItem's and BatchWriteItem's per-call limits. */
export const BATCH_GET_MAX_KEYS = 100;
export const BATCH_WRITE_MAX_ITEMS = 25;
/** Bump when ScheduleFacts changes shape: items of the old layout then read as misses. */
const FORMAT = 1;
const DAY_SECONDS = 86_400;

export interface DynamoDefinitionCacheOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** The write time the TTL counts from. */
  clock: () => Date;
  /** Days an item lives after its write (default 30). */
  ttlDays?: number;
  /** Attempts per batch while DynamoDB returns unprocessed keys or items (default 4). */
  maxBatchAttempts?: number;
  /** Batch calls in flight at once (default 4). */
  concurrency?: number;
  /** Backoff between unprocessed retries; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Where a read or write fault is reported; the check goes on either way. */
  warn?: (message: string) => void;
}

export function createDynamoDefinitionCache(options: DynamoDefinitionCacheOptions): ScheduleDefinitionCache {
  const doc = options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client);
  const table = options.tableName;
  const ttlSeconds = Math.round((options.ttlDays ?? DEFAULT_DEFINITION_TTL_DAYS) * DAY_SECONDS);
  const maxAttempts = Math.max(1, Math.floor(options.maxBatchAttempts ?? 4));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const warn = options.warn ?? (() => undefined);
  const where = `schedule-definition cache "${table}"`;

  /** What the last prefetch found, by ARN. */
  const loaded = new Map<string, CachedDefinition>();
  /** Read by GetSchedule, not yet written, by ARN (a later read of the same schedule replaces it). */
  const pending = new Map<string, CachedDefinition>();

  // Exponential backoff, as AWS asks for unprocessed keys and items; short, so a check never hangs on it.
  const backoff = (attempt: number) => sleep(Math.min(50 * 2 ** (attempt - 2), 1_000));

  async function batchGet(arns: readonly string[]): Promise<{ items: Record<string, unknown>[]; unread: number }> {
    const items: Record<string, unknown>[] = [];
    let keys: Record<string, unknown>[] = arns.map((arn) => ({ arn }));
    for (let attempt = 1; keys.length > 0 && attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await backoff(attempt);
      const request = keys;
      const out = await callDynamo('BatchGetItem', table, cacheError, () => doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: request } } })));
      items.push(...(out.Responses?.[table] ?? []));
      keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    return { items, unread: keys.length };
  }

  async function batchWrite(items: readonly Record<string, unknown>[]): Promise<{ unwritten: Record<string, unknown>[] }> {
    let requests = items.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; requests.length > 0 && attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await backoff(attempt);
      const request = requests;
      const out = await callDynamo('BatchWriteItem', table, cacheError, () => doc.send(new BatchWriteCommand({ RequestItems: { [table]: request } })));
      requests = (out.UnprocessedItems?.[table] ?? []).flatMap((r) => (r.PutRequest?.Item !== undefined ? [{ PutRequest: { Item: r.PutRequest.Item } }] : []));
    }
    return { unwritten: requests.map((r) => r.PutRequest.Item) };
  }

  return {
    async prefetch(refs: readonly DefinitionRef[]) {
      loaded.clear();
      // A listing without a date or ARN is read with GetSchedule whatever the table holds: no key to ask.
      const arns = [...new Set(refs.flatMap((ref) => (ref.lastModificationDate !== undefined && ref.arn ? [ref.arn] : [])))];
      let failure: unknown;
      let unread = 0;
      let unreadable = 0;
      await mapWithConcurrency(chunks(arns, BATCH_GET_MAX_KEYS), concurrency, async (chunk) => {
        // The first failure (a missing table, a denied role) ends the prefetch: the rest would fail alike.
        if (failure !== undefined) {
          unread += chunk.length;
          return;
        }
        try {
          const read = await batchGet(chunk);
          unread += read.unread;
          for (const item of read.items) {
            const entry = fromItem(item);
            if (entry === undefined) unreadable++;
            else loaded.set(entry.arn, entry.definition);
          }
        } catch (error) {
          failure ??= error;
          unread += chunk.length;
        }
      });
      if (failure !== undefined) warn(`${faultText(failure)}; ${unread} schedule(s) are read with GetSchedule instead.`);
      else if (unread > 0) warn(`${where}: DynamoDB left ${unread} key(s) unprocessed after ${maxAttempts} BatchGetItem attempts; those schedules are read with GetSchedule.`);
      if (unreadable > 0) warn(`${where}: ${unreadable} item(s) were not written by this version of ops; those schedules are read with GetSchedule and rewritten.`);
    },

    get(ref) {
      return ref.arn ? loaded.get(ref.arn) : undefined;
    },

    set(ref, entry) {
      if (ref.arn) pending.set(ref.arn, entry);
    },

    async flush() {
      if (pending.size === 0) return;
      const expiresAt = Math.floor(options.clock().getTime() / 1000) + ttlSeconds;
      const batch = [...pending];
      let failure: unknown;
      let unwritten = 0;
      await mapWithConcurrency(chunks(batch, BATCH_WRITE_MAX_ITEMS), concurrency, async (chunk) => {
        if (failure !== undefined) {
          unwritten += chunk.length;
          return;
        }
        try {
          const left = new Set((await batchWrite(chunk.map(([arn, entry]) => toItem(arn, entry, expiresAt)))).unwritten.map((item) => item.arn));
          unwritten += left.size;
          // Written ones leave the queue, unless getSchedule queued a newer read of them meanwhile.
          for (const [arn, entry] of chunk) if (!left.has(arn) && pending.get(arn) === entry) pending.delete(arn);
        } catch (error) {
          failure ??= error;
          unwritten += chunk.length;
        }
      });
      if (failure !== undefined) warn(`${faultText(failure)}; ${unwritten} definition(s) not saved, the next run reads them with GetSchedule again.`);
      else if (unwritten > 0) warn(`${where}: DynamoDB left ${unwritten} item(s) unprocessed after ${maxAttempts} BatchWriteItem attempts; they are written by the next flush.`);
    },
  };
}

/**
 * Creates the cache table if it is missing and turns on TTL. Idempotent and safe to race. Used by the
 * sandbox, e2e tests and benches; in AWS the table comes from infra.
 */
export async function ensureScheduleDefinitionTable(client: DynamoDBClient, tableName: string, options: EnsureTableOptions = {}): Promise<{ created: boolean; ttlUpdated: boolean }> {
  return ensureDynamoTable(
    client,
    tableName,
    {
      schema: SCHEDULE_DEFINITION_TABLE_SCHEMA,
      ttlAttribute: SCHEDULE_DEFINITION_TTL_ATTRIBUTE,
      error: cacheError,
      notActiveCode: 'DEFINITION_CACHE_TABLE_NOT_ACTIVE',
      mismatch: {
        code: 'DEFINITION_CACHE_TABLE_MISMATCH',
        message: (name) => `DynamoDB table "${name}" exists but its key schema is not arn (HASH, S).`,
        hint: 'Point --definition-cache-table at another table name, or delete the table so it can be recreated.',
      },
    },
    options,
  );
}

function toItem(arn: string, entry: CachedDefinition, expiresAt: number): Record<string, unknown> {
  return {
    arn,
    lastModified: entry.lastModified,
    // JSON.stringify writes every Date as its ISO string; factsSchema turns them back into Dates.
    facts: JSON.stringify(entry.facts),
    format: FORMAT,
    group: entry.facts.group,
    name: entry.facts.name,
    [SCHEDULE_DEFINITION_TTL_ATTRIBUTE]: expiresAt,
  };
}

/** The item as a cache entry, or undefined when it is not one this version wrote. */
function fromItem(item: Record<string, unknown>): { arn: string; definition: CachedDefinition } | undefined {
  const { arn, lastModified, facts, format } = item;
  if (typeof arn !== 'string' || typeof lastModified !== 'number' || typeof facts !== 'string' || format !== FORMAT) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(facts);
  } catch {
    return undefined;
  }
  const parsed = factsSchema.safeParse(json);
  return parsed.success ? { arn, definition: { lastModified, facts: parsed.data } } : undefined;
}

const instant = z.iso.datetime({ offset: true }).transform((iso) => new Date(iso));

const factsSchema: z.ZodType<ScheduleFacts, unknown> = z.object({
  group: z.string(),
  name: z.string(),
  arn: z.string(),
  state: z.enum(['ENABLED', 'DISABLED']),
  expression: z.string(),
  timezone: z.string(),
  startDate: instant.optional(),
  endDate: instant.optional(),
  creationDate: instant.optional(),
  lastModificationDate: instant.optional(),
  flexibleWindowMinutes: z.number(),
  target: z.object({
    kind: z.enum(Object.values(TargetKind)),
    arn: z.string(),
    roleArn: z.string(),
    deadLetterArn: z.string().optional(),
    retryPolicy: z.object({ maximumEventAgeInSeconds: z.number().optional(), maximumRetryAttempts: z.number().optional() }).optional(),
    ecs: z
      .object({
        taskDefinitionArn: z.string(),
        launchType: z.string().optional(),
        taskCount: z.number().optional(),
        group: z.string().optional(),
        capacityProviders: z.array(z.string()).optional(),
      })
      .optional(),
  }),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

function faultText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = isOpsError(error) && 'hint' in error && typeof error.hint === 'string' ? ` (${error.hint})` : '';
  return `${message}${hint}`;
}

const cacheError = dynamoErrorMapper({
  table: 'schedule-definition cache table',
  codes: { missing: 'DEFINITION_CACHE_TABLE_MISSING', denied: 'DEFINITION_CACHE_ACCESS_DENIED', failed: 'DEFINITION_CACHE_FAILED', throttled: 'DEFINITION_CACHE_THROTTLED' },
  hints: {
    missing: 'Deploy the stack (pulumi up), or point --definition-cache-table (OPS_DEFINITION_CACHE_TABLE) at an existing table.',
    denied: grantToCallerHint,
  },
});
