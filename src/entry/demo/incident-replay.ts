/**
 * The 2026-01-29 incident, replayed on the sandbox from 09:30 New York on a replay day (by default the
 * next regular NYSE session, see replay-day.ts) with a virtual clock that moto follows: no task starts, the healthcheck runs every 5 virtual minutes and emails once,
 * the schedules are repaired (by an engineer running `ops check-schedulers --fix`, or by the
 * healthcheck's auto-fix), tasks start, and the recovery email follows. Everything goes through the
 * real `ops` commands and the AWS APIs of the sandbox; the caller hands in how to run a command.
 */
import { join } from 'node:path';
import { readInbox, type ReceivedEmail } from '../../sandbox/aws/inbox.ts';
import { ReplayDayKind } from '../../sandbox/replay-day.ts';
import { seedDemo, type DemoSandbox } from './demo-sandbox.ts';
import type { Firer } from '../../sandbox/firer.ts';
import { formatClock } from '../../time-format.ts';
import { indent, narrateHealthcheck, timelineLines, type HealthcheckDoc, type TimelinePoints } from './narration.ts';

export const DEMO_SCENARIO = 'incident-2026-01-29';
const HEALTHCHECK_EVERY_MINUTES = 5;

export type DemoMode = 'manual-fix' | 'auto-fix';

export interface OpsRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type { DemoSandbox } from './demo-sandbox.ts';

export interface DemoIO {
  /** Runs `ops <argv>` against the sandbox as of the virtual instant `at`. */
  ops: (argv: string[], at: Date) => Promise<OpsRun>;
  print: (text: string) => void;
  /** A scratch directory for alert state, backups and the audit log. */
  workDir: string;
}

export type DemoTimeline = TimelinePoints;

export interface DemoResult {
  mode: DemoMode;
  day: string;
  timeline: DemoTimeline;
  emails: (ReceivedEmail & { at: Date })[];
  healthchecks: { at: Date; exitCode: number; unhealthy: number; alert: string }[];
}

export async function replayIncident(sandbox: DemoSandbox, mode: DemoMode, io: DemoIO): Promise<DemoResult> {
  const { day } = sandbox;
  const open = day.open;
  // Seeded a minute before the open: the firer performs, and fails, the 09:30 runs.
  const { clients, topic, firer } = await seedDemo(sandbox, DEMO_SCENARIO);

  const result: DemoResult = { mode, day: day.date, timeline: {}, emails: [], healthchecks: [] };
  const files = {
    alertState: join(io.workDir, `${mode}-alert-state.json`),
    backups: join(io.workDir, `${mode}-backups`),
    audit: join(io.workDir, `${mode}-audit.jsonl`),
  };
  const et = (at: Date) => `${formatClock(at, 'America/New_York')} ET`;
  const minute = (m: number) => new Date(open.getTime() + m * 60_000);

  io.print(`\n━━ ${mode === 'manual-fix' ? 'Part 1: an engineer repairs it' : 'Part 2: the healthcheck repairs it (--auto-fix)'} ━━`);
  const opening = day.kind === ReplayDayKind.closed ? 'the market stays closed today, but the 24x7 jobs run' : 'the market opens';
  io.print(`${et(open)} ${opening}; 12 ECS schedules point at cluster/ops-pipeline, which does not exist.`);

  const healthcheck = async (at: Date): Promise<void> => {
    await advance(firer, at, result);
    const argv = ['healthcheck', '--json', '--notify', '--topic-arn', topic.arn, '--alert-state', files.alertState, '--at', at.toISOString()];
    if (mode === 'auto-fix') argv.push('--auto-fix', '--backup-dir', files.backups, '--audit-log', files.audit);
    const run = await io.ops(argv, at);
    const doc = JSON.parse(run.stdout) as HealthcheckDoc;
    const healed = doc.autoFix.status === 'applied';
    const said = narrateHealthcheck(doc, run.exitCode, { repaired: healed || result.timeline.repair !== undefined });
    const { unhealthy } = said;
    result.healthchecks.push({ at, exitCode: run.exitCode, unhealthy, alert: said.emails });
    io.print(`${et(at)} healthcheck: ${said.summary}`);
    io.print(`         ${said.outcome}`);
    // Once most is healthy, say what is left rather than leave a bare count.
    const left = doc.report.findings.filter((f) => f.severity !== 'info' && f.schedule);
    if (left.length > 0 && left.length <= 3) for (const f of left) io.print(`      still ${f.severity}: ${f.schedule?.name} ${f.code}: ${f.message}`);
    if (unhealthy > 0) result.timeline.detection ??= at;
    if (healed) result.timeline.repair ??= at;
    for (const email of await readInbox(clients.sqs, topic.captureQueueUrl)) {
      result.emails.push({ ...email, at });
      if (/^\[RESOLVED\]/.test(email.subject)) result.timeline.recovery ??= at;
      else result.timeline.alert ??= at;
      io.print(indent(`✉  Subject: ${email.subject}\n\n${email.body}`));
    }
  };

  await healthcheck(minute(HEALTHCHECK_EVERY_MINUTES));
  await healthcheck(minute(2 * HEALTHCHECK_EVERY_MINUTES));

  if (mode === 'manual-fix') {
    const at = minute(2 * HEALTHCHECK_EVERY_MINUTES);
    io.print(`${et(at)} on-call runs: ops check-schedulers --fix --dry-run`);
    const dry = await io.ops(['check-schedulers', '--fix', '--dry-run', '--at', at.toISOString()], at);
    io.print(indent(fromLine(dry.stdout, 'Fix plan')));
    io.print(`${et(at)} on-call runs: ops check-schedulers --fix --yes`);
    const applied = await io.ops(['check-schedulers', '--fix', '--yes', '--backup-dir', files.backups, '--audit-log', files.audit, '--at', at.toISOString()], at);
    io.print(indent(fromLine(applied.stdout, 'Applied') || lastLines(applied.stdout, 16)));
    if (applied.exitCode === 0 || /ok/.test(applied.stdout)) result.timeline.repair ??= at;
  }

  for (let m = 3 * HEALTHCHECK_EVERY_MINUTES; m <= 4 * HEALTHCHECK_EVERY_MINUTES; m += HEALTHCHECK_EVERY_MINUTES) await healthcheck(minute(m));
  for (const line of timelineLines(result.timeline, result.emails, et)) io.print(line);
  return result;
}

/** Advances the firer and notes the first missed run and the first task after the repair. */
async function advance(firer: Firer, to: Date, result: DemoResult): Promise<void> {
  await firer.advanceTo(to);
  const ecs = firer.invocations({ targetKind: 'ecs' });
  const missed = ecs.filter((i) => i.outcome !== 'succeeded').sort((a, b) => a.invokeAt.getTime() - b.invokeAt.getTime())[0];
  if (missed) result.timeline.firstMissedRun ??= missed.invokeAt;
  const started = ecs.filter((i) => i.taskArns.length > 0).sort((a, b) => a.invokeAt.getTime() - b.invokeAt.getTime())[0];
  if (started) result.timeline.firstTaskStarted ??= started.invokeAt;
}

function fromLine(text: string, marker: string): string {
  const at = text.indexOf(marker);
  return at < 0 ? '' : text.slice(at);
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
