/**
 * A burst of CloudTrail changes read as one: the SQS batch the healthcheck's event source delivers (or
 * a list of events, or one event) → one ChangeScope, nothing to check, or the full check.
 */
import { describe, expect, it } from 'vitest';
import { changeRecordsOf, mergeChangeScopes, readChangeBatch, type ChangeBatchReading } from '../../../src/checks/change-batch.ts';
import { readChangeEvent } from '../../../src/checks/change-event.ts';
import { describeCause, type ChangeScope } from '../../../src/checks/change-scope.ts';
import { ACTOR, cloudTrailEvent, deleteClusterEvent, deregisterTaskDefinitionEvent, sqsBatch, updateScheduleEvent } from '../../support/cloudtrail-events.ts';

/** 12 UpdateSchedule calls of one deploy, a second apart, listed out of order (SQS does not keep it). */
const deploy = Array.from({ length: 12 }, (_, i) => updateScheduleEvent('ops-pipeline', `job-${String(i + 1).padStart(2, '0')}`, { eventId: `evt-${i + 1}`, eventTime: `2026-11-23T15:00:${String(i + 1).padStart(2, '0')}Z` })).reverse();

const read = (event: unknown): ChangeBatchReading => {
  const records = changeRecordsOf(event);
  if (records === undefined) throw new Error('not a change');
  return readChangeBatch(records);
};
const scopeOf = (event: unknown): ChangeScope => {
  const reading = read(event);
  if (reading.kind !== 'scoped') throw new Error(`expected scoped, got ${reading.kind}: ${reading.reason}`);
  return reading.scope;
};

describe('changeRecordsOf: what an invocation carries', () => {
  it('an SQS batch: one record per message, its body parsed, labelled by message id', () => {
    const records = changeRecordsOf(sqsBatch([deploy[0], 'not json']));
    expect(records).toEqual([
      { label: 'message msg-1', event: deploy[0] },
      { label: 'message msg-2', event: 'not json', unreadable: 'the message body is not JSON, so not an EventBridge event' },
    ]);
  });

  it('one CloudTrail event, or a list of events', () => {
    expect(changeRecordsOf(deploy[0])).toEqual([{ label: 'event', event: deploy[0] }]);
    expect(changeRecordsOf([deploy[0], deploy[1]])?.map((r) => r.label)).toEqual(['event 1', 'event 2']);
  });

  it.each([
    ['the Scheduler invocation', {}],
    ['a replay instant', { at: '2026-11-23T15:00:00Z' }],
    ['an empty list', []],
    ['an empty SQS batch', { Records: [] }],
    ['an S3 notification', { Records: [{ eventSource: 'aws:s3', s3: {} }] }],
    ['nothing', null],
  ])('%s is not a change (the 5-minute run)', (_what, event) => {
    expect(changeRecordsOf(event)).toBeUndefined();
  });
});

