import { describe, expect, it } from 'vitest';
import { clusterMatches, taskDefinitionMatches, type ChangeTargets } from '../../../src/checks/change-scope.ts';
import { collect, type CollectOptions } from '../../../src/checks/collect.ts';
import { evaluate } from '../../../src/checks/evaluate.ts';
import { scheduleId } from '../../../src/checks/model.ts';
import { runCheck } from '../../../src/checks/run-check.ts';
import { nyse } from '../../../src/market/index.ts';
import { arn, createFakePorts, groupFacts, groupMetrics, lookupError, missing, scheduleFacts, scheduleFleet, unknown, type FakeAwsInput } from '../../support/check-fixtures.ts';

const NOW = new Date('2026-11-23T14:45:00Z');
const options: CollectOptions = { filter: {}, now: NOW, region: 'us-east-1', concurrency: 4, metricsWindowMinutes: 15, ecsRetentionMinutes: 60 };
const none: ChangeTargets = { schedules: [], clusters: [], taskDefinitions: [] };
const change = (targets: Partial<ChangeTargets>): ChangeTargets => ({ ...none, ...targets });

// 12 schedules over 3 clusters and 2 task definitions in 2 groups; plus a Lambda schedule.
const fleet = [
  ...scheduleFleet({ count: 12, clusters: 3, taskDefinitions: 2, groups: 2 }),
  scheduleFacts('job-000-lambda', { group: 'group-0', target: { kind: 'lambda', arn: arn.function('f') } }),
];

async function collectChange(input: FakeAwsInput, targets: ChangeTargets, extra: Partial<CollectOptions> = {}) {
  const fake = createFakePorts(input);
  const snapshot = await collect(fake.ports, { ...options, change: targets, ...extra });
  const findings = evaluate(snapshot, { now: NOW, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] });
  return { ...fake, snapshot, findings, ids: snapshot.schedules.map(scheduleId).sort() };
}

describe('collect with a change: named schedules', () => {
  it('lists with the group and the exact name, reads only that schedule, and keeps no look-alike', async () => {
    const lookAlike = scheduleFacts('job-001-v2', { group: 'group-1' });
    const { calls, ids, snapshot } = await collectChange({ schedules: [...fleet, lookAlike] }, change({ schedules: [{ group: 'group-1', name: 'job-001' }] }));

    expect(calls.argsOf('scheduler.listSchedules')).toEqual([[{ group: 'group-1', namePrefix: 'job-001' }]]);
    expect(calls.count('scheduler.getSchedule')).toBe(1);
    expect(ids).toEqual(['group-1/job-001']);
    expect(snapshot.change).toEqual(change({ schedules: [{ group: 'group-1', name: 'job-001' }] }));
  });

  it('asks for no group metrics, and keeps only the checked schedule’s group', async () => {
    const { calls, snapshot } = await collectChange({ schedules: fleet, metrics: { 'group-1': { status: 'found', value: groupMetrics({ targetErrors: 4, invocationAttempts: 4 }) } } }, change({ schedules: [{ group: 'group-1', name: 'job-001' }] }));

    expect(calls.count('metrics.schedulerGroupMetrics')).toBe(0);
    expect(snapshot.metrics.byGroup.size).toBe(0);
    expect(snapshot.groups.map((g) => g.name)).toEqual(['group-1']);
  });

  it('the operator’s filter still applies: a schedule outside --group is not listed at all', async () => {
    const { calls, ids } = await collectChange({ schedules: fleet }, change({ schedules: [{ group: 'group-1', name: 'job-001' }] }), { filter: { group: 'group-0' } });
    expect(calls.count('scheduler.listSchedules')).toBe(0);
    expect(ids).toEqual([]);
  });

  it('a schedule deleted since the event is nothing to check: no SCOPE_EMPTY, no finding at all', async () => {
    const { findings, snapshot } = await collectChange({ schedules: fleet }, change({ schedules: [{ group: 'group-1', name: 'gone' }] }));
    expect(snapshot.schedules).toEqual([]);
    expect(findings).toEqual([]);
  });

  it('a denied listing is MONITOR_BLIND, as in a full check', async () => {
    const { findings } = await collectChange({ schedules: fleet, listSchedulesError: lookupError('scheduler:ListSchedules') }, change({ schedules: [{ group: 'group-1', name: 'job-001' }] }));
    expect(findings.map((f) => f.code)).toEqual(['MONITOR_BLIND']);
  });

  it('finds what a full check finds for that schedule', async () => {
    const broken = arn.cluster('deleted');
    const schedules = fleet.map((s) => (s.name === 'job-004' ? { ...s, target: { ...s.target, arn: broken } } : s));
    const input: FakeAwsInput = { schedules, clusters: { [broken]: missing() } };
    const scoped = await collectChange(input, change({ schedules: [{ group: 'group-0', name: 'job-004' }] }));
    const full = await collect(createFakePorts(input).ports, options);
    const fullFindings = evaluate(full, { now: NOW, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] });

    expect(scoped.findings.map((f) => f.code)).toEqual(['TARGET_CLUSTER_NOT_FOUND', 'MISSED_RUNS']);
    expect(scoped.findings).toEqual(fullFindings.filter((f) => f.schedule?.name === 'job-004'));
  });
});

