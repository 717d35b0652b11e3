import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/checks/run-check.ts';
import type { ScheduleFacts } from '../../../src/checks/model.ts';
import type { ScheduleKey } from '../../../src/ledger/run-ledger.ts';
import { nyse } from '../../../src/market/index.ts';
import { collectStatus, STATUS_DEFAULTS, type StatusOptions, type StatusPorts } from '../../../src/status/collect-status.ts';
import { renderStatusPage } from '../../../src/status/page-html.ts';
import { arn, createFakePorts, lambdaSchedule, missing, scheduleFacts, scheduleFleet, type FakeAwsInput } from '../../support/check-fixtures.ts';

/** A virtual Monday, 10:00 in New York; never compared with the wall clock. */
const NOW = new Date('2026-11-23T15:00:00Z');
const COVERED_SINCE = new Date('2026-11-01T00:00:00Z');
const MINUTE = 60_000;

const options = (over: Partial<StatusOptions> = {}): StatusOptions => ({
  now: NOW,
  hours: 2,
  bucketMinutes: 15,
  graceMinutes: 2,
  maxRows: STATUS_DEFAULTS.maxRows,
  calendar: nyse,
  concurrency: 4,
  workflowLimit: STATUS_DEFAULTS.workflowLimit,
  ...over,
});

/** The check exactly as the CLI runs it, over in-memory AWS (no ledger port: no run findings). */
function checkOver(schedules: ScheduleFacts[], functions: FakeAwsInput['functions'] = {}): StatusPorts['check'] {
  return (now) => runCheck(createFakePorts({ schedules, functions }).ports, { now, region: 'us-east-1', calendar: nyse, marketCriticalPatterns: [] });
}

/** Runs 5 s after every `stepMinutes` fire (aligned to the epoch) from the window start to now, for the ids given. */
function punctualRuns(ids: readonly string[], stepMinutes: number, hours: number): Map<string, Date[]> {
  const step = stepMinutes * MINUTE;
  const first = Math.floor((NOW.getTime() - hours * 3_600_000) / step) * step;
  const times: Date[] = [];
  for (let t = first; t + 5_000 <= NOW.getTime(); t += step) times.push(new Date(t + 5_000));
  return new Map(ids.map((id) => [id, times]));
}

function ledgerOf(runs: ReadonlyMap<string, Date[]>, coverage: { since: Date | undefined } = { since: COVERED_SINCE }): NonNullable<StatusPorts['ledger']> & { queried: string[] } {
  const queried: string[] = [];
  return {
    queried,
    runsSince: (key: ScheduleKey, since: Date) => {
      queried.push(`${key.group}/${key.name}`);
      return Promise.resolve((runs.get(`${key.group}/${key.name}`) ?? []).filter((d) => d >= since).map((runAt) => ({ runAt })));
    },
    coverage: () => Promise.resolve(coverage.since),
  };
}

const AUDIT: StatusPorts['audit'] = { source: { kind: 'file', auditLog: '.ops/audit.jsonl' }, readAll: () => Promise.resolve([]) };

function ports(over: Partial<StatusPorts> & Pick<StatusPorts, 'check'>): StatusPorts {
  return { audit: AUDIT, ...over };
}

const cellStates = (rows: readonly { cells: readonly { state: string; expected: number }[] }[]) => new Set(rows.flatMap((r) => r.cells.filter((c) => c.expected > 0).map((c) => c.state)));

