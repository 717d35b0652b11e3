/**
 * `ops check-schedulers` efficiency on the sandbox: for generated fleets of 13, 100 and 1,000
 * schedules in 10 groups over 3 clusters, the wall time and AWS calls by operation of the real check,
 * next to a naive baseline in the same process (one GetSchedule + one DescribeClusters + one ListTasks
 * per schedule, sequentially, like the incident's shell scripts). At 1,000 schedules also a "second
 * process": new clients and a new in-memory cache (a cold Lambda, a CLI run) over the DynamoDB
 * schedule-definition table a first process filled. Always stops moto.
 * Run: node --import tsx bench/check.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { DescribeClustersCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetScheduleCommand, ListSchedulesCommand, type ScheduleSummary } from '@aws-sdk/client-scheduler';
import { createCallCounter, type CallCounter, type MiddlewareClient } from '../src/aws/call-counter.ts';
import { countedClients, createCheckPorts } from '../src/entry/wiring/check-ports.ts';
import type { AwsClients } from '../src/aws/clients.ts';
import { CHECK_DEFAULTS, runCheck } from '../src/checks/run-check.ts';
import { startedByFor } from '../src/ledger/index.ts';
import { nyse } from '../src/market/index.ts';
import { resetSandbox, startMotoServer, type MotoServer } from '../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import { generateScenario } from '../src/sandbox/scenario.ts';
import { seedScenario } from '../src/sandbox/seed.ts';
import { motoClockMirror } from '../src/sandbox/moto-clock.ts';
import { ensureRunLedgerTable, DynamoRunLedger } from '../src/aws/run-ledger-store.ts';
import { createScheduleDefinitionCache, type ScheduleDefinitionCache } from '../src/aws/scheduler-reader.ts';
import { ensureScheduleDefinitionTable } from '../src/aws/schedule-definition-store.ts';

const SIZES = [13, 100, 1_000] as const;
const NOW = new Date('2026-11-23T15:00:00Z');
const SPEEDUP_TARGET = 5;
/** Issue 15: a cold process over a warm definition table, at 1,000 schedules. */
const SECOND_PROCESS_CALL_TARGET = 80;
const SECOND_PROCESS_FEWER_CALLS_TARGET = 10;
const DEFINITION_TABLE = 'ops-schedule-definitions-bench';
/** A typical in-region round trip to an AWS API; moto answers in well under a millisecond of network time. */
const AWS_LATENCY_MS = 20;

/** Adds a fixed network delay to every HTTP attempt, so concurrency shows as it would against AWS. */
function addLatency(clients: AwsClients, ms: number): void {
  for (const client of countedClients(clients) as unknown as { middlewareStack: { add: (mw: unknown, opts: unknown) => void } }[]) {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'benchLatency' },
    );
  }
}

interface Measured {
  ms: number;
  calls: Record<string, number>;
  total: number;
}

function counting(clients: AwsClients): CallCounter {
  const counter = createCallCounter();
  for (const client of countedClients(clients)) counter.attach(client as unknown as MiddlewareClient);
  return counter;
}

async function optimized(clients: AwsClients, ledgerTable: string, definitionCache: ScheduleDefinitionCache, definitionTable?: string): Promise<Measured & { clusters: number }> {
  const counter = counting(clients);
  const t0 = performance.now();
  const table = definitionTable !== undefined ? { definitionTable, clock: () => NOW, warn: (message: string) => console.error(`  warning: ${message}`) } : {};
  const { snapshot } = await runCheck(createCheckPorts(clients, { concurrency: CHECK_DEFAULTS.concurrency, ledgerTable, definitionCache, ...table }), {
    filter: {},
    now: NOW,
    region: clients.config.region,
    concurrency: CHECK_DEFAULTS.concurrency,
    metricsWindowMinutes: CHECK_DEFAULTS.metricsWindowMinutes,
    ecsRetentionMinutes: CHECK_DEFAULTS.ecsRetentionMinutes,
    calendar: nyse,
    graceMinutes: CHECK_DEFAULTS.graceMinutes,
    marketCriticalPatterns: [],
    failOn: 'warning',
  });
  return { ms: performance.now() - t0, calls: counter.counts(), total: counter.total(), clusters: snapshot.clusters.size };
}

