import { describe, expect, it } from 'vitest';
import { nyse } from '../../../src/market/index.ts';
import { buildHeatmap, foldHealthyRows, type HeatmapInput, type HeatmapSchedule } from '../../../src/status/heatmap.ts';

/** A virtual Monday, 10:00 in New York: the input's "now", never compared with the wall clock. */
const NOW = new Date(Date.UTC(2026, 10, 23, 15, 0));
const at = (hh: number, mm: number, ss = 0) => new Date(Date.UTC(2026, 10, 23, hh, mm, ss));
const QUARTER: HeatmapSchedule = { id: 'ops/quarter', expression: 'cron(0/15 * * * ? *)', timezone: 'UTC', state: 'ENABLED' };

const input = (over: Partial<HeatmapInput> = {}): HeatmapInput => ({
  schedules: [QUARTER],
  runs: new Map([[QUARTER.id, [at(14, 0, 5), at(14, 30, 3)]]]),
  now: NOW,
  hours: 1,
  bucketMinutes: 15,
  graceMinutes: 2,
  calendar: nyse,
  ...over,
});
const states = (over: Partial<HeatmapInput> = {}) => buildHeatmap(input(over)).rows[0]!.cells.map((c) => c.state);

describe('buildHeatmap', () => {
  it('has one column per bucket ending at now, shaded where the NYSE was open', () => {
    const map = buildHeatmap(input());
    expect(map.from).toBe(at(14, 0).toISOString());
    expect(map.to).toBe(NOW.toISOString());
    expect(map.columns).toEqual([
      { start: at(14, 0).toISOString(), marketOpen: false },
      { start: at(14, 15).toISOString(), marketOpen: false },
      { start: at(14, 30).toISOString(), marketOpen: true },
      { start: at(14, 45).toISOString(), marketOpen: true },
    ]);
  });

  it('draws no fire before the schedule was created, for cron() as for rate()', () => {
    const created = { ...QUARTER, createdAt: at(14, 20) };
    expect(states({ schedules: [created] })).toEqual(['not-due', 'not-due', 'ran', 'missed']);
  });

  it('marks the fires of a target kind that leaves no run evidence unverifiable, never missed', () => {
    expect(states({ schedules: [{ ...QUARTER, runEvidence: false }], runs: new Map() })).toEqual(['unverifiable', 'unverifiable', 'unverifiable', 'unverifiable']);
  });

  it('marks each fire ran or missed once its grace is over, and counts them', () => {
    const row = buildHeatmap(input()).rows[0]!;
    expect(row.cells.map((c) => c.state)).toEqual(['ran', 'missed', 'ran', 'missed']);
    expect(row.totals).toEqual({ expected: 4, ran: 2, missed: 2 });
  });

  it('keeps a fire pending inside its grace (flexible window included)', () => {
    expect(states({ now: at(14, 46) })).toEqual(['ran', 'missed', 'ran', 'pending']);
    expect(states({ now: at(14, 55), schedules: [{ ...QUARTER, flexibleWindowMinutes: 10 }] })).toEqual(['ran', 'missed', 'ran', 'pending']);
  });

  it('does not credit a run that started after the grace, nor one that belongs to the next fire', () => {
    const runs = new Map([[QUARTER.id, [at(14, 20), at(14, 30, 1)]]]);
    expect(states({ runs })).toEqual(['missed', 'missed', 'ran', 'missed']);
  });

  it('says before-coverage for fires the evidence cannot speak for', () => {
    expect(states({ coverageSince: at(14, 20) })).toEqual(['ran', 'before-coverage', 'ran', 'missed']);
  });

  it('is partial when a wider bucket holds a ran and a missed fire', () => {
    const row = buildHeatmap(input({ bucketMinutes: 30 })).rows[0]!;
    expect(row.cells).toEqual([
      { state: 'partial', expected: 2, ran: 1 },
      { state: 'partial', expected: 2, ran: 1 },
    ]);
  });

  it('shows a disabled schedule as never due', () => {
    const row = buildHeatmap(input({ schedules: [{ ...QUARTER, state: 'DISABLED' }] })).rows[0]!;
    expect(row.cells.every((c) => c.state === 'not-due' && c.expected === 0)).toBe(true);
    expect(row.totals).toEqual({ expected: 0, ran: 0, missed: 0 });
  });

  it('shows buckets without a fire as not-due (an hourly schedule in 15-minute buckets)', () => {
    const hourly: HeatmapSchedule = { id: 'ops/hourly', expression: 'cron(0 * * * ? *)', timezone: 'UTC', state: 'ENABLED' };
    const map = buildHeatmap(input({ schedules: [hourly], runs: new Map([[hourly.id, [at(14, 0, 9)]]]) }));
    expect(map.rows[0]!.cells.map((c) => c.state)).toEqual(['ran', 'not-due', 'not-due', 'not-due']);
  });
});

describe('foldHealthyRows', () => {
  it('keeps the schedules that missed (most first) and sums the rest into one row', () => {
    const healthyRuns = [at(14, 0, 5), at(14, 15, 5), at(14, 30, 5), at(14, 45, 5)];
    const schedules = ['ops/a', 'ops/b', 'ops/c'].map((id) => ({ ...QUARTER, id }));
    const runs = new Map([
      ['ops/a', healthyRuns],
      ['ops/b', [at(14, 0, 5)]],
      ['ops/c', healthyRuns],
    ]);
    const { rows, folded } = foldHealthyRows(buildHeatmap(input({ schedules, runs })).rows, 10);
    expect(folded).toBe(2);
    expect(rows.map((r) => r.id)).toEqual(['ops/b', '2 other schedules']);
    expect(rows[1]!.cells.map((c) => [c.state, c.expected, c.ran])).toEqual([
      ['ran', 2, 2],
      ['ran', 2, 2],
      ['ran', 2, 2],
      ['ran', 2, 2],
    ]);
    expect(rows[1]!.totals).toEqual({ expected: 8, ran: 8, missed: 0 });
  });

  it('shows at most maxRows troubled rows and folds the others with them', () => {
    const schedules = ['ops/a', 'ops/b'].map((id) => ({ ...QUARTER, id }));
    const { rows } = foldHealthyRows(buildHeatmap(input({ schedules, runs: new Map() })).rows, 1);
    expect(rows.map((r) => r.id)).toEqual(['ops/a', '1 other schedule']);
    expect(rows[1]!.cells.map((c) => c.state)).toEqual(['missed', 'missed', 'missed', 'missed']);
  });
});