describe('collectStatus: a source that fails is a section error, never a calmer page', () => {
  const schedules = [scheduleFacts('ecs-a'), scheduleFacts('ecs-b'), lambdaSchedule('lam', 'fn')];

  it('a ledger that throws: heatmap error, evidence unreadable, every due cell before-coverage or unverifiable, none missed', async () => {
    const doc = await collectStatus(
      ports({
        check: checkOver(schedules),
        ledger: { coverage: () => Promise.resolve(COVERED_SINCE), runsSince: () => Promise.reject(new Error('AccessDeniedException: dynamodb:Query')) },
      }),
      options(),
    );
    expect(doc.errors.map((e) => e.section)).toEqual(['heatmap']);
    expect(doc.errors[0]?.message).toBe('The run ledger could not be read: AccessDeniedException: dynamodb:Query');
    expect(doc.heatmap.evidence).toBe('unreadable');
    expect(doc.heatmap.coverageSince).toBeUndefined();
    expect(doc.heatmap.rows).toHaveLength(3);
    expect([...cellStates(doc.heatmap.rows)].sort()).toEqual(['before-coverage', 'unverifiable']);
    expect(doc.heatmap.rows.every((r) => r.totals.missed === 0)).toBe(true);
  });

  it('a ledger whose coverage read throws is the same section error', async () => {
    const doc = await collectStatus(ports({ check: checkOver(schedules), ledger: { coverage: () => Promise.reject(new Error('boom')), runsSince: () => Promise.resolve([]) } }), options());
    expect(doc.errors).toEqual([expect.objectContaining({ section: 'heatmap', message: 'The run ledger could not be read: boom' })]);
    expect(cellStates(doc.heatmap.rows).has('missed')).toBe(false);
  });

  it('no ledger: evidence no-ledger, no error, nothing missed', async () => {
    const doc = await collectStatus(ports({ check: checkOver(schedules) }), options());
    expect(doc.heatmap.evidence).toBe('no-ledger');
    expect(doc.errors).toEqual([]);
    expect([...cellStates(doc.heatmap.rows)].sort()).toEqual(['before-coverage', 'unverifiable']);
  });

  it('a ledger that never marked coverage: evidence not-started and no history query', async () => {
    const ledger = ledgerOf(new Map(), { since: undefined });
    const doc = await collectStatus(ports({ check: checkOver(schedules), ledger }), options());
    expect(doc.heatmap.evidence).toBe('not-started');
    expect(ledger.queried).toEqual([]);
    expect(cellStates(doc.heatmap.rows).has('missed')).toBe(false);
  });

  it('a readable ledger: evidence ledger with its coverage, one query per schedule', async () => {
    const ledger = ledgerOf(new Map());
    const doc = await collectStatus(ports({ check: checkOver(schedules), ledger }), options());
    expect(doc.heatmap.evidence).toBe('ledger');
    expect(doc.heatmap.coverageSince).toBe(COVERED_SINCE.toISOString());
    expect([...ledger.queried].sort()).toEqual(['trading/ecs-a', 'trading/ecs-b', 'trading/lam']);
  });

  it("a Lambda-target schedule's due cells are unverifiable even with a ledger and no runs", async () => {
    const doc = await collectStatus(ports({ check: checkOver(schedules), ledger: ledgerOf(new Map()) }), options());
    const lambda = doc.heatmap.rows.find((r) => r.id === 'trading/lam');
    expect(lambda).toBeDefined();
    expect(cellStates([lambda!])).toEqual(new Set(['unverifiable']));
    expect(lambda!.totals.missed).toBe(0);
    // The ECS rows with no runs, for contrast, did miss.
    expect(doc.heatmap.rows.find((r) => r.id === 'trading/ecs-a')!.totals.missed).toBeGreaterThan(0);
  });

  it('audit readAll throwing: repairs section error and no rows', async () => {
    const doc = await collectStatus(ports({ check: checkOver(schedules), audit: { source: AUDIT.source, readAll: () => Promise.reject(new Error('EACCES: .ops/audit.jsonl')) } }), options());
    expect(doc.errors).toEqual([{ section: 'repairs', message: 'The repair history could not be read: EACCES: .ops/audit.jsonl' }]);
    expect(doc.repairs).toEqual({ source: AUDIT.source, rows: [] });
  });

  it('workflows list throwing: workflows section error, the table still named, no timelines', async () => {
    const queries: unknown[] = [];
    const doc = await collectStatus(
      ports({
        check: checkOver(schedules),
        workflows: {
          table: 'ops-workflows',
          list: (query) => {
            queries.push(query);
            return Promise.reject(new Error('ResourceNotFoundException'));
          },
        },
      }),
      options(),
    );
    expect(doc.errors).toEqual([{ section: 'workflows', message: 'The workflow store could not be read: ResourceNotFoundException' }]);
    expect(doc.workflows).toEqual({ table: 'ops-workflows', timelines: [] });
    expect(queries).toEqual([{ startedAfter: new Date(NOW.getTime() - 2 * 3_600_000), limit: STATUS_DEFAULTS.workflowLimit }]);
  });

  it('no workflow table: no workflows key and no error', async () => {
    const doc = await collectStatus(ports({ check: checkOver(schedules) }), options());
    expect(doc).not.toHaveProperty('workflows');
    expect(doc.errors).toEqual([]);
  });
});

