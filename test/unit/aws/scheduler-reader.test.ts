import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  SchedulerServiceException,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduleDefinitionCache, createSchedulerReader, targetKind } from '../../../src/aws/scheduler-reader.ts';
import { LookupError } from '../../../src/checks/lookup-error.ts';
import { fakeHttpHandler, jsonError, jsonOk, OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const ACCOUNT = '123456789012';
const groupArn = (name: string): string => `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule-group/${name}`;
const scheduleArn = (group: string, name: string): string => `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${group}/${name}`;
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/trading`;
const meta = { $metadata: {} };
const accessDenied = (): SchedulerServiceException =>
  new SchedulerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', ...meta });

const client = new SchedulerClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

describe('listGroups', () => {
  it('follows every NextToken page and reads each group tags', async () => {
    mock
      .on(ListScheduleGroupsCommand)
      .resolvesOnce({ ScheduleGroups: [{ Name: 'default', Arn: groupArn('default'), State: 'ACTIVE' }], NextToken: 'p2' })
      .resolvesOnce({ ScheduleGroups: [{ Name: 'trading', Arn: groupArn('trading'), State: 'ACTIVE' }], NextToken: 'p3' })
      .resolvesOnce({ ScheduleGroups: [{ Name: 'reports', Arn: groupArn('reports'), State: 'DELETING' }] });
    mock.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    mock.on(ListTagsForResourceCommand, { ResourceArn: groupArn('trading') }).resolves({
      Tags: [
        { Key: 'ops:market-critical', Value: 'true' },
        { Key: 'team', Value: 'execution' },
      ],
    });

    const groups = await createSchedulerReader(client).listGroups();

    expect(groups).toEqual([
      { name: 'default', arn: groupArn('default'), state: 'ACTIVE', tags: {} },
      { name: 'trading', arn: groupArn('trading'), state: 'ACTIVE', tags: { 'ops:market-critical': 'true', team: 'execution' } },
      { name: 'reports', arn: groupArn('reports'), state: 'DELETING', tags: {} },
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListScheduleGroupsCommand, 3);
    expect(mock).toHaveReceivedNthCommandWith(ListScheduleGroupsCommand, 1, { NextToken: undefined });
    expect(mock).toHaveReceivedNthCommandWith(ListScheduleGroupsCommand, 2, { NextToken: 'p2' });
    expect(mock).toHaveReceivedNthCommandWith(ListScheduleGroupsCommand, 3, { NextToken: 'p3' });
    expect(mock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 3);
  });

  it('keeps a group whose tags cannot be read, with empty tags and the failure attached', async () => {
    mock.on(ListScheduleGroupsCommand).resolves({
      ScheduleGroups: [
        { Name: 'trading', Arn: groupArn('trading') },
        { Name: 'reports', Arn: groupArn('reports') },
      ],
    });
    mock.on(ListTagsForResourceCommand, { ResourceArn: groupArn('trading') }).rejects(accessDenied());
    mock.on(ListTagsForResourceCommand, { ResourceArn: groupArn('reports') }).resolves({ Tags: [{ Key: 'team', Value: 'ops' }] });

    const groups = await createSchedulerReader(client).listGroups();

    expect(groups).toEqual([
      {
        name: 'trading',
        arn: groupArn('trading'),
        tags: {},
        tagsFailure: { action: 'scheduler:ListTagsForResource', errorName: 'AccessDeniedException', message: 'not authorized' },
      },
      { name: 'reports', arn: groupArn('reports'), tags: { team: 'ops' } },
    ]);
  });

  it('throws LookupError naming scheduler:ListScheduleGroups when listing is denied', async () => {
    mock.on(ListScheduleGroupsCommand).rejects(accessDenied());

    const error = await createSchedulerReader(client).listGroups().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LookupError);
    expect((error as LookupError).failure).toEqual({
      action: 'scheduler:ListScheduleGroups',
      errorName: 'AccessDeniedException',
      message: 'not authorized',
    });
    expect(mock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
  });

  it('reads tags with at most `concurrency` calls in flight', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `g${i}`);
    mock.on(ListScheduleGroupsCommand).resolves({ ScheduleGroups: names.map((n) => ({ Name: n, Arn: groupArn(n) })) });
    let inFlight = 0;
    let peak = 0;
    mock.on(ListTagsForResourceCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return { Tags: [] };
    });

    const groups = await createSchedulerReader(client, { concurrency: 3 }).listGroups();

    expect(groups.map((g) => g.name)).toEqual(names);
    expect(peak).toBe(3);
  });
});

describe('listSchedules', () => {
  it('passes the filter, follows NextToken, and maps Target.Arn to targetArn', async () => {
    mock
      .on(ListSchedulesCommand)
      .resolvesOnce({
        Schedules: [
          { Name: 'open', GroupName: 'trading', Arn: scheduleArn('trading', 'open'), State: 'ENABLED', Target: { Arn: CLUSTER } },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({
        Schedules: [
          {
            Name: 'close',
            GroupName: 'trading',
            Arn: scheduleArn('trading', 'close'),
            State: 'DISABLED',
            Target: { Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:close` },
          },
        ],
      });

    const listings = await createSchedulerReader(client).listSchedules({ group: 'trading', namePrefix: 'o', state: 'ENABLED' });

    expect(listings).toEqual([
      { group: 'trading', name: 'open', arn: scheduleArn('trading', 'open'), state: 'ENABLED', targetArn: CLUSTER },
      {
        group: 'trading',
        name: 'close',
        arn: scheduleArn('trading', 'close'),
        state: 'DISABLED',
        targetArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:close`,
      },
    ]);
    expect(mock).toHaveReceivedCommandTimes(ListSchedulesCommand, 2);
    expect(mock).toHaveReceivedNthCommandWith(ListSchedulesCommand, 1, { GroupName: 'trading', NamePrefix: 'o', State: 'ENABLED', NextToken: undefined });
    expect(mock).toHaveReceivedNthCommandWith(ListSchedulesCommand, 2, { GroupName: 'trading', NamePrefix: 'o', State: 'ENABLED', NextToken: 'next' });
  });

  it('stops when an endpoint repeats the token it was sent', async () => {
    // A third page exists only so that a reader without the guard ends (with 3 calls) instead of hanging.
    mock
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [], NextToken: 'same' })
      .resolvesOnce({ Schedules: [], NextToken: 'same' })
      .resolves({ Schedules: [] });

    await createSchedulerReader(client).listSchedules({});

    expect(mock).toHaveReceivedCommandTimes(ListSchedulesCommand, 2);
  });

  it('throws LookupError naming scheduler:ListSchedules when a later page fails', async () => {
    mock.on(ListSchedulesCommand).resolvesOnce({ Schedules: [], NextToken: 'p2' }).rejectsOnce(accessDenied());

    await expect(createSchedulerReader(client).listSchedules({})).rejects.toMatchObject({
      failure: { action: 'scheduler:ListSchedules', errorName: 'AccessDeniedException' },
    });
  });
});

describe('getSchedule', () => {
  const created = new Date('2025-01-02T03:04:05Z');
  const modified = new Date('2025-03-04T05:06:07Z');

  it('maps an ECS schedule with every field the check reads', async () => {
    mock.on(GetScheduleCommand).resolves({
      Arn: scheduleArn('trading', 'open'),
      GroupName: 'trading',
      Name: 'open',
      ScheduleExpression: 'cron(30 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
      State: 'ENABLED',
      CreationDate: created,
      LastModificationDate: modified,
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
      Target: {
        Arn: CLUSTER,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/scheduler`,
        DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` },
        RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
        EcsParameters: {
          TaskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/open:7`,
          LaunchType: 'FARGATE',
          TaskCount: 1,
          Group: 'schedule:open',
          CapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        },
      },
    });

    const lookup = await createSchedulerReader(client).getSchedule({ group: 'trading', name: 'open' });

    expect(mock).toHaveReceivedCommandExactlyOnceWith(GetScheduleCommand, { GroupName: 'trading', Name: 'open' });
    expect(lookup).toEqual({
      status: 'found',
      value: {
        group: 'trading',
        name: 'open',
        arn: scheduleArn('trading', 'open'),
        state: 'ENABLED',
        expression: 'cron(30 9 ? * MON-FRI *)',
        timezone: 'America/New_York',
        creationDate: created,
        lastModificationDate: modified,
        flexibleWindowMinutes: 5,
        target: {
          kind: 'ecs',
          arn: CLUSTER,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/scheduler`,
          deadLetterArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`,
          retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 2 },
          ecs: {
            taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/open:7`,
            launchType: 'FARGATE',
            taskCount: 1,
            group: 'schedule:open',
            capacityProviders: ['FARGATE_SPOT'],
          },
        },
      },
    });
  });

  it('normalizes defaults: UTC timezone, 0-minute window when OFF, Lambda target kind', async () => {
    mock.on(GetScheduleCommand).resolves({
      Arn: scheduleArn('default', 'sweep'),
      GroupName: 'default',
      Name: 'sweep',
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF', MaximumWindowInMinutes: 15 },
      Target: { Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:sweep`, RoleArn: `arn:aws:iam::${ACCOUNT}:role/run` },
    });

    const lookup = await createSchedulerReader(client).getSchedule({ group: 'default', name: 'sweep' });

    expect(lookup.status).toBe('found');
    if (lookup.status !== 'found') return;
    expect(lookup.value.timezone).toBe('UTC');
    expect(lookup.value.flexibleWindowMinutes).toBe(0);
    expect(lookup.value.state).toBe('DISABLED');
    expect(lookup.value.target).toEqual({
      kind: 'lambda',
      arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:sweep`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/run`,
    });
  });

  it('is missing when the schedule was deleted after it was listed', async () => {
    mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule gone does not exist.', Message: 'Schedule gone does not exist.', ...meta }));

    const lookup = await createSchedulerReader(client).getSchedule({ group: 'trading', name: 'gone' });

    expect(lookup).toEqual({ status: 'missing', reason: 'schedule trading/gone does not exist' });
  });

  it('is unknown with scheduler:GetSchedule when denied', async () => {
    mock.on(GetScheduleCommand).rejects(accessDenied());

    const lookup = await createSchedulerReader(client).getSchedule({ group: 'trading', name: 'open' });

    expect(lookup).toEqual({
      status: 'unknown',
      failure: { action: 'scheduler:GetSchedule', errorName: 'AccessDeniedException', message: 'not authorized' },
    });
  });

  it('is unknown when throttling outlasts every retry', async () => {
    mock.on(GetScheduleCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', ...meta }));

    const lookup = await createSchedulerReader(client).getSchedule({ group: 'trading', name: 'open' });

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'scheduler:GetSchedule', errorName: 'ThrottlingException' } });
  });
});

