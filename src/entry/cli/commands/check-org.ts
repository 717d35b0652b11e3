/**
 * `ops check-schedulers --org | --accounts | --accounts-file`: the same check in every account ×
 * region pair, one merged report, and `--fix` across accounts with one consent, one change limit over
 * the total, and backups and audit entries that carry each write's account and region.
 */
import { resolve } from 'node:path';
import { createClusterDirectory } from '../../../aws/cluster-directory.ts';
import type { CheckResult } from '../../../checks/run-check.ts';
import { nyse } from '../../../market/index.ts';
import { checkOrg } from '../../../org/org-check.ts';
import { applyOrgFix, planOrgFix, renderOrgPlan, type OrgFixResult, type OrgPlan } from '../../../org/org-fix.ts';
import { renderOrgReport } from '../../../org/org-render.ts';
import { buildOrgReport, type OrgReport } from '../../../org/org-report.ts';
import { placedAuditLog, placedFileBackupStore } from '../../../org/placed-stores.ts';
import { describeSource, resolveTargets, type OrgPair } from '../../../org/targets.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { newRunId } from '../../../remediate/identifiers.ts';
import { unaddressedFindings } from '../../../remediate/outcome.ts';
import { renderChangeResults } from '../../../remediate/render.ts';
import { formatClock, formatWallTime } from '../../../time-format.ts';
import { remediationPorts } from '../../wiring/fix-ports.ts';
import { orgCheckPorts, organizationLookups, type OrgClients } from '../../wiring/org-clients.ts';
import { definitionTableOf, ledgerTableOf, type AwsOptionArgs } from '../aws-options.ts';
import type { GlobalOptions } from '../command.ts';
import type { CliContext, CommandOutcome } from '../context.ts';
import { openOrgSession } from '../org-session.ts';
import { targetSpecFrom, type OrgOptionArgs } from '../org-options.ts';
import { fixConsent } from '../write-consent.ts';
import type { Severity } from '../../../checks/finding.ts';
import type { ClusterMapping } from '../../../remediate/plan.ts';

export interface OrgCheckArgs extends AwsOptionArgs, OrgOptionArgs {
  group?: string;
  namePrefix?: string;
  state?: 'ENABLED' | 'DISABLED';
  failOn: Severity;
  marketCritical: string[];
  ledgerTable?: string;
  ledger: boolean;
  definitionCacheTable?: string;
  cluster?: string;
}

export interface OrgCheckSettings {
  now: Date;
  concurrency: number;
  graceMinutes: number;
  metricsWindowMinutes: number;
  fix?: { mappings: ClusterMapping[]; maxChanges: number; backupDir: string; auditLog: string };
}

