/**
 * The workflow store in DynamoDB (see src/trading/ports/workflow-store.ts for the port and its guarantees).
 *
 * One table, items grouped per workflow under `pk = "WF#<correlationId>"`:
 *
 * | sk                           | what                    | attributes                                                       |
 * |------------------------------|-------------------------|------------------------------------------------------------------|
 * | `WORKFLOW`                   | the run                 | workflowState, params, startedAt (ms), updatedAt, finishedAt?,    |
 * |                              |                         | failure?, steps (map), expectedOrders?, plan? (orders, skipped;   |
 * |                              |                         | set with the portfolio result), orders (map by client order id),  |
 * |                              |                         | openOrders (map by client order id: placed, not final yet),       |
 * |                              |                         | terminalEvent? (JSON), terminalPublishedAt?, expiresAt            |
 * | `CLAIM#<consumer>#<eventId>` | one consumer's claim on | claimStatus (claimed / done), claimToken, leaseUntil (ms),        |
 * |                              | one event (the dedup)   | attempts, outcome?, expiresAt                                     |
 *
 * A sparse global secondary index `byState` (workflowState, startedAt) lists runs by state, newest
 * first; claims have no workflowState, so they never appear in it. `expiresAt` (epoch seconds) is the
 * TTL attribute, counted from the run's start for every item of the run.
 *
 * Every state change is one UpdateItem with a condition on `workflowState = RUNNING`, so two Lambdas
 * racing to finish a workflow cannot both win, and nothing is recorded after it finished. Reads that
 * decide (the gate, the claim) are strongly consistent; listing uses the index (eventually consistent),
 * which only the status commands and the sweeper read, and the sweeper's writes are conditional too.
 */
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { clipText } from '../clip-text.ts';
import { FaultError, UserError } from '../errors.ts';
import { parseWorkflowEvent, STEPS, workflowParamsSchema, type Step, type TerminalEvent } from '../trading/domain/events.ts';
import { byPlanPosition } from '../trading/adapters/memory-workflow-store.ts';
import {
  ClaimOutcome,
  DEFAULT_LIST_LIMIT,
  DEFAULT_TTL_DAYS,
  ttlFrom,
  WORKFLOW_STATES,
  WorkflowState,
  type ClaimKey,
  type ClaimResult,
  type CreateWorkflowInput,
  type ExecutedOrder,
  type FinishResult,
  type HeldClaim,
  type OpenOrder,
  type OrderTally,
  type StepExtra,
  type StepResult,
  type TerminalOutcome,
  type WorkflowQuery,
  type WorkflowRecord,
  type WorkflowStore,
} from '../trading/ports/workflow-store.ts';
import { callDynamo, dynamoErrorMapper, grantToCallerHint, isConditionalCheckFailed } from './dynamo-errors.ts';
import { ensureDynamoTable, type EnsureTableOptions } from './dynamo-table.ts';

export const WORKFLOW_TTL_ATTRIBUTE = 'expiresAt';
export const WORKFLOW_STATE_INDEX = 'byState';

