/**
 * The AWS/Scheduler metrics the sandbox emits in Scheduler's place, aggregated the way CloudWatch
 * stores them: one datum per metric, ScheduleGroup and minute (timestamps are VIRTUAL fire times),
 * sent in PutMetricData calls of at most 1,000 datums (CloudWatch's per-call limit).
 */
import type { MetricDatumModel } from './firer-ports.ts';

export const SCHEDULER_NAMESPACE = 'AWS/Scheduler';
export const SCHEDULE_GROUP_DIMENSION = 'ScheduleGroup';
export const PUT_METRIC_DATA_MAX_DATUMS = 1_000;

export const SchedulerMetric = {
  InvocationAttemptCount: 'InvocationAttemptCount',
  TargetErrorCount: 'TargetErrorCount',
  TargetErrorThrottledCount: 'TargetErrorThrottledCount',
  InvocationDroppedCount: 'InvocationDroppedCount',
  InvocationsSentToDeadLetterCount: 'InvocationsSentToDeadLetterCount',
  InvocationsFailedToBeSentToDeadLetterCount: 'InvocationsFailedToBeSentToDeadLetterCount',
} as const;
export type SchedulerMetric = (typeof SchedulerMetric)[keyof typeof SchedulerMetric];

const MINUTE_MS = 60_000;

export class SchedulerMetricBuffer {
  private readonly sums = new Map<string, MetricDatumModel>();

  /** Adds `value` to the metric for `group` in the minute that contains `at`. */
  add(metric: SchedulerMetric, group: string, at: Date, value = 1): void {
    const minute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
    const key = `${metric}\u0000${group}\u0000${minute}`;
    const current = this.sums.get(key);
    if (current !== undefined) {
      current.value += value;
      return;
    }
    this.sums.set(key, {
      metricName: metric,
      dimensions: { [SCHEDULE_GROUP_DIMENSION]: group },
      timestamp: new Date(minute),
      value,
      unit: 'Count',
    });
  }

  /** Aggregated datums not yet taken. */
  get size(): number {
    return this.sums.size;
  }

  /** Takes everything buffered, in batches of at most `batchSize` datums, oldest minute first. */
  drain(batchSize = PUT_METRIC_DATA_MAX_DATUMS): MetricDatumModel[][] {
    const datums = [...this.sums.values()].sort(
      (a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.metricName.localeCompare(b.metricName) || groupOf(a).localeCompare(groupOf(b)),
    );
    this.sums.clear();
    const batches: MetricDatumModel[][] = [];
    for (let i = 0; i < datums.length; i += batchSize) batches.push(datums.slice(i, i + batchSize));
    return batches;
  }
}

function groupOf(datum: MetricDatumModel): string {
  return datum.dimensions[SCHEDULE_GROUP_DIMENSION] ?? '';
}
