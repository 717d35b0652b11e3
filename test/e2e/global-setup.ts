/**
 * One moto server per vitest run, shared by every e2e file (they run one after another and reset it
 * before seeding). The endpoint reaches tests through vitest's provide/inject. Teardown always stops
 * moto; if vitest dies without teardown, moto's parent-death watchdog stops it (src/sandbox/moto-server.ts).
 *
 * E2E_ENDPOINT=http://127.0.0.1:PORT reuses a moto that is already running instead of starting one.
 */
import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../src/sandbox/moto-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the shared moto server. */
    motoEndpoint: string;
  }
}

let server: MotoServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.E2E_ENDPOINT;
  if (reuse !== undefined && reuse !== '') {
    project.provide('motoEndpoint', reuse);
    return () => Promise.resolve();
  }
  server = await startMotoServer({ killOnSignals: true });
  project.provide('motoEndpoint', server.endpoint);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
