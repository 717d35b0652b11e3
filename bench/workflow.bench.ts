/**
 * Trading workflow throughput and latency: workflows per second and p50/p99 end-to-end latency
 * (startWorkflow → its terminal event seen on the bus), first with everything in memory, then with the
 * DynamoDB workflow store on the sandbox (moto on 127.0.0.1; always stopped). Each workflow trades its
 * own paper account: a momentum top-3 rebalance on the fixture data, 3–5 orders.
 *
 * The bus is in memory in both runs: the figures measure the workflow (gate, claims, conditional
 * writes, steps), not EventBridge. Against the sandbox every store call is an HTTP round trip to moto,
 * whose Python server answers one request at a time, so those numbers are a floor for the code and
 * a ceiling for moto, not a forecast for DynamoDB.
 * The workflows pin their "as of" inside the fixture CSVs' range (2026-06-03..2026-11-20), so the
 * figures do not move with the wall clock. First, the synthetic market data's cost: a cold history()
 * (a fresh source, 8 symbols × 64 closes) in a few years across its 2000–2099 range.
 * Run: node --import tsx bench/workflow.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { createCallCounter } from '../src/aws/call-counter.ts';
import { DynamoWorkflowStore, ensureWorkflowTable } from '../src/aws/workflow-store.ts';
import { startMotoServer } from '../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import type { Broker } from '../src/trading/ports/broker.ts';
import { FixtureMarketData } from '../src/trading/adapters/fixture-market-data.ts';
import { quotesAsOf } from '../src/entry/wiring/local-workflow.ts';
import { InMemoryEventBus } from '../src/trading/adapters/memory-bus.ts';
import { MemoryWorkflowStore } from '../src/trading/adapters/memory-workflow-store.ts';
import { MemoryNotifier } from '../src/trading/ports/notifier.ts';
import { PaperBroker } from '../src/trading/adapters/paper-broker.ts';
import { startWorkflow } from '../src/trading/domain/start-workflow.ts';
import { DEFAULT_STRATEGY } from '../src/trading/domain/strategy.ts';
import { SyntheticMarketData } from '../src/trading/adapters/synthetic-market-data.ts';
import { watchTerminalEvents } from '../src/trading/adapters/terminal-watcher.ts';
import { silentLogger } from '../src/trading/ports/workflow-logger.ts';
import { subscribeWorkflow } from '../src/trading/domain/workflow-app.ts';
import { runWorkflowChainBench, type ChainBenchResult } from './workflow-chain.bench.ts';
import type { WorkflowStore } from '../src/trading/ports/workflow-store.ts';

const ASOF = '2026-11-20';
const MEMORY_WORKFLOWS = 2_000;
const MEMORY_CONCURRENCY = 50;
const DYNAMO_WORKFLOWS = 60;
const DYNAMO_CONCURRENCY = 4;
const UNLOADED_WORKFLOWS = 300;
/** One workflow alone, in memory: the machinery's own cost (4 deliveries, ~10 events, no I/O). */
const UNLOADED_P99_TARGET_MS = 20;

