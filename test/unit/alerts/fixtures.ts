/**
 * Findings and check reports for the alert tests, shaped like the 2026-01-29 incident: 12 ECS schedules
 * pointing at the missing cluster `ops-pipeline` (5 market-hours jobs, 7 around-the-clock jobs) and the
 * healthy Lambda schedule trade-alert-checker.
 */
import { FindingCode, Severity, severityRank, type Finding } from '../../../src/checks/finding.ts';
import type { CheckReport } from '../../../src/checks/report.ts';
import { nyse } from '../../../src/market/index.ts';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';
export const MISSING_CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ops-pipeline`;

export const MARKET_SCHEDULES = [
  'ops-pipeline-dispatcher',
  'ops-pipeline-signal-engine-1m',
  'ops-pipeline-dispatcher-tiny',
  'position-manager-1min',
  'ops-pipeline-watchlist-engine-5m',
] as const;
export const ALWAYS_SCHEDULES = [
  'ops-pipeline-telemetry-ingestor-1m',
  'ops-pipeline-feature-computer-1m',
  'ops-pipeline-classifier',
  'ops-pipeline-rss-ingest',
  'ops-pipeline-position-manager',
  'ops-pipeline-healthcheck-5m',
  'ticker-discovery-6h',
] as const;

export function scheduleArn(group: string, name: string): string {
  return `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${name}`;
}

export function finding(
  code: FindingCode,
  where: { group: string; name?: string },
  severity: Severity = Severity.critical,
  evidence: Record<string, unknown> = {},
): Finding {
  return {
    code,
    severity,
    ...(where.name !== undefined ? { schedule: { group: where.group, name: where.name, arn: scheduleArn(where.group, where.name) } } : { group: where.group }),
    message: `${code} on ${where.group}/${where.name ?? '*'}`,
    evidence,
    fix: `ops check-schedulers --group ${where.group}`,
    runbook: `runbooks/${code}.md`,
  };
}

export function clusterMissing(group: string, name: string, clusterArn = MISSING_CLUSTER): Finding {
  return finding(FindingCode.TARGET_CLUSTER_NOT_FOUND, { group, name }, Severity.critical, { clusterArn, describeClusters: 'MISSING' });
}

export function missedRuns(group: string, name: string, severity: Severity = Severity.critical, missedCount = 5, lastRunAt: string | null = '2026-01-29T16:36:00.000Z'): Finding {
  return finding(FindingCode.MISSED_RUNS, { group, name }, severity, {
    source: 'ledger',
    lastDue: '2026-01-29T16:41:00.000Z',
    firstMissed: '2026-01-29T16:37:00.000Z',
    missedCount,
    lastRunAt,
    marketCritical: true,
    marketOpen: true,
  });
}

export function checkIncomplete(action: string): Finding {
  return {
    code: FindingCode.CHECK_INCOMPLETE,
    severity: Severity.warning,
    message: `${action} failed (AccessDeniedException); those checks did not run`,
    evidence: { action, errorName: 'AccessDeniedException', error: 'denied', affected: [], affectedCount: 0 },
    fix: `aws iam simulate-principal-policy --action-names ${action}`,
    runbook: 'runbooks/CHECK_INCOMPLETE.md',
  };
}

/** The 12 TARGET_CLUSTER_NOT_FOUND findings of the incident. */
export function incidentClusterFindings(): Finding[] {
  return [
    ...MARKET_SCHEDULES.map((name) => clusterMissing('ops-pipeline-market', name)),
    ...ALWAYS_SCHEDULES.map((name) => clusterMissing('ops-pipeline', name)),
  ];
}

/** A CheckReport as buildReport would make it for these findings, 13 schedules in all, at `at`. */
export function reportOf(findings: Finding[], at: Date): CheckReport {
  const names = [
    ...MARKET_SCHEDULES.map((name) => ({ group: 'ops-pipeline-market', name })),
    { group: 'ops-pipeline-market', name: 'trade-alert-checker' },
    ...ALWAYS_SCHEDULES.map((name) => ({ group: 'ops-pipeline', name })),
  ];
  for (const f of findings) {
    if (f.schedule && !names.some((n) => n.group === f.schedule?.group && n.name === f.schedule.name)) names.push({ group: f.schedule.group, name: f.schedule.name });
  }
  const schedules = names.map(({ group, name }) => {
    const own = findings.filter((f) => f.schedule?.group === group && f.schedule.name === name);
    const worst = own.reduce<Severity | null>((acc, f) => (acc === null || severityRank(f.severity) > severityRank(acc) ? f.severity : acc), null);
    return {
      group,
      name,
      arn: scheduleArn(group, name),
      state: 'ENABLED',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      target: { kind: 'ecs', arn: MISSING_CLUSTER },
      evidence: { source: 'ledger', lastRunAt: '2026-01-29T16:36:00.000Z' },
      codes: [...new Set(own.map((f) => f.code))],
      worst,
    };
  });
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const status = nyse.status(at);
  return {
    ok: !findings.some((f) => f.severity !== 'info'),
    generatedAt: at.toISOString(),
    region: REGION,
    failOn: 'warning',
    summary: {
      schedules: schedules.length,
      groups: new Set(schedules.map((s) => s.group)).size,
      findings: { critical: count('critical'), warning: count('warning'), info: count('info') },
      schedulesBySeverity: {
        critical: schedules.filter((s) => s.worst === 'critical').length,
        warning: schedules.filter((s) => s.worst === 'warning').length,
        info: schedules.filter((s) => s.worst === 'info').length,
        healthy: schedules.filter((s) => s.worst === null).length,
      },
      unhealthySchedules: schedules.filter((s) => s.worst !== null && s.worst !== 'info').length,
      otherFindings: findings.filter((f) => !f.schedule).length,
      evidenceSources: { ledger: schedules.length },
    },
    market: status.open
      ? { name: 'NYSE', open: true, closesAt: status.closesAt.toISOString() }
      : { name: 'NYSE', open: false, opensAt: status.opensAt.toISOString(), reason: status.reason },
    findings,
    schedules,
  };
}
