/**
 * The 2026-01-29 freeze, replayed from 16:36Z for 30 virtual minutes: the 12 ECS schedules target the
 * missing cluster `ops-pipeline`, so no task starts, every attempt is a target error, and each failed
 * invocation lands on the dead-letter queue or is dropped; the Lambda schedule keeps working.
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdvanceSummary } from '../../src/sandbox/firer.ts';
import { allTasks, drainQueue, schedulerMetricSum } from './aws-evidence.ts';
import { expectedFireTimes } from './expected-fires.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const FREEZE = new Date('2026-01-29T16:36:00Z');
const END = new Date('2026-01-29T17:06:00Z');
const METRIC_END = new Date(END.getTime() + 60_000);

interface Expected {
  group: string;
  name: string;
  arn: string;
  broken: boolean;
  hasDlq: boolean;
  fires: Date[];
}

describe('incident-2026-01-29 replay, 16:36Z-17:06Z', () => {
  let sb: SeededSandbox;
  let summary: AdvanceSummary;
  const expected: Expected[] = [];

  beforeAll(async () => {
    sb = await seededSandbox('incident-2026-01-29', FREEZE);
    for (const s of sb.scenario.schedules) {
      const got = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: s.group, Name: s.name }));
      const flexibleMs = (got.FlexibleTimeWindow?.MaximumWindowInMinutes ?? 0) * 60_000;
      // Flexible schedules' invocations move by their offset; count them from the firer's own fires instead.
      const fires =
        flexibleMs === 0
          ? expectedFireTimes({ expression: got.ScheduleExpression!, timezone: got.ScheduleExpressionTimezone ?? 'UTC', creationDate: got.CreationDate! }, FREEZE, END)
          : [];
      expected.push({
        group: s.group,
        name: s.name,
        arn: got.Arn!,
        broken: s.plantedFault === 'TARGET_CLUSTER_NOT_FOUND',
        hasDlq: got.Target?.DeadLetterConfig?.Arn !== undefined,
        fires,
      });
    }
    summary = await sb.firer.advanceTo(END);
  });

  it('has 12 broken ECS schedules pointing at cluster/ops-pipeline and one Lambda schedule', () => {
    expect(expected.filter((e) => e.broken)).toHaveLength(12);
    expect(expected.filter((e) => !e.broken).map((e) => e.name)).toEqual(['trade-alert-checker']);
  });

  it('starts zero tasks: the real cluster stays empty and the named one does not exist', async () => {
    expect(summary.tasksStarted).toBe(0);
    expect(await allTasks(sb.clients.ecs, 'ops-pipeline-cluster')).toEqual([]);
    await expect(sb.clients.ecs.send(new ListTasksCommand({ cluster: 'ops-pipeline' }))).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
    const lastRuns = await sb.ledger.lastRuns(expected.map((e) => ({ group: e.group, name: e.name })));
    expect(lastRuns.size).toBe(0);
  });

  it('fails every broken invocation once with ClusterNotFoundException (a permanent error: no retries)', () => {
    const broken = sb.firer.invocations().filter((i) => i.targetKind === 'ecs');
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((i) => i.attempts === 1 && i.error?.code === 'ClusterNotFoundException')).toBe(true);
    for (const e of expected.filter((x) => x.broken && x.fires.length > 0)) {
      expect(sb.firer.invocations({ name: e.name }).map((i) => i.invokeAt.toISOString()), e.name).toEqual(e.fires.map((f) => f.toISOString()));
    }
    expect(summary.errorsByCode).toEqual({ ClusterNotFoundException: broken.length });
  });

  it('counts TargetErrorCount per group equal to the broken schedules\' attempts', async () => {
    for (const group of ['ops-pipeline-market', 'ops-pipeline']) {
      const brokenAttempts = sb.firer
        .invocations({ group })
        .filter((i) => i.targetKind === 'ecs')
        .reduce((n, i) => n + i.attempts, 0);
      const allAttempts = sb.firer.invocations({ group }).reduce((n, i) => n + i.attempts, 0);
      expect(brokenAttempts, group).toBeGreaterThan(0);
      expect(await schedulerMetricSum(sb.clients.cloudwatch, 'TargetErrorCount', group, FREEZE, METRIC_END), group).toBe(brokenAttempts);
      expect(await schedulerMetricSum(sb.clients.cloudwatch, 'InvocationAttemptCount', group, FREEZE, METRIC_END), group).toBe(allAttempts);
    }
  });

  it('records the Lambda schedule\'s invocations (11:40-12:05 New York time)', () => {
    const lambda = expected.find((e) => e.name === 'trade-alert-checker')!;
    expect(lambda.fires.map((f) => f.toISOString())).toEqual([
      '2026-01-29T16:40:00.000Z',
      '2026-01-29T16:45:00.000Z',
      '2026-01-29T16:50:00.000Z',
      '2026-01-29T16:55:00.000Z',
      '2026-01-29T17:00:00.000Z',
      '2026-01-29T17:05:00.000Z',
    ]);
    const invocations = sb.firer.invocations({ name: 'trade-alert-checker' });
    expect(invocations.map((i) => i.invokeAt.toISOString())).toEqual(lambda.fires.map((f) => f.toISOString()));
    expect(invocations.every((i) => i.outcome === 'succeeded')).toBe(true);
  });

  it('dead-letters the failures of schedules with a DLQ and drops the rest', async () => {
    const dlq = sb.seed.queues['ops-pipeline-scheduler-dlq']!;
    const messages = await drainQueue(sb.clients.sqs, dlq.url);
    const perSchedule = new Map<string, number>();
    for (const m of messages) {
      const arn = m.MessageAttributes?.SCHEDULE_ARN?.StringValue ?? '';
      perSchedule.set(arn, (perSchedule.get(arn) ?? 0) + 1);
      expect(m.MessageAttributes?.ERROR_CODE?.StringValue).toBe('ClusterNotFoundException');
      // A permanent error: Scheduler does not retry it, so no retry limit was exhausted.
      expect(m.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
      expect(m.MessageAttributes?.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
      // SCHEDULED_TIME is when the run was due (a flexible schedule's may precede its invocation).
      const scheduled = m.MessageAttributes?.SCHEDULED_TIME?.StringValue ?? '';
      const invocation = sb.firer.invocations().find((i) => i.scheduleArn === arn && i.scheduledTime.toISOString().replace('.000Z', 'Z') === scheduled);
      expect(invocation, `${arn} at ${scheduled}`).toBeDefined();
      expect(invocation!.invokeAt.getTime()).toBeGreaterThan(FREEZE.getTime());
      // The body is the target's input payload, or {} without one.
      expect(m.Body).toBe(invocation!.input?.value ?? '{}');
    }
    for (const e of expected.filter((x) => x.broken)) {
      const failed = sb.firer.invocations({ name: e.name }).length;
      expect(perSchedule.get(e.arn) ?? 0, `${e.name} DLQ messages`).toBe(e.hasDlq ? failed : 0);
    }
    for (const group of ['ops-pipeline-market', 'ops-pipeline']) {
      const inGroup = sb.firer.invocations({ group }).filter((i) => i.targetKind === 'ecs');
      const dropped = inGroup.filter((i) => i.outcome === 'dropped').length;
      const deadLettered = inGroup.filter((i) => i.outcome === 'dead-lettered').length;
      expect(dropped + deadLettered).toBe(inGroup.length);
      expect(await schedulerMetricSum(sb.clients.cloudwatch, 'InvocationDroppedCount', group, FREEZE, METRIC_END), group).toBe(dropped);
      expect(await schedulerMetricSum(sb.clients.cloudwatch, 'InvocationsSentToDeadLetterCount', group, FREEZE, METRIC_END), group).toBe(deadLettered);
    }
    expect(messages.length).toBe(summary.deadLettered);
    expect(summary.dropped).toBeGreaterThan(0);
  });
});
