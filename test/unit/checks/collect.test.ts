import { describe, expect, it } from 'vitest';
import { collect, type CollectOptions } from '../../../src/checks/collect.ts';
import { evaluate } from '../../../src/checks/evaluate.ts';
import { LookupError } from '../../../src/checks/lookup-error.ts';
import { UserError } from '../../../src/errors.ts';
import { startedByFor } from '../../../src/ledger/index.ts';
import { nyse } from '../../../src/market/index.ts';
import {
  arn,
  createFakePorts,
  DEFAULT_CLUSTER_ARN,
  failure,
  found,
  groupFacts,
  groupMetrics,
  lambdaSchedule,
  lookupError,
  missing,
  scheduleFacts,
  scheduleFleet,
  tasksLookupKey,
  unknown,
  type FakeAwsInput,
} from '../../support/check-fixtures.ts';

/** Monday 2026-11-23 09:45 ET. Schedules fire every 15 min, so the last due fire is 14:30Z. */
const NOW = new Date('2026-11-23T14:45:00Z');
const LEDGER_SINCE = new Date('2026-11-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

const options: CollectOptions = { filter: {}, now: NOW, region: 'us-east-1', concurrency: 4, metricsWindowMinutes: 15, ecsRetentionMinutes: 60 };

async function collectFrom(input: FakeAwsInput, extra: Partial<CollectOptions> = {}) {
  const fake = createFakePorts(input);
  const progress: string[] = [];
  const snapshot = await collect(fake.ports, { ...options, progress: (m) => progress.push(m), ...extra });
  const findings = evaluate(snapshot, { now: NOW, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] });
  return { ...fake, snapshot, findings, progress };
}

const sorted = (values: unknown[]) => [...(values as string[])].sort();

describe('collect: shared look-ups are made once', () => {
  // 20 schedules over 2 clusters, 3 task definitions, 2 roles, 2 groups.
  const fleet = scheduleFleet({ count: 20, clusters: 2, taskDefinitions: 3, roles: 2, groups: 2 });

  it('asks each AWS API once per unique resource', async () => {
    const { calls, snapshot } = await collectFrom({ schedules: fleet, ledger: { coversSince: LEDGER_SINCE } });
    expect(calls.count('scheduler.listGroups')).toBe(1);
    expect(calls.count('scheduler.listSchedules')).toBe(1);
    expect(calls.count('scheduler.getSchedule')).toBe(20);
    expect(calls.count('ecs.describeClusters')).toBe(1);
    expect(sorted(calls.firstArgs('ecs.describeClusters')[0] as string[])).toEqual([arn.cluster('cluster-0'), arn.cluster('cluster-1')]);
    expect(calls.count('ecs.describeTaskDefinition')).toBe(3);
    expect(sorted(calls.firstArgs('ecs.describeTaskDefinition'))).toEqual([0, 1, 2].map((i) => arn.taskDefinition(`family-${i}:1`)));
    expect(calls.count('iam.getRole')).toBe(2);
    expect(sorted(calls.firstArgs('iam.getRole'))).toEqual([arn.role('role-0'), arn.role('role-1')]);
    expect(calls.count('queues.getQueue')).toBe(1);
    expect(calls.count('lambda.getFunction')).toBe(0);
    expect(calls.count('metrics.schedulerGroupMetrics')).toBe(1);
    expect(snapshot.schedules).toHaveLength(20);
    expect([...snapshot.clusters.keys()].sort()).toEqual([arn.cluster('cluster-0'), arn.cluster('cluster-1')]);
    expect(snapshot.taskDefinitions.size).toBe(3);
    expect(snapshot.roles.size).toBe(2);
  });

  it('asks for metrics once, for the unique groups, over the window ending now', async () => {
    const { calls, snapshot } = await collectFrom({ schedules: fleet, ledger: { coversSince: LEDGER_SINCE } });
    expect(calls.argsOf('metrics.schedulerGroupMetrics')).toEqual([[['group-0', 'group-1'], { start: at('2026-11-23T14:30:00Z'), end: NOW }]]);
    expect([...snapshot.metrics.byGroup.keys()]).toEqual(['group-0', 'group-1']);
    expect(snapshot.metrics.window).toEqual({ start: at('2026-11-23T14:30:00Z'), end: NOW });
  });

  it('checks each Lambda function once and makes no ECS calls for Lambda-only schedules', async () => {
    const schedules = [lambdaSchedule('a', 'fn-1'), lambdaSchedule('b', 'fn-1'), lambdaSchedule('c', 'fn-2')];
    const { calls, snapshot } = await collectFrom({ schedules, ledger: { coversSince: LEDGER_SINCE } });
    expect(sorted(calls.firstArgs('lambda.getFunction'))).toEqual([arn.function('fn-1'), arn.function('fn-2')]);
    expect(calls.count('ecs.describeClusters')).toBe(0);
    expect(calls.count('ecs.describeTaskDefinition')).toBe(0);
    expect(calls.count('ecs.tasksStartedBy')).toBe(0);
    expect(calls.count('ledger.coversSince')).toBe(0);
    expect([...snapshot.evidence.values()].map((e) => e.source)).toEqual(['none', 'none', 'none']);
  });

  it('passes the filter to ListSchedules and reads details only for what it returned', async () => {
    const { calls, snapshot } = await collectFrom({ schedules: fleet }, { filter: { group: 'group-1', namePrefix: 'job-01' } });
    expect(calls.argsOf('scheduler.listSchedules')).toEqual([[{ group: 'group-1', namePrefix: 'job-01' }]]);
    expect(snapshot.schedules.map((s) => s.name)).toEqual(['job-011', 'job-013', 'job-015', 'job-017', 'job-019']);
    expect(calls.count('scheduler.getSchedule')).toBe(5);
  });
});

