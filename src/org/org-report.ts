/**
 * One report for an org-wide run: every pair's findings and schedules with `account` and `region` on
 * each, a summary per pair, and totals. A pair that could not be checked (a denied AssumeRole, a
 * failing region, a blind check) is one CHECK_INCOMPLETE finding naming the account, the region and
 * the IAM action, so nothing disappears from the totals without a line saying why.
 */
import { FindingCode, Severity, atLeast, type Finding } from '../checks/finding.ts';
import type { CheckReport } from '../checks/report.ts';
import type { MarketCalendar } from '../market/index.ts';
import type { AccountFailure } from './prepare-pairs.ts';
import type { PairFailure, PairOutcome } from './run-pairs.ts';
import type { AccountTarget, OrgPair } from './targets.ts';

export interface Placement {
  account: string;
  accountName: string;
  region: string;
}

export type OrgFinding = Finding & Placement;
export type OrgSchedule = CheckReport['schedules'][number] & Placement;

export interface PairSummary extends Placement {
  status: 'checked' | 'incomplete';
  schedules: number;
  findings: Record<Severity, number>;
  unhealthySchedules: number;
  ms: number;
  failure?: PairFailure;
}

export interface OrgReport {
  ok: boolean;
  mode: 'org';
  generatedAt: string;
  failOn: Severity;
  targets: {
    source: string;
    accounts: number;
    regions: string[];
    pairs: number;
    skipped: { id: string; name: string; reason: string }[];
  };
  summary: {
    pairs: { total: number; checked: number; incomplete: number };
    accounts: number;
    schedules: number;
    findings: Record<Severity, number>;
    unhealthySchedules: number;
  };
  market: CheckReport['market'];
  pairs: PairSummary[];
  findings: OrgFinding[];
  schedules: OrgSchedule[];
  calls?: Record<string, number>;
}

export function placementOf(pair: OrgPair): Placement {
  return { account: pair.account.id, accountName: pair.account.name, region: pair.region };
}

/** The finding for a pair that was not checked (or not all the way). */
export function incompletePairFinding(pair: OrgPair, failure: PairFailure): OrgFinding {
  const { account, region } = pair;
  const fix =
    failure.action === 'sts:AssumeRole'
      ? `aws iam get-role --role-name ${roleNameOf(account)}   # in account ${account.id}: deploy the member role (infra: ops:memberOf) or fix its trust policy`
      : `ops check-schedulers --accounts ${account.id} --regions ${region}`;
  return {
    code: FindingCode.CHECK_INCOMPLETE,
    severity: Severity.warning,
    message:
      failure.action === 'not-started'
        ? `${account.name} (${account.id}) ${region} was not checked: the run had no time left for it.`
        : `${account.name} (${account.id}) ${region} was not checked: ${failure.action} failed (${failure.errorName}: ${failure.reason}).`,
    evidence: { account: account.id, region, action: failure.action, errorName: failure.errorName, reason: failure.reason, ...(failure.action === 'sts:AssumeRole' ? { role: account.role } : {}) },
    fix,
    runbook: `runbooks/${FindingCode.CHECK_INCOMPLETE}.md`,
    account: account.id,
    accountName: account.name,
    region,
  };
}

/** An account that could not be entered: one finding for all its regions (region `*`, the list in evidence). */
export function incompleteAccountFinding(account: AccountTarget, failure: PairFailure, regions: readonly string[]): OrgFinding {
  const where = regions.length > 0 ? `in ${regions.join(', ')}` : 'in any region';
  const finding = incompletePairFinding({ account, region: '*' }, failure);
  return {
    ...finding,
    message: `${account.name} (${account.id}) was not checked ${where}: ${failure.action} failed (${failure.errorName}: ${failure.reason}).`,
    evidence: { ...finding.evidence, regions: [...regions] },
    // Not `--regions *` (no such region, and a shell glob): the regions it would have covered, or all.
    ...(failure.action === 'sts:AssumeRole' ? {} : { fix: `ops check-schedulers --accounts ${account.id} ${regions.length > 0 ? `--regions ${regions.join(',')}` : '--all-regions'}` }),
  };
}

function roleNameOf(account: AccountTarget): string {
  return account.role.startsWith('arn:') ? (account.role.split('/').pop() ?? account.role) : account.role;
}

export interface OrgReportOptions {
  failOn: Severity;
  calendar: MarketCalendar;
  now: Date;
  source: string;
  accounts: number;
  skipped: OrgReport['targets']['skipped'];
  /** Accounts that could not be entered: one finding each, and each of their regions an incomplete pair. */
  accountFailures?: readonly AccountFailure[];
  calls?: Record<string, number>;
}

export function buildOrgReport(outcomes: readonly PairOutcome<{ report: CheckReport }>[], options: OrgReportOptions): OrgReport {
  const findings: OrgFinding[] = [];
  const schedules: OrgSchedule[] = [];
  const pairs: PairSummary[] = [];
  for (const { account, failure, regions } of options.accountFailures ?? []) {
    const finding = incompleteAccountFinding(account, failure, regions);
    findings.push(finding);
    for (const region of regions.length > 0 ? regions : ['*']) {
      pairs.push({ account: account.id, accountName: account.name, region, status: 'incomplete', schedules: 0, findings: { critical: 0, warning: 0, info: 0 }, unhealthySchedules: 0, ms: 0, failure });
    }
  }
  for (const outcome of outcomes) {
    const place = placementOf(outcome.pair);
    if (!outcome.ok) {
      const finding = incompletePairFinding(outcome.pair, outcome.failure);
      findings.push(finding);
      pairs.push({ ...place, status: 'incomplete', schedules: 0, findings: countBySeverity([finding]), unhealthySchedules: 0, ms: outcome.ms, failure: outcome.failure });
      continue;
    }
    const { report } = outcome.value;
    for (const finding of report.findings) findings.push({ ...finding, ...place });
    for (const schedule of report.schedules) schedules.push({ ...schedule, ...place });
    pairs.push({ ...place, status: 'checked', schedules: report.summary.schedules, findings: report.summary.findings, unhealthySchedules: report.summary.unhealthySchedules, ms: outcome.ms });
  }
  const status = options.calendar.status(options.now);
  const checked = pairs.filter((p) => p.status === 'checked').length;
  return {
    ok: !findings.some((f) => atLeast(f.severity, options.failOn)),
    mode: 'org',
    generatedAt: options.now.toISOString(),
    failOn: options.failOn,
    targets: {
      source: options.source,
      accounts: options.accounts,
      regions: [...new Set(pairs.map((p) => p.region).filter((r) => r !== '*'))].sort(),
      pairs: pairs.length,
      skipped: options.skipped,
    },
    summary: {
      pairs: { total: pairs.length, checked, incomplete: pairs.length - checked },
      accounts: new Set(pairs.map((p) => p.account)).size,
      schedules: schedules.length,
      findings: countBySeverity(findings),
      unhealthySchedules: pairs.reduce((sum, p) => sum + p.unhealthySchedules, 0),
    },
    market: status.open
      ? { name: options.calendar.name, open: true, closesAt: status.closesAt.toISOString() }
      : { name: options.calendar.name, open: false, opensAt: status.opensAt.toISOString(), reason: status.reason },
    pairs,
    findings,
    schedules,
    ...(options.calls ? { calls: options.calls } : {}),
  };
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const count = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  return { critical: count('critical'), warning: count('warning'), info: count('info') };
}
