/**
 * `ops healthcheck --event FILE`: the change-driven check from a saved EventBridge event, in-process
 * against the healthcheck unit tests' small account (test/unit/healthcheck/world.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../src/entry/cli/context.ts';
import type { HealthcheckResult } from '../../../../src/healthcheck/run-healthcheck.ts';
import { ACTOR, cloudTrailEvent, deleteClusterEvent, sqsBatch, updateScheduleEvent } from '../../../support/cloudtrail-events.ts';
import { runCli } from '../../../support/cli-harness.ts';
import { NOW, TOPIC_ARN, world, type World } from '../../healthcheck/world.ts';

const env = { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
let w: World;
let cwd: string;
const ops = (argv: string[], overrides: Partial<CliContext> = {}) =>
  runCli(['healthcheck', '--no-ledger', '--market-critical', 'ops-pipeline-dispatcher*', ...argv], { env, cwd, now: () => NOW, ...overrides });
const save = async (name: string, content: unknown) => {
  await writeFile(join(cwd, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
};

beforeEach(async () => {
  w = world();
  cwd = await mkdtemp(join(tmpdir(), 'ops-healthcheck-event-'));
});
afterEach(async () => {
  w.restore();
  await rm(cwd, { recursive: true, force: true });
});

describe('ops healthcheck --event', () => {
  it('checks only the schedule an UpdateSchedule event names, says why, and exits 1 on its finding', async () => {
    const file = await save('update.json', updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher'));

    const run = await ops(['--event', file]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe(`Change-driven check: UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:00Z; checked 1 schedule(s): ops-pipeline-market/ops-pipeline-dispatcher.`);
    expect(run.stdout).toContain('TARGET_CLUSTER_NOT_FOUND');
    expect(run.stdout).not.toContain('telemetry');
    expect(run.stdout).toMatch(/^  ChangeChecks +1$/m);
    expect(run.stdout).not.toMatch(/^  Heartbeat /m);
    expect(w.aws.scheduler.gets).toEqual(['ops-pipeline-market/ops-pipeline-dispatcher']);
  });

  it('--json: one document with the change, and --notify emails once', async () => {
    const file = await save('update.json', updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher'));

    const run = await ops(['--event', file, '--json', '--notify', '--topic-arn', TOPIC_ARN, '--alert-state', 'state.json']);

    const doc = run.json() as HealthcheckResult;
    expect(doc.change).toMatchObject({ cause: { eventName: 'UpdateSchedule', actor: ACTOR }, checked: ['ops-pipeline-market/ops-pipeline-dispatcher'], nothingToCheck: false });
    expect(doc.metrics.map((m) => m.name)).toEqual(['ChangeChecks', 'CheckErrors', 'AlertPublishFailures', 'SelfHealed', 'AutoFixRefused']);
    expect(w.published).toHaveLength(1);
  });

  it.each([
    ['a list of events', (events: unknown[]) => events],
    ['an SQS batch', (events: unknown[]) => sqsBatch(events)],
  ])('%s is one check of every schedule they name', async (_what, wrap) => {
    const events = [
      updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher', { eventId: 'a' }),
      updateScheduleEvent('ops-pipeline', 'ops-pipeline-telemetry-ingestor-1m', { eventId: 'b' }),
      updateScheduleEvent('ops-pipeline', 'ops-pipeline-alert-checker', { eventId: 'c', errorCode: 'AccessDeniedException' }),
    ];
    const run = await ops(['--event', await save('burst.json', wrap(events)), '--notify', '--topic-arn', TOPIC_ARN, '--alert-state', 'state.json']);

    expect(run.exitCode).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe(
      `Change-driven check: UpdateSchedule by ${ACTOR} at 2026-11-23T15:00:00Z and 1 more change (UpdateSchedule ×2); checked 2 schedule(s): ops-pipeline-market/ops-pipeline-dispatcher, ops-pipeline/ops-pipeline-telemetry-ingestor-1m; 1 failed call(s) ignored.`,
    );
    expect(w.published).toHaveLength(1);
  });

  it('a cluster nothing targets: nothing to check, exit 0', async () => {
    const run = await ops(['--event', await save('delete.json', deleteClusterEvent('unused'))]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`Change-driven check: DeleteCluster by ${ACTOR} at 2026-11-23T15:00:00Z; no schedule is affected: nothing to check.`);
  });

  it('a failed call is ignored: exit 0, nothing read, and the reason', async () => {
    const run = await ops(['--event', await save('failed.json', updateScheduleEvent('g', 'n', { errorCode: 'AccessDeniedException' })), '--json']);

    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, ignored: true, reason: 'UpdateSchedule failed (AccessDeniedException): it changed nothing, so there is nothing to check', change: { eventName: 'UpdateSchedule', actor: ACTOR } });
    expect(w.aws.scheduler.gets).toEqual([]);
  });

  it.each([
    ['not JSON', '{"detail-type": ', 'EVENT_FILE_INVALID', /is not JSON/],
    ['not a CloudTrail event', { at: '2026-11-23T15:00:00Z' }, 'EVENT_FILE_INVALID', /is not a CloudTrail API-call event \(its "detail-type" is not "AWS API Call via CloudTrail"\)/],
    ['an API call it does not scope', cloudTrailEvent({ source: 'aws.scheduler', eventName: 'DeleteSchedule', requestParameters: { name: 'x' } }), 'EVENT_FILE_UNSCOPABLE', /cannot scope a check: DeleteSchedule: not one of the API calls/],
  ])('%s: usage error, exit 2, with a hint and one JSON document', async (_what, content, code, message) => {
    const run = await ops(['--event', await save('bad.json', content), '--json']);

    expect(run.exitCode).toBe(2);
    const doc = run.json() as { error: { code: string; message: string; hint: string } };
    expect(doc.error.code).toBe(code);
    expect(doc.error.message).toMatch(message);
    expect(doc.error.hint).toContain('or run `ops healthcheck` without --event for the full check');
    expect(w.aws.scheduler.gets).toEqual([]);
  });

  it('a file that does not exist: exit 2, naming it', async () => {
    const run = await ops(['--event', 'missing.json']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--event missing\.json cannot be read: ENOENT/);
  });
});