export async function runOrgCheck(args: OrgCheckArgs & GlobalOptions & { dryRun: boolean; yes: boolean }, ctx: CliContext, settings: OrgCheckSettings): Promise<CommandOutcome> {
  const { spec, pairConcurrency } = await targetSpecFrom(args, ctx.cwd);
  const { org, counter } = openOrgSession(args, ctx, spec.regions);
  const tty = ctx.stderrIsTTY;

  const targets = await resolveTargets(spec, organizationLookups(org, 'pass --accounts / --accounts-file'));
  const ledgerTable = args.ledger ? ledgerTableOf(args, ctx.env) : undefined;
  const definitionTable = definitionTableOf(args, ctx.env);
  const check = await checkOrg(
    targets.accounts,
    spec.regions,
    orgCheckPorts(org, (pair) => ({
      concurrency: settings.concurrency,
      ...(ledgerTable !== undefined ? { ledgerTable } : {}),
      ...(definitionTable !== undefined ? { definitionTable, clock: ctx.now, warn: (message: string) => ctx.stderr(`warning: ${pair.account.id} ${pair.region}: ${message}\n`) } : {}),
    })),
    {
      pairConcurrency,
      concurrency: settings.concurrency,
      now: settings.now,
      calendar: nyse,
      graceMinutes: settings.graceMinutes,
      metricsWindowMinutes: settings.metricsWindowMinutes,
      marketCriticalPatterns: args.marketCritical,
      failOn: args.failOn,
      filter: { ...(args.group ? { group: args.group } : {}), ...(args.namePrefix ? { namePrefix: args.namePrefix } : {}), ...(args.state ? { state: args.state } : {}) },
      elapsed: () => performance.now(),
      ...(tty ? { progress: (done: number, total: number, failed: number) => ctx.stderr(`\r… ${done}/${total} pairs checked${failed > 0 ? `, ${failed} failed` : ''}${done === total ? '\n' : ''}`) } : {}),
    },
  );
  const report = buildOrgReport(check.outcomes.map((o) => (o.ok ? { ...o, value: { report: o.value.report } } : o)), {
    failOn: args.failOn,
    calendar: nyse,
    now: settings.now,
    source: describeSource(spec.source),
    accounts: targets.accounts.length,
    skipped: targets.skipped,
    accountFailures: check.accountFailures,
    calls: { ...counter.counts(), 'STS.AssumeRole': org.assumeRoleCalls() },
  });
  const text = renderOrgReport(report, {
    colour: ctx.stdoutIsTTY,
    formatClock: (iso) => formatClock(new Date(iso), nyse.timezone),
    formatWhen: (iso) => formatWallTime(new Date(iso), nyse.timezone),
  });
  if (report.summary.pairs.checked === 0) {
    // Nothing was seen anywhere: not "findings" (exit 1) but a setup that cannot work (exit 2).
    return { exitCode: 2, json: report, text: `${text}\nNo account × region pair could be checked: see the NOT CHECKED lines.` };
  }
  if (settings.fix === undefined) return { exitCode: report.ok ? 0 : 1, json: report, text };

  const checked = check.outcomes.flatMap((o) => (o.ok ? [{ pair: o.pair, check: o.value }] : []));
  return runOrgFix(report, text, checked, settings.fix, args, ctx, org);
}

interface OrgFixDocument {
  ok: boolean;
  mode: 'dry-run' | 'applied' | 'declined' | 'refused' | 'nothing-to-do';
  report: OrgReport;
  plan: { changes: number; decisions: number; unusedMappings: string[]; pairs: { account: string; accountName: string; region: string; plan: OrgPlan['pairs'][number]['plan'] }[] };
  maxChanges: number;
  refused?: { reason: string; hint: string };
  run?: { runId: string; auditLog: string; backupDir: string };
  results: ({ account: string; accountName: string; region: string } & Record<string, unknown>)[];
}

