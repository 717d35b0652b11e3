import { CloudWatchClient, CloudWatchServiceException, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { alignWindow, createSchedulerMetricsReader } from '../../../src/aws/scheduler-metrics-reader.ts';
import { OFFLINE_CLIENT_CONFIG } from './fake-http-handler.ts';

const WINDOW = { start: new Date('2025-03-04T14:00:00Z'), end: new Date('2025-03-04T15:00:00Z') };
const meta = { $metadata: {} };
const METRICS = ['InvocationAttemptCount', 'TargetErrorCount', 'InvocationDroppedCount', 'InvocationsSentToDeadLetterCount'];

const client = new CloudWatchClient(OFFLINE_CLIENT_CONFIG);
const mock = mockClient(client);
beforeEach(() => {
  mock.reset();
});

const groupOf = (q: MetricDataQuery): string => q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
const metricOf = (q: MetricDataQuery): string => q.MetricStat?.Metric?.MetricName ?? '';

/**
 * Answers like CloudWatch from a table of sums per group and metric; groups or metrics absent from
 * the table have no data points, as for a group that never fired.
 */
function answerFrom(table: Record<string, Partial<Record<string, number>>>) {
  return (input: { MetricDataQueries?: MetricDataQuery[] }) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const value = table[groupOf(q)]?.[metricOf(q)];
      return { Id: q.Id, StatusCode: 'Complete' as const, Timestamps: value === undefined ? [] : [WINDOW.start], Values: value === undefined ? [] : [value] };
    }),
  });
}

