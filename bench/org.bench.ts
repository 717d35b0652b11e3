/**
 * `npm run bench -- org`: the org-wide check over 50 accounts × 4 regions × 20 schedules (4,000
 * schedules, 200 pairs) on one moto that serves every account through AssumeRole, next to a
 * sequential loop over the same pairs in the same process (one pair at a time, one call at a time).
 *
 * Prints, for each: wall time, AWS calls by operation, AssumeRole calls and peak memory; then the
 * issue's target, a wall under 60 s at 20 ms per AWS call with the chosen concurrency. moto answers
 * one call at a time (~3-6 ms of CPU each), so on moto the wall follows the call count whatever the
 * concurrency. The model therefore runs the same code again with every call answered from a
 * recording of the moto run after exactly 20 ms (an AWS-like round trip that overlaps the way AWS's
 * would): the call graph, the batching and both concurrency limits are the real ones, only the
 * server's own time is replaced. The sequential loop's modelled figure is its call count × 20 ms (it
 * makes one call at a time, so that product is exact). Always stops moto.
 * Run: node --import tsx bench/org.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { createCallCounter, type CallCounter } from '../src/aws/call-counter.ts';
import type { AwsClients } from '../src/aws/clients.ts';
import { countedClients } from '../src/entry/wiring/check-ports.ts';
import { createOrgClients, orgCheckPorts } from '../src/entry/wiring/org-clients.ts';
import { listOrganizationAccounts } from '../src/aws/organizations-reader.ts';
import { CHECK_DEFAULTS } from '../src/checks/run-check.ts';
import { nyse } from '../src/market/index.ts';
import { checkOrg, ORG_DEFAULTS } from '../src/org/org-check.ts';
import { resolveTargets } from '../src/org/targets.ts';
import { motoClockMirror } from '../src/sandbox/moto-clock.ts';
import { startMotoServer, type MotoServer } from '../src/sandbox/moto-server.ts';
import { generateOrgScenario } from '../src/sandbox/org-scenario.ts';
import { seedOrgScenario } from '../src/sandbox/org-seed.ts';
import { createSandboxClients } from '../src/sandbox/sandbox.ts';
import { SANDBOX_CREDENTIALS } from '../src/aws/clients.ts';

const ACCOUNTS = 50;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1'] as const;
const SCHEDULES_PER_PAIR = 20;
const AWS_LATENCY_MS = 20;
const WALL_TARGET_MS = 60_000;
/** Every pair's run ledger, as the seeder creates it and the CLI reads it by default. */
const LEDGER_TABLE = 'ops-run-ledger';
/** The instant the check evaluates: seeding happens an hour before it on moto's clock, on any date. */
const NOW = new Date();

interface Measured {
  ms: number;
  calls: Record<string, number>;
  total: number;
  assumeRole: number;
  peakRssMb: number;
  peakHeapMb: number;
  pairs: number;
  checked: number;
  schedules: number;
}

type Recorded = { output: unknown } | { error: unknown };
/** Every answer of a run on moto, by account, region, operation and input: what the model replays. */
type Recording = Map<string, Recorded>;

/**
 * Records each call's answer (mode `record`), or answers it from the recording after `ms` without
 * sending anything (mode `replay`). Keyed by the client's account and region as well as the input:
 * every pair asks the same questions of its own account.
 */
