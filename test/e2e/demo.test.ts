/**
 * `npm run demo`'s replay, on the shared sandbox: both parts end healthy, with the timeline the README
 * promises (detected at the first healthcheck after the first missed fire, one alert, one recovery).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsAgainst } from '../../src/cli/commands/demo.ts';
import { replayIncident, DEMO_OPEN } from '../../src/demo/incident-replay.ts';
import type { CliContext } from '../../src/cli/context.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const at = (minutes: number) => new Date(DEMO_OPEN.getTime() + minutes * 60_000);
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ops-demo-test-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function replay(mode: 'manual-fix' | 'auto-fix') {
  const printed: string[] = [];
  // The demo replaces the streams, env and clock of each command it runs; the rest is inherited.
  const parent: CliContext = {
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
    now: () => DEMO_OPEN,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    cwd: workDir,
    confirm: () => Promise.resolve(false),
    interrupted: () => new Promise<string>(() => undefined),
  };
  const result = await replayIncident(motoEndpoint(), mode, { ops: opsAgainst(motoEndpoint(), parent), print: (t) => printed.push(t), workDir });
  return { result, printed: printed.join('\n') };
}

describe('the incident demo', () => {
  it('part 1: detected at 09:35, one alert, repaired by --fix at 09:40, tasks start, recovery email', async () => {
    const { result, printed } = await replay('manual-fix');
    // The first failed invocation is in the opening minute (a flexible window moves it by seconds).
    expect(result.timeline.firstMissedRun!.getTime() - at(0).getTime()).toBeLessThan(60_000);
    expect(result.timeline).toEqual({
      firstMissedRun: expect.any(Date) as unknown,
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
  });

  it('part 2: the healthcheck heals it by itself at 09:35 and says so in one email', async () => {
    const { result } = await replay('auto-fix');
    expect(result.timeline.firstMissedRun!.getTime() - at(0).getTime()).toBeLessThan(60_000);
    expect(result.timeline).toMatchObject({ detection: at(5), repair: at(5), alert: at(5) });
    // Healed before any alert went out: one email saying what was repointed, and no recovery owed.
    expect(result.emails.map((e) => e.subject)).toEqual(['[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster']);
    expect(result.timeline.recovery).toBeUndefined();
    expect(result.timeline.firstTaskStarted!.getTime()).toBeGreaterThanOrEqual(at(5).getTime());
    expect(result.healthchecks.slice(1).map((h) => h.unhealthy)).toEqual([0, 0, 0]);
  });
});
