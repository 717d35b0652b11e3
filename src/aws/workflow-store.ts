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
 * |                              |                         | outbox (map step → events JSON), claims (map                      |
 * |                              |                         | `<consumer>#<eventId>` → st, token, leaseUntil, outcome?),         |
 * |                              |                         | claimAttempts (map), terminalEvent? (JSON), terminalPublishedAt?, |
 * |                              |                         | expiresAt                                                         |
 *
 * Claims live in the workflow item on purpose: one UpdateItem then checks the workflow's state, claims
 * the event and returns the record, where a claim item of its own would cost a read and a write. With
 * the step's result written in the same UpdateItem as its claim's completion, a step costs two calls.
 * An item holds a handful of claims (one per consumer and event; TradeExecuted has no consumer), far
 * below DynamoDB's 400 KB item limit.
 *
 * A sparse global secondary index `byState` (workflowState, startedAt) lists runs by state, newest
 * first. `expiresAt` (epoch seconds) is the TTL attribute, counted from the run's start.
 *
 * Every state change is one UpdateItem with a condition on `workflowState = RUNNING`, so two Lambdas
 * racing to finish a workflow cannot both win, and nothing is recorded after it finished. Reads that
 * decide (the gate, the claim) are strongly consistent; listing uses the index (eventually consistent),
 * which only the status commands and the sweeper read, and the sweeper's writes are conditional too.
 */
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { clipText } from '../clip-text.ts';
import { FaultError, UserError } from '../errors.ts';
import { parseWorkflowEvent, STEPS, workflowParamsSchema, type Step, type TerminalEvent, type WorkflowEvent } from '../trading/domain/events.ts';
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
  type Delivery,
  type ExecutedOrder,
  type FinishExtra,
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
import { errorMessage, errorName } from '../aws-error.ts';
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
      outbox: {},
      claims: {},
      claimAttempts: {},
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
    const item = await this.getItem(correlationId);
    return item === undefined ? undefined : toRecord(item);
  }

  async recordStep(correlationId: string, step: Step, result: StepResult, extra: StepExtra = {}): Promise<boolean> {
    const withExpected = extra.expectedOrders !== undefined;
    // The plan goes in the same conditional write as the result, replacing any earlier one: a re-run stores one plan.
    const withPlan = extra.plan !== undefined;
    const withOutbox = extra.outbox !== undefined;
    const done = extra.claim !== undefined ? claimDone(extra.claim, ClaimOutcome.succeeded, result.completedAt) : undefined;
    try {
      await this.withItemMaps(correlationId, () =>
        this.send('UpdateItem', () =>
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
              UpdateExpression: `SET #steps.#step = :result, #updatedAt = :now${withExpected ? ', #expected = :expected' : ''}${withPlan ? ', #plan = :plan' : ''}${withOutbox ? ', #outbox.#step = :outbox' : ''}${done ? `, ${done.set}` : ''}`,
              ConditionExpression: '#state = :running',
              ExpressionAttributeNames: {
                '#steps': 'steps',
                '#step': step,
                '#updatedAt': 'updatedAt',
                '#state': 'workflowState',
                ...(withExpected ? { '#expected': 'expectedOrders' } : {}),
                ...(withPlan ? { '#plan': 'plan' } : {}),
                ...(withOutbox ? { '#outbox': 'outbox' } : {}),
                ...done?.names,
              },
              ExpressionAttributeValues: {
                ':result': { completedAt: result.completedAt.getTime(), summary: result.summary },
                ':now': result.completedAt.getTime(),
                ':running': WorkflowState.running,
                ...(withExpected ? { ':expected': extra.expectedOrders } : {}),
                ...(extra.plan !== undefined ? { ':plan': { orders: extra.plan.orders, skipped: extra.plan.skipped } } : {}),
                ...(extra.outbox !== undefined ? { ':outbox': JSON.stringify(extra.outbox) } : {}),
                ...done?.values,
              },
            }),
          ),
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
      const response = await this.withItemMaps(correlationId, () =>
        this.send('UpdateItem', () =>
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
      const response = await this.withItemMaps(correlationId, () =>
        this.send('UpdateItem', () =>
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
        ),
      );
      return tallyOf(toRecord(response.Attributes ?? {}), true);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const record = await this.get(correlationId);
    return tallyOf(record, record?.state === WorkflowState.running);
  }

  async finish(correlationId: string, outcome: TerminalOutcome, at: Date, extra: FinishExtra = {}): Promise<FinishResult> {
    const failed = outcome.state === WorkflowState.failed;
    const step = extra.result;
    const done = extra.claim !== undefined ? claimDone(extra.claim, ClaimOutcome.succeeded, at) : undefined;
    try {
      const response = await this.withItemMaps(correlationId, () =>
        this.send('UpdateItem', () =>
          this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
              UpdateExpression: `SET #state = :to, #finishedAt = :at, #updatedAt = :at, #terminal = :event${failed ? ', #failure = :failure' : ''}${step ? ', #steps.#step = :result' : ''}${done ? `, ${done.set}` : ''}`,
              ConditionExpression: '#state = :running',
              ExpressionAttributeNames: {
                '#state': 'workflowState',
                '#finishedAt': 'finishedAt',
                '#updatedAt': 'updatedAt',
                '#terminal': 'terminalEvent',
                ...(failed ? { '#failure': 'failure' } : {}),
                ...(step ? { '#steps': 'steps', '#step': step.step } : {}),
                ...done?.names,
              },
              ExpressionAttributeValues: {
                ':to': outcome.state,
                ':at': at.getTime(),
                ':event': JSON.stringify(outcome.event),
                ':running': WorkflowState.running,
                ...(failed ? { ':failure': outcome.failure } : {}),
                ...(step ? { ':result': { completedAt: step.result.completedAt.getTime(), summary: step.result.summary } } : {}),
                ...done?.values,
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
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

  async claimDelivery(key: ClaimKey, at: Date, leaseMs: number, requiredState?: WorkflowState): Promise<ClaimResult> {
    const k = claimMapKey(key);
    // A claim that needs a finished workflow is the terminal event's delivery: it proves publication.
    const delivered = requiredState !== undefined && requiredState !== WorkflowState.running;
    // A release can remove the claim between our failed condition and our read; then claim again.
    for (let round = 0; round < 3; round++) {
      const token = this.newToken();
      try {
        const response = await this.withItemMaps(key.correlationId, () =>
          this.send('UpdateItem', () =>
            this.doc.send(
              new UpdateCommand({
                TableName: this.tableName,
                Key: { pk: workflowPk(key.correlationId), sk: WORKFLOW_SK },
                UpdateExpression: `SET #claims.#k = :claim, #attempts.#k = if_not_exists(#attempts.#k, :zero) + :one${delivered ? ', #published = if_not_exists(#published, :now)' : ''}`,
                ConditionExpression: `attribute_exists(#pk)${requiredState !== undefined ? ' AND #state = :required' : ''} AND (attribute_not_exists(#claims.#k) OR (#claims.#k.#st = :claimed AND #claims.#k.#lease < :now))`,
                ExpressionAttributeNames: {
                  '#pk': 'pk',
                  '#claims': 'claims',
                  '#attempts': 'claimAttempts',
                  '#k': k,
                  '#st': 'st',
                  '#lease': 'leaseUntil',
                  ...(requiredState !== undefined ? { '#state': 'workflowState' } : {}),
                  ...(delivered ? { '#published': 'terminalPublishedAt' } : {}),
                },
                ExpressionAttributeValues: {
                  ':claim': { st: 'claimed', token, leaseUntil: at.getTime() + leaseMs, claimedAt: at.getTime() },
                  ':claimed': 'claimed',
                  ':now': at.getTime(),
                  ':zero': 0,
                  ':one': 1,
                  ...(requiredState !== undefined ? { ':required': requiredState } : {}),
                },
                ReturnValues: 'ALL_NEW',
              }),
            ),
          ),
        );
        const attributes = response.Attributes ?? {};
        const attempts: unknown = (attributes.claimAttempts as Record<string, unknown> | undefined)?.[k];
        return { status: 'claimed', claim: { ...key, token }, attempt: typeof attempts === 'number' ? attempts : 1, record: toRecord(attributes) };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      // The losing path only: read what stopped us (a finished workflow, a done or live claim).
      const item = await this.getItem(key.correlationId);
      if (item === undefined) return { status: 'unknown' };
      const record = toRecord(item);
      if (requiredState !== undefined && record.state !== requiredState) return { status: 'state', record };
      const claim = storedClaimSchema.safeParse((item.claims as Record<string, unknown> | undefined)?.[k]);
      if (!claim.success) continue;
      if (claim.data.st === 'done') return { status: 'done', outcome: parseOutcome(claim.data.outcome), record };
      if (claim.data.leaseUntil >= at.getTime()) return { status: 'held', leaseUntil: new Date(claim.data.leaseUntil), record };
    }
    throw new FaultError('WORKFLOW_STORE_FAILED', `Could not claim event ${key.eventId} for ${key.consumer}: the claim kept changing.`);
  }

  async completeClaim(claim: HeldClaim, outcome: ClaimOutcome, at: Date): Promise<void> {
    const done = claimDone(claim, outcome, at);
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(claim.correlationId), sk: WORKFLOW_SK },
            UpdateExpression: `SET ${done.set}`,
            ConditionExpression: '#claims.#k.#token = :token',
            ExpressionAttributeNames: { ...done.names, '#token': 'token' },
            ExpressionAttributeValues: { ...done.values, ':token': claim.token },
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
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(claim.correlationId), sk: WORKFLOW_SK },
            UpdateExpression: 'REMOVE #claims.#k, #attempts.#k',
            ConditionExpression: '#claims.#k.#token = :token',
            ExpressionAttributeNames: { '#claims': 'claims', '#attempts': 'claimAttempts', '#k': claimMapKey(claim), '#token': 'token' },
            ExpressionAttributeValues: { ':token': claim.token },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Runs a write that sets or removes a path inside the claims, claimAttempts, outbox or openOrders
   * maps. An item written before those maps existed rejects such a path (ValidationException); it gets
   * the empty maps once and the write is tried again.
   */
  private async withItemMaps<T>(correlationId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isMissingDocumentPath(error)) throw error;
    }
    try {
      await this.send('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK },
            UpdateExpression:
              'SET #claims = if_not_exists(#claims, :empty), #attempts = if_not_exists(#attempts, :empty), #outbox = if_not_exists(#outbox, :empty), #open = if_not_exists(#open, :empty)',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk', '#claims': 'claims', '#attempts': 'claimAttempts', '#outbox': 'outbox', '#open': 'openOrders' },
            ExpressionAttributeValues: { ':empty': {} },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return write();
  }

  private async getItem(correlationId: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.send('GetItem', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: workflowPk(correlationId), sk: WORKFLOW_SK }, ConsistentRead: true })),
    );
    return response.Item;
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

/** The claim's key inside the workflow item's `claims` map. */
function claimMapKey(key: Pick<ClaimKey, 'consumer' | 'eventId'>): string {
  return `${key.consumer}#${key.eventId}`;
}

/** The SET clause (with its names and values) that completes a claim, for any write to the item. */
function claimDone(claim: HeldClaim, outcome: ClaimOutcome, at: Date): { set: string; names: Record<string, string>; values: Record<string, unknown> } {
  return {
    set: '#claims.#k.#st = :done, #claims.#k.#outcome = :outcome, #claims.#k.#doneAt = :doneAt',
    names: { '#claims': 'claims', '#k': claimMapKey(claim), '#st': 'st', '#outcome': 'outcome', '#doneAt': 'doneAt' },
    values: { ':done': 'done', ':outcome': outcome, ':doneAt': at.getTime() },
  };
}

function isMissingDocumentPath(error: unknown): boolean {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return errorName(cause) === 'ValidationException' && /document path/i.test(errorMessage(cause));
}

function tallyOf(record: WorkflowRecord | undefined, accepted: boolean): OrderTally {
  return { accepted, executed: record?.orders.length ?? 0, open: record?.openOrders.length ?? 0, expected: record?.expectedOrders, orders: record?.orders ?? [] };
}

function parseOutcome(value: unknown): ClaimOutcome {
  return value === ClaimOutcome.failed || value === ClaimOutcome.skipped ? value : ClaimOutcome.succeeded;
}

const storedClaimSchema = z.object({ st: z.enum(['claimed', 'done']), leaseUntil: z.number(), outcome: z.string().optional() });

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
  outbox: z.record(z.string(), z.string()).default({}),
  claims: z.record(z.string(), storedClaimSchema).default({}),
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
    outbox: readOutbox(i.correlationId, i.outbox),
    deliveries: Object.entries(i.claims).map(([k, claim]): Delivery => {
      const cut = k.indexOf('#');
      return { consumer: k.slice(0, cut), eventId: k.slice(cut + 1), status: claim.st, ...(claim.st === 'done' ? { outcome: parseOutcome(claim.outcome) } : {}) };
    }),
    expiresAt: new Date(i.expiresAt * 1000),
  };
}

function readOutbox(correlationId: string, stored: Record<string, string>): WorkflowRecord['outbox'] {
  const outbox: WorkflowRecord['outbox'] = {};
  for (const [step, json] of Object.entries(stored)) {
    if (!(STEPS as readonly string[]).includes(step)) continue;
    const events = JSON.parse(json) as unknown;
    if (!Array.isArray(events)) throw new FaultError('WORKFLOW_STORE_CORRUPT_ITEM', `Workflow ${correlationId}: the ${step} outbox is not a list of events.`);
    outbox[step as Step] = events.map((event: unknown, i): WorkflowEvent => parseWorkflowEvent(event, `${step} outbox event ${i} of ${correlationId}`));
  }
  return outbox;
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
