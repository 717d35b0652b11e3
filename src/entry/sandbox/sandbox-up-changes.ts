/**
 * What `ops sandbox up` adds for change-driven checks and the definition cache: the change rule on the
 * default bus and its queue (src/sandbox/aws/change-api.ts), the schedule-definition cache table, and
 * with `--fire` the change detector the firing loop looks through before each fire.
 *
 * Unlike startSandboxChangeChecks (change-checks.ts), nothing here consumes the queue: the events wait
 * there for a person to receive one and run `ops healthcheck --event <file>` on it, as the Lambda would.
 */
import { ensureScheduleDefinitionTable } from '../../aws/schedule-definition-store.ts';
import { createChangeWatchPorts, ensureChangeTopology, SandboxChangeNames } from '../../sandbox/aws/change-api.ts';
import { createChangeDetector, type ChangeDetector, type ChangeTick } from '../../sandbox/change-events.ts';
import { SANDBOX_DEFINITION_CACHE_TABLE, type Sandbox } from '../../sandbox/sandbox.ts';

/** moto's default account: the ARNs a sandbox without a seeded scenario gets. */
const MOTO_ACCOUNT = '123456789012';

export interface SandboxChangeResources {
  ruleName: string;
  queueName: string;
  queueUrl: string;
  queueArn: string;
  definitionCacheTable: string;
}

export async function ensureSandboxChangeResources(sandbox: Pick<Sandbox, 'clients'>): Promise<SandboxChangeResources> {
  const [topology] = await Promise.all([ensureChangeTopology(sandbox.clients), ensureScheduleDefinitionTable(sandbox.clients.dynamodb, SANDBOX_DEFINITION_CACHE_TABLE)]);
  return { ruleName: topology.ruleName, queueName: SandboxChangeNames.queue, queueUrl: topology.queueUrl, queueArn: topology.queueArn, definitionCacheTable: SANDBOX_DEFINITION_CACHE_TABLE };
}

/** The detector over the sandbox's clients; `now` is the firer's clock, so an event's time is the tick's. */
export function createSandboxChangeDetector(sandbox: Pick<Sandbox, 'clients' | 'region' | 'seed'>, now: () => Date): ChangeDetector {
  return createChangeDetector({ ports: createChangeWatchPorts(sandbox.clients), clock: { now }, account: sandbox.seed?.account ?? MOTO_ACCOUNT, region: sandbox.region });
}

/** One stderr line per event the tick put on the bus (none for the baseline or a quiet tick). */
export function changeLines(tick: ChangeTick): string[] {
  return tick.emitted.map((change) => `${tick.at.toISOString()} change: ${change.eventName} ${change.resource} → event on the default bus`);
}
