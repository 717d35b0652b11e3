/**
 * The status page's runs heatmap (issue 17), as data: one row per schedule, one column per time
 * bucket over the last hours, each cell saying whether the fires due in that bucket ran. Pure: fire
 * times come from the expression engine, runs from the run ledger, and "now" is a parameter.
 *
 * A run belongs to the latest expected fire at or before it, if it started before that fire's grace
 * ran out (flexible window + grace), the same rule MISSED_RUNS judges by. A fire is:
 * - ran: a run belongs to it;
 * - missed: its grace ran out with no run;
 * - pending: still inside its grace;
 * - before-coverage: due before the evidence starts (the ledger's coverage), so unknowable;
 * - unverifiable: the target kind leaves no run evidence at all.
 * A cell takes the worst of its fires (missed > partial > pending > before-coverage > ran), and
 * `not-due` when no fire falls in it. Columns carry whether the NYSE was open at their start, for the
 * page to shade.
 */
import type { MarketCalendar } from '../market/index.ts';
import { fireTimesBetween } from '../schedule/index.ts';

export const CellState = {
  ran: 'ran',
  partial: 'partial',
  missed: 'missed',
  pending: 'pending',
  notDue: 'not-due',
  beforeCoverage: 'before-coverage',
  /** Due, but this target kind leaves no run evidence (only ECS tasks reach the ledger). */
  unverifiable: 'unverifiable',
} as const;
export type CellState = (typeof CellState)[keyof typeof CellState];

export interface HeatmapSchedule {
  /** `group/name`. */
  id: string;
  expression: string;
  timezone: string;
  startDate?: Date;
  endDate?: Date;
  /** rate() counts from here without a startDate. */
  createdAt?: Date;
  flexibleWindowMinutes?: number;
  state: 'ENABLED' | 'DISABLED';
  /** False for targets whose runs nothing records (Lambda, SQS, SNS): their fires are `unverifiable`, never missed. */
  runEvidence?: boolean;
}

export interface HeatmapInput {
  schedules: readonly HeatmapSchedule[];
  /** Task starts seen per schedule id (the run ledger). */
  runs: ReadonlyMap<string, readonly Date[]>;
  /** Evidence exists from here on; fires before it are `before-coverage`. */
  coverageSince?: Date;
  now: Date;
  hours: number;
  bucketMinutes: number;
  graceMinutes: number;
  calendar: MarketCalendar;
}

export interface HeatmapCell {
  state: CellState;
  expected: number;
  ran: number;
}

export interface HeatmapRow {
  id: string;
  cells: HeatmapCell[];
  totals: { expected: number; ran: number; missed: number };
}

export interface HeatmapColumn {
  start: string;
  marketOpen: boolean;
}

export interface Heatmap {
  from: string;
  to: string;
  bucketMinutes: number;
  columns: HeatmapColumn[];
  rows: HeatmapRow[];
}

type FireState = Exclude<CellState, 'not-due' | 'partial'>;
const RANK: Record<CellState, number> = { 'not-due': 0, ran: 1, unverifiable: 2, 'before-coverage': 3, pending: 4, partial: 5, missed: 6 };

export function buildHeatmap(input: HeatmapInput): Heatmap {
  if (!Number.isInteger(input.bucketMinutes) || input.bucketMinutes < 1) throw new RangeError(`bucketMinutes must be a positive integer, got ${input.bucketMinutes}`);
  const bucketMs = input.bucketMinutes * 60_000;
  // Buckets end at "now" rounded up to the bucket, so the last column is the one in progress.
  const end = Math.ceil(input.now.getTime() / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((input.hours * 60) / input.bucketMinutes));
  const start = end - count * bucketMs;
  const columns = Array.from({ length: count }, (_, i): HeatmapColumn => {
    const at = new Date(start + i * bucketMs);
    return { start: at.toISOString(), marketOpen: input.calendar.isOpen(at) };
  });
  const rows = input.schedules.map((schedule) => rowOf(schedule, input, start, bucketMs, count));
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), bucketMinutes: input.bucketMinutes, columns, rows };
}

