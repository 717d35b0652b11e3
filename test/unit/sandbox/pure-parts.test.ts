import { describe, expect, it } from 'vitest';
import { handleTaskStateChange, MemoryRunLedger, taskStateChangeEventSchema } from '../../../src/ledger/index.ts';
import { deadLetterMessage } from '../../../src/sandbox/dead-letter.ts';
import { dueInvocations, rateAnchorBefore } from '../../../src/sandbox/due-invocations.ts';
import { runTaskRequestFor, taskOverridesFromInput, taskStateChangeEvent } from '../../../src/sandbox/ecs-invocation.ts';
import { flexibleOffsetMs, fnv1a32 } from '../../../src/sandbox/flexible-window.ts';
import { createVirtualClock } from '../../../src/sandbox/virtual-clock.ts';
import { classifyTargetError, isThrottlingError } from '../../../src/sandbox/target-errors.ts';
import { PUT_METRIC_DATA_MAX_DATUMS, SchedulerMetricBuffer } from '../../../src/sandbox/scheduler-metrics.ts';
import { ecsSchedule } from './fake-ports.ts';

describe('flexible window offset', () => {
  const flex = (name: string, minutes: number) => ({ group: 'g', name, flexibleWindow: { mode: 'FLEXIBLE' as const, maximumWindowInMinutes: minutes } });

  it('is the same for the same schedule, every time', () => {
    expect(flexibleOffsetMs(flex('ops-pipeline-rss-ingest', 10))).toBe(flexibleOffsetMs(flex('ops-pipeline-rss-ingest', 10)));
    expect(fnv1a32('g/ops-pipeline-rss-ingest')).toBe(fnv1a32('g/ops-pipeline-rss-ingest'));
    // Pinned: a change here silently moves every flexible schedule in every replay.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
  });

  it('is whole seconds strictly inside the window, and 0 when the window is OFF', () => {
    for (let i = 0; i < 500; i++) {
      const offset = flexibleOffsetMs(flex(`job-${i}`, 5));
      expect(offset % 1_000).toBe(0);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(5 * 60_000);
    }
    expect(flexibleOffsetMs({ group: 'g', name: 'x', flexibleWindow: { mode: 'OFF' } })).toBe(0);
  });

  it('spreads schedules across the window', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => flexibleOffsetMs(flex(`job-${i}`, 10)));
    const firstHalf = offsets.filter((o) => o < 5 * 60_000).length;
    expect(firstHalf).toBeGreaterThan(60);
    expect(firstHalf).toBeLessThan(140);
    expect(new Set(offsets).size).toBeGreaterThan(150);
  });
});

describe('target error classification', () => {
  it.each([
    ['ClusterNotFoundException', 400, 'permanent'],
    ['AccessDeniedException', 403, 'permanent'],
    ['InvalidParameterException', 400, 'permanent'],
    ['ResourceNotFoundException', 404, 'permanent'],
    ['ClientException', 400, 'permanent'],
    ['ThrottlingException', 400, 'retryable'],
    ['TooManyRequestsException', 429, 'retryable'],
    ['ServerException', 500, 'retryable'],
    ['InternalFailure', undefined, 'retryable'],
    ['SomethingNew', 503, 'retryable'],
    ['SomethingNew', 418, 'permanent'],
  ] as const)('%s (HTTP %s) is %s', (code, httpStatus, expected) => {
    expect(classifyTargetError({ code, message: '', ...(httpStatus !== undefined ? { httpStatus } : {}) })).toBe(expected);
  });

  it('knows throttling by code or by 429', () => {
    expect(isThrottlingError({ code: 'ThrottlingException', message: '' })).toBe(true);
    expect(isThrottlingError({ code: 'X', message: '', httpStatus: 429 })).toBe(true);
    expect(isThrottlingError({ code: 'ServerException', message: '', httpStatus: 500 })).toBe(false);
  });
});

