/**
 * The trading chain on the sandbox: workflows per second and DynamoDB calls per workflow, with every
 * part real except Lambda itself — moto's EventBridge (PutEvents, rules → SQS), DynamoDB (the workflow
 * table and the durable paper broker), SNS, and the local Lambda runtime (src/sandbox/trading/) running
 * the step Lambdas' own composition. moto answers one request at a time, so workflows/s is moto's pace,
 * not AWS's; the call counts are the code's and carry over to AWS unchanged.
 *
 * Calls are counted on each function's own DynamoDB client (as each Lambda container has one) and on
 * the starter's, split by table: the workflow store (target ≤ 12 per workflow, issue 14; the figure
 * before the claims moved into the workflow item was 23) and the paper broker (the account reads and
 * the one transaction per order that a real broker would answer over its own API instead).
 */
import { createCallCounter } from '../src/aws/call-counter.ts';
import type { AwsClients } from '../src/aws/clients.ts';
import { EventBridgeBus } from '../src/aws/eventbridge-bus.ts';
import { DynamoWorkflowStore } from '../src/aws/workflow-store.ts';
import { createSandboxTrading } from '../src/entry/sandbox/trading-chain.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import { startAtomicMotoServer } from '../src/sandbox/trading/atomic-moto.ts';
import { SandboxTradingNames } from '../src/sandbox/trading/names.ts';
import { currentSessionDate } from '../src/trading/domain/session-date.ts';
import { startWorkflow } from '../src/trading/domain/start-workflow.ts';
import { DEFAULT_STRATEGY } from '../src/trading/domain/strategy.ts';
import { WorkflowState } from '../src/trading/ports/workflow-store.ts';

const REGION = 'us-west-2';
const CHAIN_WORKFLOWS = 10;
export const STORE_CALLS_TARGET = 12;

export interface ChainBenchResult {
  workflows: number;
  completed: number;
  seconds: number;
  perSecond: number;
  storeCallsPerWorkflow: number;
  brokerCallsPerWorkflow: number;
  ordersPerWorkflow: number;
}

/** Counts every DynamoDB call of a client by the table it names (a transaction: its first item's table). */
function countByTable(clients: AwsClients, counts: Map<string, number>): void {
  clients.dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { TableName?: string; TransactItems?: Record<string, { TableName?: string }>[] };
      const first = input.TransactItems?.[0];
      const table = input.TableName ?? (first === undefined ? undefined : Object.values(first)[0]?.TableName) ?? '?';
      counts.set(table, (counts.get(table) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCountByTable' },
  );
}

export async function runWorkflowChainBench(count = CHAIN_WORKFLOWS): Promise<ChainBenchResult> {
  const server = await startAtomicMotoServer({ killOnSignals: true });
  try {
    const clients = createSandboxClients(server.endpoint, REGION);
    const accounts = Array.from({ length: count }, (_, i) => `bench${i}`);
    const trading = await createSandboxTrading({ clients, endpoint: server.endpoint, region: REGION, environment: { PAPER_ACCOUNTS: accounts.join(','), PAPER_CASH: '100000' } });
    const counts = new Map<string, number>();
    for (const functionClients of Object.values(trading.functionClients)) countByTable(functionClients, counts);
    const starter = createSandboxClients(server.endpoint, REGION);
    countByTable(starter, counts);
    const calls = createCallCounter();
    calls.attach(starter.dynamodb);
    const store = new DynamoWorkflowStore({ client: starter.dynamodb, tableName: SandboxTradingNames.workflowTable });
    const bus = new EventBridgeBus({ client: starter.eventbridge, eventBusName: SandboxTradingNames.eventBus });
    const clock = { now: () => new Date() };
    // The paper broker fills at the closes of the clock's session, so the workflows plan on that session too.
    const asOf = currentSessionDate(clock.now()).session;

    const t0 = performance.now();
    const ids = await Promise.all(
      accounts.map(async (accountId, i) => {
        const { correlationId } = await startWorkflow({ store, bus, clock }, { correlationId: `wf-chain-bench-${i}`, params: { accountId, asOf, strategy: DEFAULT_STRATEGY, minTradeNotional: '100' } });
        return correlationId;
      }),
    );
    await trading.runtime.drainUntilIdle();
    const seconds = (performance.now() - t0) / 1_000;

    const before = counts.get(SandboxTradingNames.workflowTable) ?? 0;
    const records = await Promise.all(ids.map((id) => store.get(id)));
    // The reads just made are the bench's, not the workflow's.
    counts.set(SandboxTradingNames.workflowTable, before);
    const completed = records.filter((r) => r?.state === WorkflowState.completed).length;
    const orders = records.reduce((sum, r) => sum + (r?.orders.length ?? 0), 0);
    const result: ChainBenchResult = {
      workflows: count,
      completed,
      seconds,
      perSecond: count / seconds,
      storeCallsPerWorkflow: (counts.get(SandboxTradingNames.workflowTable) ?? 0) / count,
      brokerCallsPerWorkflow: (counts.get(SandboxTradingNames.paperBrokerTable) ?? 0) / count,
      ordersPerWorkflow: orders / count,
    };
    const met = result.storeCallsPerWorkflow <= STORE_CALLS_TARGET ? 'met' : 'NOT met';
    console.log(
      `sandbox chain (EventBridge rules → local Lambda runtime, DynamoDB store and paper broker on moto): ${result.workflows} workflows ` +
        `(${result.completed} completed, ${result.ordersPerWorkflow.toFixed(1)} orders each) in ${result.seconds.toFixed(2)} s: ${result.perSecond.toFixed(2)} workflows/s · ` +
        `workflow store ${result.storeCallsPerWorkflow.toFixed(1)} DynamoDB calls per workflow (target ≤ ${STORE_CALLS_TARGET} ${met}; ` +
        `${(result.storeCallsPerWorkflow - result.ordersPerWorkflow).toFixed(1)} + 1 per order, so a ${STORE_CALLS_TARGET - Math.round(result.storeCallsPerWorkflow - result.ordersPerWorkflow) + 1}-order workflow is over) · ` +
        `paper broker ${result.brokerCallsPerWorkflow.toFixed(1)} more`,
    );
    return result;
  } finally {
    await server.stop();
  }
}
