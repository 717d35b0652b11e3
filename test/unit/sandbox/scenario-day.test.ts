import { describe, expect, it } from 'vitest';
import { replayDay } from '../../../src/sandbox/replay-day.ts';
import { scenarioOnDay } from '../../../src/sandbox/scenario-day.ts';
import { loadScenario, validateScenario } from '../../../src/sandbox/scenario.ts';

describe('scenarioOnDay', () => {
  it('moves the replay window to the day, keeping its New York wall times across DST', async () => {
    const healthy = await loadScenario('healthy');
    const { scenario, start } = scenarioOnDay(healthy, replayDay('2027-07-12'));
    expect(start).toEqual(new Date('2027-07-12T13:30:00Z'));
    expect(scenario.replay).toMatchObject({ start: '2027-07-12T13:30:00.000Z', end: '2027-07-12T14:00:00.000Z' });
  });

  it('moves EndDate by the same days, so the planted SCHEDULE_EXPIRED stays expired on any day', async () => {
    const mixed = await loadScenario('mixed');
    const original = mixed.schedules.find((s) => s.name === 'ticker-discovery-6h')!;
    // 2026-06-30T00:00Z is 20:00 New York on 2026-06-29: the same wall time, 322 days earlier / 1,657 days later.
    const expected: Record<string, string> = { '2026-01-05': '2025-08-12T00:00:00.000Z', '2031-06-07': '2031-01-12T01:00:00.000Z' };
    for (const date of ['2026-01-05', '2031-06-07']) {
      const { scenario, start } = scenarioOnDay(mixed, replayDay(date));
      const moved = scenario.schedules.find((s) => s.name === 'ticker-discovery-6h')!;
      expect(Date.parse(moved.endDate!), date).toBeLessThan(start.getTime());
      expect(moved.endDate, date).toBe(expected[date]);
      expect(moved.plantedFault).toBe(original.plantedFault);
    }
  });

  it('moves an at() expression by whole days and keeps its wall time', () => {
    const base = validateScenario(
      {
        name: 'one-time',
        description: 'a one-time schedule',
        replay: { start: '2026-11-23T14:30:00Z' },
        roles: [{ name: 'r', trust: 'scheduler' }],
        queues: [{ name: 'q' }],
        schedules: [{ name: 'bell', expression: 'at(2026-11-23T09:35:00)', timezone: 'America/New_York', role: 'r', target: { kind: 'sqs', queue: 'q' } }],
      },
      'inline',
    );
    const { scenario } = scenarioOnDay(base, replayDay('2028-02-29'));
    expect(scenario.schedules[0]?.expression).toBe('at(2028-02-29T09:35:00)');
  });

  it('a scenario without a replay window starts at 09:30 New York on the day and is otherwise unchanged', () => {
    const base = validateScenario({ name: 'empty', description: 'nothing' }, 'inline');
    expect(scenarioOnDay(base, replayDay('2031-06-07'))).toEqual({ scenario: base, start: new Date('2031-06-07T13:30:00Z') });
  });
});