function rowOf(schedule: HeatmapSchedule, input: HeatmapInput, start: number, bucketMs: number, count: number): HeatmapRow {
  const cells: HeatmapCell[] = Array.from({ length: count }, () => ({ state: CellState.notDue, expected: 0, ran: 0 }));
  const totals = { expected: 0, ran: 0, missed: 0 };
  if (schedule.state === 'DISABLED') return { id: schedule.id, cells, totals };
  const graceMs = ((schedule.flexibleWindowMinutes ?? 0) + input.graceMinutes) * 60_000;
  const fires = fireTimesBetween(schedule.expression, {
    timezone: schedule.timezone,
    after: new Date(start - 1),
    atOrBefore: new Date(Math.min(input.now.getTime(), start + count * bucketMs - 1)),
    ...(schedule.startDate ? { startDate: schedule.startDate } : {}),
    ...(schedule.endDate ? { endDate: schedule.endDate } : {}),
    ...(schedule.createdAt ? { anchor: schedule.createdAt } : {}),
  })
    .map((d) => d.getTime())
    // Nothing fires before the schedule exists; cron() alone does not know that.
    .filter((fire) => schedule.createdAt === undefined || fire >= schedule.createdAt.getTime());
  const runs = [...(input.runs.get(schedule.id) ?? [])].map((d) => d.getTime()).sort((a, b) => a - b);
  const coverage = input.coverageSince?.getTime() ?? Number.NEGATIVE_INFINITY;
  const now = input.now.getTime();
  fires.forEach((fire, i) => {
    const next = fires[i + 1] ?? Number.POSITIVE_INFINITY;
    const ran = runs.some((run) => run >= fire && run < next && run <= fire + graceMs);
    const state: FireState =
      schedule.runEvidence === false ? CellState.unverifiable : ran ? CellState.ran : fire < coverage ? CellState.beforeCoverage : fire + graceMs < now ? CellState.missed : CellState.pending;
    const cell = cells[Math.floor((fire - start) / bucketMs)];
    if (cell === undefined) return;
    cell.expected += 1;
    totals.expected += 1;
    if (ran) {
      cell.ran += 1;
      totals.ran += 1;
    }
    if (state === CellState.missed) totals.missed += 1;
    cell.state = combine(cell, state);
  });
  return { id: schedule.id, cells, totals };
}

/** The worst fire decides, except that ran and missed fires together are `partial`. */
function combine(cell: HeatmapCell, fire: FireState): CellState {
  const current = cell.state;
  if ((current === CellState.ran && fire === CellState.missed) || (current === CellState.missed && fire === CellState.ran)) return CellState.partial;
  if (current === CellState.partial) return CellState.partial;
  return RANK[fire] > RANK[current] ? fire : current;
}

/**
 * For a large fleet: rows with a missed fire first (most missed first), and at most `maxRows`
 * of them; every other row is summed into one `N healthy schedules` row per column, so 1,000
 * schedules draw as the few that matter plus one line.
 */
export function foldHealthyRows(rows: readonly HeatmapRow[], maxRows: number): { rows: HeatmapRow[]; folded: number } {
  const troubled = rows.filter((r) => r.totals.missed > 0).sort((a, b) => b.totals.missed - a.totals.missed || a.id.localeCompare(b.id));
  const shown = troubled.slice(0, maxRows);
  const rest = rows.filter((r) => !shown.includes(r));
  if (rest.length === 0) return { rows: shown, folded: 0 };
  const width = rows[0]?.cells.length ?? 0;
  const cells = Array.from({ length: width }, (_, i): HeatmapCell => {
    const column = rest.map((r) => r.cells[i] ?? { state: CellState.notDue, expected: 0, ran: 0 });
    const state = column.reduce<CellState>((worst, c) => (RANK[c.state] > RANK[worst] ? c.state : worst), CellState.notDue);
    return { state, expected: column.reduce((s, c) => s + c.expected, 0), ran: column.reduce((s, c) => s + c.ran, 0) };
  });
  const totals = rest.reduce((t, r) => ({ expected: t.expected + r.totals.expected, ran: t.ran + r.totals.ran, missed: t.missed + r.totals.missed }), { expected: 0, ran: 0, missed: 0 });
  return { rows: [...shown, { id: `${rest.length} other schedule${rest.length === 1 ? '' : 's'}`, cells, totals }], folded: rest.length };
}
