/**
 * The browser tests' shared setup: the system Chromium must be there (no browser is ever downloaded),
 * and one moto per run, with DynamoDB's per-item atomicity (the workflow handlers write concurrently,
 * see src/sandbox/trading/atomic-moto.py), provided under the same keys the e2e harness reads.
 */
import type { TestProject } from 'vitest/node';
import type { MotoServer } from '../../src/sandbox/moto-server.ts';
import { startAtomicMotoServer } from '../../src/sandbox/trading/atomic-moto.ts';
import { chromiumPath } from './support/chromium.ts';

let server: MotoServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Fails the run with the install command, before any moto starts.
  chromiumPath();
  server = await startAtomicMotoServer({ killOnSignals: true });
  project.provide('motoEndpoint', server.endpoint);
  project.provide('motoClockFile', server.clockFile);
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
