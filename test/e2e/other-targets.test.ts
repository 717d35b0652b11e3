/**
 * SQS and SNS targets and a one-time schedule with ActionAfterCompletion DELETE, against moto: the
 * firer sends the schedule's Input, and deletes the finished schedule through the Scheduler API.
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRunLedger } from '../../src/aws/run-ledger-store.ts';
import { createFirer, type AdvanceSummary, type Firer } from '../../src/sandbox/firer.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { validateScenario } from '../../src/sandbox/scenario.ts';
import { seedScenario, type SeedResult } from '../../src/sandbox/seed.ts';

import { drainQueue } from './aws-evidence.ts';
import { motoEndpoint, sandboxClock } from './sandbox-harness.ts';

const START = new Date('2026-11-23T14:30:00Z');

const scenario = validateScenario(
  {
    name: 'other-targets',
    description: 'SQS, SNS and a one-time schedule',
    roles: [{ name: 'scheduler-role', trust: 'scheduler' }],
    clusters: [{ name: 'c1' }],
    taskDefinitions: [{ family: 'job', containers: [{ name: 'app', image: 'busybox', memory: 256 }] }],
    queues: [{ name: 'work-queue' }],
    topics: [{ name: 'alerts' }],
    scheduleGroups: [{ name: 'misc' }],
    schedules: [
      { name: 'enqueue-5m', group: 'misc', expression: 'cron(0/5 * * * ? *)', role: 'scheduler-role', target: { kind: 'sqs', queue: 'work-queue', input: { job: 'rebalance' } } },
      { name: 'notify-10m', group: 'misc', expression: 'cron(0/10 * * * ? *)', role: 'scheduler-role', target: { kind: 'sns', topic: 'alerts', input: 'market check' } },
      {
        name: 'open-bell',
        group: 'misc',
        expression: 'at(2026-11-23T09:35:00)',
        timezone: 'America/New_York',
        actionAfterCompletion: 'DELETE',
        role: 'scheduler-role',
        target: { kind: 'ecs', cluster: 'c1', taskDefinition: 'job', network: {} },
      },
    ],
  },
  'inline',
);

describe('SQS, SNS and one-time targets', () => {
  let seed: SeedResult;
  let firer: Firer;
  let summary: AdvanceSummary;
  const clients = () => createSandboxClients(motoEndpoint(), scenario.region);

  beforeAll(async () => {
    await resetSandbox(motoEndpoint());
    const clock = sandboxClock(START);
    seed = await seedScenario(scenario, { clients: clients(), endpoint: motoEndpoint() });
    firer = createFirer({
      clients: clients(),
      clock,
      ledger: new DynamoRunLedger({ client: clients().dynamodb, tableName: scenario.runLedgerTable }),
      account: seed.account,
      region: scenario.region,
    });
    summary = await firer.advance(20);
  });

  it('sends the Input to the SQS queue at each fire', async () => {
    const messages = await drainQueue(clients().sqs, seed.queues['work-queue']!.url);
    expect(messages.map((m) => m.Body)).toEqual(['{"job":"rebalance"}', '{"job":"rebalance"}', '{"job":"rebalance"}', '{"job":"rebalance"}']);
  });

  it('publishes the Input to the SNS topic (read through the capture queue)', async () => {
    const messages = await drainQueue(clients().sqs, seed.topics.alerts!.captureQueueUrl);
    expect(messages.map((m) => m.Body)).toEqual(['market check', 'market check']);
  });

  it('runs the one-time schedule once and then deletes it', async () => {
    expect(firer.invocations({ name: 'open-bell' }).map((i) => [i.invokeAt.toISOString(), i.outcome, i.taskArns.length])).toEqual([
      ['2026-11-23T14:35:00.000Z', 'succeeded', 1],
    ]);
    expect(summary.deletedSchedules).toEqual(['misc/open-bell']);
    await expect(clients().scheduler.send(new GetScheduleCommand({ GroupName: 'misc', Name: 'open-bell' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await firer.advance(10)).invocations).toBe(3);
  });
});
