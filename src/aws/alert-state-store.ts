/**
 * The alert state in DynamoDB, for the healthcheck Lambda (see src/alerts/store.ts for the port).
 *
 * One item per key: `pk = "ALERT#<key>"`, `revision` (number, the optimistic-concurrency token),
 * `state` (the AlertState as a JSON string: a string round-trips every optional field exactly, and the
 * item stays far below 400 KB even with thousands of failing fingerprints).
 *
 * A write is a conditional PutItem: `attribute_not_exists(pk)` when the caller read nothing, else
 * `revision = :expected`; it sets `revision` to expected + 1. ConditionalCheckFailed means another run
 * wrote first and is answered with 'conflict', never thrown. Reads are strongly consistent, so a run
 * that starts right after another's write sees it.
 */
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseAlertState, type AlertState } from '../alerts/state.ts';
import type { AlertStateStore } from '../alerts/store.ts';
import { FaultError, UserError } from '../errors.ts';
import { callDynamo, dynamoErrorMapper, grantToCallerHint, isConditionalCheckFailed } from './dynamo-errors.ts';
import { ensureDynamoTable, type EnsureTableOptions } from './dynamo-table.ts';

/** Spread into CreateTable: `new CreateTableCommand({ TableName, ...ALERT_STATE_TABLE_SCHEMA })`. */
export const ALERT_STATE_TABLE_SCHEMA = Object.freeze({
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>);

export const ALERT_STATE_KEY_PREFIX = 'ALERT#';

export interface DynamoAlertStateStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** Which alert stream this is, e.g. `healthcheck` or `healthcheck/prod`. */
  key: string;
}

export class DynamoAlertStateStore implements AlertStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly pk: string;
  /** The alert stream this handle reads and writes (the item is `ALERT#<key>`). */
  readonly key: string;

  constructor(options: DynamoAlertStateStoreOptions) {
    if (options.key === '') throw new UserError('INVALID_ALERT_STATE_CONFIG', 'The alert-state key is empty.', 'Pass a key such as "healthcheck".');
    if (options.tableName === '') throw new UserError('INVALID_ALERT_STATE_CONFIG', 'The alert-state table name is empty.', 'Pass the table name from the stack outputs.');
    this.doc = options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client);
    this.tableName = options.tableName;
    this.key = options.key;
    this.pk = `${ALERT_STATE_KEY_PREFIX}${options.key}`;
  }

  async read(): Promise<{ state: AlertState; token: string } | undefined> {
    const response = await this.call('GetItem', () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.pk }, ConsistentRead: true })));
    const item: Record<string, unknown> | undefined = response.Item;
    if (item === undefined) return undefined;
    const revision = item.revision;
    if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw this.corrupt('"revision" is not a positive integer');
    if (typeof item.state !== 'string') throw this.corrupt('"state" is not a string');
    let raw: unknown;
    try {
      raw = JSON.parse(item.state);
    } catch (error) {
      throw this.corrupt('"state" is not JSON', error);
    }
    const parsed = parseAlertState(raw);
    if (!parsed.ok) throw this.corrupt(parsed.problem);
    return { state: parsed.state, token: String(revision) };
  }

  async write(state: AlertState, expectedToken: string | undefined): Promise<'written' | 'conflict'> {
    const checked = parseAlertState(state);
    if (!checked.ok) throw new FaultError('ALERT_STATE_INVALID', `Refusing to write an invalid alert state to "${this.tableName}": ${checked.problem}`);
    const expected = expectedToken === undefined ? undefined : parseToken(expectedToken);
    const item = { pk: this.pk, revision: (expected ?? 0) + 1, state: JSON.stringify(checked.state) };
    try {
      await this.call('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'revision = :expected', ExpressionAttributeValues: { ':expected': expected } }),
          }),
        ),
      );
      return 'written';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'conflict';
      throw error;
    }
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callDynamo(operation, this.tableName, alertStateError, run);
  }

  private corrupt(problem: string, cause?: unknown): FaultError {
    return new FaultError(
      'ALERT_STATE_CORRUPT_ITEM',
      `Alert-state item ${this.pk} in "${this.tableName}" is not valid: ${problem}; was it written by another tool? Deleting the item makes the next run alert afresh.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * Creates the alert-state table (pk S HASH, on demand) if it is missing and waits until it is ACTIVE.
 * Idempotent and safe to race (ResourceInUseException from a concurrent creator is fine). Used by the
 * sandbox and e2e tests; in AWS the table comes from infra.
 */
export async function ensureAlertStateTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<{ created: boolean }> {
  const { created } = await ensureDynamoTable(
    client,
    tableName,
    {
      schema: ALERT_STATE_TABLE_SCHEMA,
      error: alertStateError,
      notActiveCode: 'ALERT_STATE_TABLE_NOT_ACTIVE',
      mismatch: {
        code: 'ALERT_STATE_TABLE_MISMATCH',
        message: (name) => `DynamoDB table "${name}" exists but its key schema is not pk (HASH, S) alone.`,
        hint: 'Point the alert state at another table name, or delete the table so it can be recreated.',
      },
    },
    options,
  );
  return { created };
}

function parseToken(token: string): number {
  if (!/^[1-9]\d*$/.test(token)) {
    throw new FaultError('ALERT_STATE_BAD_TOKEN', `Alert-state token "${token}" is not a revision read from this store.`);
  }
  return Number(token);
}

const alertStateError = dynamoErrorMapper({
  table: 'alert-state table',
  codes: { missing: 'ALERT_STATE_TABLE_MISSING', denied: 'ALERT_STATE_ACCESS_DENIED', failed: 'ALERT_STATE_FAILED' },
  hints: { missing: 'Deploy the stack (pulumi up) or start the sandbox, or point the alert state at the right table and region.', denied: grantToCallerHint },
});
