/**
 * Reads everything the status page shows through the same ports the CLI uses: the check (schedules
 * and findings), the run ledger's history (the heatmap), the audit log or remediation table (repairs)
 * and the workflow store (timelines). A source that fails becomes a SectionError on the page; only
 * the check itself is essential, because without it there is no list of schedules to draw.
 */
import { errorMessage } from '../aws-error.ts';
import type { CheckResult } from '../checks/run-check.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { scheduleKeyId, type ScheduleKey } from '../ledger/run-ledger.ts';
import type { MarketCalendar } from '../market/index.ts';
import type { AuditEntry } from '../remediate/audit-log.ts';
import type { WorkflowQuery, WorkflowRecord } from '../trading/ports/workflow-store.ts';
import { buildHeatmap, foldHealthyRows, type HeatmapSchedule } from './heatmap.ts';
import { buildRepairHistory, type RepairSource } from './repairs.ts';
import { StatusSection, type HeatmapEvidence, type SectionError, type StatusDocument } from './status-document.ts';
import { buildWorkflowTimeline } from './workflow-timeline.ts';

export interface StatusPorts {
  /** The check, run exactly as `ops check-schedulers` runs it, as of `now`. */
  check(now: Date): Promise<CheckResult>;
  /** Run history; undefined when there is no ledger (every fire is then before coverage). */
  ledger?: {
    runsSince(key: ScheduleKey, since: Date): Promise<readonly { runAt: Date }[]>;
    coverage(): Promise<Date | undefined>;
  };
  audit: { source: RepairSource; readAll(): Promise<AuditEntry[]> };
  workflows?: { table: string; list(query: WorkflowQuery): Promise<WorkflowRecord[]> };
  /** A runbook, rendered to HTML, by its repository path (`runbooks/X.md`); undefined when not shipped here. */
  runbook?(path: string): Promise<string | undefined>;
}

export interface StatusOptions {
  now: Date;
  hours: number;
  bucketMinutes: number;
  graceMinutes: number;
  /** Heatmap rows with missed fires drawn one by one; the rest fold into one row. */
  maxRows: number;
  calendar: MarketCalendar;
  /** Ledger queries in flight at once (one per schedule). */
  concurrency: number;
  /** Newest workflows shown. */
  workflowLimit: number;
}

export const STATUS_DEFAULTS = { hours: 6, bucketMinutes: 15, maxRows: 60, concurrency: 16, workflowLimit: 20 } as const;

export async function collectStatus(ports: StatusPorts, options: StatusOptions): Promise<StatusDocument> {
  const { now } = options;
  const errors: SectionError[] = [];
  const since = new Date(now.getTime() - options.hours * 3_600_000);
  const check = await ports.check(now);
  const schedules = check.snapshot.schedules.map(heatmapScheduleOf);

  const [ledger, repairs, workflows, runbooks] = await Promise.all([
    readRuns(ports, schedules, since, options.concurrency).catch((error: unknown): RunsRead => {
      errors.push({ section: StatusSection.heatmap, message: `The run ledger could not be read: ${errorMessage(error)}`, hint: 'Cells show "before the run evidence starts" until it can; check the ledger table and its permissions.' });
      return { runs: new Map<string, Date[]>(), evidence: 'unreadable' };
    }),
    ports.audit.readAll().then(
      (entries) => buildRepairHistory(entries, ports.audit.source),
      (error: unknown) => {
        errors.push({ section: StatusSection.repairs, message: `The repair history could not be read: ${errorMessage(error)}` });
        return [];
      },
    ),
    readWorkflows(ports, since, now, options.workflowLimit).catch((error: unknown) => {
      errors.push({ section: StatusSection.workflows, message: `The workflow store could not be read: ${errorMessage(error)}` });
      return ports.workflows ? { table: ports.workflows.table, timelines: [] } : undefined;
    }),
    readRunbooks(ports, check),
  ]);

  const full = buildHeatmap({
    schedules,
    runs: ledger.runs,
    // Without evidence every fire in the window is unknown, not missed.
    coverageSince: ledger.coverageSince ?? new Date(now.getTime() + 1),
    now,
    hours: options.hours,
    bucketMinutes: options.bucketMinutes,
    graceMinutes: options.graceMinutes,
    calendar: options.calendar,
  });
  // A fleet that fits is drawn whole, in its own order; a larger one keeps the rows that missed.
  const { rows, folded } = full.rows.length <= options.maxRows ? { rows: full.rows, folded: 0 } : foldHealthyRows(full.rows, options.maxRows);
  return {
    generatedAt: now.toISOString(),
    region: check.report.region,
    timezone: options.calendar.timezone,
    market: check.report.market,
    report: check.report,
    heatmap: { ...full, rows, folded, schedules: schedules.length, evidence: ledger.evidence, ...(ledger.coverageSince ? { coverageSince: ledger.coverageSince.toISOString() } : {}) },
    repairs: { source: ports.audit.source, rows: repairs },
    ...(workflows ? { workflows } : {}),
    runbooks,
    errors,
  };
}

function heatmapScheduleOf(s: CheckResult['snapshot']['schedules'][number]): HeatmapSchedule {
  return {
    id: scheduleKeyId(s),
    expression: s.expression,
    timezone: s.timezone,
    state: s.state,
    flexibleWindowMinutes: s.flexibleWindowMinutes,
    // The same rule as the check's evidence: only ECS tasks are recorded (collect.ts).
    runEvidence: s.target.kind === 'ecs',
    ...(s.startDate ? { startDate: s.startDate } : {}),
    ...(s.endDate ? { endDate: s.endDate } : {}),
    ...(s.creationDate ? { createdAt: s.creationDate } : {}),
  };
}

/**
 * One history query per schedule: the ledger keys runs by schedule, so this is the cheapest read that
 * is exact. Without a ledger nothing is known, so the whole window is before coverage.
 */
interface RunsRead {
  runs: Map<string, Date[]>;
  coverageSince?: Date;
  evidence: HeatmapEvidence;
}

async function readRuns(ports: StatusPorts, schedules: readonly HeatmapSchedule[], since: Date, concurrency: number): Promise<RunsRead> {
  const runs = new Map<string, Date[]>();
  const { ledger } = ports;
  if (ledger === undefined) return { runs, evidence: 'no-ledger' };
  const coverageSince = await ledger.coverage();
  // A ledger that never marked coverage has recorded nothing yet.
  if (coverageSince === undefined) return { runs, evidence: 'not-started' };
  await mapWithConcurrency(schedules, concurrency, async (schedule) => {
    const [group = '', name = ''] = schedule.id.split('/');
    const history = await ledger.runsSince({ group, name }, since);
    runs.set(schedule.id, history.map((run) => run.runAt));
  });
  return { runs, coverageSince, evidence: 'ledger' };
}

async function readWorkflows(ports: StatusPorts, since: Date, now: Date, limit: number): Promise<StatusDocument['workflows']> {
  if (ports.workflows === undefined) return undefined;
  const records = await ports.workflows.list({ startedAfter: since, limit });
  return { table: ports.workflows.table, timelines: records.map((record) => buildWorkflowTimeline(record, now)) };
}

async function readRunbooks(ports: StatusPorts, check: CheckResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (ports.runbook === undefined) return out;
  const byCode = new Map(check.findings.map((f) => [f.code as string, f.runbook]));
  for (const [code, path] of byCode) {
    const text = await ports.runbook(path).catch(() => undefined);
    if (text !== undefined) out[code] = text;
  }
  return out;
}
