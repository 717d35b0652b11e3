/**
 * What each incident-style demo part starts from: a reset moto, a scenario seeded a minute before the
 * open on a virtual clock moto follows, the alert topic's emails readable with their subjects, and a
 * firer that records runs in the scenario's run ledger.
 */
import type { AwsClients } from '../../aws/clients.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import { keepSubjects } from '../../sandbox/aws/inbox.ts';
import { createFirer, type Firer } from '../../sandbox/firer.ts';
import { motoFollowedClock } from '../../sandbox/moto-clock.ts';
import { resetSandbox } from '../../sandbox/moto-server.ts';
import { createSandboxClients } from '../../sandbox/sandbox.ts';
import { loadScenario } from '../../sandbox/scenario.ts';
import type { Scenario } from '../../sandbox/scenario-schema.ts';
import { seedScenario, type SeedResult } from '../../sandbox/seed.ts';
import type { VirtualClock } from '../../sandbox/virtual-clock.ts';
import type { ReplayDay } from '../../sandbox/replay-day.ts';

/** Where the demo runs: a moto endpoint, the clock file it reads (moto-clock.ts), and the day to replay. */
export interface DemoSandbox {
  endpoint: string;
  /** Without one, moto stamps the wall clock and the check ignores runs due before it "created" the schedules. */
  clockFile: string | undefined;
  day: ReplayDay;
}

/** The demo's scenarios all email through this topic. */
export const DEMO_TOPIC = 'ops-pipeline-alerts';
const SEEDED_BEFORE_OPEN_MS = 60_000;

export interface SeededDemo {
  scenario: Scenario;
  clients: AwsClients;
  clock: VirtualClock;
  seed: SeedResult;
  topic: SeedResult['topics'][string];
  firer: Firer;
}

export async function seedDemo(sandbox: DemoSandbox, scenarioName: string): Promise<SeededDemo> {
  await resetSandbox(sandbox.endpoint);
  const scenario = await loadScenario(scenarioName);
  const clients = createSandboxClients(sandbox.endpoint, scenario.region);
  // The clock before the seed: moto dates the schedules a minute before the open, and the firer
  // (which fires what is due after its start) performs the 09:30 runs.
  const clock = motoFollowedClock(new Date(sandbox.day.open.getTime() - SEEDED_BEFORE_OPEN_MS), sandbox.clockFile);
  const seed = await seedScenario(scenario, { clients, endpoint: sandbox.endpoint });
  const topic = seed.topics[DEMO_TOPIC];
  if (topic === undefined) throw new Error(`scenario ${scenarioName} has no topic ${DEMO_TOPIC}`);
  await keepSubjects(clients.sns, topic.arn);
  const ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: scenario.runLedgerTable });
  const firer = createFirer({ clients, clock, ledger, account: seed.account, region: scenario.region });
  return { scenario, clients, clock, seed, topic, firer };
}
