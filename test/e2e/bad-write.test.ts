/**
 * Issue 15's acceptance on the sandbox, through the demo's part 3: a deploy writes a missing cluster
 * into the 12 ECS schedules at a second between two fires. With auto-fix the write is repaired before
 * the next fire (0 missed runs, one [AUTO-FIXED] email); without, the alert goes out within 60 virtual
 * seconds of the write and before the next fire, and nothing else emails about it: not the 5-minute
 * run that sees the same fault, not the dead letters of the runs that then fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replayBadWrite, type BadWriteMode } from '../../src/entry/demo/bad-write-part.ts';
import { replayDay } from '../../src/sandbox/replay-day.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const MONDAY = replayDay('2026-11-23');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ops-bad-write-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function replay(mode: BadWriteMode, random: number) {
  const printed: string[] = [];
  const result = await replayBadWrite({ endpoint: motoEndpoint(), clockFile: inject('motoClockFile') || undefined, day: MONDAY }, mode, { print: (t) => printed.push(t), workDir, random: () => random });
  return { result, printed: printed.join('\n') };
}

const seconds = (from: Date, to: Date | undefined) => (to === undefined ? Number.NaN : (to.getTime() - from.getTime()) / 1000);

describe('a bad deploy, with auto-fix', () => {
  // 0 → the write lands at second 1 of its minute; 0.999 → at second 59, one tick before the fire.
  it.each([0, 0.999])('random %s: repaired before the next fire, 0 missed runs, one email', async (random) => {
    const { result, printed } = await replay('auto-fix', random);
    const t = result.timeline;
    expect(result.schedules).toBe(12);
    expect(t.write.getUTCSeconds()).toBe(random === 0 ? 1 : 59);
    expect(seconds(t.write, t.detection)).toBe(1);
    expect(t.repair).toEqual(t.detection);
    expect(t.nextFire!.getTime()).toBeGreaterThanOrEqual(t.repair!.getTime());
    expect(t.firstTaskAfterWrite).toEqual(t.nextFire);
    expect(result.missedRuns).toBe(0);
    expect(result.emails.map((e) => e.subject)).toEqual(['[AUTO-FIXED] 12 schedules repointed to cluster ops-pipeline-cluster']);
    expect(result.emails[0]?.at).toEqual(t.repair);
    expect(result.ok).toBe(true);
    expect(printed).toContain('missed runs after the write: 0');
  });
});

describe('a bad deploy, alert only', () => {
  it('is emailed within 60 virtual seconds and before the next fire, exactly once', async () => {
    const { result } = await replay('alert-only', 0.5);
    const t = result.timeline;
    expect(seconds(t.write, t.firstEmail)).toBeLessThanOrEqual(60);
    expect(t.firstEmail!.getTime()).toBeLessThanOrEqual(t.nextFire!.getTime());
    const [email, ...more] = result.emails;
    expect(more).toEqual([]);
    expect(email?.subject).toBe('[CRITICAL] 12 schedules target missing cluster ops-pipeline');
    expect(email?.body).toContain('Checked because of UpdateSchedule');
    // The runs after the write fail (nobody repaired them), and the 5-minute run saw them: still one email.
    expect(result.missedRuns).toBeGreaterThan(0);
    expect(result.fleetRuns).toBe(2);
    expect(result.ok).toBe(true);
  });
});
