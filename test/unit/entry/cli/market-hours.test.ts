import { describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

describe('ops market-hours', () => {
  it('says OPEN with the close time and time left', async () => {
    const run = await runCli(['market-hours', '--at', '2026-11-23T18:50:00Z']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('OPEN · closes 16:00 ET (in 2h 10m)\n');
    expect(run.stderr).toBe('');
  });

  it('names the holiday and the early close of the next session', async () => {
    const run = await runCli(['market-hours', '--at', '2026-11-26T17:00:00Z']);
    expect(run.stdout).toBe('CLOSED (Thanksgiving Day) · opens Fri 2026-11-27 09:30 ET (in 21h 30m) · early close 13:00 ET\n');
  });

  it('says before open on a trading morning', async () => {
    const run = await runCli(['market-hours', '--at', '2026-11-23T13:00:00Z']);
    expect(run.stdout).toBe('CLOSED (before open) · opens Mon 2026-11-23 09:30 ET (in 1h 30m)\n');
  });

  it('uses the injected clock when --at is absent', async () => {
    const run = await runCli(['market-hours'], { now: () => new Date('2026-11-28T15:00:00Z') });
    expect(run.stdout).toBe('CLOSED (weekend) · opens Mon 2026-11-30 09:30 ET (in 1d 23h)\n');
  });

  it('prints one JSON document with --json', async () => {
    const run = await runCli(['market-hours', '--at', '2026-11-27T17:00:00Z', '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.json()).toEqual({
      market: 'NYSE',
      timezone: 'America/New_York',
      at: '2026-11-27T17:00:00.000Z',
      open: true,
      session: { date: '2026-11-27', open: true, openAt: '2026-11-27T14:30:00.000Z', closeAt: '2026-11-27T18:00:00.000Z', earlyClose: true },
      closesAt: '2026-11-27T18:00:00.000Z',
      minutesUntilClose: 60,
    });
  });

  it('rejects an instant without an offset with exit 2 and a hint, also as JSON', async () => {
    const text = await runCli(['market-hours', '--at', '2026-11-23 10:00']);
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain('--at "2026-11-23 10:00" is not an ISO-8601 instant with a UTC offset.');
    expect(text.stderr).toContain('hint: Write it like 2026-11-23T14:30:00Z');
    const json = await runCli(['market-hours', '--at', 'yesterday', '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { kind: 'user', code: 'INVALID_INSTANT' } });
  });

  it('rejects years the calendar does not cover', async () => {
    const run = await runCli(['market-hours', '--at', '2150-01-05T15:00:00Z', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_YEAR' } });
  });
});

describe('ops (shell)', () => {
  it('exits 2 on an unknown option, with one JSON document under --json', async () => {
    const run = await runCli(['market-hours', '--bogus', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { kind: 'usage', message: 'Unknown argument: bogus' } });
  });

  it('exits 2 without a command', async () => {
    const run = await runCli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Name a command');
  });

  it('prints help on stdout with exit 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('ops market-hours');
    expect(run.stdout).toContain('ops schedule');
  });
});
