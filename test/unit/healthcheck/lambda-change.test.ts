/**
 * The healthcheck Lambda handed what the change queue's event source delivers: an SQS batch of
 * CloudTrail "AWS API Call via CloudTrail" events (and one such event on its own). Same module-scope wiring as lambda.test.ts (AWS behind aws-sdk-client-mock,
 * Powertools output captured). A change event carries no `at`: the handler checks as of its wall
 * clock, so these tests assert only what does not depend on the day (a missing cluster is critical
 * at any hour).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthcheckSummary } from '../../../src/healthcheck/invocation.ts';
import { ACTOR, cloudTrailEvent, sqsBatch, updateScheduleEvent } from '../../support/cloudtrail-events.ts';
import { captureOutput, emfMetrics, type OutputCapture } from './output-capture.ts';
import { mockAlertItem, type AlertItemMock } from './alert-item-mock.ts';
import { TOPIC_ARN, world, type World } from './world.ts';

type Handler = (event: unknown, context?: { awsRequestId?: string }) => Promise<HealthcheckSummary>;

const ENV = {
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALERT_STATE_TABLE: 'ops-alert-state',
  MARKET_CRITICAL: 'ops-pipeline-dispatcher*',
  POWERTOOLS_DEV: '',
  POWERTOOLS_METRICS_DISABLED: 'false',
};

let w: World;
let stdout: OutputCapture;
let dynamo: AlertItemMock;

async function loadHandler(): Promise<Handler> {
  for (const [key, value] of Object.entries(ENV)) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../../src/entry/lambda/healthcheck.ts');
  return handler;
}

beforeEach(() => {
  w = world();
  dynamo = mockAlertItem();
  stdout = captureOutput();
});

afterEach(() => {
  stdout.restore();
  dynamo.restore();
  w.restore();
  vi.unstubAllEnvs();
});

const DISPATCHER = 'ops-pipeline-market/ops-pipeline-dispatcher';
const TELEMETRY = 'ops-pipeline/ops-pipeline-telemetry-ingestor-1m';

describe('healthcheck Lambda handler with a CloudTrail change event', () => {
  it('checks only the schedule the event names, emails about it with the cause, and emits ChangeChecks without the fleet gauges', async () => {
    const handler = await loadHandler();

    const summary = await handler(updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher'), { awsRequestId: 'chg-1' });

    expect(summary).toMatchObject({ schedules: 1, ok: false, alert: { status: 'decided', sent: true, kind: 'alert' } });
    expect(summary.change).toMatchObject({ trigger: 'change', eventName: 'UpdateSchedule', actor: ACTOR, checked: [DISPATCHER], nothingToCheck: false });
    expect(w.aws.scheduler.gets).toEqual([DISPATCHER]);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]?.Message).toContain(`Checked because of UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:00Z.`);
    const names = emfMetrics(stdout.emf()).map((m) => m.name);
    expect(names).toContain('ChangeChecks');
    for (const fleet of ['Heartbeat', 'SchedulesChecked', 'UnhealthySchedules', 'MarketOpen', 'TasksStarted10m']) expect(names, fleet).not.toContain(fleet);
    expect(stdout.logs().map((l) => l.message)).toEqual(['change-driven check', 'check done', 'alert email published', 'healthcheck done']);
  });

  it('ignores a failed call: no AWS call, no email, no metric, a summary that says why', async () => {
    const listed = w.aws.scheduler.gets.length;
    const handler = await loadHandler();

    const summary = await handler(updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher', { errorCode: 'AccessDeniedException' }), { awsRequestId: 'chg-2' });

    expect(summary).toMatchObject({ ok: true, schedules: 0, alert: { status: 'off', reason: 'UpdateSchedule failed (AccessDeniedException): it changed nothing, so there is nothing to check' } });
    expect(summary.change).toMatchObject({ trigger: 'ignored', eventName: 'UpdateSchedule', actor: ACTOR });
    expect(w.aws.scheduler.gets).toHaveLength(listed);
    expect(w.published).toEqual([]);
    expect(emfMetrics(stdout.emf())).toEqual([]);
    expect(stdout.logs().map((l) => l.message)).toContain('change event ignored');
  });

  it('checks everything when it cannot scope the event, and says so as an error (CheckErrors, Heartbeat)', async () => {
    const handler = await loadHandler();

    const summary = await handler(cloudTrailEvent({ source: 'aws.ecs', eventName: 'DeleteCluster', requestParameters: {} }), { awsRequestId: 'chg-3' });

    expect(summary.schedules).toBe(3);
    expect(summary.change).toBeUndefined();
    expect(summary.errors).toEqual([{ stage: 'event', message: expect.stringContaining('DeleteCluster: neither responseElements.cluster.clusterArn nor requestParameters.cluster names the cluster') as unknown }]);
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.find((m) => m.name === 'CheckErrors')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'Heartbeat')?.value).toBe(1);
    expect(stdout.logs().find((l) => l.message === 'event could not scope the check; checking every schedule')).toMatchObject({ level: 'ERROR' });
  });

  it('the Scheduler invocation is still the full run', async () => {
    const handler = await loadHandler();

    const summary = await handler({}, { awsRequestId: 'sched-1' });

    expect(summary.schedules).toBe(3);
    expect(summary.change).toBeUndefined();
    expect(emfMetrics(stdout.emf()).find((m) => m.name === 'Heartbeat')?.value).toBe(1);
  });
});

describe('healthcheck Lambda handler with an SQS batch from the change queue', () => {
  const dispatcherChanged = updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher', { eventId: 'evt-d', eventTime: '2026-11-23T15:00:01Z' });
  const telemetryChanged = updateScheduleEvent('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { eventId: 'evt-t', eventTime: '2026-11-23T15:00:02Z' });
  const denied = updateScheduleEvent('ops-pipeline', 'ops-pipeline-alert-checker', { eventId: 'evt-x', errorCode: 'AccessDeniedException' });

  it('runs ONE check for the whole batch: both changed schedules, one email naming both, the failed call left out', async () => {
    const handler = await loadHandler();

    const summary = await handler(sqsBatch([telemetryChanged, denied, dispatcherChanged]), { awsRequestId: 'batch-1' });

    expect(summary).toMatchObject({ schedules: 2, ok: false, alert: { status: 'decided', sent: true, kind: 'alert' } });
    expect(summary.change).toMatchObject({
      trigger: 'change',
      eventName: 'UpdateSchedule',
      eventId: 'evt-d',
      checked: [TELEMETRY, DISPATCHER].sort(),
      changes: 2,
      ignoredCalls: 1,
      description: `UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:01Z and 1 more change (UpdateSchedule ×2)`,
    });
    expect([...w.aws.scheduler.gets].sort()).toEqual([TELEMETRY, DISPATCHER].sort());
    expect(w.published).toHaveLength(1);
    const body = w.published[0]?.Message ?? '';
    expect(body).toContain(`Checked because of UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:01Z and 1 more change (UpdateSchedule ×2).`);
    expect(body).toContain('ops-pipeline-dispatcher');
    expect(body).toContain('ops-pipeline-telemetry-ingestor-1m');
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.filter((m) => m.name === 'ChangeChecks').map((m) => m.value)).toEqual([1]);
    expect(stdout.logs().filter((l) => l.message === 'change-driven check')).toEqual([expect.objectContaining({ change: expect.objectContaining({ changes: 2, ignoredCalls: 1 }) as unknown })]);
  });

  it('a batch of failed calls only: nothing read, nothing sent, and why', async () => {
    const handler = await loadHandler();

    const summary = await handler(sqsBatch([denied, updateScheduleEvent('g', 'n', { eventId: 'evt-y', errorCode: 'ValidationException' })]), { awsRequestId: 'batch-2' });

    expect(summary).toMatchObject({ ok: true, schedules: 0, alert: { status: 'off', reason: 'all 2 calls failed (UpdateSchedule ×2): they changed nothing, so there is nothing to check' } });
    expect(summary.change).toMatchObject({ trigger: 'ignored', ignoredCalls: 2 });
    expect(w.aws.scheduler.gets).toEqual([]);
    expect(w.published).toEqual([]);
    expect(emfMetrics(stdout.emf())).toEqual([]);
  });

  it('a record it cannot read makes the batch the full check, with the reason as an error', async () => {
    const handler = await loadHandler();

    const summary = await handler(sqsBatch([dispatcherChanged, 'not json']), { awsRequestId: 'batch-3' });

    expect(summary.schedules).toBe(3);
    expect(summary.change).toBeUndefined();
    expect(summary.errors).toEqual([{ stage: 'event', message: 'the event could not scope the check, so everything was checked: 1 of 2 changes cannot be scoped; message msg-2: the message body is not JSON, so not an EventBridge event' }]);
    expect(emfMetrics(stdout.emf()).find((m) => m.name === 'CheckErrors')?.value).toBe(1);
  });
});
