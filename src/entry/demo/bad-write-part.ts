/**
 * Part 3 of the demo: catch the bad write, not the missed run. The healthy system trades from 09:30
 * New York; at a random second between two fires a "deploy" writes the missing cluster
 * `ops-pipeline` into all 12 ECS schedules (GetSchedule, then UpdateSchedule with every other field
 * kept). Everything AWS would do runs on the sandbox's virtual clock (sandbox-loop.ts): the change
 * detector stands in for CloudTrail and looks every second, the scoped healthcheck runs on what it
 * reports, Scheduler fires, dead letters go to their consumer, and the 5-minute healthcheck runs too,
 * all sharing one alert state so nobody is emailed twice.
 *
 * With auto-fix the write is repaired before the next fire (0 missed runs); without, the email goes
 * out within seconds of the write, before the next fire, and the runs that follow fail until someone
 * repairs it (that part is parts 1 and 2).
 */
import { join } from 'node:path';
import { FileAlertStateStore } from '../../alerts/index.ts';
import { createHealthcheckDeps } from '../wiring/healthcheck-aws.ts';
import { startSandboxChangeChecks } from '../sandbox/change-checks.ts';
import { createSandboxLoop, type LoopEvent } from '../sandbox/sandbox-loop.ts';
import type { TriggeredRun } from '../../healthcheck/change-trigger.ts';
import { handleDeadLetters } from '../../healthcheck/dead-letter-alerts.ts';
import { healthcheckRunId } from '../../healthcheck/invocation.ts';
import { silentLog, recordingSink } from '../../healthcheck/ports.ts';
import { HEALTHCHECK_DEFAULTS, runHealthcheck, type HealthcheckOptions, type HealthcheckResult } from '../../healthcheck/run-healthcheck.ts';
import { nyse } from '../../market/index.ts';
import { createFileAuditLog } from '../../remediate/audit-log.ts';
import { createFileBackupStore } from '../../remediate/backup.ts';
import { DEFAULT_MAX_CHANGES } from '../../remediate/change-limit.ts';
import { readInbox, type ReceivedEmail } from '../../sandbox/aws/inbox.ts';
import { repointSchedules } from '../../sandbox/aws/deploy-write.ts';
import { createDeadLetterQueuePort } from '../../sandbox/aws/dead-letter-queue-api.ts';
import { createDeadLetterConsumer } from '../../sandbox/dead-letter-consumer.ts';
import { formatClock } from '../../time-format.ts';
import { indent } from './narration.ts';
import { seedDemo, type DemoSandbox } from './demo-sandbox.ts';

export type BadWriteMode = 'auto-fix' | 'alert-only';

const SCENARIO = 'healthy';
const WRONG_CLUSTER = 'ops-pipeline';
/** The sandbox's CloudTrail looks every second: the detection delay the demo shows. */
const TICK_MS = 1_000;
const FLEET_EVERY_MS = 5 * 60_000;
/** The deploy lands in this minute after the open (a random second of it), after one healthy 5-minute run. */
const WRITE_MINUTE = 7;
/** The 5-minute run after the write: it sees the same fault (alert only) and must stay silent. */
const END_MINUTE = 10;

export interface BadWriteTimeline {
  write: Date;
  /** The first change-driven run that found the bad write. */
  detection?: Date;
  /** The first email after the write (alert or auto-fixed). */
  firstEmail?: Date;
  repair?: Date;
  /** The first invocation of one of the written schedules after the write. */
  nextFire?: Date;
  /** The first task one of them started after the write. */
  firstTaskAfterWrite?: Date;
}

export interface BadWriteResult {
  mode: BadWriteMode;
  day: string;
  schedules: number;
  timeline: BadWriteTimeline;
  /** Invocations of the written schedules after the write that did not start their task. */
  missedRuns: number;
  emails: (ReceivedEmail & { at: Date })[];
  changeRuns: number;
  fleetRuns: number;
  /** What this part promises: auto-fix → repaired before the next fire, 0 missed; alert-only → emailed before the next fire. Exactly one email either way. */
  ok: boolean;
  verdict: string;
}

export interface BadWriteIO {
  print: (text: string) => void;
  workDir: string;
  /** In [0, 1): picks the second of the write. */
  random: () => number;
}

