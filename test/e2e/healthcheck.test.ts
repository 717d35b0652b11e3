/**
 * The healthcheck Lambda's handler on the sandbox: the incident replayed from the 09:30 open on Monday
 * 2026-11-23 with the firer on a virtual clock, the handler invoked every 5 virtual minutes with
 * `{ at }` (its module-scope clients, config, cache and Powertools exactly as deployed, pointed at moto
 * through AWS_ENDPOINT_URL). Emails are read back from the topic's capture queue; EMF metrics and JSON
 * logs from the captured stdout/stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, type GetScheduleOutput } from '@aws-sdk/client-scheduler';
import { ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureAlertStateTable } from '../../src/aws/alert-state-store.ts';
import { createDynamoAuditLog, ensureRemediationTable } from '../../src/aws/remediation-store.ts';
import type { HealthcheckSummary } from '../../src/healthcheck/invocation.ts';
import { captureOutput, emfMetrics, type OutputCapture } from '../unit/healthcheck/output-capture.ts';
import { healthcheckAlarms, AlarmName } from '../../src/healthcheck/metric-contract.ts';
import { drainQueue } from './aws-evidence.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';
import { runCli } from '../support/cli-harness.ts';

type Handler = (event: unknown, context?: { awsRequestId?: string }) => Promise<HealthcheckSummary>;

const START = new Date('2026-11-23T14:30:00Z');
const minute = (m: number) => new Date(START.getTime() + m * 60_000);
const ALERT_TABLE = 'ops-alert-state';
const REMEDIATION_TABLE = 'ops-remediation';
const TOPIC = 'ops-pipeline-alerts';

interface Email {
  subject: string;
  body: string;
}

/** Seeds the incident, adds the healthcheck's tables, and makes the capture queue keep the Subject. */
async function sandbox(): Promise<SeededSandbox> {
  // Seeded a minute before the open, so the 09:30 runs are fired (and fail) like every later one.
  const sb = await seededSandbox('incident-2026-01-29', minute(-1));
  await ensureAlertStateTable(sb.clients.dynamodb, ALERT_TABLE);
  await ensureRemediationTable(sb.clients.dynamodb, REMEDIATION_TABLE);
  // The seeder subscribes the capture queue with raw delivery, which drops the Subject; the SNS
  // envelope carries both, as an email subscriber would see them.
  const subscriptions = await sb.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: sb.seed.topics[TOPIC]!.arn }));
  for (const s of subscriptions.Subscriptions ?? []) {
    await sb.clients.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }));
  }
  return sb;
}

async function emails(sb: SeededSandbox): Promise<Email[]> {
  const messages = await drainQueue(sb.clients.sqs, sb.seed.topics[TOPIC]!.captureQueueUrl);
  return messages.map((m) => {
    const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
    return { subject: envelope.Subject ?? '', body: envelope.Message ?? '' };
  });
}

