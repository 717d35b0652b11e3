/**
 * What every e2e test does first: reset the shared moto, seed a scenario, and hand back clients, a
 * ledger on the sandbox's DynamoDB table and a firer on a virtual clock.
 */
import { inject } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.ts';
import { DynamoRunLedger } from '../../src/aws/run-ledger-store.ts';
import { createFirer, type Firer } from '../../src/sandbox/firer.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { motoFollowedClock } from '../../src/sandbox/moto-clock.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { loadScenario } from '../../src/sandbox/scenario.ts';
import type { Scenario } from '../../src/sandbox/scenario-schema.ts';
import { seedScenario, type SeedResult } from '../../src/sandbox/seed.ts';
import type { VirtualClock } from '../../src/sandbox/virtual-clock.ts';

export interface SeededSandbox {
  endpoint: string;
  scenario: Scenario;
  seed: SeedResult;
  clients: AwsClients;
  ledger: DynamoRunLedger;
  clock: VirtualClock;
  firer: Firer;
}

export function motoEndpoint(): string {
  return inject('motoEndpoint');
}

/** A virtual clock at `start` that moto follows: everything moto stamps from now on is on it. */
export function sandboxClock(start: Date): VirtualClock {
  return motoFollowedClock(start, inject('motoClockFile') || undefined);
}

/** Resets moto, seeds `scenarioName`, and starts a firer whose clock stands at `start`. */
export async function seededSandbox(scenarioName: string, start: Date): Promise<SeededSandbox> {
  const endpoint = motoEndpoint();
  await resetSandbox(endpoint);
  const scenario = await loadScenario(scenarioName);
  const clients = createSandboxClients(endpoint, scenario.region);
  // The clock first: the scenario is seeded (CreationDate stamped) at `start`.
  const clock = sandboxClock(start);
  const seed = await seedScenario(scenario, { clients, endpoint });
  const ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: scenario.runLedgerTable });
  const firer = createFirer({ clients, clock, ledger, account: seed.account, region: scenario.region });
  return { endpoint, scenario, seed, clients, ledger, clock, firer };
}
