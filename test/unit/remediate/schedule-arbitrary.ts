/**
 * Random ECS-target schedules for property tests: every optional field of the schedule, its target
 * and its EcsParameters independently present or absent, pointing at the missing `ops-pipeline`.
 */
import fc from 'fast-check';
import type { RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { ACCOUNT, clusterArn, REGION, ROLE } from './fakes.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const text = fc.string({ minLength: 1, maxLength: 40 });
const date = (min: string, max: string) => fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true });

const ecsParameters = fc.record(
  {
    TaskDefinitionArn: name.map((n) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${n}:1`),
    TaskCount: fc.integer({ min: 1, max: 10 }),
    LaunchType: fc.constantFrom('EC2', 'FARGATE', 'EXTERNAL'),
    NetworkConfiguration: fc.record({
      awsvpcConfiguration: fc.record(
        {
          Subnets: fc.array(name.map((n) => `subnet-${n}`), { minLength: 1, maxLength: 3 }),
          SecurityGroups: fc.array(name.map((n) => `sg-${n}`), { maxLength: 3 }),
          AssignPublicIp: fc.constantFrom('ENABLED', 'DISABLED'),
        },
        { requiredKeys: ['Subnets'] },
      ),
    }),
    PlatformVersion: fc.constantFrom('LATEST', '1.4.0'),
    Group: name,
    CapacityProviderStrategy: fc.array(fc.record({ capacityProvider: fc.constantFrom('FARGATE', 'FARGATE_SPOT', 'asg-cp'), weight: fc.integer({ min: 0, max: 1000 }), base: fc.integer({ min: 0, max: 100000 }) }, { requiredKeys: ['capacityProvider'] }), { minLength: 1, maxLength: 3 }),
    EnableECSManagedTags: fc.boolean(),
    EnableExecuteCommand: fc.boolean(),
    PlacementConstraints: fc.array(fc.record({ type: fc.constantFrom('distinctInstance', 'memberOf'), expression: text }, { requiredKeys: [] }), { maxLength: 3 }),
    PlacementStrategy: fc.array(fc.record({ type: fc.constantFrom('random', 'spread', 'binpack'), field: text }, { requiredKeys: [] }), { maxLength: 3 }),
    PropagateTags: fc.constant('TASK_DEFINITION'),
    ReferenceId: text,
    Tags: fc.array(fc.dictionary(name, text, { minKeys: 1, maxKeys: 1 }), { maxLength: 5 }),
  },
  { requiredKeys: ['TaskDefinitionArn'] },
);

const target = fc.record(
  {
    Arn: fc.constant(clusterArn('ops-pipeline')),
    RoleArn: fc.constant(ROLE),
    DeadLetterConfig: fc.record({ Arn: name.map((n) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${n}`) }),
    RetryPolicy: fc.record({ MaximumEventAgeInSeconds: fc.integer({ min: 60, max: 86_400 }), MaximumRetryAttempts: fc.integer({ min: 0, max: 185 }) }, { requiredKeys: [] }),
    Input: fc.oneof(fc.json(), text),
    EcsParameters: ecsParameters,
  },
  { requiredKeys: ['Arn', 'RoleArn', 'EcsParameters'] },
);

export const ecsScheduleArbitrary = (group = 'ops-pipeline', scheduleName = 'job'): fc.Arbitrary<RawSchedule> =>
  fc
    .record(
      {
        Name: fc.constant(scheduleName),
        GroupName: fc.constant(group),
        ScheduleExpression: fc.constantFrom('rate(5 minutes)', 'cron(0/5 9-15 ? * MON-FRI *)', 'at(2026-12-01T10:00:00)'),
        StartDate: date('2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z'),
        EndDate: date('2027-01-01T00:00:00Z', '2030-01-01T00:00:00Z'),
        Description: text,
        ScheduleExpressionTimezone: fc.constantFrom('UTC', 'America/New_York', 'Europe/London'),
        State: fc.constantFrom('ENABLED', 'DISABLED'),
        KmsKeyArn: name.map((n) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${n}`),
        Target: target,
        FlexibleTimeWindow: fc.oneof(fc.constant({ Mode: 'OFF' }), fc.integer({ min: 1, max: 1440 }).map((m) => ({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: m }))),
        ActionAfterCompletion: fc.constantFrom('NONE', 'DELETE'),
      },
      { requiredKeys: ['Name', 'GroupName', 'ScheduleExpression', 'Target', 'FlexibleTimeWindow'] },
    )
    .map((s) => ({
      ...s,
      Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${scheduleName}`,
      CreationDate: new Date('2026-01-02T10:00:00Z'),
      LastModificationDate: new Date('2026-01-29T20:47:00Z'),
    }));
