/**
 * Timing for the local sandbox: moto start-to-ready, scenario seed time, and the time the firer takes
 * to advance 60 virtual minutes (schedules read, targets invoked, run ledger and metrics written) for
 * the 13-schedule incident scenario and for a generated 1,000-schedule scenario. Always stops moto.
 * Run: node --import tsx bench/sandbox.bench.ts
 */
import { pathToFileURL } from 'node:url';
import type { AwsClients } from '../src/aws/clients.ts';
import { createCallCounter, type MiddlewareClient } from '../src/aws/call-counter.ts';
import { DynamoRunLedger } from '../src/aws/run-ledger-store.ts';
import { createFirer, type AdvanceSummary } from '../src/sandbox/firer.ts';
import { resetSandbox, startMotoServer, type MotoServer } from '../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import { generateScenario, loadScenario } from '../src/sandbox/scenario.ts';
import type { Scenario } from '../src/sandbox/scenario-schema.ts';
import { seedScenario } from '../src/sandbox/seed.ts';
import { motoFollowedClock } from '../src/sandbox/moto-clock.ts';

const READY_TARGET_MS = 5_000;
/**
 * Per invocation, everything included: RunTask, the run-ledger writes (about three DynamoDB calls)
 * and the share of reads and metrics. moto answers a call in ~7-10 ms on one core (its Python server
 * is effectively serial), so ~30 ms is what a sandbox can do; the firer's own CPU is a small part.
 */
const PER_INVOCATION_TARGET_MS = 30;

interface ReplayResult {
  seedMs: number;
  advanceMs: number;
  summary: AdvanceSummary;
  calls: number;
  /** CPU this process spent in the advance (the rest of the wall time is moto). */
  cpuMs: number;
}

async function replay(server: MotoServer, scenario: Scenario, start: Date, minutes: number): Promise<ReplayResult> {
  await resetSandbox(server.endpoint);
  const clients = createSandboxClients(server.endpoint, scenario.region);
  // moto follows the replay's clock: CreationDate is `start`, whatever the date today.
  const clock = motoFollowedClock(start, server.clockFile);
  const t0 = performance.now();
  const seed = await seedScenario(scenario, { clients, endpoint: server.endpoint, concurrency: 16 });
  const seedMs = performance.now() - t0;
  const counter = createCallCounter();
  for (const client of sdkClients(clients)) counter.attach(client);
  const firer = createFirer({
    clients,
    clock,
    ledger: new DynamoRunLedger({ client: clients.dynamodb, tableName: scenario.runLedgerTable }),
    account: seed.account,
    region: scenario.region,
  });
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await firer.advance(minutes);
  const cpu = process.cpuUsage(cpu0);
  return { seedMs, advanceMs: performance.now() - t1, summary, calls: counter.total(), cpuMs: (cpu.user + cpu.system) / 1_000 };
}

function sdkClients(clients: AwsClients): MiddlewareClient[] {
  return [clients.scheduler, clients.ecs, clients.iam, clients.lambda, clients.sqs, clients.sns, clients.dynamodb, clients.cloudwatch];
}

function report(label: string, result: ReplayResult): void {
  const s = result.summary;
  const perInvocation = s.invocations > 0 ? result.advanceMs / s.invocations : 0;
  console.log(
    `${label.padEnd(34)} seed ${fmt(result.seedMs)}  advance 60 min ${fmt(result.advanceMs)} ` +
      `(${s.invocations} invocations, ${s.tasksStarted} tasks, ${s.failed} failed, ${result.calls} AWS calls, firer CPU ${fmt(result.cpuMs)}) ` +
      `${perInvocation.toFixed(1)} ms/invocation, target < ${PER_INVOCATION_TARGET_MS} ms ${perInvocation < PER_INVOCATION_TARGET_MS ? 'met' : 'NOT met'}`,
  );
}

function fmt(ms: number): string {
  return ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export async function runSandboxBench(): Promise<void> {
  const t0 = performance.now();
  const server = await startMotoServer({ killOnSignals: true });
  try {
    const readyMs = performance.now() - t0;
    console.log(`moto start-to-ready ${fmt(readyMs)} (target < ${fmt(READY_TARGET_MS)} ${readyMs < READY_TARGET_MS ? 'met' : 'NOT met'}) on ${server.endpoint}`);

    const incident = await loadScenario('incident-2026-01-29');
    report('incident-2026-01-29 (13 schedules)', await replay(server, incident, new Date('2026-01-29T16:36:00Z'), 60));

    const genStart = performance.now();
    const generated = generateScenario({ schedules: 1_000, groups: 10, clusters: 3 });
    console.log(`generateScenario(1000 schedules, 10 groups, 3 clusters) ${fmt(performance.now() - genStart)}`);
    // A Monday market morning, so the market-hours cadences fire too.
    report('generated (1,000 schedules)', await replay(server, generated, new Date('2026-11-23T14:30:00Z'), 60));
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSandboxBench();
}
