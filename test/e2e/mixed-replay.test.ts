/**
 * The mixed scenario: one planted fault of each kind, everything else healthy. Replaying 30 minutes
 * shows how each fault behaves at invocation time (the checks find them from configuration).
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdvanceSummary } from '../../src/sandbox/firer.ts';
import { schedulerMetricSum } from './aws-evidence.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const OPEN = new Date('2026-11-23T14:30:00Z');
const END = new Date('2026-11-23T15:00:00Z');

describe('mixed scenario replay', () => {
  let sb: SeededSandbox;
  let summary: AdvanceSummary;

  beforeAll(async () => {
    sb = await seededSandbox('mixed', OPEN);
    summary = await sb.firer.advanceTo(END);
  });

  const errorsOf = (name: string) => new Set(sb.firer.invocations({ name }).map((i) => i.error?.code ?? 'ok'));

  it('never fires the DISABLED schedule', () => {
    expect(sb.firer.invocations({ name: 'ops-pipeline-classifier' })).toEqual([]);
    expect(summary.skipped).toContainEqual({ schedule: 'ops-pipeline/ops-pipeline-classifier', reason: 'disabled' });
  });

  it('refuses the deregistered (INACTIVE) task definition like ECS does', () => {
    expect(errorsOf('ops-pipeline-rss-ingest')).toEqual(new Set(['ClientException']));
  });

  it('fails the schedule whose execution role does not exist', () => {
    expect(errorsOf('ops-pipeline-healthcheck-5m')).toEqual(new Set(['AccessDeniedException']));
    expect(sb.firer.invocations({ name: 'ops-pipeline-healthcheck-5m' })).toHaveLength(6);
  });

  it('never fires the expired schedule, though it is ENABLED', async () => {
    const got = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: 'ops-pipeline', Name: 'ticker-discovery-6h' }));
    expect(got.State).toBe('ENABLED');
    expect(got.EndDate!.getTime()).toBeLessThan(OPEN.getTime());
    expect(sb.firer.invocations({ name: 'ticker-discovery-6h' })).toEqual([]);
  });

  it('refuses the INACTIVE cluster like ECS does (moto alone would run the task)', () => {
    const invocations = sb.firer.invocations({ name: 'ops-pipeline-position-manager' });
    expect(invocations.length).toBe(6);
    expect(invocations.every((i) => i.error?.code === 'ClusterNotFoundException' && i.taskArns.length === 0)).toBe(true);
  });

  it('reports the missing Lambda function as a target error and drops the invocation', () => {
    const invocations = sb.firer.invocations({ name: 'earnings-alert-checker' });
    expect(invocations.map((i) => i.invokeAt.toISOString())).toEqual(['2026-11-23T14:45:00.000Z', '2026-11-23T15:00:00.000Z']);
    expect(invocations.every((i) => i.error?.code === 'ResourceNotFoundException' && i.outcome === 'dropped')).toBe(true);
  });

  it('runs the schedule whose dead-letter queue is missing (the fault only bites when the target fails)', () => {
    const invocations = sb.firer.invocations({ name: 'ops-pipeline-watchlist-engine-5m' });
    expect(invocations).toHaveLength(6);
    expect(invocations.every((i) => i.outcome === 'succeeded' && i.taskArns.length === 1)).toBe(true);
  });

  it('keeps every other schedule healthy', async () => {
    const healthy = sb.scenario.schedules.filter((s) => s.plantedFault === undefined || s.plantedFault === 'DEAD_LETTER_QUEUE_MISSING');
    for (const s of healthy) {
      const invocations = sb.firer.invocations({ name: s.name });
      expect(invocations.length, s.name).toBeGreaterThan(0);
      expect(invocations.every((i) => i.outcome === 'succeeded'), s.name).toBe(true);
    }
    const failures = sb.firer.invocations().filter((i) => i.outcome !== 'succeeded');
    expect(new Set(failures.map((i) => i.name))).toEqual(
      new Set(['ops-pipeline-rss-ingest', 'ops-pipeline-healthcheck-5m', 'ops-pipeline-position-manager', 'earnings-alert-checker']),
    );
    const targetErrors = await schedulerMetricSum(sb.clients.cloudwatch, 'TargetErrorCount', 'ops-pipeline', OPEN, new Date(END.getTime() + 60_000));
    expect(targetErrors).toBe(sb.firer.invocations({ group: 'ops-pipeline' }).reduce((n, i) => n + (i.outcome === 'succeeded' ? 0 : i.attempts), 0));
  });
});