export async function replayBadWrite(sandbox: DemoSandbox, mode: BadWriteMode, io: BadWriteIO): Promise<BadWriteResult> {
  const { day } = sandbox;
  const open = day.open;
  const { scenario, clients, clock, seed, topic, firer } = await seedDemo(sandbox, SCENARIO);

  // One alert state for the change-driven runs, the 5-minute runs and the dead-letter consumer, as the
  // deployed Lambdas share one DynamoDB item.
  const store = new FileAlertStateStore(join(io.workDir, `bad-write-${mode}-alert-state.json`));
  const autoFix = mode === 'auto-fix';
  const deps = createHealthcheckDeps(clients, {
    metrics: recordingSink(),
    log: silentLog,
    ledgerTable: scenario.runLedgerTable,
    alerts: { store, topicArn: topic.arn },
    ...(autoFix ? { remediation: { backups: createFileBackupStore(join(io.workDir, `bad-write-backups`)), audit: createFileAuditLog(join(io.workDir, 'bad-write-audit.jsonl')) } } : {}),
  });
  const alertSettings = { minSeverity: HEALTHCHECK_DEFAULTS.alertMinSeverity, reminderHours: HEALTHCHECK_DEFAULTS.reminderHours };
  const options = (now: Date): HealthcheckOptions => ({
    runId: healthcheckRunId(now),
    now,
    clock: () => clock.now(),
    region: scenario.region,
    calendar: nyse,
    marketCriticalPatterns: [],
    notify: true,
    alert: alertSettings,
    autoFix,
    maxChanges: DEFAULT_MAX_CHANGES,
  });
  // The schedules' dead-letter queues, as the deployed consumer's event source mappings read them.
  const deadLetterQueues = [...new Set(scenario.schedules.map((s) => s.deadLetterQueue).filter((q): q is string => q !== undefined))].map((name) => seed.queues[name]!.url);
  const deadLetters = createDeadLetterConsumer({
    port: createDeadLetterQueuePort(clients.sqs),
    queueUrls: deadLetterQueues,
    region: scenario.region,
    handler: (event) => handleDeadLetters({ alerts: { store, notifier: deps.alerts!.notifier! }, metrics: recordingSink(), log: silentLog, calendar: nyse }, event.Records, { now: clock.now(), region: scenario.region, ...alertSettings }),
  });

  const ecsNames = new Set(scenario.schedules.filter((s) => s.target.kind === 'ecs').map((s) => s.name));
  const ecsSchedules = seed.schedules.filter((s) => ecsNames.has(s.name));
  const written = new Set(ecsSchedules.map((s) => `${s.group}/${s.name}`));
  const result: BadWriteResult = { mode, day: day.date, schedules: ecsSchedules.length, timeline: { write: open }, missedRuns: 0, emails: [], changeRuns: 0, fleetRuns: 0, ok: false, verdict: '' };
  const et = (at: Date) => `${formatClock(at, 'America/New_York', { seconds: true })} ET`;
  let writeDone = false;

  const onEvent = async (event: LoopEvent<HealthcheckResult>): Promise<void> => {
    switch (event.kind) {
      case 'change': {
        for (const delivery of event.drain.deliveries) {
          const run = delivery.result as TriggeredRun | undefined;
          if (run?.status !== 'ran') continue;
          result.changeRuns++;
          const r = run.result;
          const checked = r.change?.checked.length ?? 0;
          const unhealthy = (r.reportBeforeFix ?? r.report).summary.unhealthySchedules;
          if (writeDone && unhealthy > 0) result.timeline.detection ??= event.at;
          const healed = r.autoFix.status === 'applied' ? r.autoFix.healed : 0;
          if (healed > 0) result.timeline.repair ??= event.at;
          io.print(`${et(event.at)} CloudTrail: ${event.tick.emitted.length} change event(s) → the healthcheck checks ${checked} schedule(s): ${unhealthy} unhealthy${healed > 0 ? ` → auto-fix repointed ${healed}` : ''}`);
        }
        break;
      }
      case 'fired': {
        const mine = firer.invocations({ targetKind: 'ecs' }).filter((i) => i.invokeAt.getTime() === event.at.getTime() && written.has(`${i.group}/${i.name}`));
        if (!writeDone || mine.length === 0) break;
        result.timeline.nextFire ??= event.at;
        const started = mine.filter((i) => i.taskArns.length > 0);
        const missed = mine.length - started.length;
        result.missedRuns += missed;
        if (started.length > 0) result.timeline.firstTaskAfterWrite ??= event.at;
        if (result.timeline.nextFire.getTime() === event.at.getTime() || missed > 0) {
          io.print(`${et(event.at)} Scheduler fires ${mine.length}: ${started.length} task(s) started${missed > 0 ? `, ${missed} failed (${Object.keys(event.summary.errorsByCode).join(', ')})` : ''}`);
        }
        break;
      }
      case 'dead-letters':
        io.print(`${et(event.at)} dead-letter consumer: ${event.drain.received} failed invocation(s) read, ${event.drain.deleted} recorded`);
        break;
      case 'fleet': {
        result.fleetRuns++;
        const r = event.result;
        const alert = r.alert.status === 'decided' ? (r.alert.sent ? `${r.alert.kind} email sent` : `no email: ${r.alert.reason.split('; ')[0]}`) : r.alert.status;
        io.print(`${et(event.at)} 5-minute healthcheck: ${r.report.summary.unhealthySchedules} unhealthy · ${alert}`);
        break;
      }
    }
    for (const email of await readInbox(clients.sqs, topic.captureQueueUrl)) {
      result.emails.push({ ...email, at: event.at });
      if (writeDone) result.timeline.firstEmail ??= event.at;
      io.print(indent(`✉  Subject: ${email.subject}\n\n${email.body.split('\n').slice(0, 14).join('\n')}\n…`));
    }
  };

  io.print(`\n━━ Part 3${autoFix ? 'a' : 'b'}: a bad deploy, caught at the write (${autoFix ? 'change-driven check with auto-fix' : 'change-driven check, alert only'}) ━━`);
  io.print(`${et(open)} the market opens; ${ecsSchedules.length} ECS schedules run on cluster/ops-pipeline-cluster.`);
  // The quiet first minutes in one step; from the first 5-minute run on, everything ticks every second.
  const watchFrom = new Date(open.getTime() + FLEET_EVERY_MS);
  await firer.advanceTo(watchFrom);
  await onEvent({ kind: 'fleet', at: watchFrom, result: await runHealthcheck(deps, options(watchFrom)) });
  const changes = await startSandboxChangeChecks({ clients, clock, account: seed.account, region: scenario.region, healthcheck: deps, options });
  io.print(`${et(watchFrom)} the sandbox's CloudTrail stand-in starts watching: every second it compares each schedule's LastModificationDate, the clusters and the task definitions with the second before.`);
  const loop = createSandboxLoop<HealthcheckResult>({ clock, firer, changes, deadLetters, fleet: { everyMs: FLEET_EVERY_MS, run: (now) => runHealthcheck(deps, options(now)) }, tickMs: TICK_MS, onEvent });
  const write = new Date(open.getTime() + WRITE_MINUTE * 60_000 + (1 + Math.floor(io.random() * 59)) * 1_000);
  result.timeline.write = write;
  await loop.runUntil(write);
  io.print(`${et(write)} a deploy writes cluster/${WRONG_CLUSTER} (which does not exist) into ${ecsSchedules.length} schedules, keeping every other field`);
  await repointSchedules(clients.scheduler, ecsSchedules, `arn:aws:ecs:${scenario.region}:${seed.account}:cluster/${WRONG_CLUSTER}`);
  writeDone = true;
  await loop.runUntil(new Date(open.getTime() + END_MINUTE * 60_000));

  judge(result);
  for (const line of badWriteTimeline(result, et)) io.print(line);
  return result;
}

