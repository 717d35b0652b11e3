import { describe, expect, it } from 'vitest';
import {
  attributeTask,
  startedByFor,
  taskDefinitionFamily,
  UnattributedReason,
  type ScheduleIdentity,
  type TaskFacts,
} from '../../../src/ledger/attribution.ts';

const TD = (family: string, revision = 1) => `arn:aws:ecs:us-west-2:123456789012:task-definition/${family}:${revision}`;

function task(overrides: Partial<TaskFacts> = {}): TaskFacts {
  return {
    taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/prod/abc123',
    clusterArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/prod',
    taskDefinitionArn: TD('telemetry', 7),
    createdAt: new Date('2026-03-02T14:35:00Z'),
    lastStatus: 'RUNNING',
    ...overrides,
  };
}

const EQUITIES: ScheduleIdentity = { group: 'trading', name: 'market-data-ingest-equities', taskDefinitionArn: TD('ingest-equities', 3) };
const OPTIONS: ScheduleIdentity = { group: 'trading', name: 'market-data-ingest-options', taskDefinitionArn: TD('ingest-options', 5) };

describe('startedByFor', () => {
  it('prefixes the schedule name like EventBridge Scheduler does', () => {
    expect(startedByFor('telemetry')).toBe('chronos-schedule/telemetry');
  });

  it('cuts at exactly 36 characters, keeping 19 characters of the name', () => {
    const value = startedByFor('market-data-ingest-equities');
    expect(value).toHaveLength(36);
    expect(value).toBe('chronos-schedule/market-data-ingest-');
    expect(startedByFor('a'.repeat(19))).toHaveLength(36);
    expect(startedByFor('a'.repeat(18))).toHaveLength(35);
    expect(startedByFor('a'.repeat(64))).toBe(`chronos-schedule/${'a'.repeat(19)}`);
  });
});

describe('taskDefinitionFamily', () => {
  it.each([
    ['arn:aws:ecs:us-west-2:123:task-definition/telemetry:7', 'telemetry'],
    ['telemetry:7', 'telemetry'],
    ['arn:aws:ecs:us-west-2:123:task-definition/telemetry', 'telemetry'],
    ['telemetry', 'telemetry'],
    ['arn:aws-us-gov:ecs:us-gov-west-1:123:task-definition/risk-calc:12', 'risk-calc'],
  ])('%s → %s', (input, family) => {
    expect(taskDefinitionFamily(input)).toBe(family);
  });
});

