/**
 * The sandbox's stand-in for CloudTrail (change detector) and for the healthcheck Lambda's event
 * source (change consumer), over in-memory ports: what each tick sees and emits, and how the consumer
 * batches, hands over and deletes.
 */
import { describe, expect, it } from 'vitest';
import { readChangeEvent } from '../../../src/checks/change-event.ts';
import { createChangeConsumer, type ChangeBatchEvent, type ChangeQueuePort } from '../../../src/sandbox/change-consumer.ts';
import { createChangeDetector, sandboxActor, type ChangeEventEntry, type ChangeWatchPorts, type ClusterSeen } from '../../../src/sandbox/change-events.ts';
import type { ScheduleSummaryModel } from '../../../src/sandbox/schedule-model.ts';
import { createVirtualClock } from '../../../src/sandbox/virtual-clock.ts';
import type { QueueMessage } from '../../../src/sandbox/dead-letter-consumer.ts';

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
  const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:ops-sandbox-schedule-changes`;

  function queue(bodies: string[]) {
    const pending: QueueMessage[] = bodies.map((body, i) => ({ messageId: `m-${i}`, receiptHandle: `r-${i}`, body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {} }));
    const inFlight = new Set<string>();
    const deleted: string[] = [];
    const receives: number[] = [];
    const port: ChangeQueuePort = {
      receive: (_url, { maxMessages }) => {
        receives.push(maxMessages);
        // Received messages stay invisible until deleted (a visibility timeout longer than the drain).
        const visible = pending.filter((m) => !inFlight.has(m.receiptHandle)).slice(0, maxMessages);
        for (const m of visible) inFlight.add(m.receiptHandle);
        return Promise.resolve(visible);
      },
      delete: (_url, handles) => {
        for (const handle of handles) {
          deleted.push(pending.find((p) => p.receiptHandle === handle)?.messageId ?? `unknown ${handle}`);
          pending.splice(pending.findIndex((p) => p.receiptHandle === handle), 1);
        }
        return Promise.resolve();
      },
    };
    return { deleted, pending, receives, port };
  }
  const consumer = <R>(port: ChangeQueuePort, handler: (batch: ChangeBatchEvent) => Promise<R>, extra: { batchSize?: number } = {}) =>
    createChangeConsumer({ port, queueUrl: 'q', queueArn: QUEUE_ARN, region: REGION, handler, ...extra });
  const twelve = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i + 1 }));

  it('hands a burst of 12 messages to the handler as ONE Lambda-shaped SQS batch, and deletes all 12 once it returned', async () => {
    const q = queue(twelve);
    const batches: ChangeBatchEvent[] = [];
    const drain = await consumer(q.port, (batch) => Promise.resolve(batches.push(batch))).drain();

    expect(batches).toHaveLength(1);
    const records = batches[0]!.Records;
    expect(records.map((r) => r.messageId)).toEqual(twelve.map((_, i) => `m-${i}`));
    expect(records[0]).toEqual({
      messageId: 'm-0',
      receiptHandle: 'r-0',
      body: '{"n":1}',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: REGION,
    });
    expect(q.deleted.sort()).toEqual(twelve.map((_, i) => `m-${i}`).sort());
    expect(q.pending).toEqual([]);
    // ReceiveMessage takes 10 at most: 10, then the last 2, then empty.
    expect(q.receives).toEqual([10, 10, 10]);
    expect(drain).toMatchObject({ rounds: 3, handled: 12, failed: 0 });
    expect(drain.deliveries).toEqual([{ messageIds: twelve.map((_, i) => `m-${i}`), events: twelve.map((_, i) => ({ n: i + 1 })), outcome: 'handled', result: 1 }]);
  });

  it('keeps every message of the batch when the handler throws, and says why', async () => {
    const q = queue(['{"n":1}', '{"n":2}', 'not json']);
    const drain = await consumer(q.port, () => Promise.reject(new Error('check failed'))).drain();

    expect(q.deleted).toEqual([]);
    expect(q.pending.map((m) => m.messageId)).toEqual(['m-0', 'm-1', 'm-2']);
    expect(drain).toMatchObject({ handled: 0, failed: 3 });
    expect(drain.deliveries).toEqual([{ messageIds: ['m-0', 'm-1', 'm-2'], events: [{ n: 1 }, { n: 2 }, 'not json'], outcome: 'failed', error: 'Error: check failed' }]);
  });

  it('splits a backlog bigger than a batch into batches of batchSize, each one handler call', async () => {
    const q = queue(twelve);
    const sizes: number[] = [];
    const drain = await consumer(q.port, (batch) => Promise.resolve(sizes.push(batch.Records.length)), { batchSize: 5 }).drain();

    expect(sizes).toEqual([5, 5, 2]);
    // Full batches, then the last 2 and an empty answer that ends the drain.
    expect(q.receives).toEqual([5, 5, 5, 3]);
    expect(drain).toMatchObject({ handled: 12, failed: 0 });
    expect(drain.deliveries).toHaveLength(3);
  });

  it('an empty queue calls nothing', async () => {
    const q = queue([]);
    let calls = 0;
    const drain = await consumer(q.port, () => Promise.resolve(++calls)).drain();

    expect(calls).toBe(0);
    expect(drain).toEqual({ rounds: 1, handled: 0, failed: 0, deliveries: [] });
  });

  it('is bounded: a queue that never empties is a fault, not a hang', async () => {
    let n = 0;
    const endless: ChangeQueuePort = {
      receive: () => Promise.resolve([{ messageId: `m-${++n}`, receiptHandle: `r-${n}`, body: '{}', attributes: {}, messageAttributes: {} }]),
      delete: () => Promise.resolve(),
    };
    const batches: number[] = [];
    await expect(consumer(endless, (batch) => Promise.resolve(batches.push(batch.Records.length))).drain({ maxRounds: 5 })).rejects.toMatchObject({ code: 'CHANGE_QUEUE_NOT_IDLE' });
    // What it received before giving up was still handled, as one batch.
    expect(batches).toEqual([5]);
  });
});
