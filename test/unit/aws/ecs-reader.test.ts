import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEcsReader } from '../../../src/aws/ecs-reader.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const ACCOUNT = '123456789012';
const clusterArn = (name: string): string => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${name}`;
const taskArn = (id: string): string => `arn:aws:ecs:us-east-1:${ACCOUNT}:task/trading/${id}`;
const TASK_DEF = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/open:7`;
const meta = { $metadata: {} };

const client = new ECSClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

/** Answers DescribeClusters like ECS: every asked ARN is ACTIVE unless its name starts with `gone`. */
function describeLikeEcs(input: { clusters?: string[] }) {
  const asked = input.clusters ?? [];
  const name = (arn: string): string => arn.split('/').pop() ?? arn;
  return {
    clusters: asked.filter((arn) => !name(arn).startsWith('gone')).map((arn) => ({ clusterArn: arn, clusterName: name(arn), status: 'ACTIVE' })),
    failures: asked.filter((arn) => name(arn).startsWith('gone')).map((arn) => ({ arn, reason: 'MISSING' })),
  };
}

describe('describeClusters', () => {
  it('dedupes and batches: 250 unique ARNs among 400 → exactly 3 calls of at most 100', async () => {
    mock.on(DescribeClustersCommand).callsFake(describeLikeEcs);
    const unique = Array.from({ length: 250 }, (_, i) => clusterArn(`c${i}`));
    const asked = [...unique, ...unique.slice(0, 150)];

    const result = await createEcsReader(client).describeClusters(asked);

    expect(mock).toHaveReceivedCommandTimes(DescribeClustersCommand, 3);
    const batches = mock.commandCalls(DescribeClustersCommand).map((call) => call.args[0].input.clusters ?? []);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(new Set(batches.flat()).size).toBe(250);
    expect(result.size).toBe(250);
    expect(result.get(clusterArn('c249'))).toEqual({ status: 'found', value: { arn: clusterArn('c249'), name: 'c249', status: 'ACTIVE' } });
  });

  it('maps failures[] MISSING to missing, an INACTIVE cluster to found, other reasons to unknown', async () => {
    mock.on(DescribeClustersCommand).resolves({
      clusters: [{ clusterArn: clusterArn('old'), clusterName: 'old', status: 'INACTIVE' }],
      failures: [
        { arn: clusterArn('gone'), reason: 'MISSING' },
        { arn: clusterArn('odd'), reason: 'INVALID', detail: 'bad identifier' },
      ],
    });

    const result = await createEcsReader(client).describeClusters([clusterArn('old'), clusterArn('gone'), clusterArn('odd'), clusterArn('silent')]);

    expect(result.get(clusterArn('old'))).toEqual({ status: 'found', value: { arn: clusterArn('old'), name: 'old', status: 'INACTIVE' } });
    expect(result.get(clusterArn('gone'))).toMatchObject({ status: 'missing' });
    expect(result.get(clusterArn('odd'))).toEqual({
      status: 'unknown',
      failure: { action: 'ecs:DescribeClusters', errorName: 'INVALID', message: 'bad identifier' },
    });
    expect(result.get(clusterArn('silent'))).toMatchObject({
      status: 'unknown',
      failure: { action: 'ecs:DescribeClusters', errorName: 'NotInResponse' },
    });
  });

  it('marks only the ARNs of a failed batch unknown', async () => {
    const arns = Array.from({ length: 150 }, (_, i) => clusterArn(`c${i}`));
    mock.on(DescribeClustersCommand).callsFake((input: { clusters?: string[] }) => {
      if (input.clusters?.includes(clusterArn('c120'))) throw new ServerException({ message: 'try later', ...meta });
      return describeLikeEcs(input);
    });

    const result = await createEcsReader(client).describeClusters(arns);

    expect(result.get(clusterArn('c0'))?.status).toBe('found');
    expect(result.get(clusterArn('c99'))?.status).toBe('found');
    for (const i of [100, 120, 149]) {
      expect(result.get(clusterArn(`c${i}`))).toEqual({
        status: 'unknown',
        failure: { action: 'ecs:DescribeClusters', errorName: 'ServerException', message: 'try later' },
      });
    }
  });

  it('is unknown with ecs:DescribeClusters when access is denied', async () => {
    mock.on(DescribeClustersCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform ecs:DescribeClusters', ...meta }));

    const result = await createEcsReader(client).describeClusters([clusterArn('trading')]);

    expect(result.get(clusterArn('trading'))).toEqual({
      status: 'unknown',
      failure: { action: 'ecs:DescribeClusters', errorName: 'AccessDeniedException', message: 'not authorized to perform ecs:DescribeClusters' },
    });
  });

  it('makes no call for no ARNs', async () => {
    const result = await createEcsReader(client).describeClusters([]);

    expect(result.size).toBe(0);
    expect(mock).toHaveReceivedCommandTimes(DescribeClustersCommand, 0);
  });
});

describe('describeTaskDefinition', () => {
  it.each(['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const)('is found with status %s', async (status) => {
    mock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEF, family: 'open', status } });

    const lookup = await createEcsReader(client).describeTaskDefinition(TASK_DEF);

    expect(mock).toHaveReceivedCommandExactlyOnceWith(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF });
    expect(lookup).toEqual({ status: 'found', value: { arn: TASK_DEF, family: 'open', status } });
  });

  it('is missing on the ClientException ECS returns for an unknown task definition', async () => {
    mock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', ...meta }));

    const lookup = await createEcsReader(client).describeTaskDefinition(TASK_DEF);

    expect(lookup).toEqual({ status: 'missing', reason: `task definition ${TASK_DEF} does not exist` });
  });

  it.each([
    ['another ClientException', new ClientException({ message: 'Revision is missing.', ...meta }), 'ClientException'],
    ['access denied', new AccessDeniedException({ message: 'denied', ...meta }), 'AccessDeniedException'],
  ])('is unknown on %s', async (_label, error, errorName) => {
    mock.on(DescribeTaskDefinitionCommand).rejects(error);

    const lookup = await createEcsReader(client).describeTaskDefinition(TASK_DEF);

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'ecs:DescribeTaskDefinition', errorName } });
  });
});

