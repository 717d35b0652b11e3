/**
 * The two schedules the rollback CLI tests fix and undo: a cron schedule with a StartDate and a
 * rate() schedule (whose StartDate, if it had one, anchors every fire time), both on the missing
 * cluster `ops-pipeline`, in a fake account where `ops-pipeline-cluster` is the one ACTIVE cluster.
 */
import { fakeAws, type FakeAws } from '../../remediate/fake-aws.ts';
import { activeCluster, clusterArn, ecsSchedule } from '../../remediate/fakes.ts';

export const dispatcher = ecsSchedule('ops-pipeline-market', 'ops-pipeline-dispatcher', { StartDate: new Date('2026-01-01T00:00:00Z') });
export const telemetry = ecsSchedule('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { ScheduleExpression: 'rate(1 minute)' });
export const FROM = clusterArn('ops-pipeline');
export const TO = clusterArn('ops-pipeline-cluster');

export function rollbackAccount(): FakeAws {
  return fakeAws({ schedules: [dispatcher, telemetry], clusters: [activeCluster('ops-pipeline-cluster')], groups: ['ops-pipeline-market', 'ops-pipeline'] });
}

/** A definition without LastModificationDate, which every write changes. */
export function withoutModified(s: object | undefined): object {
  const { LastModificationDate: _modified, ...rest } = (s ?? {}) as { LastModificationDate?: Date };
  return rest;
}
