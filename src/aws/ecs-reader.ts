/**
 * EcsPort over ECS: clusters (batched), task definitions, and tasks a schedule started.
 *
 * Calls: DescribeClusters per 100 unique ARNs; DescribeTaskDefinition per ARN asked; ListTasks
 * (RUNNING and STOPPED, every page) + DescribeTasks per 100 task ARNs for run evidence.
 */
import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Cluster,
  type DesiredStatus,
  type ECSClient,
  type Failure,
  type Task,
} from '@aws-sdk/client-ecs';
import type { ClusterFacts, Lookup, TaskDefinitionFacts } from '../checks/model.ts';
import type { EcsPort, EcsTaskSeen } from '../checks/ports.ts';
import { ecsClusterName } from '../arn.ts';
import { errorMessage, isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';
import { chunk, DEFAULT_CONCURRENCY, mapWithConcurrency } from '../concurrency.ts';

export const EcsAction = {
  describeClusters: 'ecs:DescribeClusters',
  describeTaskDefinition: 'ecs:DescribeTaskDefinition',
  listTasks: 'ecs:ListTasks',
  describeTasks: 'ecs:DescribeTasks',
} as const;

/** DescribeClusters and DescribeTasks both accept at most 100 identifiers per call. */
export const ECS_DESCRIBE_BATCH = 100;

/**
 * ECS has no dedicated not-found error for task definitions: an unknown family or revision is a
 * `ClientException` whose message is "Unable to describe task definition." (AWS and moto alike).
 */
const TASK_DEFINITION_NOT_FOUND = /unable to describe task definition/i;

export interface EcsReaderOptions {
  /** Parallel DescribeClusters / DescribeTasks batches; default 16. */
  concurrency?: number;
}

export function createEcsReader(client: ECSClient, opts: EcsReaderOptions = {}): EcsPort {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;

  async function describeClusterBatch(batch: readonly string[]): Promise<[string, Lookup<ClusterFacts>][]> {
    let clusters: Cluster[];
    let failures: Failure[];
    try {
      const out = await client.send(new DescribeClustersCommand({ clusters: [...batch] }));
      clusters = out.clusters ?? [];
      failures = out.failures ?? [];
    } catch (error) {
      const failure = toLookupFailure(error, EcsAction.describeClusters);
      return batch.map((arn) => [arn, { status: 'unknown', failure }]);
    }
    return batch.map((arn) => [arn, clusterLookup(arn, clusters, failures)]);
  }

  async function listTaskArns(cluster: string, startedBy: string, desiredStatus: DesiredStatus): Promise<string[]> {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(EcsAction.listTasks, () =>
        client.send(new ListTasksCommand({ cluster, startedBy, desiredStatus, nextToken: token })),
      );
      arns.push(...(page.taskArns ?? []));
      // A repeated token would loop forever (a misbehaving emulator): it ends the listing.
      token = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
    } while (token !== undefined);
    return arns;
  }

  return {
    async describeClusters(arns) {
      // Many schedules share one cluster: ask once per cluster.
      const unique = [...new Set(arns)];
      const results = await mapWithConcurrency(chunk(unique, ECS_DESCRIBE_BATCH), concurrency, describeClusterBatch);
      return new Map(results.flat());
    },

    async describeTaskDefinition(arn) {
      try {
        const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
        const definition = out.taskDefinition;
        return {
          status: 'found',
          value: {
            arn: definition?.taskDefinitionArn ?? arn,
            family: definition?.family ?? '',
            status: definition?.status ?? 'UNKNOWN',
          },
        } satisfies Lookup<TaskDefinitionFacts>;
      } catch (error) {
        if (isNotFound(error, 'ClientException') && TASK_DEFINITION_NOT_FOUND.test(errorMessage(error))) {
          return { status: 'missing', reason: `task definition ${arn} does not exist` };
        }
        return { status: 'unknown', failure: toLookupFailure(error, EcsAction.describeTaskDefinition) };
      }
    },

    async tasksStartedBy(clusterArn, startedBy) {
      try {
        // ECS lists RUNNING tasks by default; stopped ones (kept about an hour) need their own listing.
        const [running, stopped] = await Promise.all([
          listTaskArns(clusterArn, startedBy, 'RUNNING'),
          listTaskArns(clusterArn, startedBy, 'STOPPED'),
        ]);
        // A task that stops between the two listings shows up in both.
        const taskArns = [...new Set([...running, ...stopped])];
        const batches = await mapWithConcurrency(chunk(taskArns, ECS_DESCRIBE_BATCH), concurrency, (batch) =>
          call(EcsAction.describeTasks, () => client.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: batch }))),
        );
        const seen = batches.flatMap((out) => (out.tasks ?? []).map(toTaskSeen)).filter((task) => task !== undefined);
        seen.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
        return { status: 'found', value: seen };
      } catch (error) {
        const { action, cause } = error instanceof FailedCall ? error : { action: EcsAction.listTasks, cause: error };
        if (isNotFound(cause, 'ClusterNotFoundException')) {
          return { status: 'missing', reason: `cluster ${clusterArn} does not exist` };
        }
        return { status: 'unknown', failure: toLookupFailure(cause, action) };
      }
    },
  };
}

/**
 * Matches one requested ARN to the response. ECS answers a missing cluster in `failures[]` with
 * reason MISSING rather than with an error; other reasons (e.g. a malformed identifier) say nothing
 * about existence.
 */
function clusterLookup(arn: string, clusters: readonly Cluster[], failures: readonly Failure[]): Lookup<ClusterFacts> {
  const name = ecsClusterName(arn) ?? arn;
  // Match by ARN first; by name for identifiers an endpoint echoes back in another form.
  const cluster = clusters.find((c) => c.clusterArn === arn) ?? clusters.find((c) => c.clusterName === name);
  if (cluster !== undefined) {
    return {
      status: 'found',
      value: { arn: cluster.clusterArn ?? arn, name: cluster.clusterName ?? name, status: cluster.status ?? 'UNKNOWN' },
    };
  }
  const failure = failures.find((f) => f.arn === arn) ?? failures.find((f) => f.arn !== undefined && ecsClusterName(f.arn) === name);
  if (failure?.reason === 'MISSING') return { status: 'missing', reason: `cluster ${arn} does not exist (MISSING)` };
  return {
    status: 'unknown',
    failure: {
      action: EcsAction.describeClusters,
      errorName: failure?.reason ?? 'NotInResponse',
      message: failure?.detail ?? (failure ? `DescribeClusters reported ${failure.reason ?? 'a failure'}` : 'DescribeClusters did not mention this cluster'),
    },
  };
}

function toTaskSeen(task: Task): EcsTaskSeen | undefined {
  const createdAt = task.createdAt ?? task.startedAt;
  if (task.taskArn === undefined || createdAt === undefined) return undefined;
  return {
    taskArn: task.taskArn,
    createdAt,
    taskDefinitionArn: task.taskDefinitionArn ?? '',
    ...(task.group !== undefined ? { group: task.group } : {}),
    ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
  };
}

/** Remembers which call failed inside a multi-call look-up, so the failure names its IAM action. */
class FailedCall extends Error {
  constructor(
    readonly action: string,
    cause: unknown,
  ) {
    super(`${action} failed`, { cause });
  }
}

async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (cause) {
    throw new FailedCall(action, cause);
  }
}
