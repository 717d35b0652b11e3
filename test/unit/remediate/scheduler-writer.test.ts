/**
 * The writer over a real SchedulerClient whose HTTP answers are scripted: aws-sdk-client-mock would
 * replace `send` and skip the retry middleware, which is the thing under test here.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveClientConfig } from '../../../src/aws/client-config.ts';
import { createSchedulerWriter } from '../../../src/aws/scheduler-writer.ts';
import { applyChanges } from '../../../src/remediate/apply.ts';
import { changeIdOf } from '../../../src/remediate/identifiers.ts';
import { projectWritable, type ScheduleUpdate } from '../../../src/remediate/schedule-document.ts';
import { fakeHttpHandler, jsonError, jsonOk, OFFLINE_CLIENT_CONFIG, type FakeResponse } from '../aws/fake-http-handler.ts';
import { activeCluster, clusterArn, ecsSchedule, memoryAudit, memoryBackups, targetChecker, WHO } from './fakes.ts';

const schedule = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher', { StartDate: new Date('2026-01-01T00:00:00Z') });
const update = (): ScheduleUpdate => {
  const projected = projectWritable(schedule, { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' });
  if (!projected.ok) throw new Error('projection failed');
  return projected.update;
};
/** GetSchedule's wire form: dates as epoch seconds. */
const wire = (s: typeof schedule, targetArn = s.Target!.Arn, modified = s.LastModificationDate!) => ({
  ...s,
  StartDate: s.StartDate!.getTime() / 1000,
  CreationDate: s.CreationDate!.getTime() / 1000,
  LastModificationDate: modified.getTime() / 1000,
  Target: { ...s.Target, Arn: targetArn },
});

/**
 * The factory's retry configuration (5 attempts) over scripted HTTP. Standard mode runs the same
 * retry middleware and backoff as the factory's adaptive mode without the client-side rate limiter,
 * whose token bucket spins forever on a fake clock; one test below runs adaptive mode as configured.
 */
function productionClient(responses: FakeResponse[], retryMode: 'standard' | 'adaptive' = 'standard') {
  const http = fakeHttpHandler(responses);
  const config = resolveClientConfig({ region: 'us-west-2' }, {});
  return { http, client: new SchedulerClient({ ...config, retryMode, credentials: OFFLINE_CLIENT_CONFIG.credentials, requestHandler: http.handler }) };
}

/** The SDK backs off between attempts with setTimeout: fake it and skip the waits. */
async function withFakeClock<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  try {
    let settled = false;
    const pending = run().finally(() => {
      settled = true;
    });
    // The first request of a client loads parts of the SDK asynchronously, so a backoff timer may be
    // set only after the timers ran once: keep running them until the call settles.
    while (!settled) {
      await vi.runAllTimersAsync();
      await new Promise((done) => setImmediate(done));
    }
    return await pending;
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('updateSchedule over HTTP', () => {
  it('retries throttling and a 5xx, then succeeds (3 attempts of one call)', async () => {
    const { http, client } = productionClient([
      jsonError(400, 'ThrottlingException', 'Rate exceeded'),
      jsonError(500, 'InternalServerException', 'Internal error'),
      jsonOk({ ScheduleArn: schedule.Arn }),
    ]);

    const outcome = await withFakeClock(() => createSchedulerWriter(client).updateSchedule(update(), 'ops-fix-token'));

    expect(outcome).toEqual({ ok: true });
    expect(http.requests).toHaveLength(3);
    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('PUT /schedules/ops-pipeline-dispatcher'));
    const body = JSON.parse(http.requests[2]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ GroupName: 'ops-pipeline-market', ClientToken: 'ops-fix-token', StartDate: 1767225600, Target: { Input: schedule.Target!.Input } });
  });

  it('retries a 5xx with the factory configuration as is (adaptive mode, real backoff of ~50 ms)', async () => {
    const { http, client } = productionClient([jsonError(500, 'InternalServerException', 'Internal error'), jsonOk({ ScheduleArn: schedule.Arn })], 'adaptive');
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });

    const outcome = await createSchedulerWriter(client).updateSchedule(update(), 'ops-fix-token');

    expect(outcome).toEqual({ ok: true });
    expect(http.requests).toHaveLength(2);
  });

  it('gives up after the retry budget and returns the failure as data', async () => {
    const { http, client } = productionClient([jsonError(503, 'ServiceUnavailable', 'try later')]);

    const outcome = await withFakeClock(() => createSchedulerWriter(client).updateSchedule(update(), 'ops-fix-token'));

    expect(http.requests).toHaveLength(5);
    expect(outcome).toEqual({ ok: false, failure: { action: 'scheduler:UpdateSchedule', errorName: 'ServiceUnavailable', message: 'try later' } });
  });

  it('does not retry AccessDenied, and keeps its message (which names iam:PassRole when that is the cause)', async () => {
    const message = 'User: arn:aws:sts::123456789012:assumed-role/oncall/alice is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/x';
    const { http, client } = productionClient([jsonError(403, 'AccessDeniedException', message)]);

    const outcome = await createSchedulerWriter(client).updateSchedule(update(), 'ops-fix-token');

    expect(http.requests).toHaveLength(1);
    expect(outcome).toEqual({ ok: false, failure: { action: 'scheduler:UpdateSchedule', errorName: 'AccessDeniedException', message } });
  });
});