/** A fresh import of the Lambda module (a cold start) with this environment. */
async function coldStart(sb: SeededSandbox, env: Record<string, string> = {}): Promise<Handler> {
  const base: Record<string, string> = {
    AWS_ENDPOINT_URL: sb.endpoint,
    AWS_REGION: sb.scenario.region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_PROFILE: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ALERT_TOPIC_ARN: sb.seed.topics[TOPIC]!.arn,
    ALERT_STATE_TABLE: ALERT_TABLE,
    RUN_LEDGER_TABLE: sb.scenario.runLedgerTable,
    REMEDIATION_TABLE,
    AUTO_FIX: 'false',
    POWERTOOLS_DEV: '',
  };
  for (const [key, value] of Object.entries({ ...base, ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../src/entry/lambda/healthcheck.ts');
  return handler;
}

let output: OutputCapture;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});
afterAll(() => {
  vi.unstubAllEnvs();
});

/** Metric values of the last invocation (its EMF documents), by name; per-cluster ones as `name ClusterName`. */
function metricsOfRun(runId: string): Map<string, unknown> {
  const logs = output.logs().filter((l) => l.runId === runId);
  expect(logs.length).toBeGreaterThan(0);
  const values = new Map<string, unknown>();
  for (const m of emfMetrics(output.emf())) values.set(m.dimensions.ClusterName === undefined ? m.name : `${m.name} ${m.dimensions.ClusterName}`, m.value);
  return values;
}

describe('the healthcheck Lambda replaying the incident, every 5 virtual minutes from the 09:30 open', () => {
  let sb: SeededSandbox;
  let handler: Handler;
  let ecsNames: string[];

  beforeAll(async () => {
    sb = await sandbox();
    ecsNames = sb.scenario.schedules.filter((s) => s.target.kind === 'ecs').map((s) => s.name).sort();
    handler = await coldStart(sb);
  });

  it('09:35, the first run after the first missed fire: detects the incident and emails once', async () => {
    await sb.firer.advanceTo(minute(5));

    const summary = await handler({ at: minute(5).toISOString() }, { awsRequestId: 'run-0935' });

    expect(summary).toMatchObject({ ok: false, schedules: 13, marketOpen: true, alert: { status: 'decided', sent: true, kind: 'alert' } });
    expect(summary.findings.TARGET_CLUSTER_NOT_FOUND).toBe(12);
    const [email, ...more] = await emails(sb);
    expect(more).toEqual([]);
    expect(email?.subject).toMatch(/^\[CRITICAL\] 12 schedules failing: TARGET_CLUSTER_NOT_FOUND ×12, MISSED_RUNS ×5/);
    expect(email?.subject.length).toBeLessThanOrEqual(100);
    for (const name of ecsNames) expect(email?.body, name).toContain(name);
    expect(email?.body).toContain('--fix --map ops-pipeline=ops-pipeline-cluster');

    const metrics = metricsOfRun(summary.runId);
    expect(metrics.get('Heartbeat')).toBe(1);
    expect(metrics.get('SchedulesChecked')).toBe(13);
    expect(metrics.get('UnhealthySchedules')).toBe(12);
    expect(metrics.get('Finding_TARGET_CLUSTER_NOT_FOUND')).toBe(12);
    expect(metrics.get('MarketOpen')).toBe(1);
    expect(metrics.get('TasksStarted10m')).toBe(0);
    expect(metrics.get('TasksStarted10m ops-pipeline')).toBe(0);
    expect(metrics.get('AlertPublishFailures')).toBe(0);
    for (const line of output.logs()) expect(line.runId).toBe(summary.runId);
  });

  it('09:40: the same failing set sends no second email', async () => {
    await sb.firer.advanceTo(minute(10));

    const summary = await handler({ at: minute(10).toISOString() });

    expect(summary.alert).toMatchObject({ status: 'decided', sent: false });
    expect(summary.unhealthySchedules).toBe(12);
    expect(await emails(sb)).toEqual([]);
  });

  it('09:45 with auto-fix: repoints the 12 schedules, backs them up in DynamoDB, emails the self-healed changes, then the recovery', async () => {
    await sb.firer.advanceTo(minute(15));
    const autoFixing = await coldStart(sb, { AUTO_FIX: 'true', MAX_CHANGES: '25' });

    const summary = await autoFixing({ at: minute(15).toISOString() });

    expect(summary.autoFix).toEqual({ status: 'applied', healed: 12 });
    expect(summary.findings.TARGET_CLUSTER_NOT_FOUND).toBeUndefined();
    const cluster = sb.seed.clusters['ops-pipeline-cluster'];
    for (const s of sb.seed.schedules.filter((x) => ecsNames.includes(x.name))) {
      const out = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: s.group, Name: s.name }));
      expect(out.Target?.Arn, s.name).toBe(cluster);
    }
    const sent = await emails(sb);
    // Runs missed before the repair say nothing about the repaired schedules, so the critical set
    // clears at once: the self-healed email, then the one recovery email owed for the 09:35 alert.
    expect(sent.map((e) => e.subject)).toEqual(['[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster', '[RESOLVED] all alerting findings cleared; 2 warnings still below the alert threshold']);
    expect(sent[0]?.body.match(/dynamodb:\/\/ops-remediation\/BACKUP%23/g)).toHaveLength(12);
    expect(summary.alert).toMatchObject({ sent: true, kind: 'recovery' });
    expect(summary.findings.MISSED_RUNS).toBeUndefined();
    const metrics = metricsOfRun(summary.runId);
    expect(metrics.get('SelfHealed')).toBe(12);
    expect(metrics.get('Finding_TARGET_CLUSTER_NOT_FOUND')).toBe(0);
    handler = autoFixing;
  });

  it('the next firer advance starts tasks on the right cluster, and no further email is sent', async () => {
    const advance = await sb.firer.advanceTo(minute(20));
    expect(advance.errorsByCode.ClusterNotFoundException ?? 0).toBe(0);
    expect(advance.tasksStarted).toBeGreaterThan(0);

    const at0950 = await handler({ at: minute(20).toISOString() });

    expect(at0950.alert).toMatchObject({ sent: false });
    expect(await emails(sb)).toEqual([]);
    // What is left is below the alert threshold: a schedule without a dead-letter queue and the group
    // target errors from before the fix, still in the metrics window. No MISSED_RUNS: moto dated the
    // repair 09:45 on the virtual clock, and every repaired schedule has run since.
    expect(Object.keys(at0950.findings).sort()).toEqual(['NO_DEAD_LETTER_QUEUE', 'TARGET_ERRORS']);
    const metrics = metricsOfRun(at0950.runId);
    expect(metrics.get('Finding_TARGET_CLUSTER_NOT_FOUND')).toBe(0);
    expect(metrics.get('UnhealthySchedules')).toBe(at0950.unhealthySchedules);
    expect(at0950.unhealthySchedules).toBe(0);
    expect(metrics.get('TasksStarted10m')).toBeGreaterThan(0);
    expect(metrics.get('TasksStarted10m ops-pipeline-cluster')).toBe(metrics.get('TasksStarted10m'));

    // And quiet from then on.
    await sb.firer.advanceTo(minute(25));
    expect((await handler({ at: minute(25).toISOString() })).alert).toMatchObject({ sent: false });
    expect(await emails(sb)).toEqual([]);
  }, 120_000);
});