describe('definition cache', () => {
  const modified = new Date('2025-03-04T05:06:07Z');
  const output = (expression: string, lastModified: Date) => ({
    Arn: scheduleArn('trading', 'open'),
    GroupName: 'trading',
    Name: 'open',
    ScheduleExpression: expression,
    State: 'ENABLED' as const,
    CreationDate: new Date('2025-01-02T03:04:05Z'),
    LastModificationDate: lastModified,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Target: { Arn: CLUSTER, RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler` },
  });

  it('skips GetSchedule while ListSchedules reports the same LastModificationDate, and re-reads when it moves', async () => {
    const cache = createScheduleDefinitionCache();
    const reader = createSchedulerReader(client, { definitionCache: cache });
    mock.on(GetScheduleCommand).resolvesOnce(output('rate(5 minutes)', modified)).resolvesOnce(output('rate(10 minutes)', new Date('2025-03-05T00:00:00Z')));

    const first = await reader.getSchedule({ group: 'trading', name: 'open', lastModificationDate: modified });
    const again = await reader.getSchedule({ group: 'trading', name: 'open', lastModificationDate: new Date(modified) });
    expect(mock).toHaveReceivedCommandTimes(GetScheduleCommand, 1);
    expect(again).toEqual(first);
    expect(again.status === 'found' && again.value.expression).toBe('rate(5 minutes)');

    const changed = await reader.getSchedule({ group: 'trading', name: 'open', lastModificationDate: new Date('2025-03-05T00:00:00Z') });
    expect(mock).toHaveReceivedCommandTimes(GetScheduleCommand, 2);
    expect(changed.status === 'found' && changed.value.expression).toBe('rate(10 minutes)');
  });

  it('always reads when the listing carries no LastModificationDate', async () => {
    const reader = createSchedulerReader(client, { definitionCache: createScheduleDefinitionCache() });
    mock.on(GetScheduleCommand).resolves(output('rate(5 minutes)', modified));
    await reader.getSchedule({ group: 'trading', name: 'open' });
    await reader.getSchedule({ group: 'trading', name: 'open' });
    expect(mock).toHaveReceivedCommandTimes(GetScheduleCommand, 2);
  });
});

describe('retries over HTTP (a real client: aws-sdk-client-mock would bypass the retry middleware)', () => {
  // Standard mode runs the same retry middleware as the factory's adaptive mode, without the
  // client-side rate limiter whose token bucket polls the wall clock and would spin fake timers.
  const realClient = (responses: Parameters<typeof fakeHttpHandler>[0], maxAttempts: number) => {
    const http = fakeHttpHandler(responses);
    return { http, client: new SchedulerClient({ ...OFFLINE_CLIENT_CONFIG, maxAttempts, retryMode: 'standard', requestHandler: http.handler }) };
  };
  const withFakeBackoff = async <T>(run: () => Promise<T>): Promise<T> => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const pending = run();
      await vi.runAllTimersAsync();
      return await pending;
    } finally {
      vi.useRealTimers();
    }
  };
  const throttled = jsonError(400, 'ThrottlingException', 'Rate exceeded');

  it('retries a throttled GetSchedule and returns the schedule (2 attempts)', async () => {
    const { http, client: real } = realClient(
      [throttled, jsonOk({ Name: 'open', GroupName: 'trading', ScheduleExpression: 'rate(1 hour)', Target: { Arn: CLUSTER, RoleArn: 'r' } })],
      3,
    );

    const lookup = await withFakeBackoff(() => createSchedulerReader(real).getSchedule({ group: 'trading', name: 'open' }));

    expect(http.requests).toHaveLength(2);
    expect(http.requests[1]?.path).toBe('/schedules/open');
    expect(lookup).toMatchObject({ status: 'found', value: { name: 'open', expression: 'rate(1 hour)', target: { kind: 'ecs' } } });
  });

  it('gives up after maxAttempts and reports unknown', async () => {
    const { http, client: real } = realClient([throttled], 3);

    const lookup = await withFakeBackoff(() => createSchedulerReader(real).getSchedule({ group: 'trading', name: 'open' }));

    expect(http.requests).toHaveLength(3);
    expect(lookup).toEqual({
      status: 'unknown',
      failure: { action: 'scheduler:GetSchedule', errorName: 'ThrottlingException', message: 'Rate exceeded' },
    });
  });

  it('does not retry a missing schedule, and maps the wire error to missing', async () => {
    const { http, client: real } = realClient([jsonError(404, 'ResourceNotFoundException', 'Schedule open does not exist.')], 3);

    const lookup = await createSchedulerReader(real).getSchedule({ group: 'trading', name: 'open' });

    expect(http.requests).toHaveLength(1);
    expect(lookup.status).toBe('missing');
  });
});

describe('targetKind', () => {
  it.each([
    [CLUSTER, 'ecs'],
    [`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/open:1`, 'other'],
    [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:step`, 'lambda'],
    [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:step:live`, 'lambda'],
    [`arn:aws:sqs:us-east-1:${ACCOUNT}:orders`, 'sqs'],
    [`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`, 'sns'],
    [`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/trading`, 'other'],
    ['arn:aws:scheduler:::aws-sdk:sqs:sendMessage', 'other'],
    ['not-an-arn', 'other'],
  ])('%s → %s', (arn, kind) => {
    expect(targetKind(arn)).toBe(kind);
  });
});
