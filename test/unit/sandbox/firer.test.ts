import { describe, expect, it } from 'vitest';
import { MemoryRunLedger } from '../../../src/ledger/index.ts';
import { createFirer } from '../../../src/sandbox/firer.ts';
import { createVirtualClock } from '../../../src/sandbox/virtual-clock.ts';
import { ACCOUNT, CLUSTER_ARN, DLQ_ARN, REGION, ROLE_ARN, TASK_DEF, ecsSchedule, fakeWorld, metricTotal, type FakeWorld } from './fake-ports.ts';

const T0 = new Date('2026-11-23T14:30:00Z');

function firerFor(world: FakeWorld, ledger = new MemoryRunLedger()) {
  const clock = createVirtualClock(T0);
  return { clock, ledger, firer: createFirer({ ports: world.ports, clock, ledger, account: ACCOUNT, region: REGION }) };
}

describe('createFirer', () => {
  it('fires everything due in (firedUpTo, target] in time order across schedules', async () => {
    const world = fakeWorld([
      ecsSchedule('every-5', { expression: 'cron(0/5 * * * ? *)' }),
      ecsSchedule('every-2', { expression: 'cron(0/2 * * * ? *)' }),
      ecsSchedule('at-once', { expression: 'at(2026-11-23T14:37:30)' }),
    ]);
    const { firer, clock } = firerFor(world);
    const summary = await firer.advance(10);
    const order = firer.invocations().map((i) => `${i.invokeAt.toISOString().slice(11, 19)} ${i.name}`);
    expect(order).toEqual([
      '14:32:00 every-2',
      '14:34:00 every-2',
      '14:35:00 every-5',
      '14:36:00 every-2',
      '14:37:30 at-once',
      '14:38:00 every-2',
      '14:40:00 every-2',
      '14:40:00 every-5',
    ]);
    expect(summary.invocations).toBe(8);
    expect(summary.tasksStarted).toBe(8);
    expect(clock.now().toISOString()).toBe('2026-11-23T14:40:00.000Z');
    expect(firer.firedUpTo.toISOString()).toBe('2026-11-23T14:40:00.000Z');
    // The boundary is exclusive below and inclusive above: advancing again does not re-fire 14:40.
    const next = await firer.advance(1);
    expect(next.invocations).toBe(0);
  });

  it('calls RunTask the way Scheduler does: cluster = Target.Arn, startedBy cut to 36 characters, group, overrides from Input', async () => {
    const world = fakeWorld([
      ecsSchedule('ops-pipeline-dispatcher-tiny', {
        target: {
          ...ecsSchedule('x').target,
          input: JSON.stringify({ containerOverrides: [{ name: 'app', environment: [{ name: 'ACCOUNT', value: 'tiny' }] }] }),
          ecs: { taskDefinitionArn: TASK_DEF, taskCount: 2, launchType: 'FARGATE', group: 'tiny', tags: { team: 'trading' }, network: { subnets: ['subnet-1'] } },
        },
      }),
    ]);
    const { firer } = firerFor(world);
    await firer.advance(5);
    expect(world.runTasks).toEqual([
      {
        cluster: CLUSTER_ARN,
        taskDefinition: TASK_DEF,
        count: 2,
        startedBy: 'chronos-schedule/ops-pipeline-dispat',
        launchType: 'FARGATE',
        network: { subnets: ['subnet-1'] },
        group: 'tiny',
        tags: { team: 'trading' },
        overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'ACCOUNT', value: 'tiny' }] }] },
      },
    ]);
    expect(firer.invocations()[0]?.taskArns).toHaveLength(2);
    expect(firer.invocations()[0]?.input?.usedAs).toBe('overrides');
  });

  it('records each started task in the run ledger at the VIRTUAL fire time', async () => {
    const world = fakeWorld([ecsSchedule('job')]);
    const { firer, ledger } = firerFor(world);
    const summary = await firer.advance(15);
    const runs = await ledger.runsSince({ group: 'g', name: 'job' }, new Date(0));
    expect(runs.map((r) => r.runAt.toISOString())).toEqual(['2026-11-23T14:35:00.000Z', '2026-11-23T14:40:00.000Z', '2026-11-23T14:45:00.000Z']);
    expect(summary.ledger).toEqual({ recorded: 3 });
  });

  it('never fires DISABLED schedules, and honours StartDate and EndDate', async () => {
    const world = fakeWorld([
      ecsSchedule('off', { state: 'DISABLED' }),
      ecsSchedule('ended', { endDate: new Date('2026-11-23T14:36:00Z') }),
      ecsSchedule('later', { startDate: new Date('2026-11-23T14:41:00Z') }),
    ]);
    const { firer } = firerFor(world);
    const summary = await firer.advance(20);
    expect(firer.invocations({ name: 'off' })).toEqual([]);
    expect(firer.invocations({ name: 'ended' }).map((i) => i.invokeAt.toISOString())).toEqual(['2026-11-23T14:35:00.000Z']);
    expect(firer.invocations({ name: 'later' }).map((i) => i.invokeAt.toISOString())).toEqual(['2026-11-23T14:45:00.000Z', '2026-11-23T14:50:00.000Z']);
    expect(summary.skipped).toEqual([{ schedule: 'g/off', reason: 'disabled' }]);
    // A disabled schedule needs no GetSchedule.
    expect(world.calls).not.toContain('GetSchedule g/off');
  });

  it('evaluates cron in the schedule timezone', async () => {
    const world = fakeWorld([ecsSchedule('ny-open', { expression: 'cron(30 9 ? * MON-FRI *)', timezone: 'America/New_York' })]);
    const { firer } = firerFor(world);
    // Start just before: 09:30 New York is 14:30Z in November.
    const early = createVirtualClock(new Date('2026-11-23T14:00:00Z'));
    const f = createFirer({ ports: world.ports, clock: early, account: ACCOUNT, region: REGION });
    await f.advance(60);
    expect(f.invocations().map((i) => i.invokeAt.toISOString())).toEqual(['2026-11-23T14:30:00.000Z']);
    expect(firer.invocations()).toEqual([]);
  });

  it('retries retryable errors per RetryPolicy, counting every attempt, then dead-letters', async () => {
    const world = fakeWorld([
      ecsSchedule('flaky', {
        target: { ...ecsSchedule('x').target, deadLetterArn: DLQ_ARN, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 } },
      }),
    ]);
    world.runTaskResults.push(
      { ok: false, error: { code: 'ThrottlingException', message: 'slow down', httpStatus: 400 } },
      { ok: false, error: { code: 'ServerException', message: 'boom', httpStatus: 500 } },
      { ok: false, error: { code: 'ServerException', message: 'boom', httpStatus: 500 } },
    );
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    const [invocation] = firer.invocations();
    expect(invocation).toMatchObject({ attempts: 3, outcome: 'dead-lettered', error: { code: 'ServerException' } });
    expect(summary).toMatchObject({ attempts: 3, failed: 1, deadLettered: 1, dropped: 0, errorsByCode: { ThrottlingException: 1, ServerException: 2 } });
    expect(metricTotal(world, 'InvocationAttemptCount', 'g')).toBe(3);
    expect(metricTotal(world, 'TargetErrorCount', 'g')).toBe(3);
    expect(metricTotal(world, 'TargetErrorThrottledCount', 'g')).toBe(1);
    expect(metricTotal(world, 'InvocationsSentToDeadLetterCount', 'g')).toBe(1);
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]?.attributes).toMatchObject({ ERROR_CODE: 'ServerException', RETRY_ATTEMPTS: '2', EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts', SCHEDULE_ARN: invocation?.scheduleArn });
    expect(world.sent[0]?.attributes?.SCHEDULED_TIME).toBe(invocation?.scheduledTime.toISOString().replace('.000Z', 'Z'));
    expect(world.sent[0]?.attributes?.EXECUTION_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('succeeds on a retry after a transient error', async () => {
    const world = fakeWorld([ecsSchedule('flaky', { target: { ...ecsSchedule('x').target, retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 } } })]);
    world.runTaskResults.push({ ok: false, error: { code: 'ServiceUnavailableException', message: 'later', httpStatus: 503 } });
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    expect(firer.invocations()[0]).toMatchObject({ attempts: 2, outcome: 'succeeded' });
    expect(summary).toMatchObject({ succeeded: 1, failed: 0, tasksStarted: 1 });
    expect(metricTotal(world, 'InvocationAttemptCount')).toBe(2);
    expect(metricTotal(world, 'TargetErrorCount')).toBe(1);
  });

  it('does not retry a permanent error and drops it when there is no DLQ', async () => {
    const world = fakeWorld([ecsSchedule('broken', { target: { ...ecsSchedule('x').target, retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } } })]);
    world.runTaskResults.push({ ok: false, error: { code: 'ClusterNotFoundException', message: 'Cluster not found.', httpStatus: 400 } });
    const { firer } = firerFor(world);
    await firer.advance(5);
    expect(firer.invocations()[0]).toMatchObject({ attempts: 1, outcome: 'dropped', error: { code: 'ClusterNotFoundException' } });
    expect(metricTotal(world, 'InvocationDroppedCount', 'g')).toBe(1);
    expect(metricTotal(world, 'InvocationsSentToDeadLetterCount')).toBe(0);
  });

  it('dead-letters a permanent error at once, with the target input as the body and no exhausted retry condition', async () => {
    const world = fakeWorld([ecsSchedule('broken', { target: { ...ecsSchedule('x').target, deadLetterArn: DLQ_ARN, input: '{"note":"kept"}' } })]);
    world.runTaskResults.push({ ok: false, error: { code: 'ClusterNotFoundException', message: 'Cluster not found.', httpStatus: 400 } });
    const { firer } = firerFor(world);
    await firer.advance(5);
    const [invocation] = firer.invocations();
    expect(invocation).toMatchObject({ attempts: 1, outcome: 'dead-lettered' });
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]).toMatchObject({ queueArn: DLQ_ARN, body: '{"note":"kept"}' });
    expect(world.sent[0]?.attributes).toMatchObject({ ERROR_CODE: 'ClusterNotFoundException', ERROR_MESSAGE: 'Cluster not found.', RETRY_ATTEMPTS: '0', IS_PAYLOAD_TRUNCATED: 'false' });
    expect(world.sent[0]?.attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
  });

  it('counts a dead-letter queue that rejects the message', async () => {
    const world = fakeWorld([ecsSchedule('broken', { target: { ...ecsSchedule('x').target, deadLetterArn: DLQ_ARN } })]);
    world.failingQueues.add(DLQ_ARN);
    world.runTaskResults.push({ ok: false, error: { code: 'InvalidParameterException', message: 'bad', httpStatus: 400 } });
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    expect(firer.invocations()[0]?.outcome).toBe('dead-letter-failed');
    expect(summary.deadLetterFailures).toBe(1);
    expect(metricTotal(world, 'InvocationsFailedToBeSentToDeadLetterCount')).toBe(1);
  });

  it('refuses a missing role, an INACTIVE cluster and an INACTIVE task definition before RunTask', async () => {
    const world = fakeWorld([
      ecsSchedule('no-role', { target: { ...ecsSchedule('x').target, roleArn: `${ROLE_ARN}-gone` } }),
      ecsSchedule('dead-cluster', { target: { ...ecsSchedule('x').target, arn: `${CLUSTER_ARN}-old` } }),
      ecsSchedule('dead-td', { target: { ...ecsSchedule('x').target, ecs: { taskDefinitionArn: `${TASK_DEF}0`, launchType: 'FARGATE' } } }),
    ]);
    world.missingRoles.add(`${ROLE_ARN}-gone`);
    world.clusterStatus.set(`${CLUSTER_ARN}-old`, 'INACTIVE');
    world.taskDefinitionStatus.set(`${TASK_DEF}0`, 'INACTIVE');
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    expect(Object.fromEntries(firer.invocations().map((i) => [i.name, i.error?.code]))).toEqual({
      'no-role': 'AccessDeniedException',
      'dead-cluster': 'ClusterNotFoundException',
      'dead-td': 'ClientException',
    });
    expect(world.runTasks).toEqual([]);
    expect(summary.errorsByCode).toEqual({ AccessDeniedException: 1, ClusterNotFoundException: 1, ClientException: 1 });
  });

  it('checks Lambda targets exist and records the invocation; a missing function is a target error', async () => {
    const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:alerts`;
    const world = fakeWorld([
      ecsSchedule('alerts', { target: { arn: fnArn, roleArn: ROLE_ARN, input: '{"check":"all"}' } }),
      ecsSchedule('ghost', { target: { arn: `${fnArn}-ghost`, roleArn: ROLE_ARN } }),
    ]);
    world.missingFunctions.add(`${fnArn}-ghost`);
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    expect(firer.invocations({ name: 'alerts' })[0]).toMatchObject({ targetKind: 'lambda', outcome: 'succeeded', input: { value: '{"check":"all"}', usedAs: 'payload' } });
    expect(firer.invocations({ name: 'ghost' })[0]).toMatchObject({ outcome: 'dropped', error: { code: 'ResourceNotFoundException' } });
    expect(summary.lambdaInvocations).toBe(1);
  });

  it('delays FLEXIBLE schedules by their fixed offset, inside the window', async () => {
    const world = fakeWorld([ecsSchedule('flex', { expression: 'cron(0/15 * * * ? *)', flexibleWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 10 } })]);
    const { firer } = firerFor(world);
    await firer.advance(60);
    const invocations = firer.invocations();
    const offsets = new Set(invocations.map((i) => i.invokeAt.getTime() - i.scheduledTime.getTime()));
    expect(offsets.size).toBe(1);
    const [offset] = [...offsets];
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(10 * 60_000);
    expect(invocations.every((i) => i.invokeAt.getTime() > T0.getTime())).toBe(true);
  });

  it('re-reads schedules on every advance but fetches only those whose LastModificationDate changed', async () => {
    const world = fakeWorld([ecsSchedule('a'), ecsSchedule('b')]);
    const { firer } = firerFor(world);
    const first = await firer.advance(5);
    expect(first.schedulesFetched).toBe(2);
    const second = await firer.advance(5);
    expect(second.schedulesFetched).toBe(0);
    // An UpdateSchedule between advances (new expression, new LastModificationDate) takes effect.
    const a = world.schedules.get('g/a')!;
    world.schedules.set('g/a', { ...a, expression: 'cron(0/1 * * * ? *)', lastModificationDate: new Date('2026-11-23T14:40:00Z') });
    const third = await firer.advance(5);
    expect(third.schedulesFetched).toBe(1);
    expect(firer.invocations({ name: 'a' }).filter((i) => i.invokeAt.getTime() > Date.parse('2026-11-23T14:40:00Z'))).toHaveLength(5);
  });

  it('deletes a finished one-time schedule whose ActionAfterCompletion is DELETE', async () => {
    const world = fakeWorld([
      ecsSchedule('once', { expression: 'at(2026-11-23T14:33:00)', actionAfterCompletion: 'DELETE' }),
      ecsSchedule('once-keep', { expression: 'at(2026-11-23T14:33:00)', actionAfterCompletion: 'NONE' }),
    ]);
    const { firer } = firerFor(world);
    const summary = await firer.advance(5);
    expect(summary.deletedSchedules).toEqual(['g/once']);
    expect([...world.schedules.keys()]).toEqual(['g/once-keep']);
  });

  it('aggregates metrics per group and minute with virtual timestamps', async () => {
    const world = fakeWorld([ecsSchedule('a', { expression: 'cron(0/1 * * * ? *)' }), ecsSchedule('b', { expression: 'cron(0/1 * * * ? *)' }), ecsSchedule('c', { group: 'other', expression: 'cron(0/1 * * * ? *)' })]);
    const { firer } = firerFor(world);
    const summary = await firer.advance(3);
    const datums = world.metricBatches.flat();
    expect(summary.metricCalls).toBe(1);
    expect(datums.map((d) => `${d.timestamp.toISOString().slice(11, 16)} ${d.dimensions.ScheduleGroup} ${d.value}`)).toEqual([
      '14:31 g 2',
      '14:31 other 1',
      '14:32 g 2',
      '14:32 other 1',
      '14:33 g 2',
      '14:33 other 1',
    ]);
  });

  it('refuses to go backwards and rejects an advance that would be too large', async () => {
    const world = fakeWorld([ecsSchedule('a', { expression: 'cron(0/1 * * * ? *)' })]);
    const clock = createVirtualClock(T0);
    const firer = createFirer({ ports: world.ports, clock, account: ACCOUNT, region: REGION, maxInvocationsPerAdvance: 10 });
    expect((await firer.advanceTo(new Date('2026-11-23T14:00:00Z'))).invocations).toBe(0);
    await expect(firer.advance(60)).rejects.toMatchObject({ code: 'ADVANCE_TOO_LARGE' });
    await expect(firer.advance(-1)).rejects.toMatchObject({ code: 'INVALID_ADVANCE' });
  });
});
