/**
 * `npm run demo`'s replay, on the shared sandbox: both parts end healthy, with the timeline the README
 * promises (detected at the first healthcheck after the first missed fire, one alert, one recovery).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsAgainst } from '../../src/entry/cli/commands/demo.ts';
import { inject } from 'vitest';
import { replayIncident } from '../../src/entry/demo/incident-replay.ts';
import { DEMO_MAX_ORDER_NOTIONAL, runTradingPart } from '../../src/entry/demo/trading-part.ts';
import type { CliContext } from '../../src/entry/cli/context.ts';
import { replayDay, type ReplayDay } from '../../src/sandbox/replay-day.ts';
import { motoEndpoint } from './sandbox-harness.ts';

// Any day works (moto follows the virtual clock); a fixed one keeps the pinned times reproducible.
const MONDAY = replayDay('2026-11-23');
const at = (minutes: number, day: ReplayDay = MONDAY) => new Date(day.open.getTime() + minutes * 60_000);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ops-demo-test-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

// The demo replaces the streams, env and clock of each command it runs; the rest is inherited.
function parentContext(day: ReplayDay): CliContext {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
    now: () => day.open,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    cwd: workDir,
    confirm: () => Promise.resolve(false),
    interrupted: () => new Promise<string>(() => undefined),
  };
}

async function replay(mode: 'manual-fix' | 'auto-fix', day: ReplayDay = MONDAY) {
  const printed: string[] = [];
  const parent = parentContext(day);
  const sandbox = { endpoint: motoEndpoint(), clockFile: inject('motoClockFile') || undefined, day };
  const result = await replayIncident(sandbox, mode, { ops: opsAgainst(motoEndpoint(), parent), print: (t) => printed.push(t), workDir });
  return { result, printed: printed.join('\n') };
}

/** Every email printed after a healthcheck is one that healthcheck's own line says it sent. */
function expectLinesAgreeWithEmails(result: Awaited<ReturnType<typeof replay>>['result']) {
  for (const h of result.healthchecks) {
    const tags = result.emails.filter((e) => e.at.getTime() === h.at.getTime()).map((e) => /^\[[^\]]+\]/.exec(e.subject)?.[0] ?? e.subject);
    for (const tag of tags) expect(h.alert, h.at.toISOString()).toContain(`${tag} `);
    if (tags.length === 0) expect(h.alert, h.at.toISOString()).toMatch(/^no alert email/);
  }
  // A subject that says "healthy" has nothing but info below it.
  for (const e of result.emails) if (/healthy/.test(e.subject)) expect(e.body, e.subject).not.toMatch(/\d+ (warning|critical) \(/);
}