describe('the healthcheck Lambda with a topic that does not exist', () => {
  let sb: SeededSandbox;

  beforeAll(async () => {
    sb = await sandbox();
    await sb.firer.advanceTo(minute(5));
  });

  it('logs and counts the failed publish, still emits its metrics, and a later run with the right topic sends the email', async () => {
    const missing = `arn:aws:sns:${sb.scenario.region}:${sb.seed.account}:ops-pipeline-alerts-typo`;
    const handler = await coldStart(sb, { ALERT_TOPIC_ARN: missing });

    const summary = await handler({ at: minute(5).toISOString() });

    expect(summary.counters.alertPublishFailures).toBe(1);
    expect(summary.alert).toMatchObject({ status: 'decided', sent: false, error: expect.stringContaining('NotFound') as unknown });
    const metrics = metricsOfRun(summary.runId);
    expect(metrics.get('AlertPublishFailures')).toBe(1);
    expect(metrics.get('Heartbeat')).toBe(1);
    expect(metrics.get('SchedulesChecked')).toBe(13);
    expect(metrics.get('UnhealthySchedules')).toBe(12);
    const error = output.logs().find((l) => l.message === 'alert email not published');
    expect(error).toMatchObject({ level: 'ERROR', runId: summary.runId, alert: { publishError: expect.stringContaining(missing) as unknown } });
    expect(await emails(sb)).toEqual([]);

    // The alert state was put back, so fixing the topic delivers the email on the next run.
    const fixed = await coldStart(sb);
    const retry = await fixed({ at: minute(10).toISOString() });
    expect(retry.alert).toMatchObject({ sent: true, kind: 'alert' });
    expect(await emails(sb)).toHaveLength(1);
  });
});

