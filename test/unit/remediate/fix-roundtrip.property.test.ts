/**
 * The acceptance property: whatever optional fields a schedule has, after the fix GetSchedule returns
 * exactly the original except Target.Arn (and the server's LastModificationDate); after a rollback,
 * exactly the original again. Against aws-sdk-client-mock with a mock that behaves like Scheduler:
 * UpdateSchedule replaces the stored definition with what it was sent, GetSchedule returns it.
 */
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand, type GetScheduleOutput, type UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSchedulerWriter } from '../../../src/aws/scheduler-writer.ts';
import { applyChanges } from '../../../src/remediate/apply.ts';
import { changeIdOf } from '../../../src/remediate/identifiers.ts';
import { applyRollback, planRollback } from '../../../src/remediate/rollback.ts';
import { cloneData, type RawSchedule } from '../../../src/remediate/schedule-document.ts';
import { OFFLINE_CLIENT_CONFIG } from '../aws/fake-http-handler.ts';
import { activeCluster, clusterArn, memoryAudit, memoryBackups, targetChecker, WHO } from './fakes.ts';
import { ecsScheduleArbitrary } from './schedule-arbitrary.ts';

const client = new SchedulerClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
const TO = clusterArn('ops-pipeline-cluster');

/** A Scheduler in a Map: what UpdateSchedule got is what GetSchedule returns. */
function schedulerBehaviour(initial: RawSchedule): { stored: () => RawSchedule; updates: UpdateScheduleInput[] } {
  let stored = cloneData(initial);
  let modified = initial.LastModificationDate!.getTime();
  const updates: UpdateScheduleInput[] = [];
  mock.on(GetScheduleCommand).callsFake(() => cloneData(stored) as GetScheduleOutput);
  mock.on(UpdateScheduleCommand).callsFake((input: UpdateScheduleInput) => {
    updates.push(input);
    const { ClientToken: _token, ...definition } = input;
    stored = { ...cloneData(definition as RawSchedule), Arn: stored.Arn, CreationDate: stored.CreationDate, LastModificationDate: new Date((modified += 60_000)) };
    return { ScheduleArn: stored.Arn };
  });
  return { stored: () => stored, updates };
}

const withoutServerDate = (s: RawSchedule): RawSchedule => {
  const { LastModificationDate: _modified, ...rest } = s;
  return rest;
};

beforeEach(() => {
  mock.reset();
});

describe('fix and rollback round trip (property)', () => {
  it('changes only Target.Arn, and rollback restores the original exactly', async () => {
    await fc.assert(
      fc.asyncProperty(ecsScheduleArbitrary(), async (original) => {
        mock.reset();
        const world = schedulerBehaviour(original);
        const writer = createSchedulerWriter(client);
        const audit = memoryAudit();
        const backups = memoryBackups();
        const now = () => new Date('2026-01-29T23:01:00Z');
        const plannedOn = original.LastModificationDate!.toISOString();
        const change = {
          id: changeIdOf({ scheduleArn: original.Arn!, from: original.Target!.Arn!, to: TO, plannedOn }),
          schedule: { group: original.GroupName!, name: original.Name!, arn: original.Arn! },
          field: 'Target.Arn' as const,
          from: original.Target!.Arn!,
          to: TO,
          resolvedBy: 'auto-match' as const,
          because: 'property',
          plannedOn,
          diff: [],
        };

        const [fixed] = await applyChanges([change], { writer, backups, audit, targets: targetChecker([activeCluster('ops-pipeline-cluster')]) }, { runId: 'fix-p', who: WHO, now, maxChanges: 25 });

        expect(fixed?.status).toBe('ok');
        expect(world.updates).toHaveLength(1);
        expect(world.updates[0]?.GroupName).toBe(original.GroupName);
        const expected = { ...withoutServerDate(original), Target: { ...original.Target, Arn: TO } };
        expect(withoutServerDate(world.stored())).toEqual(expected);

        const plan = await planRollback({ kind: 'last' }, { audit, backups });
        const [undone] = await applyRollback(plan, { writer, backups, audit }, { runId: 'rollback-p', who: WHO, now, maxChanges: 25 });

        expect(undone?.status).toBe('ok');
        expect(withoutServerDate(world.stored())).toEqual(withoutServerDate(original));
      }),
      { numRuns: 150 },
    );
  });
});
