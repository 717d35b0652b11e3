/**
 * Creating a table the project owns when it is missing (the sandbox, e2e tests and benches; in AWS
 * infra creates them): one implementation for the run ledger, workflow, alert-state and remediation
 * tables. Idempotent and safe to race: a concurrent creator (ResourceInUseException) or a concurrent
 * TTL update is fine.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { FaultError, UserError } from '../errors.ts';
import { errorName } from '../aws-error.ts';
import { callDynamo, type DynamoErrorMapper } from './dynamo-errors.ts';

/** A table keyed by string `pk` (HASH) + `sk` (RANGE), on demand: the run ledger and the remediation log. */
export const PK_SK_TABLE_SCHEMA = Object.freeze({
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>);

export interface EnsureTableSpec {
  /** What CreateTable gets besides the name; an existing table must have the same keys and indexes. */
  schema: Omit<CreateTableCommandInput, 'TableName'>;
  /** TTL attribute to switch on, if the table expires items. */
  ttlAttribute?: string;
  /** The adapter's own error for a failed call, so messages and hints stay the adapter's. */
  error: DynamoErrorMapper;
  notActiveCode: string;
  /** Raised when an existing table has other keys; absent: not checked. */
  mismatch?: { code: string; message: (tableName: string) => string; hint: string };
}

export interface EnsureTableOptions {
  sleep?: (ms: number) => Promise<void>;
  maxWaitAttempts?: number;
}

export async function ensureDynamoTable(
  client: DynamoDBClient,
  tableName: string,
  spec: EnsureTableSpec,
  options: EnsureTableOptions = {},
): Promise<{ created: boolean; ttlUpdated: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxWaitAttempts = options.maxWaitAttempts ?? 60;
  const call = <T>(operation: string, run: () => Promise<T>): Promise<T> => callDynamo(operation, tableName, spec.error, run, { mapConditionalCheckFailed: true });
  const describe = async (): Promise<TableDescription | undefined> => {
    try {
      return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table ?? {};
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw spec.error('DescribeTable', tableName, error);
    }
  };

  let created = false;
  let table = await describe();
  if (table === undefined) {
    try {
      await client.send(new CreateTableCommand({ TableName: tableName, ...spec.schema }));
      created = true;
    } catch (error) {
      if (errorName(error) !== 'ResourceInUseException') throw spec.error('CreateTable', tableName, error);
    }
    table = await describe();
  }
  for (let checks = 1; table?.TableStatus !== 'ACTIVE'; checks++) {
    if (checks >= maxWaitAttempts) {
      throw new FaultError(spec.notActiveCode, `DynamoDB table "${tableName}" is ${table === undefined ? 'missing' : (table.TableStatus ?? 'UNKNOWN')} after ${checks} checks.`);
    }
    await sleep(1_000);
    table = await describe();
  }
  if (spec.mismatch && !matchesSchema(table, spec.schema)) {
    throw new UserError(spec.mismatch.code, spec.mismatch.message(tableName), spec.mismatch.hint);
  }
  if (spec.ttlAttribute === undefined) return { created, ttlUpdated: false };

  const ttlAttribute = spec.ttlAttribute;
  const ttlReady = async (): Promise<boolean> => {
    const ttl = await call('DescribeTimeToLive', () => client.send(new DescribeTimeToLiveCommand({ TableName: tableName })));
    const state = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    return (state === 'ENABLED' || state === 'ENABLING') && ttl.TimeToLiveDescription?.AttributeName === ttlAttribute;
  };
  if (await ttlReady()) return { created, ttlUpdated: false };
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }));
  } catch (error) {
    // A concurrent ensure may have enabled it first; AWS then answers "TimeToLive is already enabled".
    if (await ttlReady()) return { created, ttlUpdated: false };
    throw spec.error('UpdateTimeToLive', tableName, error);
  }
  return { created, ttlUpdated: true };
}

/** Same key schema, the same types for the key attributes, and every declared index with its keys. */
function matchesSchema(table: TableDescription, schema: EnsureTableSpec['schema']): boolean {
  const sameKeys = (have: readonly { AttributeName?: string; KeyType?: string }[] = [], want: readonly { AttributeName?: string; KeyType?: string }[] = []) =>
    have.length === want.length && want.every((k) => have.some((h) => h.AttributeName === k.AttributeName && h.KeyType === k.KeyType));
  const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const typesMatch = (schema.AttributeDefinitions ?? []).every((d) => types.get(d.AttributeName) === d.AttributeType);
  const indexesMatch = (schema.GlobalSecondaryIndexes ?? []).every((want) =>
    (table.GlobalSecondaryIndexes ?? []).some((have) => have.IndexName === want.IndexName && sameKeys(have.KeySchema, want.KeySchema)),
  );
  return sameKeys(table.KeySchema, schema.KeySchema) && typesMatch && indexesMatch;
}
