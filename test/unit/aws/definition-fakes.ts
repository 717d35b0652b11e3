/**
 * Fakes shared by the definition-cache tests: a DynamoDB table behind a mocked DocumentClient (the
 * cache's BatchGetItem/BatchWriteItem land in a Map) and a Scheduler whose ListSchedules and
 * GetSchedule answer from a fleet the test edits. Both over aws-sdk-client-mock, so the adapters
 * under test run unchanged.
 */
import { GetScheduleCommand, ListScheduleGroupsCommand, ListSchedulesCommand, ResourceNotFoundException, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/trading`;
export const scheduleArn = (group: string, name: string): string => `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${group}/${name}`;

// aws-sdk-client-mock's stubs are generic over the client's input/output unions; the fakes only need `on`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

export type TableItem = Record<string, unknown>;

/** Items by ARN; every BatchGetItem/BatchWriteItem the cache sends reads or writes them. */
export function fakeDefinitionTable(docMock: AnyStub, table: string): Map<string, TableItem> {
  const items = new Map<string, TableItem>();
  docMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { arn: string }[] }> }) => {
    const keys = input.RequestItems[table]?.Keys ?? [];
    return { Responses: { [table]: keys.flatMap((key) => (items.has(key.arn) ? [structuredClone(items.get(key.arn)!)] : [])) }, UnprocessedKeys: {} };
  });
  docMock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, { PutRequest: { Item: TableItem } }[]> }) => {
    for (const request of input.RequestItems[table] ?? []) items.set(String(request.PutRequest.Item.arn), structuredClone(request.PutRequest.Item));
    return { UnprocessedItems: {} };
  });
  return items;
}

export interface FleetSchedule {
  group: string;
  name: string;
  expression: string;
  modified: Date;
  /** ListSchedules leaves LastModificationDate out (a reader must then always call GetSchedule). */
  unlisted?: boolean;
}

export function fleetOf(count: number, modified: Date, group = 'trading'): Map<string, FleetSchedule> {
  return new Map(
    Array.from({ length: count }, (_, i) => {
      const name = `job-${String(i).padStart(4, '0')}`;
      return [scheduleArn(group, name), { group, name, expression: `rate(${i + 1} minutes)`, modified }] as const;
    }),
  );
}

export function getScheduleOutput(s: FleetSchedule): GetScheduleOutput {
  return {
    Arn: scheduleArn(s.group, s.name),
    GroupName: s.group,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: 'America/New_York',
    State: 'ENABLED',
    StartDate: new Date('2026-01-01T00:00:00.250Z'),
    CreationDate: new Date('2025-12-01T12:00:00.125Z'),
    LastModificationDate: s.modified,
    FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
    Target: {
      Arn: CLUSTER,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
      DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` },
      RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
      EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${s.name}:3`, LaunchType: 'FARGATE', TaskCount: 1, Group: `schedule:${s.name}` },
    },
  };
}

/** ListSchedules (one page) and GetSchedule answer from `fleet` as it stands at the call. */
export function fakeScheduler(mock: AnyStub, fleet: Map<string, FleetSchedule>): void {
  mock.on(ListScheduleGroupsCommand).resolves({ ScheduleGroups: [] });
  mock.on(ListSchedulesCommand).callsFake(() => ({
    Schedules: [...fleet.values()].map((s) => ({
      Name: s.name,
      GroupName: s.group,
      Arn: scheduleArn(s.group, s.name),
      State: 'ENABLED',
      Target: { Arn: CLUSTER },
      ...(s.unlisted ? {} : { LastModificationDate: s.modified }),
    })),
  }));
  mock.on(GetScheduleCommand).callsFake((input: { GroupName: string; Name: string }) => {
    const s = fleet.get(scheduleArn(input.GroupName, input.Name));
    if (s === undefined) throw new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
    return getScheduleOutput(s);
  });
}