describe('collect with a change: a deleted cluster', () => {
  it('reads exactly the schedules whose listing targets it, by ARN', async () => {
    const { calls, ids } = await collectChange({ schedules: fleet }, change({ clusters: [arn.cluster('cluster-1')] }));

    expect(calls.count('scheduler.listSchedules')).toBe(1);
    expect(ids).toEqual(['group-0/job-004', 'group-0/job-010', 'group-1/job-001', 'group-1/job-007']);
    expect(calls.count('scheduler.getSchedule')).toBe(4);
  });

  it('by name as CloudTrail logs the request', async () => {
    const { ids } = await collectChange({ schedules: fleet }, change({ clusters: ['cluster-2'] }));
    expect(ids).toEqual(['group-0/job-002', 'group-0/job-008', 'group-1/job-005', 'group-1/job-011']);
  });

  it('a cluster of the same name in another account or region is another cluster', async () => {
    const { ids } = await collectChange({ schedules: fleet }, change({ clusters: ['arn:aws:ecs:eu-west-1:123456789012:cluster/cluster-1', 'arn:aws:ecs:us-east-1:210987654321:cluster/cluster-1'] }));
    expect(ids).toEqual([]);
  });

  it('a cluster nothing targets is nothing to check', async () => {
    const { ids, findings, calls } = await collectChange({ schedules: fleet }, change({ clusters: ['unused'] }));
    expect(ids).toEqual([]);
    expect(findings).toEqual([]);
    expect(calls.count('scheduler.getSchedule')).toBe(0);
  });
});

describe('collect with a change: a deregistered task definition', () => {
  it('reads the ECS schedules, keeps those on that revision only', async () => {
    const { calls, ids } = await collectChange({ schedules: fleet }, change({ taskDefinitions: [arn.taskDefinition('family-1:1')] }));

    // Only ECS schedules are candidates: the Lambda schedule is never read.
    expect(calls.count('scheduler.getSchedule')).toBe(12);
    expect(ids).toEqual(['group-1/job-001', 'group-1/job-003', 'group-1/job-005', 'group-1/job-007', 'group-1/job-009', 'group-1/job-011']);
    expect(calls.count('ecs.describeTaskDefinition')).toBe(1);
  });

  it('family:revision from the request matches the ARN; another revision does not', async () => {
    expect((await collectChange({ schedules: fleet }, change({ taskDefinitions: ['family-0:1'] }))).ids).toHaveLength(6);
    expect((await collectChange({ schedules: fleet }, change({ taskDefinitions: ['family-0:2'] }))).ids).toEqual([]);
  });

  it('a candidate that could not be read stays, as unreadable: it may run that definition', async () => {
    const { snapshot } = await collectChange({ schedules: fleet, getSchedule: { 'group-0/job-000': unknown('scheduler:GetSchedule', 'ThrottlingException') } }, change({ taskDefinitions: ['family-1:1'] }));
    expect(snapshot.unreadable.map((u) => scheduleId(u.ref))).toEqual(['group-0/job-000']);
  });
});

describe('runCheck with a change', () => {
  it('passes the change to collect: no group metrics, no SCOPE_EMPTY', async () => {
    const { ports, calls } = createFakePorts({ schedules: fleet, groups: [groupFacts('group-0'), groupFacts('group-1')] });
    const result = await runCheck(ports, { now: NOW, region: 'us-east-1', calendar: nyse, marketCriticalPatterns: [], change: change({ clusters: ['nothing-here'] }) });

    expect(result.findings).toEqual([]);
    expect(result.report.ok).toBe(true);
    expect(calls.count('metrics.schedulerGroupMetrics')).toBe(0);
  });
});

describe('clusterMatches and taskDefinitionMatches', () => {
  const cluster = 'arn:aws:ecs:us-east-1:123456789012:cluster/trading';
  it.each([
    [cluster, true],
    ['trading', true],
    ['trading-v2', false],
    ['arn:aws:ecs:us-east-1:123456789012:cluster/trading-v2', false],
    ['arn:aws:ecs:us-west-2:123456789012:cluster/trading', false],
  ])('cluster %s vs the target %#: %s', (changed, expected) => {
    expect(clusterMatches(changed, cluster)).toBe(expected);
  });

  it('a Lambda target never matches a cluster', () => {
    expect(clusterMatches('trading', 'arn:aws:lambda:us-east-1:123456789012:function:trading')).toBe(false);
  });

  const worker3 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/worker:3';
  it.each([
    [worker3, worker3, true],
    ['worker:3', worker3, true],
    ['worker', worker3, true],
    ['worker:2', worker3, false],
    ['worker-2:3', worker3, false],
    // A schedule on the unversioned ARN runs the latest revision, which may be the one removed.
    ['worker:2', 'arn:aws:ecs:us-east-1:123456789012:task-definition/worker', true],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/worker:3', worker3, false],
    ['not/a:definition', worker3, false],
  ])('task definition %s vs %s: %s', (changed, scheduled, expected) => {
    expect(taskDefinitionMatches(changed, scheduled)).toBe(expected);
  });
});