describe('tasksStartedBy', () => {
  const STARTED_BY = 'chronos-schedule/open';
  const task = (id: string, createdAt: string) => ({
    taskArn: taskArn(id),
    createdAt: new Date(createdAt),
    taskDefinitionArn: TASK_DEF,
    group: 'schedule:open',
    startedBy: STARTED_BY,
  });

  it('lists RUNNING and STOPPED tasks over every page, then describes them once each, oldest first', async () => {
    mock
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolves({ taskArns: [taskArn('r1')] })
      .on(ListTasksCommand, { desiredStatus: 'STOPPED', nextToken: undefined })
      .resolves({ taskArns: [taskArn('s1'), taskArn('r1')], nextToken: 'more' })
      .on(ListTasksCommand, { desiredStatus: 'STOPPED', nextToken: 'more' })
      .resolves({ taskArns: [taskArn('s2')] });
    mock.on(DescribeTasksCommand).resolves({
      tasks: [task('r1', '2025-03-04T14:30:00Z'), task('s1', '2025-03-04T13:30:00Z'), task('s2', '2025-03-04T14:00:00Z')],
    });

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('trading'), STARTED_BY);

    expect(mock).toHaveReceivedCommandTimes(ListTasksCommand, 3);
    expect(mock).toHaveReceivedCommandWith(ListTasksCommand, { cluster: clusterArn('trading'), startedBy: STARTED_BY, desiredStatus: 'RUNNING' });
    expect(mock).toHaveReceivedCommandWith(ListTasksCommand, { cluster: clusterArn('trading'), startedBy: STARTED_BY, desiredStatus: 'STOPPED', nextToken: 'more' });
    expect(mock).toHaveReceivedCommandExactlyOnceWith(DescribeTasksCommand, {
      cluster: clusterArn('trading'),
      tasks: [taskArn('r1'), taskArn('s1'), taskArn('s2')],
    });
    expect(lookup).toEqual({
      status: 'found',
      value: [task('s1', '2025-03-04T13:30:00Z'), task('s2', '2025-03-04T14:00:00Z'), task('r1', '2025-03-04T14:30:00Z')],
    });
  });

  it('describes 230 tasks in 3 DescribeTasks calls of at most 100', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => `t${i}`);
    mock.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ids.map(taskArn) });
    mock.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    mock.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
      tasks: (input.tasks ?? []).map((arn) => ({ taskArn: arn, createdAt: new Date('2025-03-04T14:30:00Z'), taskDefinitionArn: TASK_DEF })),
    }));

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('trading'), STARTED_BY);

    expect(mock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([100, 100, 30]);
    expect(lookup.status === 'found' ? lookup.value.length : -1).toBe(230);
  });

  it('makes no DescribeTasks call when nothing was started', async () => {
    mock.on(ListTasksCommand).resolves({ taskArns: [] });

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('trading'), STARTED_BY);

    expect(lookup).toEqual({ status: 'found', value: [] });
    expect(mock).toHaveReceivedCommandTimes(DescribeTasksCommand, 0);
  });

  it('is missing when the cluster does not exist', async () => {
    mock.on(ListTasksCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', ...meta }));

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('gone'), STARTED_BY);

    expect(lookup).toEqual({ status: 'missing', reason: `cluster ${clusterArn('gone')} does not exist` });
  });

  it('is unknown naming the call that failed', async () => {
    mock.on(ListTasksCommand).resolves({ taskArns: [taskArn('r1')] });
    mock.on(DescribeTasksCommand).rejects(new AccessDeniedException({ message: 'denied', ...meta }));

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('trading'), STARTED_BY);

    expect(lookup).toEqual({
      status: 'unknown',
      failure: { action: 'ecs:DescribeTasks', errorName: 'AccessDeniedException', message: 'denied' },
    });
  });

  it('is unknown with ecs:ListTasks when listing is denied', async () => {
    mock.on(ListTasksCommand).rejects(new AccessDeniedException({ message: 'denied', ...meta }));

    const lookup = await createEcsReader(client).tasksStartedBy(clusterArn('trading'), STARTED_BY);

    expect(lookup).toMatchObject({ status: 'unknown', failure: { action: 'ecs:ListTasks', errorName: 'AccessDeniedException' } });
  });
});
