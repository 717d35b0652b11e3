/**
 * The DynamoDB workflow store on the sandbox's DynamoDB API: the same contract the memory store
 * passes, table creation being idempotent, and the acceptance race: two terminal transitions sent at
 * once from two clients, exactly one wins, repeatedly.
 *
 * This file runs its own moto, started through src/sandbox/trading/atomic-moto.py: stock moto evaluates a
 * ConditionExpression and writes without a lock, so under concurrent requests two conditional writes
 * to one item can both succeed, which real DynamoDB never allows. The wrapper restores DynamoDB's
 * per-item atomicity; everything else is the sandbox's moto, launcher and adapters unchanged.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWorkflowStore, ensureWorkflowTable } from '../../src/aws/workflow-store.ts';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { completedOutcome, describeWorkflowStoreContract, failedOutcome, PARAMS, uniqueId } from '../unit/trading/workflow-store-contract.ts';
import { startAtomicMoto } from './workflow-sandbox.ts';

const TABLE = 'ops-workflows-contract';
let server: MotoServer;
let store: DynamoWorkflowStore;
const motoEndpoint = () => server.endpoint;

beforeAll(async () => {
  server = await startAtomicMoto();
  const clients = createSandboxClients(server.endpoint, 'us-west-2');
  expect(await ensureWorkflowTable(clients.dynamodb, TABLE)).toEqual({ created: true, ttlUpdated: true });
  store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE });
});

afterAll(async () => {
  await server?.stop();
});

describe('ensureWorkflowTable', () => {
  it('is idempotent on an existing table', async () => {
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    expect(await ensureWorkflowTable(clients.dynamodb, TABLE)).toEqual({ created: false, ttlUpdated: false });
  });
});

describeWorkflowStoreContract('DynamoWorkflowStore on the sandbox', () => store);

describe('two concurrent terminal transitions on DynamoDB', () => {
  it('exactly one wins, every time, and the record shows the winner', async () => {
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    // Two stores on two clients: two Lambdas with nothing in common but the table.
    const a = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: TABLE });
    const b = new DynamoWorkflowStore({ client: createSandboxClients(motoEndpoint(), 'us-west-2').dynamodb, tableName: TABLE });
    for (let round = 0; round < 20; round++) {
      const correlationId = uniqueId('dual');
      const { record } = await a.create({ correlationId, params: PARAMS, startedAt: new Date('2026-11-23T15:00:00Z') });
      const at = new Date('2026-11-23T15:01:00Z');
      const [completed, failed] = await Promise.all([a.finish(correlationId, completedOutcome(record, at), at), b.finish(correlationId, failedOutcome(record, at), at)]);
      expect([completed.won, failed.won].filter(Boolean)).toHaveLength(1);
      const stored = await a.get(correlationId);
      expect(stored?.state).toBe(completed.won ? 'COMPLETED' : 'FAILED');
      expect(stored?.terminalEvent?.type).toBe(completed.won ? 'WorkflowCompleted' : 'WorkflowFailed');
      expect(stored?.failure !== undefined).toBe(failed.won);
    }
  });
});

describe("the portfolio step's plan on DynamoDB", () => {
  it('is written into the workflow item by the same UpdateItem as the step result, and reads back as planned', async () => {
    const correlationId = uniqueId('plan');
    await store.create({ correlationId, params: PARAMS, startedAt: new Date('2026-11-23T15:00:00Z') });
    const plan = {
      orders: [{ clientOrderId: 'ops-x', symbol: 'SPY', side: 'buy' as const, quantity: '0.123456', price: '606.04', notional: '74.82', orderIndex: 0 }],
      skipped: [
        { symbol: 'TLT', side: 'buy' as const, notional: '45', reason: 'TLT is not fractionable and one share costs more' },
        { symbol: 'EFA', side: 'sell' as const, notional: '12.5', reason: 'below the minimum trade size of 100' },
      ],
    };
    const at = new Date('2026-11-23T15:00:05Z');
    for (let delivery = 0; delivery < 2; delivery++) {
      expect(await store.recordStep(correlationId, 'portfolio', { completedAt: at, summary: { orders: 1, skipped: 2 } }, { expectedOrders: 1, plan })).toBe(true);
    }
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    const raw = await DynamoDBDocumentClient.from(clients.dynamodb).send(new GetCommand({ TableName: TABLE, Key: { pk: `WF#${correlationId}`, sk: 'WORKFLOW' }, ConsistentRead: true }));
    expect(raw.Item?.plan).toEqual(plan);
    expect(raw.Item?.steps).toMatchObject({ portfolio: { summary: { orders: 1, skipped: 2 } } });
    const record = await store.get(correlationId);
    expect(record?.plan).toEqual(plan);
    expect(record?.expectedOrders).toBe(1);
  });
});