function judge(result: BadWriteResult): void {
  const t = result.timeline;
  const afterWrite = result.emails.filter((e) => e.at.getTime() >= t.write.getTime());
  const oneEmail = afterWrite.length === 1;
  const beforeNextFire = (at: Date | undefined) => at !== undefined && t.nextFire !== undefined && at.getTime() <= t.nextFire.getTime();
  if (result.mode === 'auto-fix') {
    result.ok = result.missedRuns === 0 && beforeNextFire(t.repair) && t.firstTaskAfterWrite !== undefined && oneEmail;
    result.verdict = result.ok
      ? `the bad write was repaired ${seconds(t.write, t.repair)} after it, before the next fire: 0 missed runs, one email`
      : `the bad write was not repaired before the next fire with one email (missed runs: ${result.missedRuns}, emails: ${afterWrite.length})`;
  } else {
    const within = t.firstEmail !== undefined && t.firstEmail.getTime() - t.write.getTime() <= 60_000;
    result.ok = within && beforeNextFire(t.firstEmail) && oneEmail;
    result.verdict = result.ok
      ? `the bad write was emailed ${seconds(t.write, t.firstEmail)} after it, before the next fire, and only once (the 5-minute runs and the dead letters that followed stayed silent)`
      : `the bad write was not emailed once within 60 s and before the next fire (emails: ${afterWrite.length})`;
  }
}

function badWriteTimeline(result: BadWriteResult, et: (at: Date) => string): string[] {
  const t = result.timeline;
  const row = (label: string, at: Date | undefined, note = '') => `  ${label.padEnd(22)} ${at ? et(at) : '—'}${note}`;
  return [
    '',
    'Timeline',
    row('bad write', t.write),
    row('detected', t.detection, t.detection ? `  (${seconds(t.write, t.detection)} after the write)` : ''),
    row('first email', t.firstEmail, result.emails[0] ? `  ${/^\[[^\]]+\]/.exec(result.emails[0].subject)?.[0] ?? ''}` : ''),
    row('repaired', t.repair, result.mode === 'alert-only' ? '  (alert only: an engineer runs ops check-schedulers --fix, as in part 1)' : ''),
    row('next fire', t.nextFire, t.firstTaskAfterWrite && t.nextFire && t.firstTaskAfterWrite.getTime() === t.nextFire.getTime() ? '  started its task' : ''),
    `  missed runs after the write: ${result.missedRuns} · emails: ${result.emails.length} · change-driven runs: ${result.changeRuns} · 5-minute runs: ${result.fleetRuns}`,
  ];
}

function seconds(from: Date, to: Date | undefined): string {
  return to === undefined ? '—' : `${Math.round((to.getTime() - from.getTime()) / 1000)} s`;
}