describe('attributeTask', () => {
  it('attributes by group when exactly one schedule sets that EcsParameters.Group', () => {
    const schedules: ScheduleIdentity[] = [
      { group: 'trading', name: 'telemetry', ecsGroup: 'sched:trading/telemetry', taskDefinitionArn: TD('telemetry') },
      { group: 'trading', name: 'other', taskDefinitionArn: TD('telemetry') },
    ];
    const result = attributeTask(task({ group: 'sched:trading/telemetry', startedBy: startedByFor('telemetry') }), schedules);
    expect(result).toEqual({ kind: 'attributed', schedule: schedules[0], by: 'group' });
  });

  it('attributes by group even when startedBy names a colliding schedule, since the group is unambiguous', () => {
    const equities = { ...EQUITIES, ecsGroup: 'equities', taskDefinitionArn: TD('ingest') };
    const options = { ...OPTIONS, ecsGroup: 'options', taskDefinitionArn: TD('ingest') };
    const result = attributeTask(task({ group: 'options', startedBy: startedByFor(OPTIONS.name), taskDefinitionArn: TD('ingest', 9) }), [equities, options]);
    expect(result).toEqual({ kind: 'attributed', schedule: options, by: 'group' });
  });

  it('attributes by startedBy and task-definition family', () => {
    const schedules: ScheduleIdentity[] = [
      { group: 'trading', name: 'telemetry', taskDefinitionArn: TD('telemetry', 2) },
      { group: 'trading', name: 'risk', taskDefinitionArn: TD('risk') },
    ];
    // Revisions differ: the schedule may pin an older revision than the task that actually ran.
    const result = attributeTask(task({ group: 'family:telemetry', startedBy: 'chronos-schedule/telemetry', taskDefinitionArn: TD('telemetry', 7) }), schedules);
    expect(result).toEqual({ kind: 'attributed', schedule: schedules[0], by: 'startedBy' });
  });

  describe('names sharing their first 19 characters', () => {
    it('really do share the startedBy value', () => {
      expect(EQUITIES.name.slice(0, 19)).toBe(OPTIONS.name.slice(0, 19));
      expect(EQUITIES.name).not.toBe(OPTIONS.name);
      expect(startedByFor(EQUITIES.name)).toBe(startedByFor(OPTIONS.name));
    });

    it('credits each schedule with its own runs when the families differ', () => {
      const startedBy = startedByFor(EQUITIES.name);
      const equitiesRun = attributeTask(task({ startedBy, taskDefinitionArn: TD('ingest-equities', 4) }), [EQUITIES, OPTIONS]);
      const optionsRun = attributeTask(task({ startedBy, taskDefinitionArn: TD('ingest-options', 5) }), [EQUITIES, OPTIONS]);
      expect(equitiesRun).toEqual({ kind: 'attributed', schedule: EQUITIES, by: 'startedBy' });
      expect(optionsRun).toEqual({ kind: 'attributed', schedule: OPTIONS, by: 'startedBy' });
    });

    it('refuses to guess when the families are the same too', () => {
      const equities = { ...EQUITIES, taskDefinitionArn: TD('ingest', 1) };
      const options = { ...OPTIONS, taskDefinitionArn: TD('ingest', 2) };
      const result = attributeTask(task({ startedBy: startedByFor(EQUITIES.name), taskDefinitionArn: TD('ingest', 2) }), [equities, options]);
      expect(result).toEqual({ kind: 'unattributed', reason: 'ambiguous', candidates: [equities, options] });
    });

    it('tells them apart when only one sets a group: the other one cannot have started a task without it', () => {
      const equities = { ...EQUITIES, ecsGroup: 'equities', taskDefinitionArn: TD('ingest') };
      const options = { ...OPTIONS, taskDefinitionArn: TD('ingest') };
      const result = attributeTask(task({ group: 'family:ingest', startedBy: startedByFor(OPTIONS.name), taskDefinitionArn: TD('ingest', 2) }), [equities, options]);
      expect(result).toEqual({ kind: 'attributed', schedule: options, by: 'startedBy' });
    });
  });

  it('keeps equally named schedules in two groups apart by family, and refuses to guess otherwise', () => {
    const prod: ScheduleIdentity = { group: 'prod', name: 'eod-report', taskDefinitionArn: TD('eod-report') };
    const staging: ScheduleIdentity = { group: 'staging', name: 'eod-report', taskDefinitionArn: TD('eod-report-staging') };
    expect(attributeTask(task({ startedBy: startedByFor('eod-report'), taskDefinitionArn: TD('eod-report-staging') }), [prod, staging])).toEqual({
      kind: 'attributed',
      schedule: staging,
      by: 'startedBy',
    });
    const stagingSameFamily = { ...staging, taskDefinitionArn: TD('eod-report') };
    const result = attributeTask(task({ startedBy: startedByFor('eod-report'), taskDefinitionArn: TD('eod-report') }), [prod, stagingSameFamily]);
    expect(result).toMatchObject({ kind: 'unattributed', reason: UnattributedReason.ambiguous });
  });

  describe('tasks EventBridge Scheduler did not start', () => {
    const schedules: ScheduleIdentity[] = [{ group: 'trading', name: 'telemetry', ecsGroup: 'telemetry', taskDefinitionArn: TD('telemetry') }];

    it.each([
      ['an ECS service', 'ecs-svc/1234567890123456789'],
      ['a person', 'jane.doe'],
      ['nobody', undefined],
    ])('is unattributed when started by %s', (_who, startedBy) => {
      const result = attributeTask(task({ ...(startedBy !== undefined ? { startedBy } : {}) }), schedules);
      expect(result).toEqual({ kind: 'unattributed', reason: 'not started by EventBridge Scheduler', candidates: [] });
    });

    it('is unattributed even when it carries a schedule group (a manual run-task must not prove the schedule ran)', () => {
      const result = attributeTask(task({ group: 'telemetry', startedBy: 'jane.doe' }), schedules);
      expect(result).toMatchObject({ kind: 'unattributed', reason: UnattributedReason.notScheduler });
    });
  });

  describe('a group shared by two schedules', () => {
    const a: ScheduleIdentity = { group: 'trading', name: 'ingest-a', ecsGroup: 'ingest', taskDefinitionArn: TD('ingest') };
    const b: ScheduleIdentity = { group: 'trading', name: 'ingest-b', ecsGroup: 'ingest', taskDefinitionArn: TD('ingest') };
    // Same startedBy as `a`, but a different group: must not steal a's run when the tie is broken.
    const outsider: ScheduleIdentity = { group: 'other', name: 'ingest-a', taskDefinitionArn: TD('ingest') };

    it('breaks the tie by startedBy among those schedules only', () => {
      const result = attributeTask(task({ group: 'ingest', startedBy: startedByFor('ingest-b'), taskDefinitionArn: TD('ingest', 3) }), [a, b, outsider]);
      expect(result).toEqual({ kind: 'attributed', schedule: b, by: 'startedBy' });
      const resultA = attributeTask(task({ group: 'ingest', startedBy: startedByFor('ingest-a'), taskDefinitionArn: TD('ingest', 3) }), [a, b, outsider]);
      expect(resultA).toEqual({ kind: 'attributed', schedule: a, by: 'startedBy' });
    });

    it('is unattributed when startedBy matches neither', () => {
      const result = attributeTask(task({ group: 'ingest', startedBy: startedByFor('something-else'), taskDefinitionArn: TD('ingest') }), [a, b]);
      expect(result).toEqual({ kind: 'unattributed', reason: UnattributedReason.noSchedule, candidates: [] });
    });
  });

  it('is unattributed when no schedule has that startedBy (a schedule newer than the list)', () => {
    const result = attributeTask(task({ startedBy: startedByFor('brand-new') }), [EQUITIES, OPTIONS]);
    expect(result).toEqual({ kind: 'unattributed', reason: UnattributedReason.noSchedule, candidates: [] });
  });

  it('is unattributed when startedBy matches but the family does not, naming the candidate', () => {
    const result = attributeTask(task({ startedBy: startedByFor(EQUITIES.name), taskDefinitionArn: TD('telemetry') }), [EQUITIES]);
    expect(result).toEqual({ kind: 'unattributed', reason: UnattributedReason.familyMismatch, candidates: [EQUITIES] });
  });

  it('does not credit a schedule whose task definition is unknown (the family cannot be confirmed)', () => {
    const unknownTd: ScheduleIdentity = { group: 'trading', name: 'telemetry' };
    const result = attributeTask(task({ startedBy: startedByFor('telemetry') }), [unknownTd]);
    expect(result).toEqual({ kind: 'unattributed', reason: UnattributedReason.familyMismatch, candidates: [unknownTd] });
  });
});
