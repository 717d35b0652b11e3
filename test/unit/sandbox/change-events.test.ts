/**
 * The sandbox's stand-in for CloudTrail (change detector) and for the healthcheck Lambda's event
 * source (change consumer), over in-memory ports: what each tick sees and emits, and what the consumer
 * deletes.
 */
import { describe, expect, it } from 'vitest';
import { readChangeEvent } from '../../../src/checks/change-event.ts';
import { createChangeConsumer } from '../../../src/sandbox/change-consumer.ts';
import { createChangeDetector, sandboxActor, type ChangeEventEntry, type ChangeWatchPorts, type ClusterSeen } from '../../../src/sandbox/change-events.ts';
import type { ScheduleSummaryModel } from '../../../src/sandbox/schedule-model.ts';
import { createVirtualClock } from '../../../src/sandbox/virtual-clock.ts';
import type { QueuedMessage } from '../../../src/sandbox/trading/lambda-runtime.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const T0 = new Date('2026-11-23T14:30:00Z');
const cluster = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const taskDefinition = (familyRevision: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${familyRevision}`;

function schedule(name: string, overrides: Partial<ScheduleSummaryModel> = {}): ScheduleSummaryModel {
  return { group: 'ops-pipeline', name, arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/ops-pipeline/${name}`, state: 'ENABLED', targetArn: cluster('ops-pipeline-cluster'), lastModificationDate: T0, ...overrides };
}

function world() {
  const state = {
    schedules: [schedule('dispatcher'), schedule('rss-ingest')],
    clusters: [{ arn: cluster('ops-pipeline-cluster'), status: 'ACTIVE' }] as ClusterSeen[],
    taskDefinitions: [taskDefinition('worker:1'), taskDefinition('worker:2')],
  };
  const put: ChangeEventEntry[] = [];
  let failPut = false;
  const ports: ChangeWatchPorts = {
    listSchedules: () => Promise.resolve(state.schedules.map((s) => ({ ...s }))),
    listClusters: () => Promise.resolve(state.clusters.map((c) => ({ ...c }))),
    listActiveTaskDefinitions: () => Promise.resolve([...state.taskDefinitions]),
    putEvents: (entries) => {
      if (failPut) return Promise.reject(new Error('PutEvents throttled'));
      put.push(...entries);
      return Promise.resolve();
    },
  };
  const clock = createVirtualClock(T0);
  let n = 0;
  const detector = createChangeDetector({ ports, clock, account: ACCOUNT, region: REGION, newId: () => `id-${++n}` });
  return { state, put, clock, detector, failPut: (fail: boolean) => void (failPut = fail) };
}

/** The entry as EventBridge would deliver it: the envelope around what PutEvents was given. */
const delivered = (entry: ChangeEventEntry) => ({ version: '0', id: 'x', 'detail-type': entry.detailType, source: entry.source, time: entry.time.toISOString(), region: REGION, resources: [], detail: entry.detail });

