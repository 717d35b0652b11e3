import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-harness.ts';

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
});
