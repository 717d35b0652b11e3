/**
 * One moto server per vitest run, shared by every e2e file (they run one after another and reset it
 * before seeding). The endpoint reaches tests through vitest's provide/inject. Teardown always stops
 * moto; if vitest dies without teardown, moto's parent-death watchdog stops it (src/sandbox/moto-server.ts).
 *
 * E2E_ENDPOINT=http://127.0.0.1:PORT reuses a moto that is already running instead of starting one;
 * E2E_CLOCK_FILE names its clock file (without one, that moto stamps the wall clock, and the tests that
 * replay a fixed day on the virtual clock fail).
 */
import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../src/sandbox/moto-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the shared moto server. */
    motoEndpoint: string;
    /** The file the shared moto reads its clock from (src/sandbox/moto-clock.ts); '' when reusing one. */
    motoClockFile: string;
  }
}

let server: MotoServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.E2E_ENDPOINT;
  if (reuse !== undefined && reuse !== '') {
    project.provide('motoEndpoint', reuse);
    project.provide('motoClockFile', process.env.E2E_CLOCK_FILE ?? '');
    return () => Promise.resolve();
  }
  server = await startMotoServer({ killOnSignals: true });
  project.provide('motoEndpoint', server.endpoint);
  project.provide('motoClockFile', server.clockFile);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
