/**
 * Change-driven checks on the sandbox, end to end on the virtual clock: the healthy system replayed
 * from the 09:30 open on Monday 2026-11-23; a bad UpdateSchedule through the real Scheduler API; the
 * change detector's next tick puts one CloudTrail-shaped event on moto's default bus; the sandbox's
 * change rule delivers it to its queue; the consumer runs the scoped healthcheck, which emails (or,
 * with auto-fix, repairs) before the schedule's next fire. A deploy that repoints all 12 ECS schedules
 * at one instant is one batch, one run and one email, not twelve. Emails are read from the alert
 * topic's capture queue.
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAlertStateStore } from '../../src/alerts/index.ts';
import { createDynamoAuditLog, createDynamoBackupStore, ensureRemediationTable } from '../../src/aws/remediation-store.ts';
import { createHealthcheckDeps } from '../../src/entry/wiring/healthcheck-aws.ts';
import { startSandboxChangeChecks, type SandboxChangeChecks } from '../../src/entry/sandbox/change-checks.ts';
import type { TriggeredRun } from '../../src/healthcheck/change-trigger.ts';
import { healthcheckRunId } from '../../src/healthcheck/invocation.ts';
import { HealthMetric } from '../../src/healthcheck/metric-contract.ts';
import { recordingLog, recordingSink, type RecordingSink } from '../../src/healthcheck/ports.ts';
import { runHealthcheck, type HealthcheckDeps, type HealthcheckOptions } from '../../src/healthcheck/run-healthcheck.ts';
import { nyse } from '../../src/market/index.ts';
import { listScheduleSummaries } from '../../src/sandbox/aws/scheduler-api.ts';
import { sandboxActor } from '../../src/sandbox/change-events.ts';
import { repointSchedules } from '../../src/sandbox/aws/deploy-write.ts';
import { drainQueue } from './aws-evidence.ts';
import { seededSandbox, type SeededSandbox } from './sandbox-harness.ts';

const START = new Date('2026-11-23T14:30:00Z');
const at = (minutes: number, seconds = 0) => new Date(START.getTime() + minutes * 60_000 + seconds * 1000);
const TOPIC = 'ops-pipeline-alerts';
const REMEDIATION_TABLE = 'ops-remediation';

interface Email {
  subject: string;
  body: string;
}

interface World {
  sb: SeededSandbox;
  deps: HealthcheckDeps;
  sink: RecordingSink;
  options: (now: Date) => HealthcheckOptions;
  changes: SandboxChangeChecks;
}

async function world(autoFix: boolean): Promise<World> {
  const sb = await seededSandbox('healthy', START);
  await ensureRemediationTable(sb.clients.dynamodb, REMEDIATION_TABLE);
  // Raw delivery drops the Subject; the SNS envelope carries both, as an email subscriber sees them.
  const subscriptions = await sb.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: sb.seed.topics[TOPIC]!.arn }));
  for (const s of subscriptions.Subscriptions ?? []) {
    await sb.clients.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }));
  }
  const sink = recordingSink();
  const deps = createHealthcheckDeps(sb.clients, {
    metrics: sink,
    log: recordingLog(),
    ledgerTable: sb.scenario.runLedgerTable,
    alerts: { store: new MemoryAlertStateStore(), topicArn: sb.seed.topics[TOPIC]!.arn },
    remediation: {
      backups: createDynamoBackupStore({ client: sb.clients.dynamodb, tableName: REMEDIATION_TABLE }),
      audit: createDynamoAuditLog({ client: sb.clients.dynamodb, tableName: REMEDIATION_TABLE }),
    },
  });
  const options = (now: Date): HealthcheckOptions => ({
    runId: healthcheckRunId(now),
    now,
    clock: () => sb.clock.now(),
    region: sb.scenario.region,
    calendar: nyse,
    marketCriticalPatterns: [],
    notify: true,
    alert: { minSeverity: 'critical', reminderHours: 2 },
    autoFix,
    maxChanges: 25,
  });
  // Ten healthy minutes of trading, then the detector's baseline.
  await sb.firer.advanceTo(at(10));
  const changes = await startSandboxChangeChecks({ clients: sb.clients, clock: sb.clock, account: sb.seed.account, region: sb.scenario.region, healthcheck: deps, options });
  return { sb, deps, sink, options, changes };
}

async function emails(sb: SeededSandbox): Promise<Email[]> {
  const messages = await drainQueue(sb.clients.sqs, sb.seed.topics[TOPIC]!.captureQueueUrl);
  return messages.map((m) => {
    const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message?: string };
    return { subject: envelope.Subject ?? '', body: envelope.Message ?? '' };
  });
}

/** Repoints a schedule through the real API, writing back every other field (UpdateSchedule replaces). */
async function repoint(sb: SeededSandbox, group: string, name: string, clusterName: string): Promise<void> {
  await repointSchedules(sb.clients.scheduler, [{ group, name }], `arn:aws:ecs:${sb.scenario.region}:${sb.seed.account}:cluster/${clusterName}`);
}

