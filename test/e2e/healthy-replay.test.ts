/**
 * The healthy system over the first 30 minutes after the New York open on Monday 2026-11-23
 * (09:30 ET = 14:30Z): every ECS schedule starts its tasks exactly at its fire times, the run ledger
 * holds those runs with virtual timestamps, and AWS/Scheduler's attempt counts add up per group.
 */
import { GetScheduleCommand, type GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { startedByFor } from '../../src/ledger/index.ts';
import type { AdvanceSummary } from '../../src/sandbox/firer.ts';
import { allTasks, schedulerMetricSum, tasksStartedBy } from './aws-evidence.ts';
import { expectedFireTimes, type ScheduleTiming } from './expected-fires.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const OPEN = new Date('2026-11-23T14:30:00Z');
const END = new Date('2026-11-23T15:00:00Z');
const CLUSTER = 'ops-pipeline-cluster';

interface Expectation {
  group: string;
  name: string;
  kind: 'ecs' | 'lambda';
  ecsGroup?: string;
  taskDefinitionArn?: string;
  flexibleWindowMs: number;
  timing: ScheduleTiming;
  fires: Date[];
}

describe('healthy scenario, 30 virtual minutes after the 09:30 ET open', () => {
  let sb: SeededSandbox;
  let summary: AdvanceSummary;
  const expectations: Expectation[] = [];

  beforeAll(async () => {
    sb = await seededSandbox('healthy', OPEN);
    for (const s of sb.scenario.schedules) {
      const got: GetScheduleCommandOutput = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: s.group, Name: s.name }));
      const timing = { expression: got.ScheduleExpression!, timezone: got.ScheduleExpressionTimezone ?? 'UTC', creationDate: got.CreationDate! };
      expectations.push({
        group: s.group,
        name: s.name,
        kind: s.target.kind === 'ecs' ? 'ecs' : 'lambda',
        ...(got.Target?.EcsParameters?.Group ? { ecsGroup: got.Target.EcsParameters.Group } : {}),
        ...(got.Target?.EcsParameters?.TaskDefinitionArn ? { taskDefinitionArn: got.Target.EcsParameters.TaskDefinitionArn } : {}),
        flexibleWindowMs: (got.FlexibleTimeWindow?.MaximumWindowInMinutes ?? 0) * 60_000,
        timing,
        fires: expectedFireTimes(timing, OPEN, END),
      });
    }
    summary = await sb.firer.advanceTo(END);
  });

  it('fires every enabled schedule and fails none', () => {
    const total = expectations.filter((e) => e.flexibleWindowMs === 0).reduce((n, e) => n + e.fires.length, 0);
    expect(summary.failed).toBe(0);
    expect(summary.errorsByCode).toEqual({});
    // Flexible schedules may shift a fire across the window's edge; the rest fire exactly as computed.
    expect(summary.invocations).toBeGreaterThanOrEqual(total);
    expect(summary.succeeded).toBe(summary.invocations);
  });

  it('starts each ECS schedule\'s tasks at exactly its fire times (ECS and the run ledger agree)', async () => {
    for (const e of expectations.filter((x) => x.kind === 'ecs' && x.flexibleWindowMs === 0)) {
      const tasks = (await tasksStartedBy(sb.clients.ecs, CLUSTER, startedByFor(e.name))).filter((t) =>
        e.ecsGroup !== undefined ? t.group === e.ecsGroup : t.taskDefinitionArn === e.taskDefinitionArn,
      );
      expect(tasks.length, `${e.name} tasks in ECS`).toBe(e.fires.length);
      const runs = await sb.ledger.runsSince({ group: e.group, name: e.name }, new Date(0));
      expect(runs.map((r) => r.runAt.toISOString()), `${e.name} ledger runAt`).toEqual(e.fires.map((f) => f.toISOString()));
      expect(new Set(runs.map((r) => r.taskArn))).toEqual(new Set(tasks.map((t) => t.taskArn)));
    }
  });

  it('runs flexible-window schedules once per fire, at one fixed offset inside the window', async () => {
    const flexible = expectations.filter((x) => x.kind === 'ecs' && x.flexibleWindowMs > 0);
    expect(flexible.map((e) => e.name).sort()).toEqual(['ops-pipeline-classifier', 'ops-pipeline-rss-ingest', 'ticker-discovery-6h']);
    for (const e of flexible) {
      const runs = await sb.ledger.runsSince({ group: e.group, name: e.name }, new Date(0));
      // Fires up to one window before the open can still be invoked after it.
      const fires = expectedFireTimes(e.timing, new Date(OPEN.getTime() - e.flexibleWindowMs), END);
      const offsets = new Set(runs.map((run) => run.runAt.getTime() - (fires.filter((f) => f.getTime() <= run.runAt.getTime()).at(-1)?.getTime() ?? NaN)));
      expect(offsets.size, `${e.name} uses one offset`).toBeLessThanOrEqual(1);
      const offset = [...offsets][0] ?? 0;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(e.flexibleWindowMs);
      const expected = fires.map((f) => f.getTime() + offset).filter((t) => t > OPEN.getTime() && t <= END.getTime());
      expect(runs.map((r) => r.runAt.getTime()), e.name).toEqual(expected);
    }
    const rss = await sb.ledger.runsSince({ group: 'ops-pipeline', name: 'ops-pipeline-rss-ingest' }, new Date(0));
    expect(rss.length).toBe(2);
  });

  it('records the Lambda schedule\'s invocations', () => {
    const lambda = expectations.find((e) => e.name === 'trade-alert-checker')!;
    const invocations = sb.firer.invocations({ name: 'trade-alert-checker' });
    expect(invocations.map((i) => i.invokeAt.toISOString())).toEqual(lambda.fires.map((f) => f.toISOString()));
    expect(invocations.every((i) => i.outcome === 'succeeded' && i.targetKind === 'lambda')).toBe(true);
    expect(summary.lambdaInvocations).toBe(lambda.fires.length);
  });

  it('emits InvocationAttemptCount per group equal to the invocations made, and no errors', async () => {
    for (const group of ['ops-pipeline-market', 'ops-pipeline']) {
      const made = sb.firer.invocations({ group }).length;
      const exact = expectations.filter((e) => e.group === group && e.flexibleWindowMs === 0).reduce((n, e) => n + e.fires.length, 0);
      expect(made).toBeGreaterThanOrEqual(exact);
      const attempts = await schedulerMetricSum(sb.clients.cloudwatch, 'InvocationAttemptCount', group, OPEN, new Date(END.getTime() + 60_000));
      expect(attempts, group).toBe(made);
      expect(await schedulerMetricSum(sb.clients.cloudwatch, 'TargetErrorCount', group, OPEN, new Date(END.getTime() + 60_000))).toBe(0);
    }
  });

  it('leaves tasks RUNNING (time-based transition) and starts nothing outside the scenario', async () => {
    const arns = await allTasks(sb.clients.ecs, CLUSTER);
    expect(arns.length).toBe(summary.tasksStarted);
    const sample = await tasksStartedBy(sb.clients.ecs, CLUSTER, startedByFor('ops-pipeline-feature-computer-1m'));
    expect(sample.length).toBeGreaterThan(0);
    expect(new Set(sample.map((t) => t.lastStatus))).toEqual(new Set(['RUNNING']));
  });
});