export interface WorkflowBenchResult {
  workflows: number;
  completed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function runWorkflows(store: WorkflowStore, count: number, concurrency: number, label: string): Promise<WorkflowBenchResult> {
  const marketData = new FixtureMarketData();
  const quotes = await quotesAsOf(marketData, await marketData.symbols(), ASOF);
  const accounts = new Map<string, Broker>();
  const brokers = (accountId: string): Broker => {
    let broker = accounts.get(accountId);
    if (broker === undefined) {
      broker = new PaperBroker({ cash: '100000', positions: { TLT: '200' }, quote: (s) => quotes.get(s), nonFractionable: ['GLD', 'TLT'] });
      accounts.set(accountId, broker);
    }
    return broker;
  };
  const bus = new InMemoryEventBus({ historyLimit: 1_000 });
  const clock = { now: () => new Date() };
  subscribeWorkflow(bus, () => ({ store, bus, clock, logger: silentLogger, marketData, brokers, notifier: new MemoryNotifier() }));
  const watcher = watchTerminalEvents(bus);
  const latencies: number[] = [];
  let completed = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const started = performance.now();
      const { correlationId } = await startWorkflow(
        { store, bus, clock },
        { correlationId: `wf-bench-${label}-${i}`, params: { accountId: `acct-${i}`, asOf: ASOF, strategy: DEFAULT_STRATEGY, minTradeNotional: '100' } },
      );
      const terminal = await watcher.wait(correlationId);
      latencies.push(performance.now() - started);
      if (terminal.type === 'WorkflowCompleted') completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await bus.idle();
  const seconds = (performance.now() - t0) / 1_000;
  watcher.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { workflows: count, completed, seconds, perSecond: count / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

/** Across the synthetic range: a bar in 2099 must cost no more than one in 2026. */
const SYNTHETIC_DATES = ['2026-12-04', '2000-06-30', '2050-06-15', '2099-12-31'] as const;
/** The budget for one cold history() of the strategy's 64 closes × 8 symbols. */
const SYNTHETIC_COLD_TARGET_MS = 50;

export interface SyntheticBenchResult {
  firstInProcessMs: number;
  coldMs: Record<string, number>;
  warmMs: number;
}

/** A fresh SyntheticMarketData per measurement: every year it touches is computed from scratch. */
export async function runSyntheticMarketDataBench(): Promise<SyntheticBenchResult> {
  const cold = async (asOf: string) => {
    const data = new SyntheticMarketData();
    const t0 = performance.now();
    await data.history(await data.symbols(), asOf, 64);
    return performance.now() - t0;
  };
  const firstInProcessMs = await cold('2026-12-04');
  const coldMs: Record<string, number> = {};
  for (const asOf of SYNTHETIC_DATES) {
    const runs: number[] = [];
    for (let i = 0; i < 10; i++) runs.push(await cold(asOf));
    runs.sort((a, b) => a - b);
    coldMs[asOf] = runs[Math.floor(runs.length / 2)] ?? 0;
  }
  const warm = new SyntheticMarketData();
  await warm.history(await warm.symbols(), '2026-12-04', 64);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) await warm.history(await warm.symbols(), '2026-12-04', 64);
  const warmMs = (performance.now() - t0) / 100;
  const worst = Math.max(firstInProcessMs, ...Object.values(coldMs));
  console.log(
    `synthetic market data, history() of 8 symbols × 64 closes: first in process ${firstInProcessMs.toFixed(1)} ms · cold p50 ` +
      `${Object.entries(coldMs).map(([d, ms]) => `${d} ${ms.toFixed(1)} ms`).join(', ')} · warm ${warmMs.toFixed(2)} ms ` +
      `(target cold < ${SYNTHETIC_COLD_TARGET_MS} ms ${worst < SYNTHETIC_COLD_TARGET_MS ? 'met' : 'NOT met'})`,
  );
  return { firstInProcessMs, coldMs, warmMs };
}

function report(label: string, r: WorkflowBenchResult, extra = ''): void {
  console.log(
    `${label.padEnd(34)} ${r.workflows} workflows (${r.completed} completed) in ${r.seconds.toFixed(2)} s: ` +
      `${r.perSecond.toFixed(1)} workflows/s · latency p50 ${r.p50Ms.toFixed(1)} ms · p99 ${r.p99Ms.toFixed(1)} ms${extra}`,
  );
}

export async function runWorkflowBench(): Promise<{ synthetic: SyntheticBenchResult; unloaded: WorkflowBenchResult; memory: WorkflowBenchResult; dynamo: WorkflowBenchResult; chain: ChainBenchResult }> {
  const synthetic = await runSyntheticMarketDataBench();
  // A short warm-up so module loading and JIT do not land in the first workflows' latency.
  await runWorkflows(new MemoryWorkflowStore(), 50, 10, 'warmup');
  const unloaded = await runWorkflows(new MemoryWorkflowStore(), UNLOADED_WORKFLOWS, 1, 'unloaded');
  report('in memory, one at a time', unloaded, ` (target p99 < ${UNLOADED_P99_TARGET_MS} ms ${unloaded.p99Ms < UNLOADED_P99_TARGET_MS ? 'met' : 'NOT met'})`);
  // With many in flight, latency is mostly queueing behind the others (Little's law): throughput is the figure.
  const memory = await runWorkflows(new MemoryWorkflowStore(), MEMORY_WORKFLOWS, MEMORY_CONCURRENCY, 'memory');
  report(`in memory (${MEMORY_CONCURRENCY} in flight)`, memory);

  const server = await startMotoServer({ killOnSignals: true });
  try {
    const clients = createSandboxClients(server.endpoint);
    await ensureWorkflowTable(clients.dynamodb, 'ops-workflows-bench');
    const counter = createCallCounter();
    counter.attach(clients.dynamodb);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: 'ops-workflows-bench' });
    const dynamo = await runWorkflows(store, DYNAMO_WORKFLOWS, DYNAMO_CONCURRENCY, 'dynamo');
    const perWorkflow = counter.total() / DYNAMO_WORKFLOWS;
    report(`DynamoDB store on moto (${DYNAMO_CONCURRENCY} in flight)`, dynamo, ` · ${perWorkflow.toFixed(1)} DynamoDB calls per workflow`);
    const chain = await runWorkflowChainBench();
    return { synthetic, unloaded, memory, dynamo, chain };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWorkflowBench();
}