/** `group/name` of every schedule whose target is an ECS cluster (the healthy scenario has 12). */
async function ecsSchedules(sb: SeededSandbox): Promise<{ group: string; name: string }[]> {
  const all = await listScheduleSummaries(sb.clients.scheduler);
  return all.filter((s) => s.targetArn.includes(':cluster/')).map((s) => ({ group: s.group, name: s.name }));
}

const ran = (run: unknown) => {
  const triggered = run as TriggeredRun;
  if (triggered.status !== 'ran') throw new Error(`the change was ignored: ${triggered.reason}`);
  return triggered.result;
};

describe('a bad UpdateSchedule, without auto-fix', () => {
  let w: World;
  beforeEach(async () => {
    w = await world(false);
    expect(w.changes.baseline).toMatchObject({ baseline: true, emitted: [] });
    expect(await emails(w.sb)).toEqual([]);
  });

  it('is emailed within a minute of the write, naming the schedule and who changed it; the next tick and the 5-minute run send nothing more', async () => {
    const t = at(10, 5);
    w.sb.clock.set(t);
    await repoint(w.sb, 'ops-pipeline', 'ops-pipeline-rss-ingest', 'ops-pipeline');

    // The detector ticks every 30 virtual seconds.
    w.sb.clock.set(at(10, 30));
    const { tick, drain } = await w.changes.step();

    expect(tick.emitted).toEqual([{ eventName: 'UpdateSchedule', resource: 'ops-pipeline/ops-pipeline-rss-ingest' }]);
    expect(drain).toMatchObject({ handled: 1, failed: 0 });
    const result = ran(drain.deliveries[0]?.result);
    expect(result.change).toMatchObject({ cause: { eventName: 'UpdateSchedule', actor: sandboxActor(w.sb.seed.account), eventTime: '2026-11-23T14:40:30Z' }, checked: ['ops-pipeline/ops-pipeline-rss-ingest'] });
    expect(result.report.findings.map((f) => [f.code, f.schedule?.name])).toContainEqual(['TARGET_CLUSTER_NOT_FOUND', 'ops-pipeline-rss-ingest']);
    expect(result.alert).toMatchObject({ status: 'decided', sent: true, kind: 'alert' });
    // Sent at the check's virtual instant: within 60 virtual seconds of the write.
    expect(new Date(result.report.generatedAt).getTime() - t.getTime()).toBeLessThanOrEqual(60_000);
    const [email, ...more] = await emails(w.sb);
    expect(more).toEqual([]);
    expect(email?.subject).toBe('[CRITICAL] 1 schedule target missing cluster ops-pipeline');
    expect(email?.body).toContain('ops-pipeline/ops-pipeline-rss-ingest');
    expect(email?.body).toContain(`Checked because of UpdateSchedule by ${sandboxActor(w.sb.seed.account)} at 2026-11-23T14:40:30Z.`);
    expect(w.sink.data.map((d) => d.name)).toEqual([HealthMetric.ChangeChecks, HealthMetric.CheckErrors, HealthMetric.AlertPublishFailures, HealthMetric.SelfHealed, HealthMetric.AutoFixRefused]);

    // Nothing new: the next tick emits nothing and nothing is delivered.
    w.sb.clock.set(at(11));
    const quiet = await w.changes.step();
    expect(quiet.tick.emitted).toEqual([]);
    expect(quiet.drain.deliveries).toEqual([]);

    // The 5-minute run sees the same fault and stays silent about it.
    await w.sb.firer.advanceTo(at(15));
    const fleet = await runHealthcheck(w.deps, w.options(at(15)));
    expect(fleet.report.findings.some((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND' && f.schedule?.name === 'ops-pipeline-rss-ingest')).toBe(true);
    expect(fleet.alert).toMatchObject({ status: 'decided', sent: false });
    expect(await emails(w.sb)).toEqual([]);
  });
});

describe('a bad UpdateSchedule, with auto-fix', () => {
  it('is repaired before the next fire (0 missed runs), and the check its own write triggers is silent', async () => {
    const w = await world(true);
    w.sb.clock.set(at(10, 5));
    // The market-critical 1-minute dispatcher: its next fire is 14:41.
    await repoint(w.sb, 'ops-pipeline-market', 'ops-pipeline-dispatcher', 'ops-pipeline');

    w.sb.clock.set(at(10, 30));
    const { drain } = await w.changes.step();

    const result = ran(drain.deliveries[0]?.result);
    expect(result.autoFix).toMatchObject({ status: 'applied', healed: 1 });
    const repaired = await w.sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: 'ops-pipeline-market', Name: 'ops-pipeline-dispatcher' }));
    expect(repaired.Target?.Arn).toBe(w.sb.seed.clusters['ops-pipeline-cluster']);
    expect((await emails(w.sb)).map((e) => e.subject)).toEqual(['[AUTO-FIXED] 1 schedule repointed to cluster ops-pipeline-cluster']);

    // The next fire runs on the right cluster: nothing was missed.
    const advance = await w.sb.firer.advanceTo(at(11));
    expect(advance.errorsByCode.ClusterNotFoundException ?? 0).toBe(0);
    const since = w.sb.firer.invocations({ name: 'ops-pipeline-dispatcher' }).filter((i) => i.scheduledTime.getTime() > at(10).getTime());
    expect(since.map((i) => [i.scheduledTime.toISOString(), i.outcome, i.targetArn])).toEqual([['2026-11-23T14:41:00.000Z', 'succeeded', w.sb.seed.clusters['ops-pipeline-cluster']]]);

    // Auto-fix's own UpdateSchedule is a change too: checked, found healthy, nothing written or sent.
    const echo = await w.changes.step();
    expect(echo.tick.emitted).toEqual([{ eventName: 'UpdateSchedule', resource: 'ops-pipeline-market/ops-pipeline-dispatcher' }]);
    const echoed = ran(echo.drain.deliveries[0]?.result);
    expect(echoed.autoFix).toEqual({ status: 'nothing-to-fix' });
    expect(echoed.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(echoed.alert).toMatchObject({ sent: false });
    expect(await emails(w.sb)).toEqual([]);
    // And that is the end of it: no further event.
    expect((await w.changes.step()).tick.emitted).toEqual([]);
  });
});

describe('a deploy that repoints all 12 ECS schedules to a missing cluster at one instant', () => {
  async function burst(w: World): Promise<string[]> {
    const schedules = await ecsSchedules(w.sb);
    expect(schedules).toHaveLength(12);
    w.sb.clock.set(at(10, 5));
    for (const s of schedules) await repoint(w.sb, s.group, s.name, 'ops-pipeline');
    w.sb.clock.set(at(10, 30));
    return schedules.map((s) => `${s.group}/${s.name}`).sort();
  }

  it('without auto-fix: one tick, ONE scoped run, exactly one alert email naming all 12', async () => {
    const w = await world(false);
    const ids = await burst(w);

    const { tick, drain } = await w.changes.step();

    expect(tick.emitted).toHaveLength(12);
    expect(drain).toMatchObject({ handled: 12, failed: 0 });
    expect(drain.deliveries).toHaveLength(1);
    expect(drain.deliveries[0]?.messageIds).toHaveLength(12);
    const result = ran(drain.deliveries[0]?.result);
    expect(result.change?.checked).toEqual(ids);
    expect(result.change?.causes).toHaveLength(12);
    expect(result.report.findings.filter((f) => f.code === 'TARGET_CLUSTER_NOT_FOUND').map((f) => `${f.schedule?.group}/${f.schedule?.name}`).sort()).toEqual(ids);
    expect(result.alert).toMatchObject({ status: 'decided', sent: true, kind: 'alert' });
    const sent = await emails(w.sb);
    expect(sent.map((e) => e.subject)).toEqual(['[CRITICAL] 12 schedules target missing cluster ops-pipeline']);
    for (const id of ids) expect(sent[0]?.body, id).toContain(id);
    expect(sent[0]?.body).toContain(`Checked because of UpdateSchedule by ${sandboxActor(w.sb.seed.account)} at 2026-11-23T14:40:30Z and 11 more changes (UpdateSchedule ×12).`);
    expect(w.sink.data.filter((d) => d.name === HealthMetric.ChangeChecks).map((d) => d.value)).toEqual([1]);

    // Nothing new: the next tick emits nothing, and nothing more is sent.
    w.sb.clock.set(at(11));
    const quiet = await w.changes.step();
    expect(quiet.drain.deliveries).toEqual([]);
    expect(await emails(w.sb)).toEqual([]);
  });

  it('with auto-fix: one run repairs all 12, exactly one [AUTO-FIXED] email, and the run its 12 writes trigger is silent', async () => {
    const w = await world(true);
    const ids = await burst(w);

    const { drain } = await w.changes.step();

    expect(drain.deliveries).toHaveLength(1);
    const result = ran(drain.deliveries[0]?.result);
    expect(result.autoFix).toMatchObject({ status: 'applied', healed: 12 });
    expect((await emails(w.sb)).map((e) => e.subject)).toEqual(['[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster']);
    const after = await ecsSchedules(w.sb);
    expect(after).toHaveLength(12);
    for (const s of after) {
      const repaired = await w.sb.clients.scheduler.send(new GetScheduleCommand({ GroupName: s.group, Name: s.name }));
      expect(repaired.Target?.Arn, `${s.group}/${s.name}`).toBe(w.sb.seed.clusters['ops-pipeline-cluster']);
    }

    // Auto-fix's 12 UpdateSchedule calls are one burst too: one batch, one run, healthy, silent.
    await w.sb.firer.advanceTo(at(11));
    const echo = await w.changes.step();
    expect(echo.tick.emitted).toHaveLength(12);
    expect(echo.drain.deliveries).toHaveLength(1);
    const echoed = ran(echo.drain.deliveries[0]?.result);
    expect(echoed.change?.checked).toEqual(ids);
    expect(echoed.autoFix).toEqual({ status: 'nothing-to-fix' });
    expect(echoed.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(echoed.alert).toMatchObject({ sent: false });
    expect(await emails(w.sb)).toEqual([]);
    expect((await w.changes.step()).tick.emitted).toEqual([]);
  });
});
