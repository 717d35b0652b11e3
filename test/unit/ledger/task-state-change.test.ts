import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { startedByFor, type ScheduleIdentity } from '../../../src/ledger/attribution.ts';
import { MemoryRunLedger, type RunLedger } from '../../../src/ledger/run-ledger.ts';
import { createScheduleDirectory, handleTaskStateChange } from '../../../src/ledger/task-state-change.ts';

const TELEMETRY: ScheduleIdentity = {
  group: 'trading',
  name: 'telemetry',
  arn: 'arn:aws:scheduler:us-west-2:123456789012:schedule/trading/telemetry',
  taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
};
const TELEMETRY_ID = 'trading/telemetry';

/** Shaped like a real EventBridge delivery, including fields the handler does not use. */
function ecsEvent(detail: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '3317b2af-7005-947d-b652-f55e762e571a',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '123456789012',
    time: '2026-03-02T14:35:07Z',
    region: 'us-west-2',
    resources: ['arn:aws:ecs:us-west-2:123456789012:task/prod/4f7b2a1d9c8e4e3f9a6b5c4d3e2f1a0b'],
    detail: {
      attachments: [{ id: 'a1', type: 'eni', status: 'ATTACHED', details: [{ name: 'subnetId', value: 'subnet-1' }] }],
      availabilityZone: 'us-west-2a',
      clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
      containers: [{ containerArn: 'arn:c', lastStatus: 'RUNNING', name: 'app', taskArn: 'arn:t', networkInterfaces: [] }],
      cpu: '256',
      createdAt: '2026-03-02T14:35:00.412Z',
      desiredStatus: 'RUNNING',
      group: 'family:telemetry',
      launchType: 'FARGATE',
      lastStatus: 'RUNNING',
      memory: '512',
      overrides: { containerOverrides: [{ name: 'app' }] },
      platformVersion: '1.4.0',
      startedBy: 'chronos-schedule/telemetry',
      taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/4f7b2a1d9c8e4e3f9a6b5c4d3e2f1a0b',
      taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
      updatedAt: '2026-03-02T14:35:07.001Z',
      version: 3,
      ...detail,
    },
    ...envelope,
  };
}