describe('SchedulerMetricBuffer', () => {
  it('sums per metric, group and minute, and stamps the minute', () => {
    const buffer = new SchedulerMetricBuffer();
    buffer.add('InvocationAttemptCount', 'g', new Date('2026-01-29T16:37:00Z'));
    buffer.add('InvocationAttemptCount', 'g', new Date('2026-01-29T16:37:59.999Z'));
    buffer.add('InvocationAttemptCount', 'g', new Date('2026-01-29T16:38:00Z'));
    buffer.add('InvocationAttemptCount', 'h', new Date('2026-01-29T16:37:30Z'));
    buffer.add('TargetErrorCount', 'g', new Date('2026-01-29T16:37:30Z'), 3);
    const [batch] = buffer.drain();
    expect(batch?.map((d) => [d.metricName, d.dimensions.ScheduleGroup, d.timestamp.toISOString(), d.value, d.unit])).toEqual([
      ['InvocationAttemptCount', 'g', '2026-01-29T16:37:00.000Z', 2, 'Count'],
      ['InvocationAttemptCount', 'h', '2026-01-29T16:37:00.000Z', 1, 'Count'],
      ['TargetErrorCount', 'g', '2026-01-29T16:37:00.000Z', 3, 'Count'],
      ['InvocationAttemptCount', 'g', '2026-01-29T16:38:00.000Z', 1, 'Count'],
    ]);
    expect(buffer.size).toBe(0);
  });

  it('batches at most 1,000 datums per PutMetricData call', () => {
    const buffer = new SchedulerMetricBuffer();
    for (let minute = 0; minute < 2_500; minute++) buffer.add('InvocationAttemptCount', 'g', new Date(Date.UTC(2026, 0, 29) + minute * 60_000));
    const batches = buffer.drain();
    expect(batches.map((b) => b.length)).toEqual([PUT_METRIC_DATA_MAX_DATUMS, PUT_METRIC_DATA_MAX_DATUMS, 500]);
    expect(batches.flat().map((d) => d.timestamp.getTime())).toEqual([...batches.flat().map((d) => d.timestamp.getTime())].sort((a, b) => a - b));
  });
});

describe('due invocations', () => {
  it('moves a rate() anchor back by whole periods, keeping its phase', () => {
    const created = new Date('2026-11-23T05:18:27.890Z');
    const anchor = rateAnchorBefore(created, 5 * 60_000, new Date('2026-01-29T16:36:00Z'));
    expect(anchor.getTime()).toBeLessThanOrEqual(Date.parse('2026-01-29T16:36:00Z'));
    expect((created.getTime() - anchor.getTime()) % (5 * 60_000)).toBe(0);
    expect(Date.parse('2026-01-29T16:36:00Z') - anchor.getTime()).toBeLessThan(5 * 60_000);
    expect(rateAnchorBefore(created, 60_000, new Date('2027-01-01T00:00:00Z'))).toEqual(created);
  });

  it('fires rate() on the creation phase even on days before the schedule was created', () => {
    const schedule = ecsSchedule('r', { expression: 'rate(5 minutes)', creationDate: new Date('2026-11-23T05:18:27.890Z') });
    const due = dueInvocations(schedule, { after: new Date('2026-01-29T16:36:00Z'), atOrBefore: new Date('2026-01-29T16:50:00Z') });
    expect(due.kind === 'due' ? due.invocations.map((d) => d.invokeAt.toISOString()) : due).toEqual([
      '2026-01-29T16:38:27.890Z',
      '2026-01-29T16:43:27.890Z',
      '2026-01-29T16:48:27.890Z',
    ]);
  });

  it('ignores StartDate and EndDate for one-time at() schedules', () => {
    const schedule = ecsSchedule('once', { expression: 'at(2026-11-23T09:35:00)', timezone: 'America/New_York', endDate: new Date('2026-01-01T00:00:00Z') });
    const due = dueInvocations(schedule, { after: new Date('2026-11-23T14:30:00Z'), atOrBefore: new Date('2026-11-23T15:00:00Z') });
    expect(due.kind === 'due' ? due.invocations.map((d) => d.invokeAt.toISOString()) : due).toEqual(['2026-11-23T14:35:00.000Z']);
  });

  it('skips an expression Scheduler would have rejected', () => {
    expect(dueInvocations(ecsSchedule('bad', { expression: 'every 5 minutes' }), { after: new Date(0), atOrBefore: new Date(60_000) })).toMatchObject({
      kind: 'skipped',
      reason: 'invalid-expression',
    });
  });
});

