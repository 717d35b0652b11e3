/**
 * Fabricated single-pair CheckReports and pair outcomes for the org report and its rendering: the
 * per-pair report is what `runCheck` would have produced, written out by hand so the merged numbers
 * can be checked against sums a person can do.
 */
import { atLeast, type Finding, type FindingCode, type Severity } from '../../../src/checks/finding.ts';
import type { CheckReport } from '../../../src/checks/report.ts';
import type { PairFailure, PairOutcome } from '../../../src/org/run-pairs.ts';
import type { AccountTarget } from '../../../src/org/targets.ts';

export const NOW = new Date('2026-11-23T14:45:00Z');
export const SATURDAY = new Date('2026-11-28T15:00:00Z');

export const account = (id: string, name: string, role = 'ops-org-access'): AccountTarget => ({ id, name, role, tags: {} });

export function finding(code: FindingCode, severity: Severity, where: { schedule?: string; group?: string } = {}): Finding {
  const group = 'trading';
  return {
    code,
    severity,
    ...(where.schedule !== undefined ? { schedule: { group, name: where.schedule, arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${where.schedule}` } } : {}),
    ...(where.group !== undefined ? { group: where.group } : {}),
    message: `${where.schedule ?? where.group ?? 'run'}: ${code.toLowerCase().replaceAll('_', ' ')}`,
    evidence: {},
    fix: 'ops check-schedulers',
    runbook: `runbooks/${code}.md`,
  };
}

/** A pair's report with these schedules (group `trading`) and findings, its summary counted from them. */
export function checkReport(region: string, scheduleNames: readonly string[], findings: readonly Finding[]): CheckReport {
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const worstOf = (name: string): Severity | null => {
    const own = findings.filter((f) => f.schedule?.name === name);
    for (const severity of ['critical', 'warning', 'info'] as const) if (own.some((f) => f.severity === severity)) return severity;
    return null;
  };
  const schedules = scheduleNames.map((name) => ({
    group: 'trading',
    name,
    arn: `arn:aws:scheduler:${region}:000000000000:schedule/trading/${name}`,
    state: 'ENABLED',
    expression: 'rate(5 minutes)',
    timezone: 'UTC',
    target: { kind: 'ecs', arn: `arn:aws:ecs:${region}:000000000000:cluster/trading` },
    evidence: { source: 'ledger', lastRunAt: '2026-11-23T14:40:00.000Z' },
    codes: findings.filter((f) => f.schedule?.name === name).map((f) => f.code),
    worst: worstOf(name),
  }));
  const worst = schedules.map((s) => s.worst);
  return {
    ok: !findings.some((f) => atLeast(f.severity, 'warning')),
    generatedAt: NOW.toISOString(),
    region,
    failOn: 'warning',
    summary: {
      schedules: schedules.length,
      groups: 1,
      findings: { critical: count('critical'), warning: count('warning'), info: count('info') },
      schedulesBySeverity: {
        critical: worst.filter((w) => w === 'critical').length,
        warning: worst.filter((w) => w === 'warning').length,
        info: worst.filter((w) => w === 'info').length,
        healthy: worst.filter((w) => w === null).length,
      },
      unhealthySchedules: worst.filter((w) => w === 'critical' || w === 'warning').length,
      otherFindings: findings.filter((f) => f.schedule === undefined).length,
      evidenceSources: { ledger: schedules.length },
    },
    market: { name: 'NYSE', open: true, closesAt: '2026-11-23T21:00:00.000Z' },
    findings: [...findings],
    schedules,
  };
}

export function checked(acct: AccountTarget, region: string, report: CheckReport, ms = 100): PairOutcome<{ report: CheckReport }> {
  return { pair: { account: acct, region }, ok: true, value: { report }, ms };
}

export function failed(acct: AccountTarget, region: string, failure: PairFailure, ms = 100): PairOutcome<{ report: CheckReport }> {
  return { pair: { account: acct, region }, ok: false, failure, ms };
}