describe('schedulerGroupMetrics', () => {
  it('10 groups → 1 call with 40 well-formed queries', async () => {
    mock.on(GetMetricDataCommand).callsFake(answerFrom({}));
    const groups = Array.from({ length: 10 }, (_, i) => `group-${i}`);

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(groups, WINDOW);

    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = mock.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    const queries = input.MetricDataQueries ?? [];
    expect(queries).toHaveLength(40);
    expect(new Set(queries.map((q) => q.Id)).size).toBe(40);
    for (const q of queries) {
      expect(q.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
      expect(q.MetricStat).toMatchObject({
        Metric: { Namespace: 'AWS/Scheduler', Dimensions: [{ Name: 'ScheduleGroup', Value: expect.stringMatching(/^group-\d$/) as unknown }] },
        Stat: 'Sum',
        Period: 3600,
      });
    }
    expect(new Set(queries.map(metricOf))).toEqual(new Set(METRICS));
    expect(input.StartTime).toEqual(WINDOW.start);
    expect(input.EndTime).toEqual(WINDOW.end);
    // No data points at all: every metric is 0, not unknown.
    expect(result.get('group-3')).toEqual({ status: 'found', value: { invocationAttempts: 0, targetErrors: 0, dropped: 0, sentToDeadLetter: 0 } });
  });

  it('200 groups → 2 calls (500 + 300 queries), each group whole in one call', async () => {
    mock.on(GetMetricDataCommand).callsFake(answerFrom({}));
    const groups = Array.from({ length: 200 }, (_, i) => `g${i}`);

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics([...groups, ...groups.slice(0, 20)], WINDOW);

    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    const calls = mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries ?? []);
    expect(calls.map((q) => q.length)).toEqual([500, 300]);
    const groupsPerCall = calls.map((queries) => new Set(queries.map(groupOf)));
    expect([...groupsPerCall[0]!].filter((g) => groupsPerCall[1]!.has(g))).toEqual([]);
    expect(result.size).toBe(200);
  });

  it('maps results back by query Id, whatever the group names and result order', async () => {
    // Names that are not valid Ids, and results returned in reverse order.
    const table = {
      'Trading-Critical': { InvocationAttemptCount: 12, TargetErrorCount: 2, InvocationDroppedCount: 1, InvocationsSentToDeadLetterCount: 1 },
      'reports.daily': { InvocationAttemptCount: 3 },
    };
    mock.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries?: MetricDataQuery[] }) => {
      const out = answerFrom(table)(input);
      return { MetricDataResults: [...out.MetricDataResults].reverse() };
    });

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(['Trading-Critical', 'reports.daily', 'quiet'], WINDOW);

    expect(result.get('Trading-Critical')).toEqual({ status: 'found', value: { invocationAttempts: 12, targetErrors: 2, dropped: 1, sentToDeadLetter: 1 } });
    expect(result.get('reports.daily')).toEqual({ status: 'found', value: { invocationAttempts: 3, targetErrors: 0, dropped: 0, sentToDeadLetter: 0 } });
    expect(result.get('quiet')).toEqual({ status: 'found', value: { invocationAttempts: 0, targetErrors: 0, dropped: 0, sentToDeadLetter: 0 } });
  });

  it('follows NextToken with the same queries and sums values across pages', async () => {
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'g0_m0', StatusCode: 'PartialData', Timestamps: [WINDOW.start, WINDOW.start], Values: [4, 1] }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'g0_m0', StatusCode: 'Complete', Timestamps: [WINDOW.start], Values: [2] },
          { Id: 'g0_m1', StatusCode: 'Complete', Timestamps: [WINDOW.start], Values: [1] },
        ],
      });

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(['trading'], WINDOW);

    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    const [first, second] = mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(first?.NextToken).toBeUndefined();
    expect(second?.NextToken).toBe('page-2');
    expect(second?.MetricDataQueries).toEqual(first?.MetricDataQueries);
    expect(result.get('trading')).toEqual({ status: 'found', value: { invocationAttempts: 7, targetErrors: 1, dropped: 0, sentToDeadLetter: 0 } });
  });

  it('marks every group of a failed call unknown with cloudwatch:GetMetricData', async () => {
    mock.on(GetMetricDataCommand).rejects(new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized', ...meta }));

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(['a', 'b'], WINDOW);

    const unknown = { status: 'unknown', failure: { action: 'cloudwatch:GetMetricData', errorName: 'AccessDenied', message: 'not authorized' } };
    expect(result.get('a')).toEqual(unknown);
    expect(result.get('b')).toEqual(unknown);
  });

  it('marks only the groups of the failed call unknown when another call succeeds', async () => {
    const groups = Array.from({ length: 130 }, (_, i) => `g${i}`);
    mock.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries?: MetricDataQuery[] }) => {
      if ((input.MetricDataQueries ?? []).some((q) => groupOf(q) === 'g127')) {
        throw new CloudWatchServiceException({ name: 'InternalServiceError', $fault: 'server', message: 'oops', ...meta });
      }
      return answerFrom({ g5: { InvocationAttemptCount: 1 } })(input);
    });

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(groups, WINDOW);

    expect(result.get('g5')).toMatchObject({ status: 'found', value: { invocationAttempts: 1 } });
    expect(result.get('g124')?.status).toBe('found');
    expect(result.get('g125')).toMatchObject({ status: 'unknown', failure: { errorName: 'InternalServiceError' } });
    expect(result.get('g129')?.status).toBe('unknown');
  });

  it('makes a group unknown when one of its queries comes back Forbidden', async () => {
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'g0_m0', StatusCode: 'Complete', Values: [5] },
        { Id: 'g1_m2', StatusCode: 'Forbidden', Values: [], Messages: [{ Code: 'Forbidden', Value: 'denied by SCP' }] },
      ],
    });

    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics(['ok', 'blocked'], WINDOW);

    expect(result.get('ok')).toMatchObject({ status: 'found', value: { invocationAttempts: 5 } });
    expect(result.get('blocked')).toEqual({
      status: 'unknown',
      failure: { action: 'cloudwatch:GetMetricData', errorName: 'Forbidden', message: 'denied by SCP' },
    });
  });

  it('makes no call for no groups', async () => {
    const result = await createSchedulerMetricsReader(client).schedulerGroupMetrics([], WINDOW);

    expect(result.size).toBe(0);
    expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });
});

describe('alignWindow', () => {
  it.each([
    ['an aligned hour', '2025-03-04T14:00:00Z', '2025-03-04T15:00:00Z', '2025-03-04T14:00:00.000Z', '2025-03-04T15:00:00.000Z', 3600],
    ['ragged edges widen to whole minutes', '2025-03-04T14:00:34Z', '2025-03-04T14:05:10Z', '2025-03-04T14:00:00.000Z', '2025-03-04T14:06:00.000Z', 360],
    ['a few seconds still get one minute', '2025-03-04T14:00:10Z', '2025-03-04T14:00:20Z', '2025-03-04T14:00:00.000Z', '2025-03-04T14:01:00.000Z', 60],
  ])('%s', (_label, start, end, alignedStart, alignedEnd, period) => {
    const aligned = alignWindow({ start: new Date(start), end: new Date(end) });
    expect(aligned.start.toISOString()).toBe(alignedStart);
    expect(aligned.end.toISOString()).toBe(alignedEnd);
    expect(aligned.periodSeconds).toBe(period);
    expect(aligned.periodSeconds % 60).toBe(0);
  });

  it('refuses a window whose end is not after its start', () => {
    const at = new Date('2025-03-04T14:00:00Z');
    expect(() => alignWindow({ start: at, end: at })).toThrow(/not after start/);
  });
});
