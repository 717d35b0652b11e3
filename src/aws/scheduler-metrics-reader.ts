/**
 * MetricsPort over CloudWatch: sums of the AWS/Scheduler metrics per ScheduleGroup over a window.
 *
 * Calls: one GetMetricData (plus its NextToken pages) per 125 groups, since each group needs four
 * queries and one call takes 500. Scheduler publishes these metrics per group only, never per
 * schedule, and a group with no activity has no data points: missing data is 0.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type GetMetricDataOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { FaultError } from '../errors.ts';
import type { GroupMetrics, Lookup, LookupFailure } from '../checks/model.ts';
import type { MetricsPort } from '../checks/ports.ts';
import { toLookupFailure } from './lookup-failure.ts';
import { chunk, DEFAULT_CONCURRENCY, mapWithConcurrency } from '../concurrency.ts';

export const MetricsAction = { getMetricData: 'cloudwatch:GetMetricData' } as const;

export const SCHEDULER_NAMESPACE = 'AWS/Scheduler';

/** GroupMetrics field → CloudWatch metric name. The order fixes each query's Id. */
export const SCHEDULER_GROUP_METRICS = [
  ['invocationAttempts', 'InvocationAttemptCount'],
  ['targetErrors', 'TargetErrorCount'],
  ['dropped', 'InvocationDroppedCount'],
  ['sentToDeadLetter', 'InvocationsSentToDeadLetterCount'],
] as const satisfies readonly (readonly [keyof GroupMetrics, string])[];

/** GetMetricData accepts at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
/** A group's four queries always travel together, so a failed call fails whole groups. */
export const GROUPS_PER_CALL = Math.floor(MAX_QUERIES_PER_CALL / SCHEDULER_GROUP_METRICS.length);

const MINUTE_MS = 60_000;

export interface MetricsReaderOptions {
  /** Parallel GetMetricData calls (each up to 125 groups); default 16. */
  concurrency?: number;
}

/**
 * One period spanning the whole window, aligned to whole minutes: CloudWatch rounds a recent
 * StartTime down to the minute anyway, and a period that is a multiple of 60 s covering exactly
 * [start, end) yields a single data point per query (fewer points, fewer pages) instead of one per
 * minute. Values are still summed, so any extra bucket an endpoint returns is counted, not lost.
 * Windows older than 15 days would need 300 s multiples; the checks only look at recent hours.
 */
export function alignWindow(window: { start: Date; end: Date }): { start: Date; end: Date; periodSeconds: number } {
  // A bug in the caller, not an AWS condition: no Lookup can describe it.
  if (!(window.end.getTime() > window.start.getTime())) {
    throw new FaultError('BAD_METRICS_WINDOW', `Metrics window end ${window.end.toISOString()} is not after start ${window.start.toISOString()}.`);
  }
  const startMs = Math.floor(window.start.getTime() / MINUTE_MS) * MINUTE_MS;
  const endMs = Math.ceil(window.end.getTime() / MINUTE_MS) * MINUTE_MS;
  return { start: new Date(startMs), end: new Date(endMs), periodSeconds: (endMs - startMs) / 1000 };
}

function zeroMetrics(): GroupMetrics {
  return { invocationAttempts: 0, targetErrors: 0, dropped: 0, sentToDeadLetter: 0 };
}

/** Query Ids must match ^[a-z][a-zA-Z0-9_]*$; group names may not, so Ids encode positions. */
function queryId(groupIndex: number, metricIndex: number): string {
  return `g${groupIndex}_m${metricIndex}`;
}

export function createSchedulerMetricsReader(client: CloudWatchClient, opts: MetricsReaderOptions = {}): MetricsPort {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;

  async function readBatch(
    groups: readonly string[],
    aligned: ReturnType<typeof alignWindow>,
  ): Promise<[string, Lookup<GroupMetrics>][]> {
    const queries: MetricDataQuery[] = [];
    const byId = new Map<string, { group: number; field: keyof GroupMetrics }>();
    groups.forEach((group, g) => {
      SCHEDULER_GROUP_METRICS.forEach(([field, metricName], m) => {
        const id = queryId(g, m);
        byId.set(id, { group: g, field });
        queries.push({
          Id: id,
          MetricStat: {
            Metric: { Namespace: SCHEDULER_NAMESPACE, MetricName: metricName, Dimensions: [{ Name: 'ScheduleGroup', Value: group }] },
            Period: aligned.periodSeconds,
            Stat: 'Sum',
          },
          ReturnData: true,
        });
      });
    });

    const sums: GroupMetrics[] = groups.map(zeroMetrics);
    const groupFailures = new Map<number, LookupFailure>();
    let token: string | undefined;
    try {
      do {
        const page: GetMetricDataOutput = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: aligned.start,
            EndTime: aligned.end,
            NextToken: token,
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const target = result.Id === undefined ? undefined : byId.get(result.Id);
          if (target === undefined) continue;
          // Forbidden / InternalError are per query: that group is unknown, the others stand.
          if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
            groupFailures.set(target.group, {
              action: MetricsAction.getMetricData,
              errorName: result.StatusCode,
              message: result.Messages?.map((m) => m.Value ?? m.Code ?? '').join('; ') || `GetMetricData returned ${result.StatusCode}`,
            });
            continue;
          }
          const sum = sums[target.group];
          if (sum !== undefined) sum[target.field] += (result.Values ?? []).reduce((total, value) => total + value, 0);
        }
        // A repeated token would loop forever (a misbehaving emulator): it ends the listing.
        token = page.NextToken && page.NextToken !== token ? page.NextToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      // Partial sums from earlier pages would understate activity: the whole batch is unknown.
      const failure = toLookupFailure(error, MetricsAction.getMetricData);
      return groups.map((group) => [group, { status: 'unknown', failure }]);
    }
    return groups.map((group, g): [string, Lookup<GroupMetrics>] => {
      const failure = groupFailures.get(g);
      return [group, failure !== undefined ? { status: 'unknown', failure } : { status: 'found', value: sums[g] ?? zeroMetrics() }];
    });
  }

  return {
    async schedulerGroupMetrics(groups, window) {
      const aligned = alignWindow(window);
      const unique = [...new Set(groups)];
      const batches = await mapWithConcurrency(chunk(unique, GROUPS_PER_CALL), concurrency, (batch) => readBatch(batch, aligned));
      return new Map(batches.flat());
    },
  };
}