describe('ECS invocation', () => {
  it('takes Input as task overrides only when it has the TaskOverride shape', () => {
    expect(taskOverridesFromInput('{"containerOverrides":[{"name":"app"}],"cpu":"512"}')).toEqual({ containerOverrides: [{ name: 'app' }], cpu: '512' });
    expect(taskOverridesFromInput('{"universe":"sp500"}')).toBeUndefined();
    expect(taskOverridesFromInput('not json')).toBeUndefined();
    expect(taskOverridesFromInput('[1,2]')).toBeUndefined();
    expect(taskOverridesFromInput(undefined)).toBeUndefined();
  });

  it('builds a Task State Change event the ledger handler accepts, stamped with the virtual time', async () => {
    const schedule = ecsSchedule('ops-pipeline-telemetry-ingestor-1m');
    const request = runTaskRequestFor(schedule);
    expect(request.startedBy).toBe('chronos-schedule/ops-pipeline-teleme');
    const event = taskStateChangeEvent(
      { taskArn: 'arn:aws:ecs:us-west-2:123456789012:task/c/abc', clusterArn: request.cluster, taskDefinitionArn: request.taskDefinition, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedBy: request.startedBy, containers: [{ name: 'app' }] },
      { account: '123456789012', region: 'us-west-2', createdAt: new Date('2026-01-29T16:37:00Z'), id: 'e1' },
    );
    expect(taskStateChangeEventSchema.parse(event).detail.createdAt).toBe('2026-01-29T16:37:00.000Z');
    const ledger = new MemoryRunLedger();
    const result = await handleTaskStateChange(event, { schedules: () => [{ group: 'g', name: schedule.name, taskDefinitionArn: schedule.target.ecs!.taskDefinitionArn }], ledger });
    expect(result).toMatchObject({ outcome: 'recorded', schedule: { group: 'g', name: schedule.name } });
  });
});

describe('dead-letter message', () => {
  const facts = {
    scheduleArn: 'arn:aws:scheduler:us-west-2:123456789012:schedule/g/job',
    targetArn: 'arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline',
    // A flexible window invoked it later; the attribute names the instant it was due.
    scheduledTime: new Date('2026-01-29T16:37:00.250Z'),
    attempts: 1,
    error: { code: 'ClusterNotFoundException', message: 'Cluster not found.' },
    executionId: '5f0c6a53-8c35-4b8e-9b0f-2f1e6f1f4c11',
  };

  it('carries the failure in Scheduler’s documented String attributes and the target input as the body', () => {
    const message = deadLetterMessage({ ...facts, input: '{"job":"nightly"}' });
    expect(message.body).toBe('{"job":"nightly"}');
    expect(message.attributes).toEqual({
      ERROR_CODE: 'ClusterNotFoundException',
      ERROR_MESSAGE: 'Cluster not found.',
      EXECUTION_ID: '5f0c6a53-8c35-4b8e-9b0f-2f1e6f1f4c11',
      IS_PAYLOAD_TRUNCATED: 'false',
      RETRY_ATTEMPTS: '0',
      SCHEDULED_TIME: '2026-01-29T16:37:00Z',
      SCHEDULE_ARN: 'arn:aws:scheduler:us-west-2:123456789012:schedule/g/job',
      TARGET_ARN: 'arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline',
    });
  });

  it('sends {} without an input, names the exhausted retry limit only when there was one, and never an empty attribute', () => {
    const message = deadLetterMessage({ ...facts, attempts: 3, exhausted: 'MaximumRetryAttempts', error: { code: 'ServerException', message: '' } });
    expect(message.body).toBe('{}');
    expect(message.attributes).toMatchObject({ EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts', RETRY_ATTEMPTS: '2', ERROR_MESSAGE: 'ServerException' });
    expect(deadLetterMessage(facts).attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
  });

  it('cuts a payload that would not fit in one SQS message and says so', () => {
    const message = deadLetterMessage({ ...facts, input: 'é'.repeat(200_000) });
    expect(message.attributes.IS_PAYLOAD_TRUNCATED).toBe('true');
    expect(Buffer.byteLength(message.body)).toBeLessThan(262_144);
    expect(message.body.endsWith('é')).toBe(true);
  });
});

describe('virtual clock', () => {
  it('moves only forward', () => {
    const clock = createVirtualClock(new Date('2026-01-29T16:36:00Z'));
    expect(clock.advance(60_000).toISOString()).toBe('2026-01-29T16:37:00.000Z');
    clock.set(new Date('2026-01-29T17:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-29T17:00:00.000Z');
    expect(() => clock.set(new Date('2026-01-29T16:00:00Z'))).toThrow(/cannot go back/);
    expect(() => clock.advance(-1)).toThrow(/only moves forward/);
  });

  it('tells onChange its start and every new instant, once each (what the moto clock file follows)', () => {
    const seen: string[] = [];
    const clock = createVirtualClock(new Date('2026-01-29T16:36:00Z'), { onChange: (at) => seen.push(at.toISOString()) });
    clock.advance(60_000);
    clock.set(new Date('2026-01-29T16:37:00Z'));
    clock.advance(0);
    clock.set(new Date('2026-01-29T17:00:00Z'));
    expect(() => clock.set(new Date('2026-01-29T16:00:00Z'))).toThrow(/cannot go back/);
    expect(seen).toEqual(['2026-01-29T16:36:00.000Z', '2026-01-29T16:37:00.000Z', '2026-01-29T17:00:00.000Z']);
  });
});