describe('the healthcheck Lambda when every Scheduler call fails (issue 12: a monitor that cannot see must say so)', () => {
  let sb: SeededSandbox;
  let proxy: FaultProxy;
  let handler: Handler;

  beforeAll(async () => {
    sb = await sandbox();
    await sb.firer.advanceTo(minute(5));
    proxy = await startFaultProxy(sb.endpoint);
    proxy.fail('scheduler');
    handler = await coldStart(sb, { AWS_ENDPOINT_URL: proxy.endpoint });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('counts CheckErrors (the HealthcheckErrors alarm breaches), emails "the monitor cannot see" once, and completes', async () => {
    const summary = await handler({ at: minute(5).toISOString() }, { awsRequestId: 'blind-1' });

    expect(proxy.failed.get('scheduler')).toBeGreaterThan(0);
    expect(summary).toMatchObject({ ok: false, schedules: 0, counters: { checkErrors: 1 }, alert: { status: 'decided', sent: true, kind: 'alert' } });
    expect(summary.findings.MONITOR_BLIND).toBe(1);
    const metrics = metricsOfRun(summary.runId);
    expect(metrics.get('Heartbeat')).toBe(1);
    expect(metrics.get('CheckErrors')).toBe(1);
    // The alarm's own expression and threshold, applied to what the run emitted.
    const alarm = healthcheckAlarms().find((a) => a.name === AlarmName.errors)!;
    expect(Number(metrics.get('CheckErrors')) + Number(metrics.get('AlertPublishFailures'))).toBeGreaterThanOrEqual(alarm.threshold);
    const sent = await emails(sb);
    expect(sent.map((e) => e.subject)).toEqual(['[CRITICAL] the monitor cannot see: scheduler:ListSchedules failed (AccessDeniedException)']);
    expect(sent[0]?.body).toContain('runbooks/MONITOR_BLIND.md');
    expect(output.logs().filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual(['the monitor cannot see']);
  });

  it('still blind five minutes later: CheckErrors again, and no second email', async () => {
    await sb.firer.advanceTo(minute(10));
    const summary = await handler({ at: minute(10).toISOString() }, { awsRequestId: 'blind-2' });
    expect(summary.counters.checkErrors).toBe(1);
    expect(metricsOfRun(summary.runId).get('CheckErrors')).toBe(1);
    expect(summary.alert).toMatchObject({ status: 'decided', sent: false });
    expect(await emails(sb)).toEqual([]);
  });

  it('sight back: the incident it could not see is emailed at once, nothing lost', async () => {
    proxy.fail(undefined);
    await sb.firer.advanceTo(minute(15));
    const summary = await handler({ at: minute(15).toISOString() }, { awsRequestId: 'blind-3' });
    expect(summary).toMatchObject({ schedules: 13, counters: { checkErrors: 0 }, alert: { sent: true, kind: 'alert' } });
    expect(summary.findings.TARGET_CLUSTER_NOT_FOUND).toBe(12);
    const [email, ...more] = await emails(sb);
    expect(more).toEqual([]);
    expect(email?.subject).toMatch(/^\[CRITICAL\] 12 schedules /);
    expect(email?.body).toContain('MONITOR_BLIND');
  });
});

describe('undoing the auto-fix from its DynamoDB table (issue 13): ops rollback --from-table <table> --last', () => {
  let sb: SeededSandbox;
  let cwd: string;
  let before: Map<string, GetScheduleOutput>;
  let fixed: Map<string, GetScheduleOutput>;
  let fixRunId: string;
  const lambdaName = 'trade-alert-checker';

  /** Every schedule's full GetSchedule output, without the SDK's response metadata. */
  const definitions = async (): Promise<Map<string, GetScheduleOutput>> => {
    const all = new Map<string, GetScheduleOutput>();
    for (const s of sb.seed.schedules) {
      const { $metadata: _metadata, ...out } = await sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: s.group, Name: s.name }));
      all.set(s.name, out);
    }
    return all;
  };
  const withoutModified = ({ LastModificationDate: _modified, ...rest }: GetScheduleOutput = {}) => rest;
  const ops = (argv: string[]) => runCli(argv, { env: { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region }, cwd, now: () => sb.clock.now() });
  const audit = () => createDynamoAuditLog({ client: sb.clients.dynamodb, tableName: REMEDIATION_TABLE }).readAll();

  beforeAll(async () => {
    sb = await sandbox();
    cwd = await mkdtemp(join(tmpdir(), 'ops-rollback-table-e2e-'));
    before = await definitions();
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('09:35, the Lambda with AUTO_FIX=true repoints exactly Target.Arn of the 12 ECS schedules, backed up in the table', async () => {
    await sb.firer.advanceTo(minute(5));
    const autoFixing = await coldStart(sb, { AUTO_FIX: 'true', MAX_CHANGES: '25' });

    const summary = await autoFixing({ at: minute(5).toISOString() });

    expect(summary.autoFix).toEqual({ status: 'applied', healed: 12 });
    fixed = await definitions();
    const fixEntries = (await audit()).filter((e) => e.action === 'fix');
    expect(fixEntries).toHaveLength(24);
    expect(new Set(fixEntries.map((e) => e.runId)).size).toBe(1);
    const backups = fixEntries.filter((e) => e.phase === 'pending').map((e) => e.backupFile);
    expect(backups).toEqual(Array(12).fill(expect.stringMatching(/^dynamodb:\/\/ops-remediation\/BACKUP%23/)));
    fixRunId = fixEntries[0]!.runId;
    const cluster = sb.seed.clusters['ops-pipeline-cluster'];
    const ecs = sb.scenario.schedules.filter((s) => s.target.kind === 'ecs').map((s) => s.name);
    expect(ecs).toHaveLength(12);
    for (const name of ecs) {
      expect(before.get(name)?.Target?.Arn, name).toMatch(/:cluster\/ops-pipeline$/);
      expect(withoutModified(fixed.get(name)), name).toEqual({ ...withoutModified(before.get(name)), Target: { ...before.get(name)!.Target, Arn: cluster } });
    }
    expect(fixed.get(lambdaName)).toEqual(before.get(lambdaName));
  });

  it('without --yes and without a terminal it is a dry run: the 12 restores listed, nothing written, exit 0', async () => {
    const run = await ops(['rollback', '--from-table', REMEDIATION_TABLE, '--last']);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe(`Rollback of the last fix run ${fixRunId}: 12 schedule(s) to restore`);
    expect(run.stdout.match(/^ {2}restore {13}ops-pipeline/gm)).toHaveLength(12);
    expect(run.stdout.match(/from backup dynamodb:\/\/ops-remediation\/BACKUP%23/g)).toHaveLength(12);
    expect(run.stdout).toMatch(/\nDry run: nothing was written \(no --yes, and no terminal to ask at\)\. Restore with --yes\.\n$/);
    expect(await definitions()).toEqual(fixed);
    expect((await audit()).filter((e) => e.action === 'rollback')).toEqual([]);
  });

  it('--yes restores the 12 definitions exactly (every field but LastModificationDate) and records the rollback in the table', async () => {
    const run = await ops(['rollback', '--from-table', REMEDIATION_TABLE, '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    const doc = run.json() as { mode: string; fromTable: string; run: { runId: string; auditLog: string }; results: { status: string; rollsBack: string; verification?: { definition: string } }[] };
    expect(doc).toMatchObject({ mode: 'applied', fromTable: REMEDIATION_TABLE, run: { auditLog: `dynamodb://${REMEDIATION_TABLE}/AUDIT` } });
    expect(doc.results.map((r) => [r.status, r.verification?.definition])).toEqual(Array(12).fill(['ok', 'match']));
    const restored = await definitions();
    for (const [name, definition] of before) expect(withoutModified(restored.get(name)), name).toEqual(withoutModified(definition));
    expect(restored.get(lambdaName)).toEqual(before.get(lambdaName));

    const entries = await audit();
    const fixEntryIds = [...new Set(entries.filter((e) => e.runId === fixRunId).map((e) => e.entryId))].sort();
    const results = entries.filter((e) => e.runId === doc.run.runId && e.phase === 'result');
    expect(results.map((e) => e.rollsBack).sort()).toEqual(fixEntryIds);
    expect(results).toHaveLength(12);
    expect(results.map((e) => [e.result, e.written, e.after.targetArn])).toEqual(results.map((e) => ['ok', true, before.get(e.schedule.name)!.Target!.Arn]));
  });

  it('a second rollback writes nothing: every change is already rolled back', async () => {
    const restored = await definitions();

    const run = await ops(['rollback', '--from-table', REMEDIATION_TABLE, '--last', '--yes', '--json']);

    expect(run.exitCode).toBe(0);
    const doc = run.json() as { mode: string; preview: { action: string }[] };
    expect(doc.mode).toBe('nothing-to-do');
    expect(doc.preview.map((p) => p.action)).toEqual(Array(12).fill('already-rolled-back'));
    expect(await definitions()).toEqual(restored);
  });
});
