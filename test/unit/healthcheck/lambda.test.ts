/**
 * The Lambda entry itself: module-scope config, clients and Powertools, one invocation at a time, with
 * AWS behind aws-sdk-client-mock and stdout captured (Powertools writes EMF and JSON logs there).
 */
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthcheckSummary } from '../../../src/healthcheck/invocation.ts';
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
  MARKET_CRITICAL: 'ops-pipeline-dispatcher*, position-manager-*',
  POWERTOOLS_DEV: '',
  POWERTOOLS_METRICS_DISABLED: 'false',
};

let w: World;
let stdout: OutputCapture;
let dynamo: AlertItemMock;

async function loadHandler(env: Record<string, string> = {}): Promise<Handler> {
  for (const [key, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(key, value);
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

const at = { at: '2026-11-23T15:00:00Z' };

describe('healthcheck Lambda handler', () => {
  it('logs JSON lines that all carry the run id, emits EMF, publishes the alert and returns a summary', async () => {
    const handler = await loadHandler();

    const summary = await handler(at, { awsRequestId: 'abcdef12-3456' });

    expect(summary).toMatchObject({ runId: 'hc-20261123T150000000Z-abcdef12', ok: false, schedules: 3, unhealthySchedules: 2, marketOpen: true, alert: { status: 'decided', sent: true, kind: 'alert' } });
    const logs = stdout.logs();
    expect(logs.length).toBeGreaterThanOrEqual(3);
    for (const line of logs) {
      expect(line).toMatchObject({ runId: summary.runId, service: 'ops-healthcheck' });
      expect(typeof line.level).toBe('string');
      expect(typeof line.timestamp).toBe('string');
    }
    expect(logs.map((l) => l.message)).toEqual(['check done', 'alert email published', 'healthcheck done']);
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.find((m) => m.name === 'Heartbeat')).toMatchObject({ value: 1, namespace: 'Ops/Healthcheck' });
    expect(metrics.find((m) => m.name === 'UnhealthySchedules')?.value).toBe(2);
    expect(w.published).toHaveLength(1);
    expect(dynamo.item()?.pk).toBe('ALERT#healthcheck');
  });

  it('gives each invocation its own run id, and the second one sends nothing', async () => {
    const handler = await loadHandler();

    const first = await handler(at, { awsRequestId: 'req-1' });
    const second = await handler({ at: '2026-11-23T15:05:00Z' }, { awsRequestId: 'req-2' });

    expect(second.runId).not.toBe(first.runId);
    expect(second.alert).toMatchObject({ sent: false });
    expect(w.published).toHaveLength(1);
    const runIds = stdout.logs().map((l) => l.runId);
    expect(new Set(runIds)).toEqual(new Set([first.runId, second.runId]));
    expect(stdout.emf().filter((doc) => doc.Heartbeat === 1)).toHaveLength(2);
  });

  it('on a blind check (credentials rejected) emits Heartbeat and CheckErrors = 1, logs it, alerts, and completes', async () => {
    w.aws.restore();
    const scheduler = mockClient(SchedulerClient);
    scheduler.on(ListSchedulesCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' }));
    try {
      const handler = await loadHandler();

      const summary = await handler(at, { awsRequestId: 'req-bl' });

      expect(summary.counters.checkErrors).toBe(1);
      expect(summary.alert).toMatchObject({ status: 'decided', sent: true });
      const metrics = emfMetrics(stdout.emf());
      expect(metrics.filter((m) => m.name === 'Heartbeat').map((m) => m.value)).toEqual([1]);
      expect(metrics.filter((m) => m.name === 'CheckErrors').map((m) => m.value)).toEqual([1]);
      expect(metrics.filter((m) => m.name === 'SchedulesChecked').map((m) => m.value)).toEqual([0]);
      const errors = stdout.logs().filter((l) => l.level === 'ERROR');
      expect(errors.map((l) => l.message)).toEqual(['the monitor cannot see']);
      expect(errors.every((l) => typeof l.runId === 'string' && l.runId.endsWith('req-bl'))).toBe(true);
    } finally {
      scheduler.restore();
    }
  });

  it('counts a denied Publish as AlertPublishFailures = 1, emits the other metrics, and does not throw', async () => {
    w.failPublish(Object.assign(new Error('User is not authorized to perform: SNS:Publish on resource'), { name: 'AuthorizationErrorException' }));
    const handler = await loadHandler();

    const summary = await handler(at);

    expect(summary.counters.alertPublishFailures).toBe(1);
    expect(summary.alert).toMatchObject({ status: 'decided', sent: false, error: expect.stringContaining('AuthorizationErrorException') as unknown });
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.find((m) => m.name === 'AlertPublishFailures')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'Heartbeat')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'SchedulesChecked')?.value).toBe(3);
    expect(stdout.logs().find((l) => l.message === 'alert email not published')).toMatchObject({ level: 'ERROR', alert: { publishError: expect.stringContaining('AuthorizationErrorException') as unknown } });
  });

  it('honours METRICS_NAMESPACE', async () => {
    const handler = await loadHandler({ METRICS_NAMESPACE: 'Acme/Trading' });

    await handler(at);

    expect(new Set(emfMetrics(stdout.emf()).map((m) => m.namespace))).toEqual(new Set(['Acme/Trading']));
  });

  it('fails the cold start on bad configuration, naming every bad variable in one JSON log line', async () => {
    await expect(loadHandler({ ALERT_TOPIC_ARN: 'ops-alerts', AUTO_FIX: 'yes', MAX_CHANGES: '0' })).rejects.toMatchObject({ code: 'INVALID_HEALTHCHECK_CONFIG' });

    const [line] = stdout.logs();
    expect(line).toMatchObject({ level: 'ERROR', message: 'invalid configuration: the healthcheck cannot start' });
    const message = (line?.error as { message: string }).message;
    expect(message).toContain('ALERT_TOPIC_ARN must be an SNS topic ARN');
    expect(message).toContain('AUTO_FIX must be true or false');
    expect(message).toContain('MAX_CHANGES');
  });

  it('rejects an event whose "at" is not an instant, still with Heartbeat and CheckErrors', async () => {
    const handler = await loadHandler();

    await expect(handler({ at: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_EVENT' });

    const metrics = emfMetrics(stdout.emf());
    expect(metrics.filter((m) => ['Heartbeat', 'CheckErrors'].includes(m.name)).map((m) => [m.name, m.value])).toEqual([
      ['Heartbeat', 1],
      ['CheckErrors', 1],
    ]);
    expect(stdout.logs().find((l) => l.message === 'healthcheck failed')).toMatchObject({ level: 'ERROR', runId: expect.stringMatching(/^hc-/) as unknown });
  });
});
