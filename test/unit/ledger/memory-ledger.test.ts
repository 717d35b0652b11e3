import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startedByFor, type ScheduleIdentity } from '../../../src/ledger/attribution.ts';
import { MemoryRunLedger, scheduleKeyId, supersedesLastRun } from '../../../src/ledger/run-ledger.ts';
import { handleTaskStateChange } from '../../../src/ledger/task-state-change.ts';
import { TASK_STATUS_RANK, taskStatusRank, type TaskStatus } from '../../../src/ledger/task-status.ts';
import { describeRunLedgerContract, run } from '../../support/run-ledger-contract.ts';

describeRunLedgerContract('MemoryRunLedger', () => new MemoryRunLedger());

describe('scheduleKeyId', () => {
  it('joins group and name with a slash', () => {
    expect(scheduleKeyId({ group: 'trading', name: 'telemetry' })).toBe('trading/telemetry');
  });
});

describe('taskStatusRank', () => {
  it('orders the ECS lifecycle and puts unknown statuses below all of it', () => {
    const order = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
    const ranks = order.map(taskStatusRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(order.length);
    expect(taskStatusRank('SOMETHING_NEW')).toBeLessThan(taskStatusRank('PROVISIONING'));
    expect(taskStatusRank('toString')).toBeLessThan(0);
  });
});

describe('supersedesLastRun', () => {
  const at = (ms: number, taskArn = 't1', statusRank = 1) => ({ runAtMs: ms, taskArn, statusRank });
  it.each([
    ['nothing recorded yet', undefined, at(5), true],
    ['a newer run', at(5), at(6, 't0'), true],
    ['an older run', at(5), at(4, 't9'), false],
    ['a tie with a greater taskArn', at(5, 't1'), at(5, 't2'), true],
    ['a tie with a smaller taskArn', at(5, 't2'), at(5, 't1'), false],
    ['the same task advancing', at(5, 't1', 1), at(5, 't1', 3), true],
    ['the same task repeating its status', at(5, 't1', 3), at(5, 't1', 3), false],
    ['the same task going back', at(5, 't1', 3), at(5, 't1', 1), false],
  ])('%s → %s', (_what, current, incoming, expected) => {
    expect(supersedesLastRun(current, incoming)).toBe(expected);
  });
});

describe('MemoryRunLedger isolation', () => {
  it('does not let callers mutate stored runs through returned or passed objects', async () => {
    const ledger = new MemoryRunLedger();
    const key = { group: 'g', name: 'n' };
    const record = run(key, 'arn:task/1', '2026-03-02T14:35:00.000Z', 'RUNNING');
    await ledger.recordRun(record);
    record.runAt.setTime(0);
    record.lastStatus = 'STOPPED';
    const [stored] = await ledger.runsSince(key, new Date(0));
    stored!.lastStatus = 'PENDING';
    expect(await ledger.runsSince(key, new Date(0))).toEqual([run(key, 'arn:task/1', '2026-03-02T14:35:00.000Z', 'RUNNING')]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property: whatever order and however often EventBridge delivers a set of task events, the ledger ends
// in the same state: one history entry per task at its furthest status, and per schedule the greatest run.

const STATUSES = Object.keys(TASK_STATUS_RANK) as TaskStatus[];
const SCHEDULES: ScheduleIdentity[] = [
  { group: 'trading', name: 'market-data-ingest-equities', taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/equities:1' },
  { group: 'trading', name: 'market-data-ingest-options', taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/options:1' },
  { group: 'ops', name: 'telemetry', ecsGroup: 'telemetry', taskDefinitionArn: 'arn:aws:ecs:us-west-2:1:task-definition/telemetry:1' },
];
const BASE_MS = Date.parse('2026-03-02T14:30:00.000Z');

interface GeneratedTask {
  schedule: number;
  minute: number;
  statuses: TaskStatus[];
}

const tasksArb = fc.array(
  fc.record({
    schedule: fc.integer({ min: 0, max: SCHEDULES.length - 1 }),
    // Few distinct minutes, so equal runAt values (ties) are common.
    minute: fc.integer({ min: 0, max: 6 }),
    statuses: fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 5 }),
  }),
  { minLength: 1, maxLength: 12 },
);

function eventFor(task: GeneratedTask, index: number, status: TaskStatus) {
  const schedule = SCHEDULES[task.schedule]!;
  const family = schedule.taskDefinitionArn!.split('/')[1]!.split(':')[0]!;
  return {
    version: '0',
    id: `evt-${index}-${status}`,
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    time: new Date(BASE_MS + task.minute * 60_000 + 5_000).toISOString(),
    region: 'us-west-2',
    detail: {
      taskArn: `arn:aws:ecs:us-west-2:1:task/prod/task-${String(index).padStart(3, '0')}`,
      clusterArn: 'arn:aws:ecs:us-west-2:1:cluster/prod',
      taskDefinitionArn: `arn:aws:ecs:us-west-2:1:task-definition/${family}:4`,
      group: schedule.ecsGroup ?? `family:${family}`,
      startedBy: startedByFor(schedule.name),
      createdAt: new Date(BASE_MS + task.minute * 60_000).toISOString(),
      lastStatus: status,
    },
  };
}

const scenarioArb = tasksArb.chain((tasks) => {
  const events = tasks.flatMap((task, index) => task.statuses.map((status) => eventFor(task, index, status)));
  return fc.record({
    tasks: fc.constant(tasks),
    // A permutation of every event, plus some of them delivered again.
    delivery: fc.tuple(fc.shuffledSubarray(events, { minLength: events.length }), fc.array(fc.constantFrom(...events), { maxLength: 6 })).chain(
      ([all, again]) => fc.shuffledSubarray([...all, ...again], { minLength: all.length + again.length }),
    ),
  });
});

describe('property: delivery order and duplicates do not matter', () => {
  it('ends with the greatest run per schedule and exactly one history entry per task', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ tasks, delivery }) => {
        const ledger = new MemoryRunLedger();
        const outcomes = [];
        for (const event of delivery) outcomes.push((await handleTaskStateChange(event, { schedules: () => SCHEDULES, ledger })).outcome);

        // Exactly one event per task creates it (recorded or older); every other one is a duplicate.
        expect(outcomes.filter((o) => o !== 'duplicate')).toHaveLength(tasks.length);

        const expectedStatus = (t: GeneratedTask) => t.statuses.reduce((a, b) => (taskStatusRank(b) > taskStatusRank(a) ? b : a));
        const last = await ledger.lastRuns(SCHEDULES);
        for (const [s, schedule] of SCHEDULES.entries()) {
          const id = scheduleKeyId(schedule);
          const own = tasks.map((t, index) => ({ t, index })).filter(({ t }) => t.schedule === s);
          if (own.length === 0) {
            expect(last.has(id)).toBe(false);
            continue;
          }
          const maxMinute = Math.max(...own.map(({ t }) => t.minute));
          // On a runAt tie the greater taskArn wins; task ARNs sort like their zero-padded index.
          const winner = own.filter(({ t }) => t.minute === maxMinute).at(-1)!;
          expect(last.get(id)).toMatchObject({
            runAt: new Date(BASE_MS + maxMinute * 60_000),
            taskArn: eventFor(winner.t, winner.index, 'PENDING').detail.taskArn,
            lastStatus: expectedStatus(winner.t),
            runCount: own.length,
          });

          const history = await ledger.runsSince(schedule, new Date(0));
          expect(history).toHaveLength(own.length);
          expect(new Set(history.map((r) => r.taskArn)).size).toBe(own.length);
          for (const { t, index } of own) {
            const entry = history.find((r) => r.taskArn === eventFor(t, index, 'PENDING').detail.taskArn);
            expect(entry?.lastStatus).toBe(expectedStatus(t));
          }
          const runAts = history.map((r) => r.runAt.getTime());
          expect(runAts).toEqual([...runAts].sort((a, b) => a - b));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('MemoryRunLedger coverage', () => {
  it('has no coverage until marked', async () => {
    const ledger = new MemoryRunLedger();
    expect(await ledger.coverage()).toBeUndefined();
    expect(await ledger.markCoverage(new Date('2026-11-23T14:30:00Z'))).toEqual(new Date('2026-11-23T14:30:00Z'));
    expect(await ledger.coverage()).toEqual(new Date('2026-11-23T14:30:00Z'));
  });
});
