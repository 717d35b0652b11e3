import { describe, expect, it } from 'vitest';
import { changeEventPattern, isCloudTrailApiCall, readChangeEvent, scheduleFromArn } from '../../../src/checks/change-event.ts';
import { ACCOUNT, ACTOR, cloudTrailEvent, deleteClusterEvent, deregisterTaskDefinitionEvent, updateScheduleEvent } from '../../support/cloudtrail-events.ts';

const scopeOf = (event: unknown) => {
  const reading = readChangeEvent(event);
  if (reading.kind !== 'scoped') throw new Error(`expected scoped, got ${reading.kind}: ${'reason' in reading ? reading.reason : ''}`);
  return reading.scope;
};

describe('readChangeEvent: Scheduler', () => {
  it('UpdateSchedule: the schedule from responseElements.ScheduleArn, and the cause', () => {
    const scope = scopeOf(updateScheduleEvent('ops-pipeline', 'dispatcher'));

    expect(scope).toEqual({
      schedules: [{ group: 'ops-pipeline', name: 'dispatcher' }],
      clusters: [],
      taskDefinitions: [],
      cause: { eventName: 'UpdateSchedule', eventSource: 'scheduler.amazonaws.com', eventTime: '2026-11-23T15:00:00Z', eventId: 'evt-1', actor: ACTOR, region: 'us-west-2', account: ACCOUNT },
    });
  });

  it('CreateSchedule with camelCase fields and no responseElements: the request names it', () => {
    const event = cloudTrailEvent({ source: 'aws.scheduler', eventName: 'CreateSchedule', requestParameters: { name: 'rss-ingest', groupName: 'ops-pipeline' }, responseElements: null });
    expect(scopeOf(event).schedules).toEqual([{ group: 'ops-pipeline', name: 'rss-ingest' }]);
  });

  it('a request without a group is the default group', () => {
    const event = cloudTrailEvent({ source: 'aws.scheduler', eventName: 'UpdateSchedule', requestParameters: { Name: 'nightly' } });
    expect(scopeOf(event).schedules).toEqual([{ group: 'default', name: 'nightly' }]);
  });

  it('the ARN wins over the request when both are there', () => {
    const event = cloudTrailEvent({
      source: 'aws.scheduler',
      eventName: 'UpdateSchedule',
      requestParameters: { name: 'ignored' },
      responseElements: { scheduleArn: `arn:aws:scheduler:us-west-2:${ACCOUNT}:schedule/g/from-arn` },
    });
    expect(scopeOf(event).schedules).toEqual([{ group: 'g', name: 'from-arn' }]);
  });

  it('a failed call (errorCode) changed nothing: failed-call, with the cause and why', () => {
    const reading = readChangeEvent(updateScheduleEvent('ops-pipeline', 'dispatcher', { errorCode: 'AccessDeniedException' }));
    expect(reading).toMatchObject({ kind: 'failed-call', errorCode: 'AccessDeniedException', cause: { eventName: 'UpdateSchedule', actor: ACTOR } });
    expect(reading.kind === 'failed-call' ? reading.reason : '').toBe('UpdateSchedule failed (AccessDeniedException): it changed nothing, so there is nothing to check');
  });

  it('no name anywhere, or a name Scheduler would not accept: unscopable, saying which fields were missing', () => {
    const none = readChangeEvent(cloudTrailEvent({ source: 'aws.scheduler', eventName: 'UpdateSchedule', requestParameters: {} }));
    expect(none).toMatchObject({ kind: 'unscopable', reason: 'UpdateSchedule: neither responseElements.scheduleArn nor requestParameters.name names the schedule', cause: { eventName: 'UpdateSchedule' } });
    const odd = readChangeEvent(cloudTrailEvent({ source: 'aws.scheduler', eventName: 'UpdateSchedule', requestParameters: { name: 'a b/c' } }));
    expect(odd.kind).toBe('unscopable');
  });
});