describe('collect: run evidence', () => {
  const schedules = [scheduleFacts('a'), scheduleFacts('b')];
  const tasks = {
    [DEFAULT_CLUSTER_ARN]: [
      { taskArn: 't1', createdAt: at('2026-11-23T14:15:02Z'), taskDefinitionArn: arn.taskDefinition('worker:1'), startedBy: startedByFor('a') },
      { taskArn: 't2', createdAt: at('2026-11-23T14:30:02Z'), taskDefinitionArn: arn.taskDefinition('worker:1'), startedBy: startedByFor('a') },
    ],
  };

  it('uses the ledger when it has coverage: one lastRuns call, no ECS task listings', async () => {
    const { calls, snapshot, findings } = await collectFrom({
      schedules,
      tasks,
      ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/a': at('2026-11-23T14:30:05Z') } },
    });
    expect(calls.count('ledger.coversSince')).toBe(1);
    expect(calls.argsOf('ledger.lastRuns')).toEqual([[[{ group: 'trading', name: 'a' }, { group: 'trading', name: 'b' }]]]);
    expect(calls.count('ecs.tasksStartedBy')).toBe(0);
    expect(snapshot.evidence.get('trading/a')).toEqual({ source: 'ledger', lastRunAt: at('2026-11-23T14:30:05Z'), runsSince: [at('2026-11-23T14:30:05Z')], coversSince: LEDGER_SINCE });
    expect(snapshot.evidence.get('trading/b')).toEqual({ source: 'ledger', runsSince: [], coversSince: LEDGER_SINCE });
    expect(findings.map((f) => [f.code, f.schedule?.name, f.evidence.source])).toEqual([['MISSED_RUNS', 'b', 'ledger']]);
  });

  const ecsCases: [string, FakeAwsInput['ledger']][] = [
    ['there is no ledger port', undefined],
    ['the ledger has no coverage marker', { lastRuns: { 'trading/a': at('2026-11-23T14:30:05Z'), 'trading/b': at('2026-11-23T14:30:05Z') } }],
    ['the ledger table is missing', { error: new UserError('RUN_LEDGER_TABLE_MISSING', 'table "ops-run-ledger" does not exist', 'deploy it') }],
  ];

  it.each(ecsCases)('reads ECS tasksStartedBy when %s', async (_what, ledger) => {
    const { calls, snapshot, findings } = await collectFrom({ schedules, tasks, ...(ledger ? { ledger } : {}) });
    expect(calls.argsOf('ecs.tasksStartedBy')).toEqual([
      [DEFAULT_CLUSTER_ARN, 'chronos-schedule/a'],
      [DEFAULT_CLUSTER_ARN, 'chronos-schedule/b'],
    ]);
    expect(calls.count('ledger.lastRuns')).toBe(0);
    const coversSince = at('2026-11-23T13:45:00Z');
    expect(snapshot.evidence.get('trading/a')).toEqual({ source: 'ecs', lastRunAt: at('2026-11-23T14:30:02Z'), runsSince: [at('2026-11-23T14:15:02Z'), at('2026-11-23T14:30:02Z')], coversSince });
    expect(snapshot.evidence.get('trading/b')).toEqual({ source: 'ecs', runsSince: [], coversSince });
    // A missing table is a known configuration, not an incomplete check.
    expect(snapshot.failures).toEqual([]);
    expect(findings.map((f) => [f.code, f.schedule?.name, f.evidence.source])).toEqual([['MISSED_RUNS', 'b', 'ecs']]);
  });

  it('falls back to ECS and reports CHECK_INCOMPLETE when the ledger is denied', async () => {
    const denied = new UserError('RUN_LEDGER_ACCESS_DENIED', 'DynamoDB GetItem was denied', 'grant it', { cause: Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }) });
    const { calls, snapshot, findings } = await collectFrom({ schedules, tasks, ledger: { error: denied } });
    expect(calls.count('ecs.tasksStartedBy')).toBe(2);
    expect(snapshot.evidence.get('trading/a')?.source).toBe('ecs');
    expect(snapshot.failures).toEqual([{ action: 'dynamodb:BatchGetItem', errorName: 'AccessDeniedException', message: 'DynamoDB GetItem was denied' }]);
    expect(findings.map((f) => [f.code, f.schedule?.name ?? null])).toEqual([
      ['CHECK_INCOMPLETE', null],
      ['MISSED_RUNS', 'b'],
    ]);
  });

  it('falls back to ECS when lastRuns fails after coverage was read', async () => {
    const { calls, snapshot } = await collectFrom({ schedules, tasks, ledger: { coversSince: LEDGER_SINCE, lastRunsError: lookupError('dynamodb:BatchGetItem', 'ProvisionedThroughputExceededException') } });
    expect(calls.count('ecs.tasksStartedBy')).toBe(2);
    expect(snapshot.evidence.get('trading/a')?.source).toBe('ecs');
    expect(snapshot.failures.map((f) => [f.action, f.errorName])).toEqual([['dynamodb:BatchGetItem', 'ProvisionedThroughputExceededException']]);
  });

  it('tells apart two schedules whose names share the first 19 characters by task-definition family', async () => {
    const tiny = scheduleFacts('pipeline-dispatcher-tiny', { target: { ecs: { taskDefinitionArn: arn.taskDefinition('dispatcher-tiny:3') } } });
    const main = scheduleFacts('pipeline-dispatcher-main', { target: { ecs: { taskDefinitionArn: arn.taskDefinition('dispatcher:7') } } });
    const startedBy = startedByFor(tiny.name);
    expect(startedBy).toBe(startedByFor(main.name));
    expect(startedBy).toHaveLength(36);
    const { snapshot, findings } = await collectFrom({
      schedules: [tiny, main],
      tasks: {
        [DEFAULT_CLUSTER_ARN]: [
          // Only `main` ran at the last due fire; `tiny` last ran 15 minutes earlier (different revision, same family).
          { taskArn: 't-main', createdAt: at('2026-11-23T14:30:01Z'), taskDefinitionArn: arn.taskDefinition('dispatcher:7'), startedBy },
          { taskArn: 't-tiny', createdAt: at('2026-11-23T14:15:01Z'), taskDefinitionArn: arn.taskDefinition('dispatcher-tiny:2'), startedBy },
        ],
      },
    });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-main')).toMatchObject({ source: 'ecs', runsSince: [at('2026-11-23T14:30:01Z')] });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-tiny')).toMatchObject({ source: 'ecs', runsSince: [at('2026-11-23T14:15:01Z')] });
    expect(findings.map((f) => [f.code, f.schedule?.name])).toEqual([['MISSED_RUNS', 'pipeline-dispatcher-tiny']]);
  });

  it('tells apart colliding names with the same family by EcsParameters.Group, as the ledger handler does', async () => {
    const family = arn.taskDefinition('dispatcher:7');
    const tiny = scheduleFacts('pipeline-dispatcher-tiny', { target: { ecs: { taskDefinitionArn: family, group: 'schedule:tiny' } } });
    const main = scheduleFacts('pipeline-dispatcher-main', { target: { ecs: { taskDefinitionArn: family, group: 'schedule:main' } } });
    const startedBy = startedByFor(tiny.name);
    const { snapshot } = await collectFrom({
      schedules: [tiny, main],
      tasks: {
        [DEFAULT_CLUSTER_ARN]: [
          { taskArn: 't-main', createdAt: at('2026-11-23T14:30:01Z'), taskDefinitionArn: family, startedBy, group: 'schedule:main' },
          { taskArn: 't-tiny', createdAt: at('2026-11-23T14:15:01Z'), taskDefinitionArn: family, startedBy, group: 'schedule:tiny' },
        ],
      },
    });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-main')).toMatchObject({ runsSince: [at('2026-11-23T14:30:01Z')] });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-tiny')).toMatchObject({ runsSince: [at('2026-11-23T14:15:01Z')] });
  });

  it('credits neither of two colliding schedules with the same family and no group (ambiguous, never a guess)', async () => {
    const family = arn.taskDefinition('dispatcher:7');
    const tiny = scheduleFacts('pipeline-dispatcher-tiny', { target: { ecs: { taskDefinitionArn: family } } });
    const main = scheduleFacts('pipeline-dispatcher-main', { target: { ecs: { taskDefinitionArn: family } } });
    const startedBy = startedByFor(tiny.name);
    const { snapshot } = await collectFrom({
      schedules: [tiny, main],
      tasks: { [DEFAULT_CLUSTER_ARN]: [{ taskArn: 't-x', createdAt: at('2026-11-23T14:30:01Z'), taskDefinitionArn: family, startedBy }] },
    });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-main')).toMatchObject({ runsSince: [] });
    expect(snapshot.evidence.get('trading/pipeline-dispatcher-tiny')).toMatchObject({ runsSince: [] });
  });

  it('does not list tasks on a cluster that does not exist (no runs: the cluster finding explains the miss)', async () => {
    const { calls, findings } = await collectFrom({ schedules: [scheduleFacts('a')], clusters: { [DEFAULT_CLUSTER_ARN]: missing('MISSING') } });
    expect(calls.count('ecs.tasksStartedBy')).toBe(0);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ['TARGET_CLUSTER_NOT_FOUND', 'critical'],
      ['MISSED_RUNS', 'warning'],
    ]);
  });

  it('still lists tasks when DescribeClusters was denied, and reports no miss it cannot prove', async () => {
    const { calls, snapshot, findings } = await collectFrom({ schedules: [scheduleFacts('a')], tasks, clusters: { [DEFAULT_CLUSTER_ARN]: unknown('ecs:DescribeClusters') } });
    expect(calls.count('ecs.tasksStartedBy')).toBe(1);
    expect(snapshot.evidence.get('trading/a')).toMatchObject({ source: 'ecs', lastRunAt: at('2026-11-23T14:30:02Z') });
    expect(findings.map((f) => [f.code, f.evidence.action, f.evidence.affected])).toEqual([['CHECK_INCOMPLETE', 'ecs:DescribeClusters', ['trading/a']]]);
  });

  it('a denied task listing gives no MISSED_RUNS and a CHECK_INCOMPLETE naming the schedule', async () => {
    const { snapshot, findings } = await collectFrom({
      schedules,
      tasks,
      tasksLookups: { [tasksLookupKey(DEFAULT_CLUSTER_ARN, 'chronos-schedule/b')]: unknown('ecs:ListTasks') },
    });
    expect(snapshot.evidence.get('trading/b')).toMatchObject({ source: 'none', reason: 'ecs:ListTasks failed: AccessDeniedException' });
    expect(findings.map((f) => [f.code, f.evidence.action, f.evidence.affected, f.evidence.affectedCount])).toEqual([['CHECK_INCOMPLETE', 'ecs:ListTasks', ['trading/b'], 1]]);
  });

  it('gives Lambda targets evidence `none` with the reason', async () => {
    const { snapshot } = await collectFrom({ schedules: [lambdaSchedule('alert', 'trade-alert-checker')] });
    expect(snapshot.evidence.get('trading/alert')).toEqual({ source: 'none', reason: 'no run evidence for lambda targets; Scheduler metrics cover them per group only' });
  });
});