describe('readChangeBatch', () => {
  it('12 UpdateSchedule events → ONE scope with the 12 schedules, the earliest change as its cause, and all 12 as causes', () => {
    const scope = scopeOf(sqsBatch(deploy));

    expect(scope.schedules.map((s) => `${s.group}/${s.name}`).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `ops-pipeline/job-${String(i + 1).padStart(2, '0')}`));
    expect(scope.clusters).toEqual([]);
    expect(scope.taskDefinitions).toEqual([]);
    expect(scope.cause).toMatchObject({ eventName: 'UpdateSchedule', eventId: 'evt-1', eventTime: '2026-11-23T15:00:01Z', actor: ACTOR });
    expect(scope.causes?.map((c) => c.eventId)).toEqual(Array.from({ length: 12 }, (_, i) => `evt-${i + 1}`));
    expect(scope.ignored).toBeUndefined();
    expect(describeCause(scope)).toBe(`UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:01Z and 11 more changes (UpdateSchedule ×12)`);
  });

  it('the same schedule changed twice is checked once; both changes are causes', () => {
    const twice = [updateScheduleEvent('g', 'n', { eventId: 'a', eventTime: '2026-11-23T15:00:02Z' }), updateScheduleEvent('g', 'n', { eventId: 'b', eventTime: '2026-11-23T15:00:01Z' })];
    const scope = scopeOf(sqsBatch(twice));

    expect(scope.schedules).toEqual([{ group: 'g', name: 'n' }]);
    expect(scope.causes?.map((c) => c.eventId)).toEqual(['b', 'a']);
    expect(scope.cause.eventId).toBe('b');
  });

  it('one event delivered twice (SQS is at least once) is one change', () => {
    const scope = scopeOf(sqsBatch([deploy[0], deploy[0]]));

    expect(scope.schedules).toHaveLength(1);
    expect(scope.causes).toBeUndefined();
    expect(describeCause(scope)).toBe(`UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:12Z`);
  });

  it('mixed services: the union of schedules, clusters and task definitions, each once', () => {
    const scope = scopeOf(
      sqsBatch([
        updateScheduleEvent('g', 'a', { eventId: '1' }),
        { ...deleteClusterEvent('old'), detail: { ...(deleteClusterEvent('old').detail as object), eventID: '2', eventTime: '2026-11-23T14:59:00Z' } },
        { ...deregisterTaskDefinitionEvent('worker:3'), detail: { ...(deregisterTaskDefinitionEvent('worker:3').detail as object), eventID: '3' } },
        { ...deregisterTaskDefinitionEvent('worker:3'), detail: { ...(deregisterTaskDefinitionEvent('worker:3').detail as object), eventID: '4' } },
      ]),
    );

    expect(scope.schedules).toEqual([{ group: 'g', name: 'a' }]);
    expect(scope.clusters).toEqual(['arn:aws:ecs:us-west-2:123456789012:cluster/old']);
    expect(scope.taskDefinitions).toEqual(['arn:aws:ecs:us-west-2:123456789012:task-definition/worker:3']);
    expect(scope.cause.eventName).toBe('DeleteCluster');
    expect(describeCause(scope)).toBe(`DeleteCluster by ${ACTOR} at 2026-11-23T14:59:00Z and 3 more changes (DeregisterTaskDefinition ×2, DeleteCluster ×1, UpdateSchedule ×1)`);
  });

  it('a failed call among scoped ones is left out of the scope and listed as ignored', () => {
    const failed = updateScheduleEvent('g', 'denied', { eventId: 'x', errorCode: 'AccessDeniedException' });
    const scope = scopeOf(sqsBatch([deploy[0], failed, deploy[1]]));

    expect(scope.schedules.map((s) => s.name).sort()).toEqual(['job-11', 'job-12']);
    expect(scope.causes).toHaveLength(2);
    expect(scope.ignored).toEqual([{ cause: expect.objectContaining({ eventId: 'x' }) as unknown, reason: 'UpdateSchedule failed (AccessDeniedException): it changed nothing, so there is nothing to check' }]);
  });

  it('only failed calls: nothing to check, and why', () => {
    const failed = ['a', 'b', 'c'].map((id) => updateScheduleEvent('g', id, { eventId: id, errorCode: 'ValidationException' }));

    expect(read(sqsBatch(failed))).toEqual({
      kind: 'failed-calls',
      reason: 'all 3 calls failed (UpdateSchedule ×3): they changed nothing, so there is nothing to check',
      cause: expect.objectContaining({ eventId: 'a' }) as unknown,
      ignored: expect.arrayContaining([expect.objectContaining({ reason: expect.stringContaining('ValidationException') as unknown })]) as unknown,
    });
  });

  it('one unscopable record makes the whole batch the full check, naming the record', () => {
    const unscopable = cloudTrailEvent({ source: 'aws.scheduler', eventName: 'UpdateSchedule', requestParameters: {}, eventId: 'bad' });
    const reading = read(sqsBatch([...deploy, unscopable]));

    expect(reading).toEqual({
      kind: 'unscopable',
      reason: '1 of 13 changes cannot be scoped; message msg-13: UpdateSchedule: neither responseElements.scheduleArn nor requestParameters.name names the schedule',
      cause: expect.objectContaining({ eventId: 'bad' }) as unknown,
    });
  });

  it('a body that is not an EventBridge CloudTrail event makes it the full check too', () => {
    const reading = read(sqsBatch([deploy[0], 'not json', { hello: 'world' }]));

    expect(reading).toEqual({ kind: 'unscopable', reason: '2 of 3 changes cannot be scoped; the first, message msg-2: the message body is not JSON, so not an EventBridge event' });
  });

  it('one event reads exactly as readChangeEvent reads it', () => {
    for (const event of [deploy[0], updateScheduleEvent('g', 'n', { errorCode: 'X' }), cloudTrailEvent({ source: 'aws.ecs', eventName: 'DeleteCluster', requestParameters: {} })]) {
      const single = readChangeEvent(event);
      const batch = read(event);
      if (single.kind === 'scoped') expect(batch).toEqual(single);
      else expect(batch).toMatchObject({ kind: single.kind === 'failed-call' ? 'failed-calls' : 'unscopable', reason: single.reason, cause: single.cause });
    }
    // An SQS batch of one reads the same way.
    expect(read(sqsBatch([deploy[0]]))).toEqual(readChangeEvent(deploy[0]));
  });
});

describe('mergeChangeScopes', () => {
  it('returns a single scope as it is, and refuses none', () => {
    const one = scopeOf(deploy[0]);
    expect(mergeChangeScopes([one])).toBe(one);
    expect(() => mergeChangeScopes([])).toThrow(RangeError);
  });

  it('a change without a readable time sorts last, never first', () => {
    const timeless = { ...scopeOf(deploy[0]), cause: { ...scopeOf(deploy[0]).cause, eventId: 'timeless', eventTime: 'an unknown time' } };
    const merged = mergeChangeScopes([timeless, scopeOf(deploy[1])]);
    expect(merged.cause.eventId).toBe('evt-11');
    expect(merged.causes?.map((c) => c.eventId)).toEqual(['evt-11', 'timeless']);
  });
});
