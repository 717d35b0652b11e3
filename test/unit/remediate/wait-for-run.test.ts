import { describe, expect, it } from 'vitest';
import type { EcsTaskSeen } from '../../../src/checks/ports.ts';
import { anyRunSource, ecsRunSource, ledgerRunSource, waitForRuns, type RunEvidenceSource, type WatchedSchedule } from '../../../src/remediate/wait-for-run.ts';
import { ACCOUNT, clusterArn, REGION } from './fakes.ts';

const CLUSTER = clusterArn('ops-pipeline-cluster');
const taskDef = (family: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:3`;
const watched = (name: string, family = name): WatchedSchedule => ({ schedule: { group: 'g', name, arn: `arn:${name}` }, clusterArn: CLUSTER, taskDefinitionArn: taskDef(family) });

/** A clock that only moves when the code under test sleeps. */
function fakeClock(start = new Date('2026-01-29T23:01:00Z')) {
  let t = start.getTime();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('waitForRuns (ECS evidence)', () => {
  it('waits until each schedule has a task that was not there at the start', async () => {
    const clock = fakeClock();
    const tasks = new Map<string, EcsTaskSeen[]>([['chronos-schedule/dispatcher', [{ taskArn: 'old', createdAt: new Date(0), taskDefinitionArn: taskDef('dispatcher') }]]]);
    const polls: string[] = [];
    const source = ecsRunSource({
      async tasksStartedBy(cluster, startedBy) {
        polls.push(`${cluster === CLUSTER ? 'cluster' : cluster}:${startedBy}`);
        // Tasks appear after the second sleep for dispatcher, after the first for classifier.
        if (clock.sleeps.length >= 2) tasks.set('chronos-schedule/dispatcher', [...(tasks.get('chronos-schedule/dispatcher') ?? []), { taskArn: 'new-d', createdAt: new Date(1), taskDefinitionArn: taskDef('dispatcher') }]);
        if (clock.sleeps.length >= 1) tasks.set('chronos-schedule/classifier', [{ taskArn: 'new-c', createdAt: new Date(1), taskDefinitionArn: taskDef('classifier') }]);
        return { status: 'found', value: tasks.get(startedBy) ?? [] };
      },
    });

    const outcomes = await waitForRuns([watched('dispatcher'), watched('classifier')], source, { now: clock.now, sleep: clock.sleep, timeoutMs: 10 * 60_000, pollMs: 15_000 });

    expect(Object.fromEntries(outcomes)).toEqual({
      'g/dispatcher': { seen: true, evidence: 'new-d', source: 'ecs' },
      'g/classifier': { seen: true, evidence: 'new-c', source: 'ecs' },
    });
    expect(clock.sleeps).toEqual([15_000, 15_000]);
    expect(polls[0]).toBe('cluster:chronos-schedule/dispatcher');
  });

  it('does not count a task of another family that shares the 36-character startedBy', async () => {
    const clock = fakeClock();
    const source = ecsRunSource({
      async tasksStartedBy() {
        return { status: 'found', value: clock.sleeps.length > 0 ? [{ taskArn: 'tiny', createdAt: new Date(1), taskDefinitionArn: taskDef('other-family') }] : [] };
      },
    });

    const outcomes = await waitForRuns([watched('ops-pipeline-dispatcher')], source, { now: clock.now, sleep: clock.sleep, timeoutMs: 60_000, pollMs: 15_000 });

    expect(outcomes.get('g/ops-pipeline-dispatcher')).toEqual({ seen: false, waitedMinutes: 1 });
    expect(clock.sleeps).toEqual([15_000, 15_000, 15_000, 15_000]);
  });

  it('gives up at the timeout and says what it could not read', async () => {
    const clock = fakeClock();
    const source = ecsRunSource({
      async tasksStartedBy() {
        return { status: 'unknown', failure: { action: 'ecs:ListTasks', errorName: 'AccessDeniedException', message: 'no' } };
      },
    });

    const outcomes = await waitForRuns([watched('dispatcher')], source, { now: clock.now, sleep: clock.sleep, timeoutMs: 20_000, pollMs: 15_000 });

    expect(outcomes.get('g/dispatcher')).toEqual({ seen: false, waitedMinutes: 0.3, detail: 'ecs:ListTasks failed: AccessDeniedException' });
    expect(clock.sleeps).toEqual([15_000, 5_000]);
  });
});

describe('waitForRuns (ledger evidence)', () => {
  it('sees a run when the last run moves past the one at the start', async () => {
    const clock = fakeClock();
    let lastRun = new Date('2026-01-29T16:36:00Z');
    const source = ledgerRunSource({
      async lastRuns(keys) {
        if (clock.sleeps.length === 1) lastRun = new Date('2026-01-29T23:02:00Z');
        return new Map(keys.map((k) => [`${k.group}/${k.name}`, { runAt: lastRun }]));
      },
    });

    const outcomes = await waitForRuns([watched('dispatcher')], source, { now: clock.now, sleep: clock.sleep, timeoutMs: 60_000, pollMs: 15_000 });

    expect(outcomes.get('g/dispatcher')).toEqual({ seen: true, evidence: '2026-01-29T23:02:00.000Z', source: 'ledger' });
  });
});

describe('anyRunSource', () => {
  const failing: RunEvidenceSource = { runs: async () => ({ status: 'unknown', failure: { action: 'dynamodb:BatchGetItem', errorName: 'ResourceNotFoundException', message: 'no table' } }) };

  it('takes a run from whichever source sees it', async () => {
    const clock = fakeClock();
    const ecs: RunEvidenceSource = { runs: async () => ({ status: 'found', value: clock.sleeps.length > 0 ? [{ id: 'task-1', source: 'ecs' }] : [] }) };

    const outcomes = await waitForRuns([watched('dispatcher')], anyRunSource([failing, ecs]), { now: clock.now, sleep: clock.sleep, timeoutMs: 60_000, pollMs: 15_000 });

    expect(outcomes.get('g/dispatcher')).toEqual({ seen: true, evidence: 'task-1', source: 'ecs' });
  });

  it('is unknown only when every source is', async () => {
    expect(await anyRunSource([failing, failing]).runs(watched('x'))).toMatchObject({ status: 'unknown' });
  });
});