describe('collect: failures become data', () => {
  it('a denied listGroups still checks every schedule and yields CHECK_INCOMPLETE', async () => {
    const { snapshot, findings, calls } = await collectFrom({
      schedules: [scheduleFacts('a'), scheduleFacts('b', { state: 'DISABLED' })],
      groups: [groupFacts('trading', { 'ops:market-critical': 'true' })],
      listGroupsError: lookupError('scheduler:ListScheduleGroups'),
      ledger: { coversSince: LEDGER_SINCE },
    });
    expect(calls.count('scheduler.getSchedule')).toBe(2);
    expect(snapshot.groups).toEqual([]);
    expect(snapshot.failures).toEqual([failure('scheduler:ListScheduleGroups')]);
    // Without the group tags the miss cannot be known as market-critical: warning, plus the incomplete check.
    expect(findings.map((f) => [f.code, f.severity, f.schedule?.name ?? null])).toEqual([
      ['CHECK_INCOMPLETE', 'warning', null],
      ['MISSED_RUNS', 'warning', 'a'],
      ['SCHEDULE_DISABLED', 'warning', 'b'],
    ]);
    expect(findings[0]!.evidence).toMatchObject({ action: 'scheduler:ListScheduleGroups', affectedCount: 0 });
  });

  it('a denied listSchedules yields an empty snapshot with the failure recorded', async () => {
    const { snapshot, calls } = await collectFrom({ schedules: [scheduleFacts('a')], listSchedulesError: lookupError('scheduler:ListSchedules') });
    expect(snapshot.schedules).toEqual([]);
    expect(snapshot.failures.map((f) => f.action)).toEqual(['scheduler:ListSchedules']);
    expect(calls.count('scheduler.getSchedule')).toBe(0);
    expect(calls.count('metrics.schedulerGroupMetrics')).toBe(0);
  });

  it('rethrows anything that is not a LookupError (a bug, not a denied call)', async () => {
    const fake = createFakePorts({ listGroupsError: new TypeError('boom') });
    await expect(collect(fake.ports, options)).rejects.toThrow(TypeError);
  });

  it('unreadable schedules are recorded; deleted ones are dropped', async () => {
    const { snapshot, findings } = await collectFrom({
      schedules: [scheduleFacts('a'), scheduleFacts('b'), scheduleFacts('c')],
      getSchedule: { 'trading/b': unknown('scheduler:GetSchedule', 'ThrottlingException'), 'trading/c': missing('ResourceNotFoundException') },
      ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/a': at('2026-11-23T14:30:05Z') } },
    });
    expect(snapshot.schedules.map((s) => s.name)).toEqual(['a']);
    expect(snapshot.unreadable).toEqual([{ ref: { group: 'trading', name: 'b', arn: arn.schedule('trading', 'b') }, failure: failure('scheduler:GetSchedule', 'ThrottlingException') }]);
    expect(findings.map((f) => [f.code, f.evidence.affected])).toEqual([['CHECK_INCOMPLETE', ['trading/b']]]);
  });

  it('a denied GetRole for a shared role is one look-up and one CHECK_INCOMPLETE naming all its schedules', async () => {
    const fleet = scheduleFleet({ count: 3 });
    const { calls, findings } = await collectFrom({ schedules: fleet, roles: { [arn.role('role-0')]: unknown('iam:GetRole') }, ledger: { coversSince: LEDGER_SINCE, lastRuns: Object.fromEntries(fleet.map((s) => [`${s.group}/${s.name}`, at('2026-11-23T14:30:05Z')])) } });
    expect(calls.count('iam.getRole')).toBe(1);
    expect(findings.map((f) => [f.code, f.evidence.affectedCount, f.evidence.affected])).toEqual([['CHECK_INCOMPLETE', 3, ['group-0/job-000', 'group-0/job-001', 'group-0/job-002']]]);
  });

  it('group metrics show up as TARGET_ERRORS', async () => {
    const { findings } = await collectFrom({
      schedules: [scheduleFacts('a')],
      metrics: { trading: found(groupMetrics({ invocationAttempts: 3, targetErrors: 3 })) },
      ledger: { coversSince: LEDGER_SINCE, lastRuns: { 'trading/a': at('2026-11-23T14:30:05Z') } },
    });
    expect(findings.map((f) => [f.code, f.group])).toEqual([['TARGET_ERRORS', 'trading']]);
  });

  it('reports progress', async () => {
    const { progress } = await collectFrom({ schedules: scheduleFleet({ count: 4, clusters: 2 }) });
    expect(progress.slice(0, 2)).toEqual(['found 4 schedule(s) in 1 group(s); reading details', 'checking 2 cluster(s), 1 task definition(s), 1 role(s)']);
  });

  it('LookupError carries the failure and is a fault', () => {
    const error = lookupError('scheduler:ListSchedules', 'AccessDeniedException', 'nope');
    expect(error).toBeInstanceOf(LookupError);
    expect(error.kind).toBe('fault');
    expect(error.message).toBe('scheduler:ListSchedules failed: AccessDeniedException: nope');
  });
});
