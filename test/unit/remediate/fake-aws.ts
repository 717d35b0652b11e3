/**
 * A small AWS account behind aws-sdk-client-mock, mocked at the client classes so the CLI's own
 * clients (built by the factory) talk to it: Scheduler backed by an in-memory store with
 * UpdateSchedule's replace-everything semantics, ECS clusters, and enough of IAM, Lambda, SQS,
 * CloudWatch and STS for the check to run. For in-process CLI tests; restore() when done.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  SchedulerClient,
  SchedulerServiceException,
  UpdateScheduleCommand,
  type GetScheduleOutput,
  type UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { ClusterFacts } from '../../../src/checks/model.ts';
import { cloneData, type RawSchedule, type ScheduleUpdate } from '../../../src/remediate/schedule-document.ts';
import { ACCOUNT, memoryScheduler, REGION, WHO, type MemoryScheduler } from './fakes.ts';

export interface FakeAws {
  scheduler: MemoryScheduler;
  tokens: string[];
  /** Tasks ListTasks/DescribeTasks report, by startedBy. */
  tasks: Map<string, Task[]>;
  /** ListTasks calls so far. */
  listTasksCalls(): number;
  restore(): void;
}

const serviceError = (name: string, message: string) => new SchedulerServiceException({ name, $fault: 'client', message, $metadata: {} });

export function fakeAws(options: { schedules: RawSchedule[]; clusters: ClusterFacts[]; groups: string[] }): FakeAws {
  const scheduler = memoryScheduler(options.schedules);
  const tokens: string[] = [];
  const tasks = new Map<string, Task[]>();
  let listTasks = 0;
  const schedulerMock = mockClient(SchedulerClient);
  const ecsMock = mockClient(ECSClient);
  const iamMock = mockClient(IAMClient);
  const lambdaMock = mockClient(LambdaClient);
  const sqsMock = mockClient(SQSClient);
  const cloudwatchMock = mockClient(CloudWatchClient);
  const stsMock = mockClient(STSClient);

  schedulerMock.on(ListScheduleGroupsCommand).resolves({ ScheduleGroups: options.groups.map((name) => ({ Name: name, Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${name}`, State: 'ACTIVE' })) });
  schedulerMock.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  schedulerMock.on(ListSchedulesCommand).callsFake((input: { GroupName?: string; NamePrefix?: string }) => ({
    Schedules: [...scheduler.store.values()]
      .filter((s) => (input.GroupName === undefined || s.GroupName === input.GroupName) && (input.NamePrefix === undefined || s.Name!.startsWith(input.NamePrefix)))
      .map((s) => ({ Name: s.Name, GroupName: s.GroupName, Arn: s.Arn, State: s.State, LastModificationDate: s.LastModificationDate, Target: { Arn: s.Target?.Arn } })),
  }));
  schedulerMock.on(GetScheduleCommand).callsFake(async (input: { GroupName: string; Name: string }) => {
    const read = await scheduler.getScheduleRaw({ group: input.GroupName, name: input.Name });
    if (read.status === 'found') return read.value as GetScheduleOutput;
    if (read.status === 'missing') throw serviceError('ResourceNotFoundException', read.reason);
    throw serviceError(read.failure.errorName, read.failure.message);
  });
  schedulerMock.on(UpdateScheduleCommand).callsFake(async (input: UpdateScheduleInput) => {
    const { ClientToken, ...update } = cloneData(input);
    tokens.push(ClientToken ?? '');
    const outcome = await scheduler.updateSchedule(update as ScheduleUpdate, ClientToken ?? '');
    if (!outcome.ok) throw serviceError(outcome.failure.errorName, outcome.failure.message);
    return { ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${input.GroupName}/${input.Name}` };
  });

  ecsMock.on(ListClustersCommand).resolves({ clusterArns: options.clusters.map((c) => c.arn) });
  ecsMock.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: options.clusters.filter((c) => input.clusters.includes(c.arn)).map((c) => ({ clusterArn: c.arn, clusterName: c.name, status: c.status })),
    failures: input.clusters.filter((arn) => !options.clusters.some((c) => c.arn === arn)).map((arn) => ({ arn, reason: 'MISSING' })),
  }));
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: { taskDefinitionArn: input.taskDefinition, family: input.taskDefinition.split('/').pop()?.split(':')[0], status: 'ACTIVE' },
  }));
  ecsMock.on(ListTasksCommand).callsFake((input: { startedBy?: string; desiredStatus?: string }) => {
    listTasks += 1;
    return { taskArns: input.desiredStatus === 'STOPPED' ? [] : (tasks.get(input.startedBy ?? '') ?? []).map((t) => t.taskArn) };
  });
  ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: [...tasks.values()].flat().filter((t) => input.tasks.includes(t.taskArn ?? '')) }));
  iamMock.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({ Role: { Arn: `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}`, RoleName: input.RoleName } }));
  lambdaMock.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => ({ Configuration: { FunctionArn: input.FunctionName } }));
  sqsMock.on(GetQueueUrlCommand).callsFake((input: { QueueName: string }) => ({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${input.QueueName}` }));
  cloudwatchMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  stsMock.on(GetCallerIdentityCommand).resolves(WHO.known ? { Arn: WHO.arn, Account: WHO.account, UserId: WHO.userId } : {});

  return {
    scheduler,
    tokens,
    tasks,
    listTasksCalls: () => listTasks,
    restore() {
      for (const mock of [schedulerMock, ecsMock, iamMock, lambdaMock, sqsMock, cloudwatchMock, stsMock]) mock.restore();
    },
  };
}