describe('collectStatus: runbooks', () => {
  it('reads each runbook once, only for the codes on the page, and keeps those that exist', async () => {
    const schedules = [lambdaSchedule('lam-1', 'gone-1'), lambdaSchedule('lam-2', 'gone-2'), scheduleFacts('ok')];
    const check = checkOver(schedules, { [arn.function('gone-1')]: missing(), [arn.function('gone-2')]: missing() });
    const findings = (await check(NOW)).findings;
    const paths = [...new Set(findings.map((f) => f.runbook))].sort();
    expect(paths).toContain('runbooks/TARGET_FUNCTION_MISSING.md');
    expect(findings.filter((f) => f.code === 'TARGET_FUNCTION_MISSING')).toHaveLength(2);

    const read: string[] = [];
    const doc = await collectStatus(
      ports({
        check,
        runbook: (path) => {
          read.push(path);
          // One code's runbook is not shipped here: it is left out, not an error.
          return Promise.resolve(path === 'runbooks/TARGET_FUNCTION_MISSING.md' ? undefined : `# ${path}`);
        },
      }),
      options(),
    );
    // Once per code, although two findings share TARGET_FUNCTION_MISSING; no other runbook.
    expect([...read].sort()).toEqual(paths);
    expect(read).not.toContain('runbooks/SCHEDULE_DISABLED.md');
    const expectedCodes = [...new Set(findings.filter((f) => f.code !== 'TARGET_FUNCTION_MISSING').map((f) => f.code))].sort();
    expect(Object.keys(doc.runbooks).sort()).toEqual(expectedCodes);
    expect(doc.errors).toEqual([]);
  });

  it('a runbook read that throws is left out', async () => {
    const check = checkOver([lambdaSchedule('lam', 'gone')], { [arn.function('gone')]: missing() });
    const doc = await collectStatus(ports({ check, runbook: () => Promise.reject(new Error('EISDIR')) }), options());
    expect(doc.runbooks).toEqual({});
  });
});

describe('collectStatus: folding a large fleet', () => {
  const TEN = scheduleFleet({ count: 10 });
  const ids = TEN.map((s) => `${s.group}/${s.name}`);
  // The fleet fires cron(*/15), so runs every 15 minutes keep a row clean.
  const troubled = new Set([ids[1], ids[4], ids[6], ids[9]]);
  const runs = punctualRuns(
    ids.filter((id) => !troubled.has(id)),
    15,
    2,
  );

  it('maxRows 3 with 4 rows that missed: 3 troubled rows, then one row summing the other 7', async () => {
    const doc = await collectStatus(ports({ check: checkOver(TEN), ledger: ledgerOf(runs) }), options({ maxRows: 3 }));
    expect(doc.heatmap.schedules).toBe(10);
    expect(doc.heatmap.folded).toBe(7);
    expect(doc.heatmap.rows).toHaveLength(4);
    const shown = doc.heatmap.rows.slice(0, 3);
    expect(shown.every((r) => troubled.has(r.id) && r.totals.missed > 0)).toBe(true);
    expect(doc.heatmap.rows[3]!.id).toBe('7 other schedules');
    // The fourth troubled schedule is folded in, and its misses still count in the folded row.
    expect(doc.heatmap.rows[3]!.totals.missed).toBeGreaterThan(0);
    expect(doc.heatmap.rows.reduce((s, r) => s + r.totals.expected, 0)).toBe(10 * doc.heatmap.rows[0]!.totals.expected);
  });

  it('maxRows at or above the row count: nothing folds and the check’s order is kept', async () => {
    for (const maxRows of [10, 60]) {
      const doc = await collectStatus(ports({ check: checkOver(TEN), ledger: ledgerOf(runs) }), options({ maxRows }));
      expect(doc.heatmap.folded).toBe(0);
      expect(doc.heatmap.rows.map((r) => r.id)).toEqual(ids);
      expect(doc.heatmap.rows.filter((r) => r.totals.missed > 0).map((r) => r.id).sort()).toEqual([...troubled].sort());
    }
  });

  it('1,000 schedules with 25 never run: 26 heatmap rows on a page under 1 MB, the last summing 975', async () => {
    const fleet = scheduleFleet({ count: 1_000, overrides: () => ({ expression: 'rate(5 minutes)' }) });
    const fleetIds = fleet.map((s) => `${s.group}/${s.name}`);
    const silent = new Set(fleetIds.filter((_, i) => i % 40 === 7));
    expect(silent.size).toBe(25);
    // rate() counts from the creation date (midnight UTC), so its fires sit on 5-minute marks.
    const fleetRuns = punctualRuns(
      fleetIds.filter((id) => !silent.has(id)),
      5,
      STATUS_DEFAULTS.hours,
    );
    const doc = await collectStatus(
      ports({ check: checkOver(fleet), ledger: ledgerOf(fleetRuns) }),
      options({ hours: STATUS_DEFAULTS.hours, bucketMinutes: STATUS_DEFAULTS.bucketMinutes, concurrency: STATUS_DEFAULTS.concurrency }),
    );
    expect(doc.heatmap.folded).toBe(975);
    const html = renderStatusPage(doc);
    const table = /<table class="heatmap">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
    const rows = body.match(/<tr>/g) ?? [];
    expect(rows).toHaveLength(26);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
    const labels = [...body.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(labels.slice(0, 25).every((label) => label !== undefined && silent.has(label))).toBe(true);
    expect(labels[25]).toBe('975 other schedules');
    expect(html).toContain('the other 975 are summed in the last row');
  });
});