describe('readChangeEvent: ECS', () => {
  it('DeleteCluster: the cluster ARN from responseElements', () => {
    expect(scopeOf(deleteClusterEvent('ops-pipeline'))).toMatchObject({ schedules: [], clusters: [`arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/ops-pipeline`], taskDefinitions: [] });
  });

  it('DeleteCluster without responseElements: the name as requested', () => {
    const event = cloudTrailEvent({ source: 'aws.ecs', eventName: 'DeleteCluster', requestParameters: { cluster: 'ops-pipeline' } });
    expect(scopeOf(event).clusters).toEqual(['ops-pipeline']);
  });

  it('DeregisterTaskDefinition: the ARN from responseElements, else family:revision from the request', () => {
    expect(scopeOf(deregisterTaskDefinitionEvent('worker:3')).taskDefinitions).toEqual([`arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/worker:3`]);
    const bare = cloudTrailEvent({ source: 'aws.ecs', eventName: 'DeregisterTaskDefinition', requestParameters: { taskDefinition: 'worker:3' } });
    expect(scopeOf(bare).taskDefinitions).toEqual(['worker:3']);
  });

  it('DeleteTaskDefinitions: every deleted ARN, else every requested one', () => {
    const deleted = cloudTrailEvent({
      source: 'aws.ecs',
      eventName: 'DeleteTaskDefinitions',
      requestParameters: { taskDefinitions: ['worker:1', 'worker:2'] },
      responseElements: { taskDefinitions: [{ taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/worker:1' }], failures: [{ arn: 'worker:2', reason: 'TASK_DEFINITION_NOT_INACTIVE' }] },
    });
    expect(scopeOf(deleted).taskDefinitions).toEqual(['arn:aws:ecs:us-west-2:123456789012:task-definition/worker:1']);
    const requested = cloudTrailEvent({ source: 'aws.ecs', eventName: 'DeleteTaskDefinitions', requestParameters: { taskDefinitions: ['worker:1', 'worker:2'] } });
    expect(scopeOf(requested).taskDefinitions).toEqual(['worker:1', 'worker:2']);
  });

  it('an ECS event name under Scheduler’s eventSource is not trusted', () => {
    const event = cloudTrailEvent({ source: 'aws.scheduler', eventName: 'DeleteCluster', requestParameters: { cluster: 'x' } });
    expect(readChangeEvent(event)).toMatchObject({ kind: 'unscopable', reason: 'DeleteCluster: eventSource is scheduler.amazonaws.com, expected ecs.amazonaws.com' });
  });
});

describe('readChangeEvent: what it cannot scope', () => {
  it('another API call is unscopable, naming the calls it does scope', () => {
    const reading = readChangeEvent(cloudTrailEvent({ source: 'aws.scheduler', eventName: 'DeleteSchedule', requestParameters: { name: 'x' } }));
    expect(reading.kind).toBe('unscopable');
    expect(reading.kind === 'unscopable' ? reading.reason : '').toMatch(/^DeleteSchedule: not one of the API calls .*\(CreateSchedule, UpdateSchedule, DeleteCluster, DeregisterTaskDefinition, DeleteTaskDefinitions\)$/);
  });

  it('a CloudTrail event without detail.eventName says where it broke', () => {
    const event = { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ecs', detail: { eventSource: 'ecs.amazonaws.com' } };
    expect(readChangeEvent(event)).toEqual({ kind: 'unscopable', reason: expect.stringMatching(/^not a CloudTrail API-call event this check can read at detail\.eventName: /) as unknown });
  });

  it('isCloudTrailApiCall tells a CloudTrail delivery from the Scheduler invocation and {at}', () => {
    expect(isCloudTrailApiCall(updateScheduleEvent('g', 'n'))).toBe(true);
    expect(isCloudTrailApiCall({})).toBe(false);
    expect(isCloudTrailApiCall({ at: '2026-11-23T15:00:00Z' })).toBe(false);
    expect(isCloudTrailApiCall({ 'detail-type': 'Scheduled Event', source: 'aws.scheduler' })).toBe(false);
    expect(isCloudTrailApiCall(null)).toBe(false);
  });
});

describe('scheduleFromArn', () => {
  it.each([
    ['arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly', { group: 'default', name: 'nightly' }],
    ['arn:aws:scheduler:us-east-1:123456789012:schedule-group/default', undefined],
    ['arn:aws:scheduler:us-east-1:123456789012:schedule/a/b/c', undefined],
    ['arn:aws:ecs:us-east-1:123456789012:cluster/x', undefined],
    ['not-an-arn', undefined],
  ])('%s → %j', (arn, expected) => {
    expect(scheduleFromArn(arn)).toEqual(expected);
  });
});

describe('changeEventPattern', () => {
  it('matches both services’ CloudTrail deliveries of exactly the five calls', () => {
    expect(changeEventPattern()).toEqual({
      source: ['aws.scheduler', 'aws.ecs'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['scheduler.amazonaws.com', 'ecs.amazonaws.com'],
        eventName: ['CreateSchedule', 'UpdateSchedule', 'DeleteCluster', 'DeregisterTaskDefinition', 'DeleteTaskDefinitions'],
      },
    });
  });
});