describe('the incident demo', () => {
  it('part 1: detected at 09:35, one alert, repaired by --fix at 09:40, tasks start, recovery email', async () => {
    const { result, printed } = await replay('manual-fix');
    // The first failed invocations are the 09:30 runs: the demo seeds the broken schedules a minute before the open.
    expect(result.timeline.firstMissedRun).toEqual(at(0));
    expect(result.timeline).toEqual({
      firstMissedRun: at(0),
      detection: at(5),
      alert: at(5),
      repair: at(10),
      firstTaskStarted: expect.any(Date) as unknown,
      recovery: at(15),
    });
    expect(result.timeline.firstTaskStarted!.getTime()).toBeGreaterThanOrEqual(at(10).getTime());
    expect(result.emails.map((e) => e.subject.split(' ')[0])).toEqual(['[CRITICAL]', '[RESOLVED]']);
    expect(printed).toContain('Fix plan: 12 change(s) to Target.Arn');
    expect(printed).toContain('12 ok, 0 skipped, 0 failed');
    expectLinesAgreeWithEmails(result);
    // 09:45: the recovery goes out while the groups' TARGET_ERRORS (runs that failed before the repair)
    // are still warnings: the subject does not call that healthy, and the exit 1 says what it counts.
    const recovery = result.emails[1];
    expect(recovery?.subject).toBe('[RESOLVED] all alerting findings cleared; 2 warnings still below the alert threshold');
    expect(recovery?.body).toContain('Still reported below the alert threshold: 2 warning (TARGET_ERRORS ×2: group ops-pipeline, group ops-pipeline-market)');
    expect(printed).toContain(
      '09:45 ET healthcheck: 0 unhealthy schedules · 2 group/check findings (warning: TARGET_ERRORS ×2): invocations that failed before the repair, still in the metrics window\n' +
        '         [RESOLVED] recovery email sent · exit 1 (2 warning findings: it exits 1 on warning or worse, but only critical findings email)',
    );
    expect(result.healthchecks.map((h) => h.exitCode)).toEqual([1, 1, 1, 1]);
  });

  it('part 2: the healthcheck heals it by itself at 09:35 and says so in one email', async () => {
    const { result, printed } = await replay('auto-fix');
    expect(result.timeline.firstMissedRun).toEqual(at(0));
    expect(result.timeline).toMatchObject({ detection: at(5), repair: at(5), alert: at(5) });
    // Healed before any alert went out: one email saying what was repointed, and no recovery owed.
    expect(result.emails.map((e) => e.subject)).toEqual(['[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster']);
    expect(result.timeline.recovery).toBeUndefined();
    expect(result.timeline.firstTaskStarted!.getTime()).toBeGreaterThanOrEqual(at(5).getTime());
    expect(result.healthchecks.slice(1).map((h) => h.unhealthy)).toEqual([0, 0, 0]);
    expectLinesAgreeWithEmails(result);
    expect(result.healthchecks[0]?.alert).toBe('[AUTO-FIXED] email sent; no alert email: no findings at or above critical');
    expect(printed).toContain('recovery emailed     —  (no alert went out, so no recovery is owed: the only email was [AUTO-FIXED], sent after the repair)');
    // The [AUTO-FIXED] email says what the check still reports after the repair, as the healthcheck line does.
    expect(result.emails[0]?.body).toContain('Still reported after the repair: 2 warning (TARGET_ERRORS ×2: group ops-pipeline, group ops-pipeline-market)');
  });

  it('part 2 on an early close (Christmas Eve 2030) and on a Saturday: still detected and healed at 09:35', async () => {
    for (const date of ['2030-12-24', '2031-06-07']) {
      const day = replayDay(date);
      const { result, printed } = await replay('auto-fix', day);
      expect(result.day, date).toBe(date);
      expect(result.timeline, date).toMatchObject({ detection: at(5, day), repair: at(5, day) });
      expect(result.timeline.firstTaskStarted!.getTime(), date).toBeGreaterThanOrEqual(at(5, day).getTime());
      expect(printed, date).toContain(day.kind === 'closed' ? 'the market stays closed today' : 'the market opens');
      expectLinesAgreeWithEmails(result);
    }
  });
});

describe('the demo\'s trading part', () => {
  it('completes one workflow through every step and stops the other at portfolio, read back from DynamoDB, on a session and on a Saturday', async () => {
    for (const date of ['2026-11-23', '2031-06-07']) {
      const day = replayDay(date);
      const printed: string[] = [];
      const result = await runTradingPart({ endpoint: motoEndpoint(), day }, { ops: opsAgainst(motoEndpoint(), parentContext(day)), print: (t) => printed.push(t) });
      const text = printed.join('\n');
      expect(result.completed, date).toMatchObject({ state: 'COMPLETED', stepsDone: ['strategy', 'portfolio', 'execution'], runs: { strategy: { handled: 1 }, portfolio: { handled: 1 }, execution: { handled: 1 }, notification: { handled: 1 } } });
      expect(result.completed.ordersExecuted, date).toBe(result.completed.expectedOrders);
      expect(result.completed.ordersExecuted, date).toBeGreaterThan(0);
      expect(result.failed, date).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'RISK_MAX_ORDER_NOTIONAL' }, stepsDone: ['strategy'], ordersExecuted: 0 });
      // The gate stopped the rest: no execution ran for the failed workflow, notification ran once.
      expect(result.failed.runs, date).toEqual({ strategy: { handled: 1 }, portfolio: { failed: 1 }, notification: { handled: 1 } });
      expect(result.ok, date).toBe(true);
      expect(text, date).toContain(`--as-of ${date} --correlation-id wf-demo-${date}-risk-limit --max-order-notional ${DEMO_MAX_ORDER_NOTIONAL}`);
      expect(text, date).toContain(`wf-demo-${date}-rebalance  COMPLETED · strategy done · portfolio done · execution done`);
      expect(text, date).toContain('the gate stopped the rest: no later step ran for it (execution: 0 runs, 0 orders); notification ran once for WorkflowFailed');
      expect(text, date).toContain('moto cannot run Lambda code');
    }
  }, 120_000);
});
