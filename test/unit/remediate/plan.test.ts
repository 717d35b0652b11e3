import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.ts';
import type { ClusterFacts, Lookup, ScheduleFacts } from '../../../src/checks/model.ts';
import { parseMappings, planClusterFixes } from '../../../src/remediate/plan.ts';
import { ACCOUNT, activeCluster, clusterArn, REGION, ROLE, scheduleArn } from './fakes.ts';

const PLANNED_ON = new Date('2026-01-29T20:47:00Z');

function facts(group: string, name: string, targetArn: string, kind: 'ecs' | 'lambda' = 'ecs'): ScheduleFacts {
  return {
    group,
    name,
    arn: scheduleArn(group, name),
    state: 'ENABLED',
    expression: 'rate(5 minutes)',
    timezone: 'UTC',
    lastModificationDate: PLANNED_ON,
    flexibleWindowMinutes: 0,
    target: { kind, arn: targetArn, roleArn: ROLE, ...(kind === 'ecs' ? { ecs: { taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${name}:1` } } : {}) },
  };
}

function notFound(s: ScheduleFacts): Finding {
  return {
    code: 'TARGET_CLUSTER_NOT_FOUND',
    severity: 'critical',
    schedule: { group: s.group, name: s.name, arn: s.arn },
    message: 'targets a missing cluster',
    evidence: { clusterArn: s.target.arn },
    fix: '',
    runbook: 'runbooks/TARGET_CLUSTER_NOT_FOUND.md',
  };
}

const found = (clusters: ClusterFacts[]): Lookup<ClusterFacts[]> => ({ status: 'found', value: clusters });
const dispatcher = facts('ops-pipeline-market', 'ops-pipeline-dispatcher', clusterArn('ops-pipeline'));
const telemetry = facts('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', clusterArn('ops-pipeline'));

describe('planClusterFixes', () => {
  it('plans one Target.Arn change per broken ECS schedule when the match is evident', () => {
    const plan = planClusterFixes({
      findings: [notFound(dispatcher), notFound(telemetry)],
      snapshot: { schedules: [dispatcher, telemetry] },
      clusters: found([activeCluster('ops-pipeline-cluster'), activeCluster('market-data')]),
    });

    expect(plan.decisions).toEqual([]);
    // Sorted by group, then name: ops-pipeline before ops-pipeline-market.
    expect(plan.changes.map((c) => c.schedule.name)).toEqual(['ops-pipeline-telemetry-ingestor-1m', 'ops-pipeline-dispatcher']);
    expect(plan.changes[1]).toEqual({
      id: expect.stringMatching(/^c[0-9a-f]{12}$/) as unknown,
      schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher', arn: dispatcher.arn },
      field: 'Target.Arn',
      from: clusterArn('ops-pipeline'),
      to: clusterArn('ops-pipeline-cluster'),
      resolvedBy: 'auto-match',
      because: '"ops-pipeline" is a prefix or abbreviation of exactly one ACTIVE cluster in the account and region',
      plannedOn: '2026-01-29T20:47:00.000Z',
      diff: [{ path: 'Target.Arn', before: JSON.stringify(clusterArn('ops-pipeline')), after: JSON.stringify(clusterArn('ops-pipeline-cluster')) }],
    });
    expect(plan.changes[0]?.id).not.toBe(plan.changes[1]?.id);
  });

  it('never plans a change for a Lambda-target schedule, even with --cluster', () => {
    const lambda = facts('ops-pipeline-market', 'trade-alert-checker', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:trade-alert-checker`, 'lambda');

    const plan = planClusterFixes({
      findings: [{ ...notFound(lambda) }],
      snapshot: { schedules: [lambda] },
      clusters: found([activeCluster('ops-pipeline-cluster')]),
      cluster: 'ops-pipeline-cluster',
    });

    expect(plan).toEqual({ changes: [], decisions: [], unusedMappings: [] });
  });

  it('leaves an ambiguous schedule for a decision, with both candidates and a command', () => {
    const plan = planClusterFixes({
      findings: [notFound(dispatcher)],
      snapshot: { schedules: [dispatcher] },
      clusters: found([activeCluster('ops-pipeline-cluster'), activeCluster('ops-pipeline-cluster-v2')]),
    });

    expect(plan.changes).toEqual([]);
    expect(plan.decisions).toEqual([
      {
        schedule: { group: dispatcher.group, name: dispatcher.name, arn: dispatcher.arn },
        from: clusterArn('ops-pipeline'),
        reason: '2 ACTIVE clusters match "ops-pipeline"; ops will not guess',
        candidates: [clusterArn('ops-pipeline-cluster'), clusterArn('ops-pipeline-cluster-v2')],
        hint: 'ops check-schedulers --fix --group ops-pipeline-market --name-prefix ops-pipeline-dispatcher --cluster ops-pipeline-cluster|ops-pipeline-cluster-v2',
      },
    ]);
  });

  it('leaves a schedule with no match for a decision, listing the ACTIVE clusters', () => {
    const plan = planClusterFixes({ findings: [notFound(dispatcher)], snapshot: { schedules: [dispatcher] }, clusters: found([activeCluster('market-data')]) });

    expect(plan.changes).toEqual([]);
    expect(plan.decisions[0]).toMatchObject({ reason: expect.stringContaining('no evident match') as unknown, candidates: [clusterArn('market-data')] });
  });

  it('takes --cluster by name or ARN when it is ACTIVE in the same account and region', () => {
    const clusters = found([activeCluster('ops-pipeline-cluster'), activeCluster('ops-pipeline-cluster-v2')]);
    for (const cluster of ['ops-pipeline-cluster-v2', clusterArn('ops-pipeline-cluster-v2')]) {
      const plan = planClusterFixes({ findings: [notFound(dispatcher)], snapshot: { schedules: [dispatcher] }, clusters, cluster });

      expect(plan.decisions).toEqual([]);
      expect(plan.changes.map((c) => [c.to, c.resolvedBy, c.because])).toEqual([[clusterArn('ops-pipeline-cluster-v2'), '--cluster', `named by --cluster ${cluster}`]]);
    }
  });

  it.each([
    ['does not exist', 'nope', [activeCluster('ops-pipeline-cluster')], `the requested cluster nope does not exist in account ${ACCOUNT}, ${REGION}; nothing will be written`],
    ['is INACTIVE', 'ops-pipeline-cluster', [{ ...activeCluster('ops-pipeline-cluster'), status: 'INACTIVE' }], 'the requested cluster ops-pipeline-cluster is INACTIVE, not ACTIVE; nothing will be written'],
    ['is in another region', clusterArn('ops-pipeline-cluster', ACCOUNT, 'us-east-1'), [activeCluster('ops-pipeline-cluster', ACCOUNT, 'us-east-1')], `the requested cluster ${clusterArn('ops-pipeline-cluster', ACCOUNT, 'us-east-1')} is not in account ${ACCOUNT}, ${REGION}`],
  ])('refuses an explicit target that %s', (_what, cluster, clusters, reason) => {
    const plan = planClusterFixes({ findings: [notFound(dispatcher)], snapshot: { schedules: [dispatcher] }, clusters: found(clusters), cluster });

    expect(plan.changes).toEqual([]);
    expect(plan.decisions.map((d) => d.reason)).toEqual([reason]);
  });

  it('applies --map where it names the schedule cluster, matches the rest automatically, and reports unused entries', () => {
    const other = facts('ops-pipeline', 'rss-ingest', clusterArn('news'));
    const plan = planClusterFixes({
      findings: [notFound(dispatcher), notFound(other)],
      snapshot: { schedules: [dispatcher, other] },
      clusters: found([activeCluster('ops-pipeline-cluster'), activeCluster('trading-blue'), activeCluster('news-cluster')]),
      mappings: parseMappings(['ops-pipeline=trading-blue', 'typo=x']),
    });

    expect(plan.changes.map((c) => [c.schedule.name, c.to, c.resolvedBy])).toEqual([
      ['rss-ingest', clusterArn('news-cluster'), 'auto-match'],
      ['ops-pipeline-dispatcher', clusterArn('trading-blue'), '--map'],
    ]);
    expect(plan.unusedMappings).toEqual(['typo=x']);
  });

  it('needs a decision for every broken schedule when the clusters cannot be listed', () => {
    const plan = planClusterFixes({
      findings: [notFound(dispatcher)],
      snapshot: { schedules: [dispatcher] },
      clusters: { status: 'unknown', failure: { action: 'ecs:ListClusters', errorName: 'AccessDeniedException', message: 'denied' } },
    });

    expect(plan.changes).toEqual([]);
    expect(plan.decisions[0]?.reason).toBe("the account's clusters could not be listed (ecs:ListClusters failed: AccessDeniedException: denied)");
  });

  it('ignores other findings', () => {
    const plan = planClusterFixes({
      findings: [{ ...notFound(dispatcher), code: 'MISSED_RUNS' }],
      snapshot: { schedules: [dispatcher] },
      clusters: found([activeCluster('ops-pipeline-cluster')]),
    });

    expect(plan.changes).toEqual([]);
  });
});

describe('parseMappings', () => {
  it('reads names and ARNs', () => {
    expect(parseMappings(['a=b', `${clusterArn('a')}=${clusterArn('b')}`])).toEqual([
      { from: 'a', to: 'b' },
      { from: clusterArn('a'), to: clusterArn('b') },
    ]);
  });

  it.each(['a', 'a=', '=b', 'a=b=c'])('rejects %s', (entry) => {
    expect(() => parseMappings([entry])).toThrow(expect.objectContaining({ code: 'INVALID_MAP' }) as Error);
  });
});