function setup(schedules: ScheduleIdentity[] = [TELEMETRY]) {
  const ledger = new MemoryRunLedger();
  const logs: Record<string, unknown>[] = [];
  const deps = { schedules: () => schedules, ledger, log: (entry: Record<string, unknown>) => logs.push(entry) };
  return { ledger, logs, deps };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('handleTaskStateChange', () => {
  it('records a scheduler-started task, taking runAt from the event (not the wall clock)', async () => {
    vi.useFakeTimers({ now: new Date('2031-01-01T00:00:00Z') });
    const { ledger, logs, deps } = setup();

    const result = await handleTaskStateChange(ecsEvent(), deps);

    expect(result).toEqual({ outcome: 'recorded', schedule: { group: 'trading', name: 'telemetry' } });
    const last = (await ledger.lastRuns([TELEMETRY])).get(TELEMETRY_ID);
    expect(last).toMatchObject({ runAt: new Date('2026-03-02T14:35:00.412Z'), lastStatus: 'RUNNING', runCount: 1 });
    expect(await ledger.runsSince(TELEMETRY, new Date(0))).toEqual([
      {
        schedule: { group: 'trading', name: 'telemetry' },
        taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/4f7b2a1d9c8e4e3f9a6b5c4d3e2f1a0b',
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
        taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:7',
        runAt: new Date('2026-03-02T14:35:00.412Z'),
        lastStatus: 'RUNNING',
        attributedBy: 'startedBy',
      },
    ]);
    expect(logs).toEqual([
      {
        msg: 'task-state-change',
        outcome: 'recorded',
        eventTime: '2026-03-02T14:35:07Z',
        taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/4f7b2a1d9c8e4e3f9a6b5c4d3e2f1a0b',
        lastStatus: 'RUNNING',
        runAt: '2026-03-02T14:35:00.412Z',
        schedule: TELEMETRY_ID,
        attributedBy: 'startedBy',
      },
    ]);
  });

  it('handles a lifecycle delivered out of order and twice: one run, final status, one log line per event', async () => {
    const { ledger, logs, deps } = setup();
    const statuses = ['RUNNING', 'PENDING', 'RUNNING', 'PROVISIONING', 'STOPPED', 'PENDING'];
    const outcomes = [];
    for (const lastStatus of statuses) {
      const extra = lastStatus === 'STOPPED' ? { stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited' } : {};
      outcomes.push((await handleTaskStateChange(ecsEvent({ lastStatus, ...extra }), deps)).outcome);
    }
    expect(outcomes).toEqual(['recorded', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(logs).toHaveLength(statuses.length);
    expect(logs.map((l) => l.outcome)).toEqual(outcomes);

    const history = await ledger.runsSince(TELEMETRY, new Date(0));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' });
    expect((await ledger.lastRuns([TELEMETRY])).get(TELEMETRY_ID)).toMatchObject({ lastStatus: 'STOPPED', runCount: 1 });
  });

  it('keeps the 09:40 run as last when the 09:35 run arrives afterwards, and counts both', async () => {
    const { ledger, deps } = setup();
    const at0940 = ecsEvent({ taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/0940', createdAt: '2026-03-02T14:40:00.000Z' });
    const at0935 = ecsEvent({ taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/0935', createdAt: '2026-03-02T14:35:00.000Z' });

    expect((await handleTaskStateChange(at0940, deps)).outcome).toBe('recorded');
    expect((await handleTaskStateChange(at0935, deps)).outcome).toBe('older');
    expect((await handleTaskStateChange(at0935, deps)).outcome).toBe('duplicate');

    const last = (await ledger.lastRuns([TELEMETRY])).get(TELEMETRY_ID);
    expect(last).toMatchObject({ taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/0940', runAt: new Date('2026-03-02T14:40:00.000Z'), runCount: 2 });
    expect((await ledger.runsSince(TELEMETRY, new Date(0))).map((r) => r.runAt.toISOString())).toEqual([
      '2026-03-02T14:35:00.000Z',
      '2026-03-02T14:40:00.000Z',
    ]);
  });

  it('ignores events from other sources or of other types without touching the ledger', async () => {
    const ledger: RunLedger = { recordRun: vi.fn(), lastRuns: vi.fn(), runsSince: vi.fn(), coverage: vi.fn(), markCoverage: vi.fn() };
    const schedules = vi.fn(() => [TELEMETRY]);
    const logs: unknown[] = [];
    const deps = { schedules, ledger, log: (e: Record<string, unknown>) => logs.push(e) };

    expect(await handleTaskStateChange(ecsEvent({}, { 'detail-type': 'ECS Container Instance State Change' }), deps)).toMatchObject({ outcome: 'ignored' });
    expect(await handleTaskStateChange({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', detail: {} }, deps)).toMatchObject({ outcome: 'ignored' });
    expect(ledger.recordRun).not.toHaveBeenCalled();
    expect(schedules).not.toHaveBeenCalled();
    expect(logs).toEqual([
      { msg: 'task-state-change', outcome: 'ignored', source: 'aws.ecs', detailType: 'ECS Container Instance State Change' },
      { msg: 'task-state-change', outcome: 'ignored', source: 'aws.scheduler', detailType: 'Scheduled Event' },
    ]);
  });

  it.each([
    ['detail.createdAt', ecsEvent({ createdAt: 'yesterday' })],
    ['detail.taskArn', ecsEvent({ taskArn: undefined })],
    ['detail.lastStatus', ecsEvent({ lastStatus: 42 })],
    ['time', ecsEvent({}, { time: undefined })],
    ['detail', { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', time: '2026-03-02T14:35:07Z' }],
    ['source', { hello: 'world' }],
    ['(event)', 'not an event'],
  ])('rejects an event with a bad %s as INVALID_EVENT naming the field, after logging it', async (field, event) => {
    const { ledger, logs, deps } = setup();
    const error = await handleTaskStateChange(event, deps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'INVALID_EVENT' });
    expect((error as UserError).message).toContain(`${field}:`);
    expect(logs).toEqual([{ msg: 'task-state-change', outcome: 'invalid', error: (error as UserError).message }]);
    expect(await ledger.lastRuns([TELEMETRY])).toEqual(new Map());
  });

  it('reports tasks that no schedule started as unattributed, without writing', async () => {
    const { ledger, logs, deps } = setup();
    const result = await handleTaskStateChange(ecsEvent({ startedBy: 'ecs-svc/9876543210' }), deps);
    expect(result).toEqual({ outcome: 'unattributed', reason: 'not started by EventBridge Scheduler' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ outcome: 'unattributed', reason: 'not started by EventBridge Scheduler', startedBy: 'ecs-svc/9876543210', candidates: [] });
    expect(await ledger.runsSince(TELEMETRY, new Date(0))).toEqual([]);
  });

  it('reports an ambiguous startedBy with its candidates instead of guessing', async () => {
    const td = 'arn:aws:ecs:us-west-2:123456789012:task-definition/ingest:2';
    const equities = { group: 'trading', name: 'market-data-ingest-equities', taskDefinitionArn: td };
    const options = { group: 'trading', name: 'market-data-ingest-options', taskDefinitionArn: td };
    const { ledger, logs, deps } = setup([equities, options]);
    const refreshSchedules = vi.fn(() => [equities, options]);

    const result = await handleTaskStateChange(ecsEvent({ startedBy: startedByFor(equities.name), taskDefinitionArn: td }), { ...deps, refreshSchedules });

    expect(result).toEqual({ outcome: 'unattributed', reason: 'ambiguous' });
    expect(logs[0]).toMatchObject({ candidates: ['trading/market-data-ingest-equities', 'trading/market-data-ingest-options'], refreshedSchedules: false });
    expect(refreshSchedules).not.toHaveBeenCalled();
    expect(await ledger.lastRuns([equities, options])).toEqual(new Map());
  });

  it('refreshes the schedule list once when a scheduler task matches no known schedule (it may be new)', async () => {
    const brandNew: ScheduleIdentity = { group: 'trading', name: 'brand-new', taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/telemetry:1' };
    const { ledger, logs, deps } = setup([TELEMETRY]);
    const refreshSchedules = vi.fn(() => Promise.resolve([TELEMETRY, brandNew]));

    const result = await handleTaskStateChange(ecsEvent({ startedBy: startedByFor('brand-new') }), { ...deps, refreshSchedules });

    expect(result).toEqual({ outcome: 'recorded', schedule: { group: 'trading', name: 'brand-new' } });
    expect(refreshSchedules).toHaveBeenCalledTimes(1);
    expect((await ledger.lastRuns([brandNew])).get('trading/brand-new')?.runCount).toBe(1);
    expect(logs).toHaveLength(1);
  });

  it('refreshes at most once per event even when the fresh list still does not know the task', async () => {
    const { logs, deps } = setup([TELEMETRY]);
    const refreshSchedules = vi.fn(() => [TELEMETRY]);
    const result = await handleTaskStateChange(ecsEvent({ startedBy: startedByFor('deleted-schedule') }), { ...deps, refreshSchedules });
    expect(result).toEqual({ outcome: 'unattributed', reason: 'no schedule matches startedBy' });
    expect(refreshSchedules).toHaveBeenCalledTimes(1);
    expect(logs).toEqual([expect.objectContaining({ outcome: 'unattributed', refreshedSchedules: true })]);
  });

  it('attributes by EcsParameters.Group and says so', async () => {
    const grouped = { ...TELEMETRY, ecsGroup: 'sched-telemetry' };
    const { ledger, deps } = setup([grouped]);
    const result = await handleTaskStateChange(ecsEvent({ group: 'sched-telemetry' }), deps);
    expect(result.outcome).toBe('recorded');
    expect((await ledger.runsSince(grouped, new Date(0)))[0]?.attributedBy).toBe('group');
  });

  it('accepts a synthetic sandbox event with only the required fields and a virtual timestamp', async () => {
    const { ledger } = setup();
    const event = {
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      time: '2026-11-27T18:00:05.000Z',
      detail: {
        taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/sandbox/1',
        clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/sandbox',
        taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/telemetry:1',
        startedBy: 'chronos-schedule/telemetry',
        createdAt: '2026-11-27T18:00:00.000Z',
        lastStatus: 'PROVISIONING',
      },
    };
    const result = await handleTaskStateChange(event, { schedules: () => Promise.resolve([TELEMETRY]), ledger });
    expect(result.outcome).toBe('recorded');
    expect((await ledger.lastRuns([TELEMETRY])).get(TELEMETRY_ID)?.runAt).toEqual(new Date('2026-11-27T18:00:00.000Z'));
    // deps without a logger are fine: the Lambda shell decides where logs go.
  });
});

describe('createScheduleDirectory', () => {
  function directory(ttlMs = 60_000, minRefreshIntervalMs = 5_000) {
    let now = 1_000_000;
    let version = 0;
    const listSchedules = vi.fn(() => {
      version += 1;
      return Promise.resolve([{ group: 'g', name: `v${version}` }]);
    });
    const dir = createScheduleDirectory(listSchedules, { ttlMs, now: () => now, minRefreshIntervalMs });
    return { dir, listSchedules, advance: (ms: number) => (now += ms) };
  }

  it('lists once and serves the cache until the ttl has passed', async () => {
    const { dir, listSchedules, advance } = directory(60_000);
    expect((await dir.schedules())[0]?.name).toBe('v1');
    advance(59_999);
    expect((await dir.schedules())[0]?.name).toBe('v1');
    expect(listSchedules).toHaveBeenCalledTimes(1);
    advance(1);
    expect((await dir.schedules())[0]?.name).toBe('v2');
    expect(listSchedules).toHaveBeenCalledTimes(2);
  });

  it('refresh lists again immediately, but not twice within the minimum interval', async () => {
    const { dir, listSchedules, advance } = directory(60_000, 5_000);
    await dir.schedules();
    advance(5_000);
    expect((await dir.refresh())[0]?.name).toBe('v2');
    advance(4_999);
    expect((await dir.refresh())[0]?.name).toBe('v2');
    expect(listSchedules).toHaveBeenCalledTimes(2);
    // The refreshed list also resets the ttl.
    advance(50_000);
    expect((await dir.schedules())[0]?.name).toBe('v2');
    expect(listSchedules).toHaveBeenCalledTimes(2);
  });

  it('shares one listing between concurrent callers', async () => {
    const { dir, listSchedules } = directory();
    const [a, b, c] = await Promise.all([dir.schedules(), dir.schedules(), dir.refresh()]);
    expect(listSchedules).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('lists again after a failed listing instead of caching the failure', async () => {
    const listSchedules = vi
      .fn<() => Promise<ScheduleIdentity[]>>()
      .mockRejectedValueOnce(new Error('ThrottlingException'))
      .mockResolvedValueOnce([TELEMETRY]);
    const dir = createScheduleDirectory(listSchedules, { ttlMs: 60_000, now: () => 0 });
    await expect(dir.schedules()).rejects.toThrow('ThrottlingException');
    expect(await dir.schedules()).toEqual([TELEMETRY]);
  });

  it('plugs into the handler: a new schedule is found on the first unattributed task', async () => {
    let listed = [TELEMETRY];
    let now = 0;
    const dir = createScheduleDirectory(() => Promise.resolve(listed), { ttlMs: 300_000, now: () => now });
    const ledger = new MemoryRunLedger();
    const deps = { schedules: dir.schedules, refreshSchedules: dir.refresh, ledger };

    expect((await handleTaskStateChange(ecsEvent(), deps)).outcome).toBe('recorded');
    listed = [TELEMETRY, { ...TELEMETRY, name: 'risk', taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/risk:1' }];
    now = 60_000;
    const risk = ecsEvent({
      startedBy: startedByFor('risk'),
      taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/risk1',
      taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/risk:3',
    });
    expect(await handleTaskStateChange(risk, deps)).toEqual({ outcome: 'recorded', schedule: { group: 'trading', name: 'risk' } });
  });
});
