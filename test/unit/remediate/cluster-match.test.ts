import { describe, expect, it } from 'vitest';
import { createClusterMatcher, matchCluster, matchRule } from '../../../src/remediate/cluster-match.ts';
import { activeCluster, clusterArn } from './fakes.ts';

describe('matchRule', () => {
  it.each([
    ['ops-pipeline', 'ops-pipeline-cluster', 'prefix'],
    ['ops-pipe', 'ops-pipeline-cluster', 'prefix'],
    ['OPS-Pipeline', 'ops-pipeline-cluster', 'prefix'],
    ['ops_pipeline', 'ops-pipeline', 'prefix'],
    ['trading-cluster', 'trading', 'generic-suffix'],
    ['trading-ecs', 'trading-cluster', 'generic-suffix'],
    ['ops-pipeline', 'ops-pipelinex', 'prefix'],
    ['svc-1', 'svc-1-cluster', 'prefix'],
  ])('%s → %s: %s', (missing, candidate, rule) => {
    expect(matchRule(missing, candidate)).toBe(rule);
  });

  it.each([
    ['o', 'ops-pipeline-cluster'],
    ['pipeline', 'ops-pipeline-cluster'],
    ['ops-pipeline-cluster-old', 'ops-pipeline-cluster'],
    ['ops-trading', 'ops-pipeline-cluster'],
    ['trading', 'market-data'],
    ['svc-1', 'svc-10-cluster'],
    ['svc-v2', 'svc-v20'],
  ])('%s does not evidently mean %s', (missing, candidate) => {
    expect(matchRule(missing, candidate)).toBeUndefined();
  });
});

describe('createClusterMatcher', () => {
  it('answers like matchCluster, once per missing cluster', () => {
    const clusters = [activeCluster('svc-1-cluster'), activeCluster('svc-10-cluster'), activeCluster('svc-2'), activeCluster('svc-2-ecs')];
    const match = createClusterMatcher(clusters);

    for (const missing of ['svc-1', 'svc-10', 'svc-2', 'nothing']) expect(match(clusterArn(missing))).toEqual(matchCluster(clusterArn(missing), clusters));
    expect(match(clusterArn('svc-1'))).toMatchObject({ kind: 'match', cluster: { name: 'svc-1-cluster' } });
    expect(match(clusterArn('svc-2'))).toMatchObject({ kind: 'ambiguous' });
  });
});

describe('matchCluster', () => {
  const missing = clusterArn('ops-pipeline');

  it('takes the one ACTIVE cluster that matches', () => {
    const result = matchCluster(missing, [activeCluster('ops-pipeline-cluster'), activeCluster('market-data')]);

    expect(result).toEqual({ kind: 'match', cluster: activeCluster('ops-pipeline-cluster'), rule: 'prefix' });
  });

  it('refuses to choose between two matches and names both', () => {
    const result = matchCluster(missing, [activeCluster('ops-pipeline-cluster-v2'), activeCluster('ops-pipeline-cluster')]);

    expect(result).toEqual({ kind: 'ambiguous', candidates: [activeCluster('ops-pipeline-cluster'), activeCluster('ops-pipeline-cluster-v2')] });
  });

  it('ignores INACTIVE clusters and clusters in another account or region', () => {
    const result = matchCluster(missing, [
      { ...activeCluster('ops-pipeline-cluster'), status: 'INACTIVE' },
      activeCluster('ops-pipeline-cluster', '999999999999'),
      activeCluster('ops-pipeline-cluster', undefined, 'us-east-1'),
    ]);

    expect(result).toEqual({ kind: 'none', reason: 'no ACTIVE cluster in the same account and region' });
  });

  it('says so when nothing matches', () => {
    const result = matchCluster(missing, [activeCluster('market-data')]);

    expect(result).toEqual({ kind: 'none', reason: 'no ACTIVE cluster\'s name extends or abbreviates "ops-pipeline" (found: market-data)' });
  });
});
