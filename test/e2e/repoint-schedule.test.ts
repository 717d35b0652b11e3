/**
 * The incident's fix, done the safe way: GetSchedule, then UpdateSchedule writing back every field
 * with only Target.Arn changed. The next fire after the update starts a task.
 */
import { GetScheduleCommand, UpdateScheduleCommand, type GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { startedByFor } from '../../src/ledger/index.ts';
import { tasksStartedBy } from './aws-evidence.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const START = new Date('2026-01-29T23:00:00Z');
const GROUP = 'ops-pipeline';
const NAME = 'ops-pipeline-feature-computer-1m';

describe('repointing a broken schedule with UpdateSchedule', () => {
  let sb: SeededSandbox;
  let before: GetScheduleCommandOutput;

  beforeAll(async () => {
    sb = await seededSandbox('incident-2026-01-29', START);
    const broken = await sb.firer.advance(2);
    expect(broken.tasksStarted).toBe(0);
    before = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: GROUP, Name: NAME }));
    const fixedArn = before.Target!.Arn!.replace(/cluster\/ops-pipeline$/, 'cluster/ops-pipeline-cluster');
    await sb.clients.scheduler.send(
      new UpdateScheduleCommand({
        Name: before.Name!,
        GroupName: before.GroupName!,
        ScheduleExpression: before.ScheduleExpression!,
        ...(before.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: before.ScheduleExpressionTimezone } : {}),
        ...(before.Description ? { Description: before.Description } : {}),
        ...(before.StartDate ? { StartDate: before.StartDate } : {}),
        ...(before.EndDate ? { EndDate: before.EndDate } : {}),
        ...(before.KmsKeyArn ? { KmsKeyArn: before.KmsKeyArn } : {}),
        ...(before.ActionAfterCompletion ? { ActionAfterCompletion: before.ActionAfterCompletion } : {}),
        State: before.State!,
        FlexibleTimeWindow: before.FlexibleTimeWindow!,
        Target: { ...before.Target!, Arn: fixedArn },
      }),
    );
  });

  it('changes only Target.Arn', async () => {
    const after = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: GROUP, Name: NAME }));
    expect(after.Target?.Arn).toMatch(/cluster\/ops-pipeline-cluster$/);
    const strip = (s: GetScheduleCommandOutput) => ({ ...s, $metadata: undefined, LastModificationDate: undefined, Target: { ...s.Target, Arn: undefined } });
    expect(strip(after)).toEqual(strip(before));
  });

  it('starts a task at the next fire, recorded in the ledger at the virtual fire time', async () => {
    const summary = await sb.firer.advance(1);
    const fire = new Date('2026-01-29T23:03:00Z');
    const invocation = sb.firer.invocations({ name: NAME }).at(-1)!;
    expect(invocation.invokeAt.toISOString()).toBe(fire.toISOString());
    expect(invocation.outcome).toBe('succeeded');
    expect(invocation.taskArns).toHaveLength(1);
    const tasks = await tasksStartedBy(sb.clients.ecs, 'ops-pipeline-cluster', startedByFor(NAME));
    expect(tasks.map((t) => t.taskArn)).toEqual(invocation.taskArns);
    const lastRuns = await sb.ledger.lastRuns([{ group: GROUP, name: NAME }]);
    expect(lastRuns.get(`${GROUP}/${NAME}`)?.runAt.toISOString()).toBe(fire.toISOString());
    // The schedules that were not repointed still fail.
    expect(summary.tasksStarted).toBe(1);
    expect(summary.errorsByCode.ClusterNotFoundException).toBeGreaterThan(0);
  });
});
