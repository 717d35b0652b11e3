import { describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

describe('ops schedule explain', () => {
  it('lists the next fire times in the schedule timezone and in UTC', async () => {
    const run = await runCli(['schedule', 'explain', 'cron(0/5 9-16 ? * MON-FRI *)', '--tz', 'America/New_York', '--from', '2026-11-23T14:00:00Z', '--count', '3']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      [
        'cron(0/5 9-16 ? * MON-FRI *) — valid: cron at minute 0/5, hours 9-16, MON-FRI',
        'timezone America/New_York; next 3 fire time(s) after 2026-11-23T14:00:00.000Z:',
        '  Mon 2026-11-23 09:05 -05:00   2026-11-23T14:05:00.000Z',
        '  Mon 2026-11-23 09:10 -05:00   2026-11-23T14:10:00.000Z',
        '  Mon 2026-11-23 09:15 -05:00   2026-11-23T14:15:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('skips the wall time that does not exist on spring-forward day', async () => {
    const run = await runCli(['schedule', 'explain', 'cron(30 2 * * ? *)', '--tz', 'America/New_York', '--from', '2026-03-07T00:00:00Z', '--count', '2', '--json']);
    const doc = run.json() as { nextFireTimes: { utc: string }[] };
    expect(doc.nextFireTimes.map((f) => f.utc)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
  });

  it('anchors rate() at --start-date when given', async () => {
    const run = await runCli(['schedule', 'explain', 'rate(6 hours)', '--start-date', '2026-11-23T01:00:00Z', '--from', '2026-11-23T14:00:00Z', '--count', '2', '--json']);
    const doc = run.json() as { nextFireTimes: { utc: string }[]; anchorNote?: string };
    expect(doc.nextFireTimes.map((f) => f.utc)).toEqual(['2026-11-23T19:00:00.000Z', '2026-11-24T01:00:00.000Z']);
    expect(doc.anchorNote).toBeUndefined();
  });

  it('names the wrong field and exits 2', async () => {
    const run = await runCli(['schedule', 'explain', 'cron(0 24 ? * MON-FRI *)']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: cron field 2 (hours): 24 is out of range 0-23');
    const json = await runCli(['schedule', 'explain', 'cron(0 9 * * MON *)', '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'INVALID_EXPRESSION', details: { field: 3, fieldName: 'day-of-month' } } });
  });

  it('rejects an unknown timezone and a bad count with exit 2', async () => {
    const tz = await runCli(['schedule', 'explain', 'rate(1 hour)', '--tz', 'Mars/Olympus', '--json']);
    expect(tz.exitCode).toBe(2);
    expect(tz.json()).toMatchObject({ error: { code: 'INVALID_TIMEZONE' } });
    const count = await runCli(['schedule', 'explain', 'rate(1 hour)', '--count', '0', '--json']);
    expect(count.exitCode).toBe(2);
    expect(count.json()).toMatchObject({ error: { code: 'INVALID_COUNT' } });
  });

  it('says when an expression never fires again', async () => {
    const run = await runCli(['schedule', 'explain', 'at(2026-01-29T16:36:00)', '--from', '2026-11-23T14:00:00Z']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('(none: the expression never fires in its window)');
  });

  it.each(['rate(99999999999 minutes)', 'rate(100000000 days)'])('rejects %s, a period too long to evaluate, as bad input (exit 2), not a fault', async (expression) => {
    const text = await runCli(['schedule', 'explain', expression]);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain('rate(1000000 days)');
    expect(text.stderr).not.toContain('This is a bug');
    const json = await runCli(['schedule', 'explain', expression, '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.json()).toMatchObject({ ok: false, error: { kind: 'user', code: 'INVALID_EXPRESSION' } });
  });

  it('lists no fire time past the end of the Date range instead of crashing', async () => {
    const run = await runCli(['schedule', 'explain', 'rate(1 minute)', '--from', '+275760-09-13T00:00:00Z', '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ nextFireTimes: [], warnings: [{ code: 'NO_FIRE_LEFT' }] });
  });

  it('rejects a huge cron year and a huge --count with exit 2', async () => {
    const year = await runCli(['schedule', 'explain', 'cron(0 0 * * ? 99999999999999999999999)']);
    expect(year.exitCode).toBe(2);
    expect(year.stderr).toContain('error: cron field 6 (year): 99999999999999999999999 is out of range 1970-2199');
    const count = await runCli(['schedule', 'explain', 'rate(1 hour)', '--count', '1e21', '--json']);
    expect(count.exitCode).toBe(2);
    expect(count.json()).toMatchObject({ error: { code: 'INVALID_COUNT' } });
  });

  it('accepts a cron for a day its month never has, with a warning (exit 0)', async () => {
    const text = await runCli(['schedule', 'explain', 'cron(0 0 31 2 ? *)']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      'cron(0 0 31 2 ? *) — valid: cron at minute 0, hours 0, day 31, month 2',
      'warning: never fires: February has no day 31',
    ]);
    const json = await runCli(['schedule', 'explain', 'cron(0 0 31 2 ? *)', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.json()).toMatchObject({ valid: true, nextFireTimes: [], warnings: [{ code: 'NEVER_FIRES', message: 'never fires: February has no day 31' }] });
  });

  it('says an at() in the past fired once and never fires again', async () => {
    const now = new Date('2026-11-23T15:00:00Z');
    const run = await runCli(['schedule', 'explain', 'at(2001-01-01T00:00:00)', '--json'], { now: () => now });
    expect(run.exitCode).toBe(0);
    expect((run.json() as { warnings: unknown }).warnings).toEqual([
      {
        code: 'NO_FIRE_LEFT',
        message: `at(2001-01-01T00:00:00) is in the past: it fired once, at 2001-01-01T00:00:00.000Z, and never fires again after ${now.toISOString()}`,
        lastFireTime: '2001-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('warns that a --start-date after --end-date leaves an empty window', async () => {
    const now = new Date('2026-11-23T15:00:00Z');
    const start = new Date(now.getTime() + 10 * 86_400_000).toISOString();
    const end = new Date(now.getTime() + 86_400_000).toISOString();
    const args = ['schedule', 'explain', 'rate(5 minutes)', '--start-date', start, '--end-date', end];
    const message = `the start date ${start} is after the end date ${end}: the window is empty, so it never fires`;
    const text = await runCli(args, { now: () => now });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`\nwarning: ${message}\n`);
    const json = await runCli([...args, '--json'], { now: () => now });
    expect((json.json() as { warnings: unknown }).warnings).toEqual([{ code: 'EMPTY_WINDOW', message }]);
  });

  it('has an empty warnings array when the expression fires', async () => {
    const run = await runCli(['schedule', 'explain', 'rate(6 hours)', '--count', '1', '--json']);
    expect(run.json()).toMatchObject({ warnings: [], nextFireTimes: [{}] });
  });

  it.each([
    ['an invalid expression', ['x'.repeat(100_000)]],
    ['an invalid cron field', [`cron(0 0 * * ? ${'1'.repeat(100_000)})`]],
    ['an unknown timezone', ['rate(1 hour)', '--tz', 'X'.repeat(100_000)]],
  ])('cuts %s of 100,000 characters in the error it prints', async (_what, input) => {
    const text = await runCli(['schedule', 'explain', ...input]);
    expect(text.exitCode).toBe(2);
    expect(text.stderr.length).toBeLessThan(1_000);
    expect(text.stderr).toContain('(100,000 characters)');
    const json = await runCli(['schedule', 'explain', ...input, '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.stdout.length).toBeLessThan(2_000);
  });

  it('cuts a valid 100,000-character cron in the text it prints', async () => {
    const minutes = Array.from({ length: 50_000 }, () => '0').join(',');
    const run = await runCli(['schedule', 'explain', `cron(${minutes} 0 * * ? *)`, '--count', '1']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.length).toBeLessThan(1_000);
    expect(run.stdout).toContain('(100,015 characters)');
  });
});
