/**
 * The run-ledger Lambda entry (src/entry/lambda/run-ledger.ts), bundled alongside the healthcheck: module-scope
 * ledger and schedule directory, one ECS Task State Change event in, one ledger write out.
 */
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient, type GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, type OutputCapture } from './output-capture.ts';
import { clusterArn, ecsSchedule } from '../remediate/fakes.ts';

const classifier = ecsSchedule('ops-pipeline', 'ops-pipeline-classifier');
const schedule = { ...classifier, Target: { ...classifier.Target!, Arn: clusterArn('ops-pipeline-cluster') } };
const scheduler = mockClient(SchedulerClient);
const documents = mockClient(DynamoDBDocumentClient);
let output: OutputCapture;

beforeEach(() => {
  scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: schedule.Name, GroupName: schedule.GroupName, Arn: schedule.Arn, State: 'ENABLED', LastModificationDate: schedule.LastModificationDate, Target: { Arn: schedule.Target.Arn } }] });
  scheduler.on(GetScheduleCommand).resolves(schedule as GetScheduleCommandOutput);
  documents.on(PutCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  for (const [key, value] of Object.entries({ AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', RUN_LEDGER_TABLE: 'ops-run-ledger' })) vi.stubEnv(key, value);
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  scheduler.reset();
  documents.reset();
  vi.unstubAllEnvs();
});

const event = (taskArn: string) => ({
  source: 'aws.ecs',
  'detail-type': 'ECS Task State Change',
  time: '2026-11-23T14:46:01Z',
  detail: {
    taskArn,
    clusterArn: clusterArn('ops-pipeline-cluster'),
    taskDefinitionArn: schedule.Target.EcsParameters!.TaskDefinitionArn,
    group: 'ops-pipeline-classifier',
    startedBy: 'chronos-schedule/ops-pipeline-classifier',
    createdAt: '2026-11-23T14:46:00Z',
    lastStatus: 'PROVISIONING',
  },
});

describe('run-ledger Lambda', () => {
  it('attributes the task to its schedule and records the run; the schedule list is cached across events', async () => {
    vi.resetModules();
    const { handler } = await import('../../../src/entry/lambda/run-ledger.ts');

    expect(await handler(event('arn:aws:ecs:us-west-2:123456789012:task/c/1'))).toEqual({ outcome: 'recorded', schedule: { group: 'ops-pipeline', name: 'ops-pipeline-classifier' } });
    expect(await handler(event('arn:aws:ecs:us-west-2:123456789012:task/c/2'))).toMatchObject({ outcome: 'recorded' });

    expect(scheduler.commandCalls(ListSchedulesCommand)).toHaveLength(1);
    expect(documents.commandCalls(PutCommand).map((c) => c.args[0].input.TableName)).toEqual(['ops-run-ledger', 'ops-run-ledger']);
    expect(output.logs().map((l) => [l.message, l.outcome, l.schedule])).toEqual([
      ['task-state-change', 'recorded', 'ops-pipeline/ops-pipeline-classifier'],
      ['task-state-change', 'recorded', 'ops-pipeline/ops-pipeline-classifier'],
    ]);
  });

  it('refuses to start without RUN_LEDGER_TABLE', async () => {
    vi.stubEnv('RUN_LEDGER_TABLE', '');
    vi.resetModules();

    await expect(import('../../../src/entry/lambda/run-ledger.ts')).rejects.toMatchObject({ code: 'INVALID_LEDGER_CONFIG' });
  });
});