async function runOrgFix(
  report: OrgReport,
  reportText: string,
  checked: { pair: OrgPair; check: CheckResult }[],
  fix: NonNullable<OrgCheckSettings['fix']>,
  args: OrgCheckArgs & GlobalOptions & { dryRun: boolean; yes: boolean },
  ctx: CliContext,
  org: OrgClients,
): Promise<CommandOutcome> {
  const withClusters = await Promise.all(checked.map(async ({ pair, check }) => ({ pair, check, clusters: createClusterDirectory((await org.forPair(pair)).ecs) })));
  const plan = await planOrgFix(withClusters, { ...(args.cluster !== undefined ? { cluster: args.cluster } : {}), mappings: fix.mappings });
  const planText = renderOrgPlan(plan, { maxChanges: fix.maxChanges });
  const planJson: OrgFixDocument['plan'] = {
    changes: plan.changes,
    decisions: plan.decisions,
    unusedMappings: plan.unusedMappings,
    pairs: plan.pairs.map((p) => ({ account: p.account, accountName: p.accountName, region: p.region, plan: p.plan })),
  };
  const document = (mode: OrgFixDocument['mode'], extra: Partial<OrgFixDocument> = {}): OrgFixDocument => ({ ok: false, mode, report, plan: planJson, maxChanges: fix.maxChanges, results: [], ...extra });
  const dryRunExit = report.ok && plan.decisions === 0 ? 0 : 1;
  if (plan.changes === 0) return { exitCode: dryRunExit, json: document('nothing-to-do', { ok: dryRunExit === 0 }), text: `${reportText}\n\n${planText}\nNothing to apply.` };

  const backupDir = resolve(ctx.cwd, fix.backupDir);
  const auditLog = createFileAuditLog(resolve(ctx.cwd, fix.auditLog));
  const accounts = new Set(plan.pairs.filter((p) => p.plan.changes.length > 0).map((p) => p.account)).size;
  const consent = await fixConsent({
    args,
    ctx,
    reportText,
    planText,
    document,
    dryRunExit,
    writes: plan.changes,
    maxChanges: fix.maxChanges,
    question: `Apply ${plan.changes} change(s) to Target.Arn in ${accounts} account(s)? A backup of each schedule goes to ${backupDir}/<account>/<region>.`,
  });
  if (!consent.granted) return consent.outcome;

  const runId = newRunId('fix', ctx.now());
  const progress = ctx.stderrIsTTY ? (message: string) => ctx.stderr(`… ${message}\n`) : undefined;
  const results = await applyOrgFix(
    plan,
    async (pair) => {
      const place = { account: pair.account.id, region: pair.region };
      return remediationPorts(await org.forPair(pair), { backups: placedFileBackupStore(backupDir, place), audit: placedAuditLog(auditLog, place) });
    },
    { now: ctx.now, maxChanges: fix.maxChanges, runId, ...(progress ? { progress } : {}) },
  );
  const flat = flattenResults(results);
  const failedWrites = flat.some((r) => r.status !== 'ok' && r.status !== 'unchanged');
  const exitCode: 0 | 1 = failedWrites || plan.decisions > 0 || unfixedExit(report, results) === 1 ? 1 : 0;
  const doc = document('applied', { ok: exitCode === 0, run: { runId, auditLog: auditLog.path, backupDir }, results: flat });
  const lines = [consent.prefix.trimEnd()];
  for (const result of results) {
    lines.push(`${result.accountName} (${result.account}) ${result.region}`);
    if ('failure' in result) lines.push(`  NOT APPLIED (${result.changes} change(s)): ${result.failure.action} failed (${result.failure.errorName}: ${result.failure.reason})`);
    else lines.push(...renderChangeResults(result.run.results, { runId, auditLog: auditLog.path }).split('\n').map((line) => `  ${line}`));
  }
  lines.push(`Undo every account's changes with: ops rollback --last   (one account: ops rollback --last --account <id>)`);
  return { exitCode, json: doc, text: lines.filter((l) => l !== '').join('\n') };
}

/**
 * Findings the fix did not address still fail the run at --fail-on, judged per pair by the same rule
 * as a single-account fix (unaddressedFindings: a repaired schedule's MISSED_RUNS, and TARGET_ERRORS
 * of a group whose every broken schedule was repaired, count as addressed).
 */
function unfixedExit(report: OrgReport, results: readonly OrgFixResult[]): 0 | 1 {
  const key = (place: { account: string; region: string }) => `${place.account}|${place.region}`;
  const byPair = new Map<string, OrgReport['findings']>();
  for (const finding of report.findings) byPair.set(key(finding), [...(byPair.get(key(finding)) ?? []), finding]);
  const applied = new Map(results.flatMap((r) => ('run' in r ? [[key(r), r.run.results] as const] : [])));
  return [...byPair].some(([pair, findings]) => unaddressedFindings(findings, report.failOn, applied.get(pair) ?? []).length > 0) ? 1 : 0;
}

function flattenResults(results: readonly OrgFixResult[]): OrgFixDocument['results'] {
  return results.flatMap((r): OrgFixDocument['results'] => {
    const place = { account: r.account, accountName: r.accountName, region: r.region };
    if ('failure' in r) return [{ ...place, status: 'failed', reason: `${r.failure.action}: ${r.failure.errorName}: ${r.failure.reason}`, changes: r.changes }];
    return r.run.results.map((c) => ({ ...place, ...c }));
  });
}
