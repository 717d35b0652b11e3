import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/checks/evaluate.ts';
import { nyse } from '../../../src/market/index.ts';
import { scheduleFacts, snapshotOf } from '../../support/check-fixtures.ts';

/** Monday 2026-11-23 09:45 ET, injected: the check never reads the wall clock. */
const NOW = new Date('2026-11-23T14:45:00Z');

function findingsFor(expression: string) {
  const snapshot = snapshotOf({ schedules: [scheduleFacts('huge', { expression })] });
  return evaluate(snapshot, { now: NOW, calendar: nyse, graceMinutes: 2, marketCriticalPatterns: [] });
}

describe('checks: rate() periods too long to evaluate', () => {
  it.each(['rate(99999999999 minutes)', 'rate(100000000 days)'])('%s is an INVALID_EXPRESSION finding, not a crash or a healthy schedule', (expression) => {
    const findings = findingsFor(expression);
    expect(findings.map((f) => [f.code, f.severity, f.schedule?.name])).toEqual([['INVALID_EXPRESSION', 'critical', 'huge']]);
    expect(findings[0]?.message).toMatch(/^cannot be evaluated: rate value \d+ (minutes|days) is longer than the 1,000,000-day period ops can evaluate$/);
  });

  it('a rate() at the bound is evaluated like any other schedule', () => {
    expect(findingsFor('rate(1000000 days)').map((f) => f.code)).not.toContain('INVALID_EXPRESSION');
  });
});

describe('checks: a cron that can never fire', () => {
  it('cron(0 0 31 2 ? *) is SCHEDULE_EXPIRED saying why it never fires, not "no fire time left"', () => {
    const expired = findingsFor('cron(0 0 31 2 ? *)').find((f) => f.code === 'SCHEDULE_EXPIRED');
    expect(expired?.message).toContain('it never fires: February has no day 31');
  });
});
