/**
 * The whole check as one function, shared by `ops check-schedulers`, `ops healthcheck` and the Lambda:
 * collect → evaluate → report. Callers own the ports (and so the AWS clients).
 */
import type { MarketCalendar } from '../market/index.ts';
import { assessBlindness, type Blindness } from './blindness.ts';
import { collect, type CollectOptions } from './collect.ts';
import { evaluate } from './evaluate.ts';
import type { Finding, Severity } from './finding.ts';
import type { Snapshot } from './model.ts';
import type { CheckPorts } from './ports.ts';
import { buildReport, type CheckReport } from './report.ts';

/** What the caller decides; runCheck takes CHECK_DEFAULTS for the rest, and every schedule without a filter. */
export interface CheckOptions extends Pick<CollectOptions, 'now' | 'region' | 'progress'>, Partial<Pick<CollectOptions, 'filter' | 'concurrency' | 'metricsWindowMinutes' | 'ecsRetentionMinutes' | 'change'>> {
  calendar: MarketCalendar;
  marketCriticalPatterns: readonly string[];
  graceMinutes?: number;
  failOn?: Severity;
  calls?: () => Record<string, number>;
  /** See EvaluateOptions.knownChanges. */
  knownChanges?: ReadonlyMap<string, Date>;
}

export interface CheckResult {
  snapshot: Snapshot;
  findings: Finding[];
  report: CheckReport;
  /** Set when the check could not see; the findings then prove nothing (MONITOR_BLIND). */
  blind?: Blindness;
}

export const CHECK_DEFAULTS = {
  concurrency: 16,
  graceMinutes: 2,
  metricsWindowMinutes: 15,
  ecsRetentionMinutes: 60,
  failOn: 'warning',
} as const;

export async function runCheck(ports: CheckPorts, options: CheckOptions): Promise<CheckResult> {
  const snapshot = await collect(ports, {
    filter: options.filter ?? {},
    now: options.now,
    region: options.region,
    concurrency: options.concurrency ?? CHECK_DEFAULTS.concurrency,
    metricsWindowMinutes: options.metricsWindowMinutes ?? CHECK_DEFAULTS.metricsWindowMinutes,
    ecsRetentionMinutes: options.ecsRetentionMinutes ?? CHECK_DEFAULTS.ecsRetentionMinutes,
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.change ? { change: options.change } : {}),
  });
  const findings = evaluate(snapshot, {
    now: options.now,
    calendar: options.calendar,
    graceMinutes: options.graceMinutes ?? CHECK_DEFAULTS.graceMinutes,
    marketCriticalPatterns: options.marketCriticalPatterns,
    ...(options.knownChanges ? { knownChanges: options.knownChanges } : {}),
  });
  const calls = options.calls?.();
  const blind = assessBlindness(snapshot);
  const report = buildReport(snapshot, findings, { failOn: options.failOn ?? CHECK_DEFAULTS.failOn, calendar: options.calendar, ...(calls ? { calls } : {}), ...(blind ? { blind } : {}) });
  return { snapshot, findings, report, ...(blind ? { blind } : {}) };
}