/** Spread into CreateTable: `new CreateTableCommand({ TableName, ...WORKFLOW_TABLE_SCHEMA })`. */
export const WORKFLOW_TABLE_SCHEMA = Object.freeze({
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'workflowState', AttributeType: 'S' },
    { AttributeName: 'startedAt', AttributeType: 'N' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: WORKFLOW_STATE_INDEX,
      KeySchema: [
        { AttributeName: 'workflowState', KeyType: 'HASH' },
        { AttributeName: 'startedAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>);

const WORKFLOW_SK = 'WORKFLOW';

export interface DynamoWorkflowStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  ttlDays?: number;
  newToken?: () => string;
}

export class DynamoWorkflowStore implements WorkflowStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlDays: number;
  private readonly newToken: () => string;

  constructor(options: DynamoWorkflowStoreOptions) {
    const ttlDays = options.ttlDays ?? DEFAULT_TTL_DAYS;
    if (!(ttlDays > 0)) throw new UserError('INVALID_WORKFLOW_STORE_CONFIG', `ttlDays must be positive, got ${ttlDays}.`, 'Pass a number of days such as 30.');
    this.doc =
      options.client instanceof DynamoDBDocumentClient ? options.client : DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.ttlDays = ttlDays;
    this.newToken = options.newToken ?? randomUUID;
  }

  async create(input: CreateWorkflowInput): Promise<{ created: boolean; record: WorkflowRecord }> {
    const startedAt = input.startedAt.getTime();
    const item = {
      pk: workflowPk(input.correlationId),
      sk: WORKFLOW_SK,
      correlationId: input.correlationId,
      workflowState: WorkflowState.running,
      params: input.params,
      startedAt,
      startedAtIso: input.startedAt.toISOString(),
      updatedAt: startedAt,
      steps: {},
      orders: {},
      openOrders: {},
      [WORKFLOW_TTL_ATTRIBUTE]: this.expiresAt(input.startedAt),
    };
    try {
      await this.send('PutItem', () => this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
      return { created: true, record: toRecord(item) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.get(input.correlationId);
    if (existing === undefined) throw new FaultError('WORKFLOW_STORE_FAILED', `Workflow ${input.correlationId} exists by condition but could not be read from "${this.tableName}".`);
    return { created: false, record: existing };
  }

  async get(correlationId: string): Promise<WorkflowRecord | undefined> {
    const response = await this.send('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK }, ConsistentRead: true })),
    );
    return response.Item === undefined ? undefined : toRecord(response.Item);
  }

  async recordStep(correlationId: string, step: Step, result: StepResult, extra: StepExtra = {}): Promise<boolean> {
    const withExpected = extra.expectedOrders !== undefined;
    // The plan goes in the same conditional write as the result, replacing any earlier one: a re-run stores one plan.
    const withPlan = extra.plan !== undefined;
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            UpdateExpression: `SET #steps.#step = :result, #updatedAt = :now${withExpected ? ', #expected = :expected' : ''}${withPlan ? ', #plan = :plan' : ''}`,
            ConditionExpression: '#state = :running',
            ExpressionAttributeNames: {
              '#steps': 'steps',
              '#step': step,
              '#updatedAt': 'updatedAt',
              '#state': 'workflowState',
              ...(withExpected ? { '#expected': 'expectedOrders' } : {}),
              ...(withPlan ? { '#plan': 'plan' } : {}),
            },
            ExpressionAttributeValues: {
              ':result': { completedAt: result.completedAt.getTime(), summary: result.summary },
              ':now': result.completedAt.getTime(),
              ':running': WorkflowState.running,
              ...(withExpected ? { ':expected': extra.expectedOrders } : {}),
              ...(extra.plan !== undefined ? { ':plan': { orders: extra.plan.orders, skipped: extra.plan.skipped } } : {}),
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

  async recordExecutedOrder(correlationId: string, order: ExecutedOrder): Promise<OrderTally> {
    try {
      const response = await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            // if_not_exists keeps the first fill of a client order id: a re-run's look-up adds nothing.
            // The same write drops the order's open entry, so an order is never open and executed.
            UpdateExpression: 'SET #orders.#cid = if_not_exists(#orders.#cid, :order), #updatedAt = :now REMOVE #open.#cid',
            ConditionExpression: '#state = :running',
            ExpressionAttributeNames: { '#orders': 'orders', '#open': 'openOrders', '#cid': order.clientOrderId, '#updatedAt': 'updatedAt', '#state': 'workflowState' },
            ExpressionAttributeValues: { ':order': { ...order, executedAt: order.executedAt.getTime() }, ':now': order.executedAt.getTime(), ':running': WorkflowState.running },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return tallyOf(toRecord(response.Attributes ?? {}), true);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return tallyOf(await this.get(correlationId), false);
  }

  async recordOpenOrder(correlationId: string, order: OpenOrder): Promise<OrderTally> {
    try {
      const response = await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            UpdateExpression: 'SET #open.#cid = :order, #updatedAt = :now',
            // An order already executed is never open again (a late progress report must not resurrect it).
            ConditionExpression: '#state = :running AND attribute_not_exists(#orders.#cid)',
            ExpressionAttributeNames: { '#open': 'openOrders', '#orders': 'orders', '#cid': order.clientOrderId, '#updatedAt': 'updatedAt', '#state': 'workflowState' },
            ExpressionAttributeValues: {
              ':order': { ...order, placedAt: order.placedAt.getTime(), updatedAt: order.updatedAt.getTime() },
              ':now': order.updatedAt.getTime(),
              ':running': WorkflowState.running,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return tallyOf(toRecord(response.Attributes ?? {}), true);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const record = await this.get(correlationId);
    return tallyOf(record, record?.state === WorkflowState.running);
  }

  async finish(correlationId: string, outcome: TerminalOutcome, at: Date): Promise<FinishResult> {
    const failed = outcome.state === WorkflowState.failed;
    try {
      const response = await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            UpdateExpression: `SET #state = :to, #finishedAt = :at, #updatedAt = :at, #terminal = :event${failed ? ', #failure = :failure' : ''}`,
            ConditionExpression: '#state = :running',
            ExpressionAttributeNames: {
              '#state': 'workflowState',
              '#finishedAt': 'finishedAt',
              '#updatedAt': 'updatedAt',
              '#terminal': 'terminalEvent',
              ...(failed ? { '#failure': 'failure' } : {}),
            },
            ExpressionAttributeValues: {
              ':to': outcome.state,
              ':at': at.getTime(),
              ':event': JSON.stringify(outcome.event),
              ':running': WorkflowState.running,
              ...(failed ? { ':failure': outcome.failure } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { won: true, record: toRecord(response.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return { won: false, record: await this.get(correlationId) };
  }

  async markTerminalPublished(correlationId: string, at: Date): Promise<void> {
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            UpdateExpression: 'SET #published = :at',
            ConditionExpression: 'attribute_exists(#terminal) AND attribute_not_exists(#published)',
            ExpressionAttributeNames: { '#published': 'terminalPublishedAt', '#terminal': 'terminalEvent' },
            ExpressionAttributeValues: { ':at': at.getTime() },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async claimEvent(key: ClaimKey, at: Date, leaseMs: number): Promise<ClaimResult> {
    // A release can delete the item between our failed condition and our read; then claim again.
    for (let round = 0; round < 3; round++) {
      const token = this.newToken();
      try {
        const response = await this.send('UpdateItem', () =>
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: claimKey(key),
              UpdateExpression: 'SET #status = :claimed, #token = :token, #lease = :lease, #claimedAt = :now, #consumer = :consumer, #eventId = :eventId, #ttl = :ttl ADD #attempts :one',
              ConditionExpression: 'attribute_not_exists(pk) OR (#status = :claimed AND #lease < :now)',
              ExpressionAttributeNames: {
                '#status': 'claimStatus',
                '#token': 'claimToken',
                '#lease': 'leaseUntil',
                '#claimedAt': 'claimedAt',
                '#consumer': 'consumer',
                '#eventId': 'eventId',
                '#ttl': WORKFLOW_TTL_ATTRIBUTE,
                '#attempts': 'attempts',
              },
              ExpressionAttributeValues: {
                ':claimed': 'claimed',
                ':token': token,
                ':lease': at.getTime() + leaseMs,
                ':now': at.getTime(),
                ':consumer': key.consumer,
                ':eventId': key.eventId,
                ':ttl': this.expiresAt(at),
                ':one': 1,
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        const attempts: unknown = response.Attributes?.attempts;
        return { status: 'claimed', claim: { ...key, token }, attempt: typeof attempts === 'number' ? attempts : 1 };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const existing = await this.send('GetItem', () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: claimKey(key), ConsistentRead: true })));
      const item = existing.Item;
      if (item === undefined) continue;
      if (item.claimStatus === 'done') return { status: 'done', outcome: parseOutcome(item.outcome) };
      return { status: 'held', leaseUntil: new Date(readNumber(item, 'leaseUntil')) };
    }
    throw new FaultError('WORKFLOW_STORE_FAILED', `Could not claim event ${key.eventId} for ${key.consumer}: the claim kept changing.`);
  }

  async completeClaim(claim: HeldClaim, outcome: ClaimOutcome, at: Date): Promise<void> {
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: claimKey(claim),
            UpdateExpression: 'SET #status = :done, #outcome = :outcome, #doneAt = :at',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#status': 'claimStatus', '#outcome': 'outcome', '#doneAt': 'doneAt', '#token': 'claimToken' },
            ExpressionAttributeValues: { ':done': 'done', ':outcome': outcome, ':at': at.getTime(), ':token': claim.token },
          }),
        ),
      );
    } catch (error) {
      // Our lease expired and another delivery re-claimed the event: the claim is theirs to complete.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async releaseClaim(claim: HeldClaim): Promise<void> {
    try {
      await this.send('DeleteItem', () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: claimKey(claim),
            ConditionExpression: '#token = :token AND #status = :claimed',
            ExpressionAttributeNames: { '#token': 'claimToken', '#status': 'claimStatus' },
            ExpressionAttributeValues: { ':token': claim.token, ':claimed': 'claimed' },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async list(query: WorkflowQuery = {}): Promise<WorkflowRecord[]> {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    const states = query.state !== undefined ? [query.state] : WORKFLOW_STATES;
    const all: WorkflowRecord[] = [];
    for (const state of states) all.push(...(await this.queryState(state, query, limit)));
    return all.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.correlationId.localeCompare(a.correlationId)).slice(0, limit);
  }

  private async queryState(state: WorkflowState, query: WorkflowQuery, limit: number): Promise<WorkflowRecord[]> {
    const after = query.startedAfter?.getTime();
    const before = query.startedBefore?.getTime();
    let range = '';
    const values: Record<string, unknown> = { ':state': state };
    if (after !== undefined && before !== undefined) {
      range = ' AND #startedAt BETWEEN :after AND :before';
      values[':after'] = after + 1;
      values[':before'] = before - 1;
    } else if (after !== undefined) {
      range = ' AND #startedAt > :after';
      values[':after'] = after;
    } else if (before !== undefined) {
      range = ' AND #startedAt < :before';
      values[':before'] = before;
    }
    const records: WorkflowRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const exclusiveStartKey = startKey;
      const page = await this.send('Query', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: WORKFLOW_STATE_INDEX,
            KeyConditionExpression: `#state = :state${range}`,
            ExpressionAttributeNames: { '#state': 'workflowState', ...(range !== '' ? { '#startedAt': 'startedAt' } : {}) },
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: Math.min(limit - records.length, 1_000),
            ...(exclusiveStartKey !== undefined ? { ExclusiveStartKey: exclusiveStartKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && records.length < limit);
    return records;
  }

  private expiresAt(from: Date): number {
    return Math.floor(ttlFrom(from, this.ttlDays).getTime() / 1000);
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return callDynamo(operation, this.tableName, workflowStoreError, call);
  }
}

function workflowPk(correlationId: string): string {
  return `WF#${correlationId}`;
}

function claimKey(key: ClaimKey): { pk: string; sk: string } {
  return { pk: workflowPk(key.correlationId), sk: `CLAIM#${key.consumer}#${key.eventId}` };
}

function tallyOf(record: WorkflowRecord | undefined, accepted: boolean): OrderTally {
  return { accepted, executed: record?.orders.length ?? 0, open: record?.openOrders.length ?? 0, expected: record?.expectedOrders, orders: record?.orders ?? [] };
}

function parseOutcome(value: unknown): ClaimOutcome {
  return value === ClaimOutcome.failed || value === ClaimOutcome.skipped ? value : ClaimOutcome.succeeded;
}

const summarySchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const plannedOrderSchema = z.object({
  clientOrderId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  quantity: z.string(),
  price: z.string(),
  notional: z.string(),
  orderIndex: z.number(),
});

const storedOrderSchema = plannedOrderSchema.extend({ brokerOrderId: z.string(), executedAt: z.number() });

const storedOpenOrderSchema = plannedOrderSchema.extend({
  brokerOrderId: z.string(),
  status: z.enum(['pending', 'partially_filled']),
  filledQuantity: z.string(),
  averagePrice: z.string().optional(),
  causationId: z.string(),
  placedAt: z.number(),
  updatedAt: z.number(),
});

const storedPlanSchema = z.object({
  orders: z.array(plannedOrderSchema),
  skipped: z.array(z.object({ symbol: z.string(), side: z.enum(['buy', 'sell']), notional: z.string(), reason: z.string() })),
});

const workflowItemSchema = z.object({
  correlationId: z.string(),
  workflowState: z.enum(WORKFLOW_STATES as [WorkflowState, ...WorkflowState[]]),
  params: workflowParamsSchema,
  startedAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
  failure: z.object({ step: z.enum(STEPS as [Step, ...Step[]]), reason: z.string(), errorCode: z.string() }).optional(),
  steps: z.record(z.string(), z.object({ completedAt: z.number(), summary: summarySchema })).default({}),
  expectedOrders: z.number().optional(),
  plan: storedPlanSchema.optional(),
  orders: z.record(z.string(), storedOrderSchema).default({}),
  openOrders: z.record(z.string(), storedOpenOrderSchema).default({}),
  terminalEvent: z.string().optional(),
  terminalPublishedAt: z.number().optional(),
  expiresAt: z.number(),
});

function toRecord(item: Record<string, unknown>): WorkflowRecord {
  const parsed = workflowItemSchema.safeParse(item);
  if (!parsed.success) {
    throw new FaultError(
      'WORKFLOW_STORE_CORRUPT_ITEM',
      `Workflow item ${String(item.pk)} is not a valid workflow record (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}); was it written by another tool?`,
    );
  }
  const i = parsed.data;
  const steps: WorkflowRecord['steps'] = {};
  for (const [step, result] of Object.entries(i.steps)) {
    if ((STEPS as readonly string[]).includes(step)) steps[step as Step] = { completedAt: new Date(result.completedAt), summary: result.summary };
  }
  const terminalEvent = i.terminalEvent !== undefined ? (parseWorkflowEvent(JSON.parse(i.terminalEvent) as unknown, `terminal event of ${i.correlationId}`) as TerminalEvent) : undefined;
  return {
    correlationId: i.correlationId,
    state: i.workflowState,
    params: i.params,
    startedAt: new Date(i.startedAt),
    updatedAt: new Date(i.updatedAt),
    ...(i.finishedAt !== undefined ? { finishedAt: new Date(i.finishedAt) } : {}),
    ...(i.failure !== undefined ? { failure: i.failure } : {}),
    steps,
    ...(i.expectedOrders !== undefined ? { expectedOrders: i.expectedOrders } : {}),
    ...(i.plan !== undefined ? { plan: i.plan } : {}),
    orders: Object.values(i.orders)
      .map((o) => ({ ...o, executedAt: new Date(o.executedAt) }))
      .sort(byPlanPosition),
    openOrders: Object.values(i.openOrders)
      .map((o) => ({ ...o, placedAt: new Date(o.placedAt), updatedAt: new Date(o.updatedAt) }))
      .sort(byPlanPosition),
    ...(terminalEvent !== undefined ? { terminalEvent } : {}),
    ...(i.terminalPublishedAt !== undefined ? { terminalPublishedAt: new Date(i.terminalPublishedAt) } : {}),
    expiresAt: new Date(i.expiresAt * 1000),
  };
}

function readNumber(item: Record<string, unknown>, attribute: string): number {
  const value = item[attribute];
  if (typeof value !== 'number') throw new FaultError('WORKFLOW_STORE_CORRUPT_ITEM', `Item ${String(item.pk)} / ${String(item.sk)} has no numeric "${attribute}".`);
  return value;
}

/**
 * Creates the workflow table (with its state index) unless it exists, and turns on TTL. Idempotent and
 * safe to race. Used by the sandbox, e2e tests and the bench; in AWS the table comes from infra.
 */
export async function ensureWorkflowTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<{ created: boolean; ttlUpdated: boolean }> {
  return ensureDynamoTable(
    client,
    tableName,
    {
      schema: WORKFLOW_TABLE_SCHEMA,
      ttlAttribute: WORKFLOW_TTL_ATTRIBUTE,
      error: workflowStoreError,
      notActiveCode: 'WORKFLOW_TABLE_NOT_ACTIVE',
      mismatch: {
        code: 'WORKFLOW_TABLE_MISMATCH',
        message: (name) => `DynamoDB table "${name}" exists but is not a workflow table (pk/sk string keys and a "${WORKFLOW_STATE_INDEX}" index on workflowState + startedAt).`,
        hint: 'Point the workflow store at another table name, or delete the table so it can be recreated.',
      },
    },
    options,
  );
}

export const workflowStoreError = dynamoErrorMapper({
  table: 'workflow table',
  codes: { missing: 'WORKFLOW_TABLE_MISSING', denied: 'WORKFLOW_STORE_ACCESS_DENIED', failed: 'WORKFLOW_STORE_FAILED', throttled: 'WORKFLOW_STORE_THROTTLED' },
  hints: {
    missing: 'Pass --table <name> or export WORKFLOW_TABLE with the stack output workflowTableName, in the stack\'s region (--region); on the sandbox, `ops workflow setup` creates it.',
    denied: grantToCallerHint,
  },
  // The name may come from --table: a person's typo is shown clipped.
  shownName: (name) => clipText(name),
});
