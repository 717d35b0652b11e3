/**
 * moto's clock follows the sandbox's virtual clock (src/sandbox/moto-launcher.py, moto-clock.ts): what
 * moto stamps — schedules, ECS tasks, SQS messages — is the virtual instant, on a day far from the
 * machine's, and the clock file's rules (hold, never back within a timeline, a new timeline may) hold.
 */
import { rmSync } from 'node:fs';
import { CreateScheduleCommand, GetScheduleCommand, type CreateScheduleInput } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { startedByFor } from '../../src/ledger/index.ts';
import { motoClockMirror } from '../../src/sandbox/moto-clock.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { tasksStartedBy } from './aws-evidence.ts';
import { motoEndpoint, sandboxClock, seededSandbox } from './sandbox-harness.ts';

const FAR = new Date('2031-06-09T13:30:00Z');
const clockFile = () => inject('motoClockFile');
const clients = () => createSandboxClients(motoEndpoint(), 'us-west-2');

let n = 0;
async function createdAt(): Promise<Date> {
  const name = `clock-probe-${++n}`;
  const input: CreateScheduleInput = {
    Name: name,
    ScheduleExpression: 'rate(5 minutes)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: 'arn:aws:sqs:us-west-2:123456789012:probe', RoleArn: 'arn:aws:iam::123456789012:role/probe' },
  };
  await clients().scheduler.send(new CreateScheduleCommand(input));
  return (await clients().scheduler.send(new GetScheduleCommand({ Name: name }))).CreationDate!;
}

beforeEach(async () => {
  await resetSandbox(motoEndpoint());
});

describe("moto's clock on the virtual clock", () => {
  it('stamps schedules and SQS messages with the virtual instant, to the millisecond', async () => {
    const clock = sandboxClock(FAR);
    expect(await createdAt()).toEqual(FAR);
    clock.advance(90 * 60_000);
    expect(await createdAt()).toEqual(new Date(FAR.getTime() + 90 * 60_000));

    const { QueueUrl } = await clients().sqs.send(new CreateQueueCommand({ QueueName: 'clock-probe' }));
    await clients().sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'tick' }));
    const received = await clients().sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['SentTimestamp'] }));
    expect(Number(received.Messages?.[0]?.Attributes?.SentTimestamp)).toBe(FAR.getTime() + 90 * 60_000);
  });

  it('gives every ECS task the createdAt and startedAt of the fire that started it', async () => {
    const sb = await seededSandbox('healthy', FAR);
    await sb.firer.advance(5);
    const fires = sb.firer.invocations({ name: 'ops-pipeline-watchlist-engine-5m' });
    expect(fires.map((f) => f.invokeAt)).toEqual([new Date(FAR.getTime() + 5 * 60_000)]);
    const tasks = await tasksStartedBy(sb.clients.ecs, sb.seed.clusters['ops-pipeline-cluster']!, startedByFor('ops-pipeline-watchlist-engine-5m'));
    expect(tasks.map((t) => [t.createdAt, t.startedAt])).toEqual([[fires[0]!.invokeAt, fires[0]!.invokeAt]]);
  });

  it('never goes back within a timeline, and a new timeline starts where it is told', async () => {
    const later = new Date(FAR.getTime() + 3_600_000);
    motoClockMirror(clockFile(), { timeline: 'a' })(later);
    expect(await createdAt()).toEqual(later);
    motoClockMirror(clockFile(), { timeline: 'a' })(FAR);
    expect(await createdAt()).toEqual(later);
    motoClockMirror(clockFile(), { timeline: 'b' })(FAR);
    expect(await createdAt()).toEqual(FAR);
  });

  it('with holdMs 0 runs on from the instant at real speed (ops sandbox up --day)', async () => {
    const before = Date.now();
    motoClockMirror(clockFile(), { holdMs: 0 })(FAR);
    const stamped = (await createdAt()).getTime() - FAR.getTime();
    expect(stamped).toBeGreaterThanOrEqual(0);
    expect(stamped).toBeLessThanOrEqual(Date.now() - before + 1_000);
  });

  it('without a clock file follows the wall clock', async () => {
    sandboxClock(FAR);
    rmSync(clockFile(), { force: true });
    // Another process's wall clock (faketime starts each one anew): minutes apart at most, never years.
    expect(Math.abs((await createdAt()).getTime() - Date.now())).toBeLessThan(3_600_000);
  });
});
