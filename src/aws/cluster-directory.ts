/**
 * The account's ECS clusters in the client's region, with their status: the candidates `--fix` may
 * point a schedule at. ListClusters (every page, 100 per page) + DescribeClusters per 100 ARNs.
 * Callers keep only ACTIVE ones as targets; the status is kept so an explicit `--cluster` naming an
 * INACTIVE cluster is refused with that reason rather than "does not exist".
 */
import { DescribeClustersCommand, ListClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ClusterFacts } from '../checks/model.ts';
import type { ClusterDirectory } from '../remediate/ports.ts';
import { ecsClusterName } from '../arn.ts';
import { toLookupFailure } from './lookup-failure.ts';
import { chunk } from '../concurrency.ts';
import { ECS_DESCRIBE_BATCH } from './ecs-reader.ts';

export const ClusterDirectoryAction = { listClusters: 'ecs:ListClusters', describeClusters: 'ecs:DescribeClusters' } as const;

export function createClusterDirectory(client: ECSClient): ClusterDirectory {
  return {
    async listClusters() {
      const arns: string[] = [];
      try {
        let token: string | undefined;
        do {
          const page = await client.send(new ListClustersCommand({ nextToken: token, maxResults: 100 }));
          arns.push(...(page.clusterArns ?? []));
          // A repeated token would loop forever (a misbehaving emulator): it ends the listing.
          token = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
        } while (token !== undefined);
      } catch (error) {
        return { status: 'unknown', failure: toLookupFailure(error, ClusterDirectoryAction.listClusters) };
      }
      const clusters: ClusterFacts[] = [];
      for (const batch of chunk([...new Set(arns)], ECS_DESCRIBE_BATCH)) {
        try {
          const out = await client.send(new DescribeClustersCommand({ clusters: batch }));
          for (const c of out.clusters ?? []) {
            if (c.clusterArn === undefined) continue;
            clusters.push({ arn: c.clusterArn, name: c.clusterName ?? ecsClusterName(c.clusterArn) ?? c.clusterArn, status: c.status ?? 'UNKNOWN' });
          }
        } catch (error) {
          return { status: 'unknown', failure: toLookupFailure(error, ClusterDirectoryAction.describeClusters) };
        }
      }
      clusters.sort((a, b) => a.name.localeCompare(b.name));
      return { status: 'found', value: clusters };
    },
  };
}