function recordOrReplay(clients: AwsClients, where: string, recording: Recording, mode: 'record' | 'replay', ms: number): void {
  for (const client of [...countedClients(clients), clients.sts, clients.organizations, clients.ec2] as unknown as { middlewareStack: { add: (mw: unknown, opts: unknown) => void } }[]) {
    client.middlewareStack.add(
      (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { clientName?: string; commandName?: string }) => async (args: { input: unknown }) => {
        const key = `${where}|${context.clientName ?? ''}.${context.commandName ?? ''}|${JSON.stringify(args.input)}`;
        if (mode === 'replay') {
          await new Promise((resolve) => setTimeout(resolve, ms));
          const known = recording.get(key);
          if (known === undefined) throw new Error(`bench model: no recorded answer for ${key}`);
          if ('error' in known) throw known.error;
          return { output: known.output, response: {} };
        }
        try {
          const out = await next(args);
          recording.set(key, { output: out.output });
          return out;
        } catch (error) {
          recording.set(key, { error });
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRecordOrReplay' },
    );
  }
}

/** Samples RSS and heap every 20 ms while `work` runs. */
/** Samples RSS and heap every 20 ms while `work` runs. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMb: number; peakHeapMb: number }> {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 20);
  try {
    const value = await work();
    return { value, peakRssMb: rss / 2 ** 20, peakHeapMb: heap / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

interface RunOptions {
  pairConcurrency: number;
  concurrency: number;
  model: { recording: Recording; mode: 'record' | 'replay' };
}

async function orgRun(endpoint: string, exclude: string[], options: RunOptions): Promise<Measured> {
  const central = createSandboxClients(endpoint, 'us-east-1');
  const counter: CallCounter = createCallCounter();
  for (const client of [central.organizations, central.sts]) counter.attach(client);
  const { recording, mode } = options.model;
  recordOrReplay(central, 'central', recording, mode, AWS_LATENCY_MS);
  const org = createOrgClients(central, {
    aws: { endpoint, maxAttempts: 1, credentials: SANDBOX_CREDENTIALS },
    env: {},
    clock: () => new Date(),
    sessionName: 'ops-bench',
    counter,
    decorate: (clients: AwsClients, account: string, region: string) => recordOrReplay(clients, `${account}|${region}`, recording, mode, AWS_LATENCY_MS),
  });
  const t0 = performance.now();
  const { value: check, peakRssMb, peakHeapMb } = await withPeakMemory(async () => {
    const targets = await resolveTargets(
      { source: { kind: 'org', ous: [] }, exclude, regions: [...REGIONS], roleName: 'ops-org-access' },
      { organizationAccounts: (ous) => listOrganizationAccounts(central.organizations, { ous }) },
    );
    return checkOrg(targets.accounts, [...REGIONS], orgCheckPorts(org, () => ({ concurrency: options.concurrency, ledgerTable: LEDGER_TABLE })), {
      pairConcurrency: options.pairConcurrency,
      concurrency: options.concurrency,
      now: NOW,
      calendar: nyse,
      marketCriticalPatterns: [],
      filter: {},
      elapsed: () => performance.now(),
    });
  });
  const ms = performance.now() - t0;
  const checked = check.outcomes.filter((o) => o.ok);
  return {
    ms,
    calls: counter.counts(),
    total: counter.total(),
    assumeRole: org.assumeRoleCalls(),
    peakRssMb,
    peakHeapMb,
    pairs: check.outcomes.length + check.accountFailures.length,
    checked: checked.length,
    schedules: checked.reduce((sum, o) => sum + (o.ok ? o.value.snapshot.schedules.length : 0), 0),
  };
}

const fmtCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op}=${n}`)
    .join(' ');

function line(label: string, m: Measured): string {
  return `  ${label.padEnd(28)} wall ${(m.ms / 1000).toFixed(1).padStart(6)} s · ${String(m.total).padStart(6)} calls · AssumeRole ${m.assumeRole} · peak RSS ${m.peakRssMb.toFixed(0)} MB, heap ${m.peakHeapMb.toFixed(0)} MB · ${m.checked}/${m.pairs} pairs, ${m.schedules} schedules`;
}

export async function runOrgBench(): Promise<void> {
  let server: MotoServer | undefined;
  try {
    server = await startMotoServer();
    const endpoint = server.endpoint;
    console.log(`org-wide check: ${ACCOUNTS} accounts × ${REGIONS.length} regions × ${SCHEDULES_PER_PAIR} schedules on one moto (${endpoint})`);
    const seededAt = performance.now();
    motoClockMirror(server.clockFile)(new Date(NOW.getTime() - 3_600_000));
    const scenario = generateOrgScenario({ accounts: ACCOUNTS, regions: REGIONS, schedulesPerPair: SCHEDULES_PER_PAIR, missingRoleAccounts: 0 });
    const central = createSandboxClients(endpoint, 'us-east-1');
    const seeded = await seedOrgScenario(scenario, { endpoint, clients: central, clock: () => new Date(), concurrency: 8, managementRole: false });
    motoClockMirror(server.clockFile)(NOW);
    console.log(`  seeded ${seeded.accounts.length} accounts, ${seeded.schedules} schedules, ${seeded.expected.length} planted faults in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);
    // The management account holds no schedules here; it is left out as --exclude-account would.
    const exclude = [seeded.management.id];

    const chosen = { pairConcurrency: ORG_DEFAULTS.pairConcurrency, concurrency: CHECK_DEFAULTS.concurrency };
    const recording: Recording = new Map();
    const concurrent = await orgRun(endpoint, exclude, { ...chosen, model: { recording, mode: 'record' } });
    const sequential = await orgRun(endpoint, exclude, { pairConcurrency: 1, concurrency: 1, model: { recording: new Map(), mode: 'record' } });
    console.log(line(`org check (${chosen.pairConcurrency} pairs × ${chosen.concurrency})`, concurrent));
    console.log(`    calls: ${fmtCalls(concurrent.calls)}`);
    console.log(line('sequential loop (1 × 1)', sequential));
    console.log(`  on moto (it answers one call at a time): sequential / org check = ${(sequential.ms / concurrent.ms).toFixed(1)}×`);

    const modelled = await orgRun(endpoint, exclude, { ...chosen, model: { recording, mode: 'replay' } });
    const sequentialModelled = sequential.total * AWS_LATENCY_MS;
    console.log(`  modelled at ${AWS_LATENCY_MS} ms per AWS call (the same code, each call answered from the moto run's recording after ${AWS_LATENCY_MS} ms):`);
    console.log(line(`org check (${chosen.pairConcurrency} pairs × ${chosen.concurrency})`, modelled));
    console.log(`  sequential loop: ${(sequentialModelled / 1000).toFixed(1)} s (${sequential.total} calls × ${AWS_LATENCY_MS} ms, one at a time) → ${(sequentialModelled / modelled.ms).toFixed(1)}× the org check`);
    const met = modelled.ms < WALL_TARGET_MS;
    console.log(`  target: wall < ${WALL_TARGET_MS / 1000} s at ${AWS_LATENCY_MS} ms per call with the chosen concurrency: ${(modelled.ms / 1000).toFixed(1)} s, ${met ? 'met' : 'NOT met'}`);
  } finally {
    await server?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runOrgBench();
}