describe('getScheduleRaw over HTTP', () => {
  it('returns the complete definition without SDK metadata, and missing for a 404', async () => {
    const { client } = productionClient([jsonOk(wire(schedule)), jsonError(404, 'ResourceNotFoundException', 'Schedule x does not exist.')]);
    const writer = createSchedulerWriter(client);

    const found = await writer.getScheduleRaw({ group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' });
    const missing = await writer.getScheduleRaw({ group: 'ops-pipeline-market', name: 'x' });

    expect(found).toEqual({ status: 'found', value: schedule });
    expect(missing.status).toBe('missing');
  });
});

describe('a whole fix over HTTP with a throttled UpdateSchedule', () => {
  it('ends ok: the SDK retried, the change is verified', async () => {
    const to = clusterArn('ops-pipeline-cluster');
    const after = new Date('2026-01-29T23:01:05Z');
    const { http, client } = productionClient([
      jsonOk(wire(schedule)),
      jsonError(429, 'ThrottlingException', 'Rate exceeded'),
      jsonError(502, 'BadGateway', 'upstream'),
      jsonOk({ ScheduleArn: schedule.Arn }),
      jsonOk(wire(schedule, to, after)),
    ]);
    const plannedOn = schedule.LastModificationDate!.toISOString();
    const change = {
      id: changeIdOf({ scheduleArn: schedule.Arn!, from: schedule.Target!.Arn!, to, plannedOn }),
      schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher', arn: schedule.Arn! },
      field: 'Target.Arn' as const,
      from: schedule.Target!.Arn!,
      to,
      resolvedBy: 'auto-match' as const,
      because: 'test',
      plannedOn,
      diff: [],
    };

    const [result] = await withFakeClock(() =>
      applyChanges([change], { writer: createSchedulerWriter(client), backups: memoryBackups(), audit: memoryAudit(), targets: targetChecker([activeCluster('ops-pipeline-cluster')]) }, { runId: 'fix-r', who: WHO, now: () => new Date('2026-01-29T23:01:00Z'), maxChanges: 25 }),
    );

    expect(result).toMatchObject({ status: 'ok', written: true, verification: { definition: 'match' }, lastModificationDate: { after: after.toISOString() } });
    expect(http.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'PUT', 'PUT', 'GET']);
    // Every attempt carries the same ClientToken: a retry of a request that did land is a no-op.
    const tokens = http.requests.filter((r) => r.method === 'PUT').map((r) => (JSON.parse(r.body) as { ClientToken: string }).ClientToken);
    expect(new Set(tokens).size).toBe(1);
  });
});
