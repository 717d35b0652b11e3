/**
 * Change-driven checks on the sandbox, end to end: the change detector puts CloudTrail-shaped events
 * on moto's default bus (src/sandbox/change-events.ts), the sandbox's change rule delivers them to a
 * queue (src/sandbox/aws/change-api.ts), and the consumer (src/sandbox/change-consumer.ts) hands all
 * that a tick produced, as one SQS batch like the deployed event source's, to the same
 * runHealthcheckForEvent the Lambda's decisions follow: ONE run scoped to every change of the burst,
 * as of the virtual clock.
 *
 * Driving it on a virtual clock, in-process (nothing waits on the wall clock):
 *
 *   const changes = await startSandboxChangeChecks({ clients, clock, account, region, healthcheck: deps, options });
 *   // … a bad UpdateSchedule at t …
 *   clock.advance(30_000);
 *   const { tick, drain } = await changes.step();   // tick: the UpdateSchedule(s); drain.deliveries[0].result: the one scoped run
 *
 * `start` makes the first tick (the baseline) at once, so only what changes after it is an event.
 */
import type { AwsClients } from '../../aws/clients.ts';
import { runHealthcheckForEvent, type TriggeredRun } from '../../healthcheck/change-trigger.ts';
import type { HealthcheckDeps, HealthcheckOptions } from '../../healthcheck/run-healthcheck.ts';
import { createChangeWatchPorts, ensureChangeTopology, type ChangeTopology } from '../../sandbox/aws/change-api.ts';
import { createDeadLetterQueuePort } from '../../sandbox/aws/dead-letter-queue-api.ts';
import { createChangeConsumer, type ChangeConsumer, type ChangeDelivery, type ChangeDrain } from '../../sandbox/change-consumer.ts';
import { createChangeDetector, type ChangeDetector, type ChangeTick } from '../../sandbox/change-events.ts';

export interface SandboxChangeChecksOptions {
  clients: Pick<AwsClients, 'scheduler' | 'ecs' | 'eventbridge' | 'sqs'>;
  /** The sandbox's virtual clock: event times, and the instant each scoped check evaluates. */
  clock: { now(): Date };
  account: string;
  region: string;
  /** The healthcheck every batch of events runs (createHealthcheckDeps over the sandbox's clients). */
  healthcheck: HealthcheckDeps;
  /** Its options for a run at `now` (runId, notify, autoFix, …); the change scope comes from the events. */
  options: (now: Date) => Omit<HealthcheckOptions, 'change' | 'unscopedBecause'>;
  onDelivery?: (delivery: ChangeDelivery) => void;
}

export interface SandboxChangeChecks {
  topology: ChangeTopology;
  detector: ChangeDetector;
  consumer: ChangeConsumer;
  /** The baseline tick `start` made. */
  baseline: ChangeTick;
  /** One detector tick, then a drain of the queue: the tick's changes checked in one run (one delivery per batch of up to 100). */
  step(): Promise<{ tick: ChangeTick; drain: ChangeDrain }>;
}

export async function startSandboxChangeChecks(options: SandboxChangeChecksOptions): Promise<SandboxChangeChecks> {
  const topology = await ensureChangeTopology(options.clients);
  const detector = createChangeDetector({ ports: createChangeWatchPorts(options.clients), clock: options.clock, account: options.account, region: options.region });
  const consumer = createChangeConsumer<TriggeredRun>({
    port: createDeadLetterQueuePort(options.clients.sqs),
    queueUrl: topology.queueUrl,
    queueArn: topology.queueArn,
    region: options.region,
    handler: (batch) => runHealthcheckForEvent(options.healthcheck, batch, options.options(options.clock.now())),
    ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
  });
  const baseline = await detector.tick();
  return {
    topology,
    detector,
    consumer,
    baseline,
    async step() {
      const tick = await detector.tick();
      const drain = await consumer.drain();
      return { tick, drain };
    },
  };
}
