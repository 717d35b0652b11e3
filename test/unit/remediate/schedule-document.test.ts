import { EcsParameters$, Target$, UpdateScheduleInput$ } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import {
  expressionKind,
  fieldDiff,
  projectWritable,
  WRITABLE_ECS_FIELDS,
  WRITABLE_SCHEDULE_FIELDS,
  WRITABLE_TARGET_FIELDS,
  withTargetArn,
  withoutStartDate,
  type RawSchedule,
} from '../../../src/remediate/schedule-document.ts';
import { clusterArn, ecsSchedule } from './fakes.ts';

/** The member names of an SDK static structure schema: [3, namespace, name, traits, members, …]. */
const members = (schema: unknown): string[] => (schema as [number, string, string, number, string[]])[4];

describe('the allow-list', () => {
  it('names every member the SDK serialises for UpdateSchedule, Target and EcsParameters', () => {
    expect([...WRITABLE_SCHEDULE_FIELDS].sort()).toEqual(members(UpdateScheduleInput$).filter((m) => m !== 'ClientToken').sort());
    expect([...WRITABLE_TARGET_FIELDS].sort()).toEqual([...members(Target$)].sort());
    expect([...WRITABLE_ECS_FIELDS].sort()).toEqual([...members(EcsParameters$)].sort());
  });
});

describe('projectWritable', () => {
  it('copies every writable field and leaves out only the server-set ones', () => {
    const raw: RawSchedule = {
      ...ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher'),
      StartDate: new Date('2026-01-01T00:00:00Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
      KmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
    };
    raw.Target!.EcsParameters = {
      ...raw.Target!.EcsParameters,
      PlacementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
      PlacementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
      CapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 0 }],
      EnableECSManagedTags: true,
      EnableExecuteCommand: false,
      PropagateTags: 'TASK_DEFINITION',
      ReferenceId: 'ref-1',
      PlatformVersion: '1.4.0',
    };

    const projected = projectWritable(raw, { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' });

    expect(projected.ok).toBe(true);
    if (!projected.ok) return;
    const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, ...writable } = raw;
    expect(projected.update).toEqual(writable);
    // A copy, not the same objects: editing the request must not edit the definition read.
    expect(projected.update.Target).not.toBe(raw.Target);
  });

  it('always names the group, even when GetSchedule left it out', () => {
    const { GroupName: _group, ...raw } = ecsSchedule('ops-pipeline', 'x');

    const projected = projectWritable(raw, { group: 'ops-pipeline', name: 'x' });

    expect(projected.ok && projected.update.GroupName).toBe('ops-pipeline');
  });

  it('refuses a definition with a field it does not know, at every level', () => {
    const raw = ecsSchedule('g', 'n') as RawSchedule & Record<string, unknown>;
    const withUnknown = {
      ...raw,
      NewTopLevel: 'x',
      Target: { ...raw.Target, NewTargetField: { a: 1 }, EcsParameters: { ...raw.Target!.EcsParameters, NewEcsField: true } },
    } as unknown as RawSchedule;

    const projected = projectWritable(withUnknown, { group: 'g', name: 'n' });

    expect(projected).toEqual({
      ok: false,
      problems: [
        'GetSchedule returned NewTopLevel, which ops does not know how to write back; UpdateSchedule would reset it',
        'GetSchedule returned Target.NewTargetField, which ops does not know how to write back; UpdateSchedule would reset it',
        'GetSchedule returned Target.EcsParameters.NewEcsField, which ops does not know how to write back; UpdateSchedule would reset it',
      ],
    });
  });

  it('refuses a definition without the fields UpdateSchedule requires', () => {
    const { FlexibleTimeWindow: _window, ...raw } = ecsSchedule('g', 'n');

    const projected = projectWritable(raw, { group: 'g', name: 'n' });

    expect(projected).toEqual({ ok: false, problems: ['GetSchedule returned no FlexibleTimeWindow.Mode'] });
  });

  it('treats null like absent, as the wire does', () => {
    const raw = { ...ecsSchedule('g', 'n'), Description: null, KmsKeyArn: null } as unknown as RawSchedule;

    const projected = projectWritable(raw, { group: 'g', name: 'n' });

    expect(projected.ok && 'Description' in projected.update).toBe(false);
    expect(projected.ok && 'KmsKeyArn' in projected.update).toBe(false);
  });
});

describe('withTargetArn / withoutStartDate', () => {
  it('changes exactly one field each', () => {
    const projected = projectWritable({ ...ecsSchedule('g', 'n'), StartDate: new Date('2026-01-01T00:00:00Z') }, { group: 'g', name: 'n' });
    if (!projected.ok) throw new Error('projection failed');

    expect(fieldDiff(projected.update, withTargetArn(projected.update, clusterArn('ops-pipeline-cluster')))).toEqual([
      { path: 'Target.Arn', before: JSON.stringify(clusterArn('ops-pipeline')), after: JSON.stringify(clusterArn('ops-pipeline-cluster')) },
    ]);
    expect(fieldDiff(projected.update, withoutStartDate(projected.update))).toEqual([{ path: 'StartDate', before: '2026-01-01T00:00:00.000Z' }]);
  });
});

describe('fieldDiff', () => {
  it('reports nested and list differences by path, and an empty list differs from none', () => {
    expect(fieldDiff({ Target: { EcsParameters: { Tags: [{ a: '1' }] } } }, { Target: { EcsParameters: { Tags: [{ a: '2' }] } } })).toEqual([
      { path: 'Target.EcsParameters.Tags[0].a', before: '"1"', after: '"2"' },
    ]);
    expect(fieldDiff({ Subnets: [] }, {})).toEqual([{ path: 'Subnets', before: '[]' }]);
    expect(fieldDiff({ a: new Date('2026-01-01T00:00:00Z') }, { a: new Date('2026-01-01T00:00:00Z') })).toEqual([]);
  });
});

describe('expressionKind', () => {
  it.each([
    ['rate(5 minutes)', 'rate'],
    ['cron(0/5 9-15 ? * MON-FRI *)', 'cron'],
    ['at(2026-01-29T16:36:00)', 'at'],
    ['every 5 minutes', 'unknown'],
    [undefined, 'unknown'],
  ])('%s → %s', (expression, kind) => {
    expect(expressionKind(expression)).toBe(kind);
  });
});
