import { ECSClient, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it, vi } from 'vitest';
import { createCallCounter, operationKey } from '../../../src/aws/call-counter.ts';
import { fakeHttpHandler, jsonError, jsonOk, OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const throttled = jsonError(400, 'ThrottlingException', 'Rate exceeded');

function schedulerClient(
  responses: Parameters<typeof fakeHttpHandler>[0],
  maxAttempts = 3,
  retryMode: 'standard' | 'adaptive' = 'adaptive',
): SchedulerClient {
  return new SchedulerClient({ ...OFFLINE_CLIENT_CONFIG, maxAttempts, retryMode, requestHandler: fakeHttpHandler(responses).handler });
}

describe('createCallCounter', () => {
  it('counts logical calls by Service.Operation across clients', async () => {
    const counter = createCallCounter();
    const scheduler = schedulerClient([jsonOk({ Schedules: [] })]);
    const ecs = new ECSClient({ ...OFFLINE_CLIENT_CONFIG, requestHandler: fakeHttpHandler([jsonOk({ clusters: [], failures: [] })]).handler });
    counter.attach(scheduler);
    counter.attach(ecs);

    await scheduler.send(new ListSchedulesCommand({}));
    await scheduler.send(new ListSchedulesCommand({ NextToken: 't' }));
    await scheduler.send(new ListSchedulesCommand({}));
    await ecs.send(new DescribeClustersCommand({ clusters: ['a'] }));

    expect(counter.counts()).toEqual({ 'Scheduler.ListSchedules': 3, 'ECS.DescribeClusters': 1 });
    expect(counter.total()).toBe(4);
  });

  it('counts a retried call once, and each HTTP attempt separately', async () => {
    const counter = createCallCounter();
    // Standard mode: the same retry middleware as adaptive, without the client-side rate limiter
    // whose token bucket polls the wall clock (fake timers would spin it).
    const client = schedulerClient([throttled, jsonOk({ Name: 'x', GroupName: 'default' })], 3, 'standard');
    counter.attach(client);

    // The SDK backs off between attempts with setTimeout; fake timers skip the wait.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const sent = client.send(new GetScheduleCommand({ Name: 'x' }));
      await vi.runAllTimersAsync();
      const out = await sent;
      expect(out.$metadata.attempts).toBe(2);
    } finally {
      vi.useRealTimers();
    }
    expect(counter.counts()).toEqual({ 'Scheduler.GetSchedule': 1 });
    expect(counter.attempts()).toEqual({ 'Scheduler.GetSchedule': 2 });
  });

  it('counts calls that end in an error', async () => {
    const counter = createCallCounter();
    const client = schedulerClient([jsonError(404, 'ResourceNotFoundException', 'Schedule x does not exist.')]);
    counter.attach(client);

    await expect(client.send(new GetScheduleCommand({ Name: 'x' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect(counter.counts()).toEqual({ 'Scheduler.GetSchedule': 1 });
    expect(counter.attempts()).toEqual({ 'Scheduler.GetSchedule': 1 });
  });

  it('reset() zeroes the counts; the returned detach stops counting', async () => {
    const counter = createCallCounter();
    const client = schedulerClient([jsonOk({ Schedules: [] })]);
    const detach = counter.attach(client);
    await client.send(new ListSchedulesCommand({}));
    expect(counter.total()).toBe(1);

    counter.reset();
    expect(counter.counts()).toEqual({});
    expect(counter.total()).toBe(0);

    await client.send(new ListSchedulesCommand({}));
    detach();
    await client.send(new ListSchedulesCommand({}));
    expect(counter.counts()).toEqual({ 'Scheduler.ListSchedules': 1 });
  });

  it('attaching twice does not double count; two counters on one client both count', async () => {
    const a = createCallCounter();
    const b = createCallCounter();
    const client = schedulerClient([jsonOk({ Schedules: [] })]);
    a.attach(client);
    a.attach(client);
    b.attach(client);

    await client.send(new ListSchedulesCommand({}));

    expect(a.total()).toBe(1);
    expect(b.total()).toBe(1);
  });
});

describe('operationKey', () => {
  it.each([
    [{ clientName: 'SchedulerClient', commandName: 'ListSchedulesCommand' }, 'Scheduler.ListSchedules'],
    [{ clientName: 'CloudWatchClient', commandName: 'GetMetricDataCommand' }, 'CloudWatch.GetMetricData'],
    [{}, 'Unknown.Unknown'],
  ])('%j → %s', (context, key) => {
    expect(operationKey(context)).toBe(key);
  });
});