describe('change detector', () => {
  it('the first tick is the baseline: it records and emits nothing', async () => {
    const w = world();
    const tick = await w.detector.tick();
    expect(tick).toEqual({ at: T0, baseline: true, emitted: [] });
    expect(w.put).toEqual([]);
  });

  it('an UpdateSchedule (LastModificationDate moved) becomes one CloudTrail event the healthcheck scopes to that schedule', async () => {
    const w = world();
    await w.detector.tick();
    w.clock.advance(20_000);
    w.state.schedules[0] = schedule('dispatcher', { targetArn: cluster('ops-pipeline'), lastModificationDate: w.clock.now() });
    w.clock.advance(10_000);

    const tick = await w.detector.tick();

    expect(tick.emitted).toEqual([{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/dispatcher' }]);
    expect(w.put).toHaveLength(1);
    const entry = w.put[0]!;
    expect(entry).toMatchObject({ source: 'aws.scheduler', detailType: 'AWS API Call via CloudTrail', time: new Date('2026-11-23T14:30:30Z') });
    expect(entry.detail).toMatchObject({ eventSource: 'scheduler.amazonaws.com', eventName: 'UpdateSchedule', eventTime: '2026-11-23T14:30:30Z', awsRegion: REGION, recipientAccountId: ACCOUNT, eventID: 'id-1', userIdentity: { arn: sandboxActor(ACCOUNT) } });
    expect(readChangeEvent(delivered(entry))).toMatchObject({ kind: 'scoped', scope: { schedules: [{ group: 'ops-pipeline', name: 'dispatcher' }], cause: { eventName: 'UpdateSchedule', actor: sandboxActor(ACCOUNT), eventTime: '2026-11-23T14:30:30Z' } } });
  });

  it('a second tick with nothing new emits nothing', async () => {
    const w = world();
    await w.detector.tick();
    w.state.schedules[0] = schedule('dispatcher', { lastModificationDate: new Date(T0.getTime() + 1000) });
    await w.detector.tick();

    expect((await w.detector.tick()).emitted).toEqual([]);
    expect(w.put).toHaveLength(1);
  });

  it('a write at the same instant still counts when the target or state changed', async () => {
    const w = world();
    await w.detector.tick();
    w.state.schedules[1] = schedule('rss-ingest', { state: 'DISABLED' });
    expect((await w.detector.tick()).emitted).toEqual([{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/rss-ingest' }]);
  });

  it('a new schedule is a CreateSchedule; a deleted one is nothing', async () => {
    const w = world();
    await w.detector.tick();
    w.state.schedules = [schedule('dispatcher'), schedule('new-job')];

    expect((await w.detector.tick()).emitted).toEqual([{ eventName: 'CreateSchedule', resource: 'ops-pipeline/new-job' }]);
    expect(readChangeEvent(delivered(w.put[0]!))).toMatchObject({ kind: 'scoped', scope: { schedules: [{ group: 'ops-pipeline', name: 'new-job' }] } });
  });

  it('a cluster gone INACTIVE is a DeleteCluster naming its ARN', async () => {
    const w = world();
    await w.detector.tick();
    w.state.clusters = [{ arn: cluster('ops-pipeline-cluster'), status: 'INACTIVE' }];

    expect((await w.detector.tick()).emitted).toEqual([{ eventName: 'DeleteCluster', resource: cluster('ops-pipeline-cluster') }]);
    expect(w.put[0]?.source).toBe('aws.ecs');
    expect(readChangeEvent(delivered(w.put[0]!))).toMatchObject({ kind: 'scoped', scope: { clusters: [cluster('ops-pipeline-cluster')] } });
    // Still INACTIVE on the next tick: no second event.
    expect((await w.detector.tick()).emitted).toEqual([]);
  });

  it('a task definition no longer ACTIVE is a DeregisterTaskDefinition', async () => {
    const w = world();
    await w.detector.tick();
    w.state.taskDefinitions = [taskDefinition('worker:2')];

    expect((await w.detector.tick()).emitted).toEqual([{ eventName: 'DeregisterTaskDefinition', resource: taskDefinition('worker:1') }]);
    expect(readChangeEvent(delivered(w.put[0]!))).toMatchObject({ kind: 'scoped', scope: { taskDefinitions: [taskDefinition('worker:1')] } });
    expect(w.put[0]?.detail.requestParameters).toEqual({ taskDefinition: 'worker:1' });
  });

  it('a change and its revert within one tick are invisible (the documented limit)', async () => {
    const w = world();
    await w.detector.tick();
    const original = w.state.schedules[0]!;
    w.state.schedules[0] = schedule('dispatcher', { targetArn: cluster('elsewhere'), lastModificationDate: new Date(T0.getTime() + 1000) });
    w.state.schedules[0] = original;
    expect((await w.detector.tick()).emitted).toEqual([]);
  });

  it('a PutEvents that fails forgets nothing: the next tick emits the change again', async () => {
    const w = world();
    await w.detector.tick();
    w.state.schedules[0] = schedule('dispatcher', { lastModificationDate: new Date(T0.getTime() + 1000) });
    w.failPut(true);
    await expect(w.detector.tick()).rejects.toThrow('PutEvents throttled');
    w.failPut(false);

    expect((await w.detector.tick()).emitted).toEqual([{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/dispatcher' }]);
  });
});

describe('change consumer', () => {
  function queue(bodies: string[]) {
    const pending: QueuedMessage[] = bodies.map((body, i) => ({ messageId: `m-${i}`, receiptHandle: `r-${i}`, body }));
    const inFlight = new Set<string>();
    const deleted: string[] = [];
    return {
      deleted,
      pending,
      queues: {
        receive: (_url: string, max: number) => {
          // Received messages stay invisible until deleted (a visibility timeout longer than the drain).
          const visible = pending.filter((m) => !inFlight.has(m.messageId)).slice(0, max);
          for (const m of visible) inFlight.add(m.messageId);
          return Promise.resolve(visible);
        },
        delete: (_url: string, messages: readonly QueuedMessage[]) => {
          for (const m of messages) {
            deleted.push(m.messageId);
            pending.splice(pending.findIndex((p) => p.messageId === m.messageId), 1);
          }
          return Promise.resolve();
        },
      },
    };
  }

  it('hands each event to the handler in order and deletes it only after the handler returned', async () => {
    const q = queue(['{"n":1}', '{"n":2}', 'not json']);
    const seen: unknown[] = [];
    const consumer = createChangeConsumer({ queues: q.queues, queueUrl: 'q', handler: (event) => Promise.resolve(seen.push(event)) });

    const drain = await consumer.drain();

    expect(seen).toEqual([{ n: 1 }, { n: 2 }, 'not json']);
    expect(q.deleted).toEqual(['m-0', 'm-1', 'm-2']);
    expect(drain).toMatchObject({ handled: 3, failed: 0, rounds: 2 });
    expect(drain.deliveries.map((d) => d.result)).toEqual([1, 2, 3]);
  });

  it('leaves an event whose handler threw on the queue, reports it, and goes on', async () => {
    const q = queue(['{"n":1}', '{"n":2}']);
    const consumer = createChangeConsumer({
      queues: q.queues,
      queueUrl: 'q',
      handler: (event) => ((event as { n: number }).n === 1 ? Promise.reject(new Error('check failed')) : Promise.resolve('ok')),
    });

    const drain = await consumer.drain();

    expect(drain).toMatchObject({ handled: 1, failed: 1 });
    expect(drain.deliveries[0]).toMatchObject({ messageId: 'm-0', outcome: 'failed', error: 'Error: check failed' });
    expect(q.deleted).toEqual(['m-1']);
    expect(q.pending.map((m) => m.messageId)).toEqual(['m-0']);
  });

  it('is bounded: a queue that never empties is a fault, not a hang', async () => {
    let n = 0;
    const endless = { receive: () => Promise.resolve([{ messageId: `m-${++n}`, receiptHandle: 'r', body: '{}' }]), delete: () => Promise.resolve() };
    const consumer = createChangeConsumer({ queues: endless, queueUrl: 'q', handler: () => Promise.resolve() });

    await expect(consumer.drain({ maxRounds: 5 })).rejects.toMatchObject({ code: 'CHANGE_QUEUE_NOT_IDLE' });
  });
});