/** What the incident's scripts did: everything per schedule, one call at a time. */
async function naive(clients: AwsClients): Promise<Measured> {
  const counter = counting(clients);
  const t0 = performance.now();
  const listed: ScheduleSummary[] = [];
  let token: string | undefined;
  do {
    const page = await clients.scheduler.send(new ListSchedulesCommand({ NextToken: token }));
    listed.push(...(page.Schedules ?? []));
    token = page.NextToken;
  } while (token);
  for (const summary of listed) {
    const schedule = await clients.scheduler.send(new GetScheduleCommand({ GroupName: summary.GroupName, Name: summary.Name }));
    const cluster = schedule.Target?.Arn ?? '';
    await clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    await clients.ecs.send(new ListTasksCommand({ cluster, startedBy: startedByFor(summary.Name ?? '') }));
  }
  return { ms: performance.now() - t0, calls: counter.counts(), total: counter.total() };
}

const fmtCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op}=${n}`)
    .join(' ');

export async function runCheckBench(): Promise<void> {
  let server: MotoServer | undefined;
  try {
    server = await startMotoServer();
    console.log(`check-schedulers vs naive baseline (moto on ${server.endpoint}; 10 groups, 3 clusters)`);
    console.log('moto spends ~6-8 ms of CPU per call and serves them one at a time, so on the sandbox wall time follows the call count;');
    console.log('against AWS the check\'s 16 concurrent GetSchedule calls overlap, the baseline\'s sequential calls do not.');
    for (const size of SIZES) {
      await resetSandbox(server.endpoint);
      const scenario = generateScenario({ schedules: size, groups: 10, clusters: 3 });
      const clients = createSandboxClients(server.endpoint, scenario.region);
      // Seeded an hour before NOW on moto's clock, so the check sees the schedules as they would be then, on any date.
      motoClockMirror(server.clockFile)(new Date(NOW.getTime() - 3_600_000));
      await seedScenario(scenario, { clients, endpoint: server.endpoint, concurrency: 16 });
      await ensureRunLedgerTable(clients.dynamodb, scenario.runLedgerTable);
      await new DynamoRunLedger({ client: clients.dynamodb, tableName: scenario.runLedgerTable }).markCoverage(new Date(NOW.getTime() - 3_600_000));

      // Cold: a first check (the CLI, a fresh Lambda). Warm: the next healthcheck in the same Lambda
      // container, which re-reads only schedules whose LastModificationDate moved.
      const cache = createScheduleDefinitionCache();
      const fast = await optimized(clients, scenario.runLedgerTable, cache);
      const warm = await optimized(clients, scenario.runLedgerTable, cache);
      const slow = await naive(clients);
      let latency: { fast: Measured; slow: Measured } | undefined;
      let processes: { first: Measured; second: Measured } | undefined;
      if (size === 1_000) {
        // Each process: its own clients (no shared connection or SDK state) and its own empty memory cache.
        await ensureScheduleDefinitionTable(clients.dynamodb, DEFINITION_TABLE);
        const endpoint = server.endpoint;
        const processClients = () => createSandboxClients(endpoint, scenario.region);
        const first = await optimized(processClients(), scenario.runLedgerTable, createScheduleDefinitionCache(), DEFINITION_TABLE);
        const second = await optimized(processClients(), scenario.runLedgerTable, createScheduleDefinitionCache(), DEFINITION_TABLE);
        processes = { first, second };
        const slowClients = createSandboxClients(server.endpoint, scenario.region);
        addLatency(slowClients, AWS_LATENCY_MS);
        latency = { fast: await optimized(slowClients, scenario.runLedgerTable, createScheduleDefinitionCache()), slow: await naive(slowClients) };
      }
      const describeTarget = Math.ceil(fast.clusters / 100);
      const describeCalls = fast.calls['ECS.DescribeClusters'] ?? 0;
      const metricCalls = fast.calls['CloudWatch.GetMetricData'] ?? 0;
      const speedup = slow.ms / fast.ms;
      const warmSpeedup = slow.ms / warm.ms;
      console.log(`\n${size} schedules`);
      console.log(`  check:    ${fast.ms.toFixed(0).padStart(7)} ms  ${String(fast.total).padStart(5)} calls  ${fmtCalls(fast.calls)}`);
      console.log(`  warm:     ${warm.ms.toFixed(0).padStart(7)} ms  ${String(warm.total).padStart(5)} calls  ${fmtCalls(warm.calls)}`);
      console.log(`  baseline: ${slow.ms.toFixed(0).padStart(7)} ms  ${String(slow.total).padStart(5)} calls  ${fmtCalls(slow.calls)}`);
      console.log(
        `  speedup cold ${speedup.toFixed(1)}x, warm ${warmSpeedup.toFixed(1)}x · calls ${(slow.total / fast.total).toFixed(1)}x fewer · DescribeClusters ${describeCalls} (target ⌈${fast.clusters}/100⌉ = ${describeTarget}: ${describeCalls === describeTarget ? 'met' : 'NOT met'})` +
          ` · GetMetricData ${metricCalls} (independent of schedules)` +
          (size === 1_000
            ? ` · target ≥ ${SPEEDUP_TARGET}x at 1,000: cold ${speedup >= SPEEDUP_TARGET ? 'met' : 'NOT met'}, warm ${warmSpeedup >= SPEEDUP_TARGET ? 'met' : 'NOT met'}`
            : ''),
      );
      if (processes) {
        const { first, second } = processes;
        const fewer = slow.total / second.total;
        console.log(`  first process (cold process, cold table):  ${first.ms.toFixed(0).padStart(7)} ms  ${String(first.total).padStart(5)} calls  ${fmtCalls(first.calls)}`);
        console.log(`  second process (cold process, warm table): ${second.ms.toFixed(0).padStart(7)} ms  ${String(second.total).padStart(5)} calls  ${fmtCalls(second.calls)}`);
        console.log(
          `  second process (cold process, warm table): ${second.total} calls (target ≤ ${SECOND_PROCESS_CALL_TARGET}: ${second.total <= SECOND_PROCESS_CALL_TARGET ? 'met' : 'NOT met'})` +
            ` · wall ${second.ms.toFixed(0)} ms vs baseline ${slow.ms.toFixed(0)} ms (${(slow.ms / second.ms).toFixed(1)}x), cold ${fast.ms.toFixed(0)} ms, warm ${warm.ms.toFixed(0)} ms`,
        );
        console.log(
          `  calls ${fewer.toFixed(1)}x fewer than the naive baseline (${second.total} vs ${slow.total}; target ≥ ${SECOND_PROCESS_FEWER_CALLS_TARGET}x: ${fewer >= SECOND_PROCESS_FEWER_CALLS_TARGET ? 'met' : 'NOT met'})`,
        );
      }
      if (latency) {
        const ratio = latency.slow.ms / latency.fast.ms;
        console.log(
          `  with ${AWS_LATENCY_MS} ms per call added (AWS-like latency), cold: check ${latency.fast.ms.toFixed(0)} ms vs baseline ${latency.slow.ms.toFixed(0)} ms` +
            ` → ${ratio.toFixed(1)}x (target ≥ ${SPEEDUP_TARGET}x: ${ratio >= SPEEDUP_TARGET ? 'met' : 'NOT met'})`,
        );
      }
    }
  } finally {
    await server?.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCheckBench();
}
