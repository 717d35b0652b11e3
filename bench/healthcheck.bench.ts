/**
 * The healthcheck Lambda's cost: its bundle size (target < 1 MiB), its cold import time (a fresh
 * `node` process importing the bundle, several times, median), and one cold-vs-warm runHealthcheck on
 * the sandbox for the incident (AWS calls and wall time; warm reuses the module-scope definition
 * cache, as a warm Lambda does). Always stops moto.
 * Run: node --import tsx bench/healthcheck.bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { LAMBDAS, lambdaBuildOptions } from '../scripts/build-lambda.mjs';
import { DynamoAlertStateStore, ensureAlertStateTable } from '../src/aws/alert-state-store.ts';
import { createScheduleDefinitionCache } from '../src/aws/scheduler-reader.ts';
import { countCalls, createHealthcheckDeps } from '../src/entry/wiring/healthcheck-aws.ts';
import { recordingSink, silentLog } from '../src/healthcheck/ports.ts';
import { HEALTHCHECK_DEFAULTS, runHealthcheck } from '../src/healthcheck/run-healthcheck.ts';
import { nyse } from '../src/market/index.ts';
import { DynamoRunLedger } from '../src/aws/run-ledger-store.ts';
import { createFirer } from '../src/sandbox/firer.ts';
import { startMotoServer, type MotoServer } from '../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import { loadScenario } from '../src/sandbox/scenario.ts';
import { seedScenario } from '../src/sandbox/seed.ts';
import { motoFollowedClock } from '../src/sandbox/moto-clock.ts';

const MAX_BUNDLE_BYTES = 1024 * 1024;
const IMPORT_RUNS = 7;
const START = new Date('2026-11-23T14:30:00Z');
const AT = new Date('2026-11-23T14:35:00Z');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One fresh process: ms to import the bundle (module init included), and the process's whole wall time. */
function coldImport(file: string): Promise<{ importMs: number; processMs: number }> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:ops-alerts',
        ALERT_STATE_TABLE: 'ops-alert-state',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`import failed (exit ${code}): ${err.slice(0, 500)}`));
      else resolve({ importMs: Number(out), processMs: performance.now() - started });
    });
  });
}

async function bundleFigures(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ops-healthcheck-bench-'));
  try {
    const file = join(dir, 'healthcheck', 'index.mjs');
    const t0 = performance.now();
    await build({ ...lambdaBuildOptions(LAMBDAS.healthcheck, file), logLevel: 'silent' });
    const buildMs = performance.now() - t0;
    const bytes = (await stat(file)).size;
    console.log(`bundle: ${bytes.toLocaleString('en-US')} bytes (${(bytes / 1024).toFixed(0)} KiB) in ${buildMs.toFixed(0)} ms · target < 1 MiB: ${bytes < MAX_BUNDLE_BYTES ? 'met' : 'NOT met'}`);
    const runs: { importMs: number; processMs: number }[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) runs.push(await coldImport(file));
    console.log(
      `cold import (fresh node, module init included), median of ${IMPORT_RUNS}: ${median(runs.map((r) => r.importMs)).toFixed(0)} ms` +
        ` · whole process ${median(runs.map((r) => r.processMs)).toFixed(0)} ms · each: ${runs.map((r) => r.importMs.toFixed(0)).join(', ')} ms`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function sandboxFigures(): Promise<void> {
  let server: MotoServer | undefined;
  try {
    server = await startMotoServer();
    const scenario = await loadScenario('incident-2026-01-29');
    const clients = createSandboxClients(server.endpoint, scenario.region);
    // moto follows the replay's clock, so what it stamps agrees with START whatever the date today.
    const clock = motoFollowedClock(START, server.clockFile);
    const seed = await seedScenario(scenario, { clients, endpoint: server.endpoint });
    await ensureAlertStateTable(clients.dynamodb, 'ops-alert-state');
    const ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: scenario.runLedgerTable });
    await createFirer({ clients, clock, ledger, account: seed.account, region: scenario.region }).advanceTo(AT);

    const counter = countCalls(clients);
    const definitionCache = createScheduleDefinitionCache();
    const deps = createHealthcheckDeps(clients, {
      metrics: recordingSink(),
      log: silentLog,
      counter,
      definitionCache,
      ledgerTable: scenario.runLedgerTable,
      alerts: { store: new DynamoAlertStateStore({ client: clients.dynamodb, tableName: 'ops-alert-state', key: 'bench' }), topicArn: seed.topics['ops-pipeline-alerts']!.arn },
    });
    const once = async (label: string, at: Date) => {
      counter.reset();
      const t0 = performance.now();
      const result = await runHealthcheck(deps, {
        runId: `bench-${label}`,
        now: at,
        region: scenario.region,
        calendar: nyse,
        marketCriticalPatterns: [],
        notify: true,
        alert: { minSeverity: HEALTHCHECK_DEFAULTS.alertMinSeverity, reminderHours: HEALTHCHECK_DEFAULTS.reminderHours },
        autoFix: false,
        maxChanges: HEALTHCHECK_DEFAULTS.maxChanges,
      });
      const ms = performance.now() - t0;
      const calls = counter.counts();
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      const ops = Object.entries(calls)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      console.log(`  ${label.padEnd(5)} ${ms.toFixed(0).padStart(5)} ms  ${String(total).padStart(3)} calls  (alert ${result.alert.status === 'decided' && result.alert.sent ? 'sent' : 'not sent'})  ${ops}`);
      return { calls, total };
    };
    console.log(`\nrunHealthcheck on the incident (13 schedules), moto on ${server.endpoint}:`);
    const cold = await once('cold', AT);
    const warm = await once('warm', new Date(AT.getTime() + 5 * 60_000));
    console.log(`  warm skips ${(cold.calls['Scheduler.GetSchedule'] ?? 0) - (warm.calls['Scheduler.GetSchedule'] ?? 0)} GetSchedule calls (unchanged LastModificationDate) · ${cold.total - warm.total} calls fewer in all`);
  } finally {
    await server?.stop();
  }
}

export async function runHealthcheckBench(): Promise<void> {
  console.log('healthcheck Lambda');
  await bundleFigures();
  await sandboxFigures();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runHealthcheckBench();
}
