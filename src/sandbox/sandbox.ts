/**
 * The sandbox in one call: start moto, seed a scenario, hand back clients for it. `ops sandbox up`,
 * the bench and scripts use this; e2e tests share one moto (test/e2e/global-setup.ts) and call
 * resetSandbox + seedScenario per test instead.
 */
import { createAwsClients, SANDBOX_CREDENTIALS, type AwsClients } from '../aws/clients.ts';
import { assertLoopbackEndpoint } from './moto-api.ts';
import { motoClockMirror } from './moto-clock.ts';
import { startMotoServer, type MotoServer, type StartMotoOptions } from './moto-server.ts';
import type { ReplayDay } from './replay-day.ts';
import { scenarioOnDay } from './scenario-day.ts';
import { loadScenario } from './scenario.ts';
import type { Scenario } from './scenario-schema.ts';
import { seedScenario, type SeedResult } from './seed.ts';

export const SANDBOX_DEFAULT_REGION = 'us-west-2';

/**
 * SDK clients for the sandbox: its endpoint, dummy credentials, uncompressed bodies (moto cannot
 * take gzip, see clients.ts) and one attempt per call, because the
 * firer meters every target attempt itself and moto never throttles. Nothing from the caller's AWS
 * environment leaks in (no profile, no AWS_ENDPOINT_URL): a sandbox run never reaches real AWS.
 */
export function createSandboxClients(endpoint: string, region: string = SANDBOX_DEFAULT_REGION): AwsClients {
  assertLoopbackEndpoint(endpoint);
  return createAwsClients({ endpoint, region, maxAttempts: 1, credentials: SANDBOX_CREDENTIALS, disableRequestCompression: true }, {});
}

/** The lines a shell needs to point the AWS CLI, the SDKs and `ops` at the sandbox. */
export function sandboxEnvironment(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
  };
}

/** The schedule-definition cache `ops sandbox up` creates: the stack's `<prefix>-schedule-definitions`, prefix `ops`. */
export const SANDBOX_DEFINITION_CACHE_TABLE = 'ops-schedule-definitions';

/**
 * What `ops` reads on top of the AWS lines for the tables `ops sandbox up` creates besides the
 * scenario. Not part of sandboxEnvironment: tests and scripts point that at a moto where nobody
 * created the table, and every check there would warn that it is missing.
 */
export function sandboxOpsEnvironment(): Record<string, string> {
  return { OPS_DEFINITION_CACHE_TABLE: SANDBOX_DEFINITION_CACHE_TABLE };
}

export interface StartSandboxOptions extends StartMotoOptions {
  /** A scenario, a scenario name / path, or none for an empty sandbox. */
  scenario?: Scenario | string;
  /** Working directory for scenario paths. */
  cwd?: string;
  /**
   * Run on this New York day instead of today: moto's clock (and `Sandbox.now`) starts at the
   * scenario's replay start wall time on it (09:30 without one) and runs at real speed from there.
   */
  day?: ReplayDay;
}

export interface Sandbox {
  server: MotoServer;
  endpoint: string;
  region: string;
  clients: AwsClients;
  scenario?: Scenario;
  seed?: SeedResult;
  /** Milliseconds from spawning moto until it answered, and spent seeding. */
  timings: { readyMs: number; seedMs: number };
  /** Where the sandbox's clock started: the wall clock at start-up, or the `day`'s replay start. */
  clockStart: Date;
  /** The sandbox's time: moto's clock, which the firer must follow too. */
  now(): Date;
  stop(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}, now: () => number = Date.now): Promise<Sandbox> {
  // Load (and validate) the scenario first: a typo should fail before a server starts.
  const loaded = typeof options.scenario === 'string' ? await loadScenario(options.scenario, options.cwd ? { cwd: options.cwd } : {}) : options.scenario;
  const onDay = options.day && loaded ? scenarioOnDay(loaded, options.day) : undefined;
  const scenario = onDay?.scenario ?? loaded;
  const t0 = now();
  const server = await startMotoServer(options);
  const readyMs = now() - t0;
  try {
    // Bound before seeding, so CreationDate is on the day too; holdMs 0: moto's clock runs from the start at once.
    const clockStart = options.day ? (onDay?.start ?? options.day.open) : new Date(now());
    if (options.day) motoClockMirror(server.clockFile, { holdMs: 0 })(clockStart);
    const startedAt = now();
    const sandboxNow = () => (options.day ? new Date(clockStart.getTime() + (now() - startedAt)) : new Date(now()));
    const region = scenario?.region ?? SANDBOX_DEFAULT_REGION;
    const clients = createSandboxClients(server.endpoint, region);
    const t1 = now();
    const seed = scenario
      ? await seedScenario(scenario, { clients, endpoint: server.endpoint, ...(options.log ? { log: options.log } : {}) })
      : undefined;
    return {
      server,
      endpoint: server.endpoint,
      region,
      clients,
      ...(scenario ? { scenario } : {}),
      ...(seed ? { seed } : {}),
      timings: { readyMs, seedMs: now() - t1 },
      clockStart,
      now: sandboxNow,
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
