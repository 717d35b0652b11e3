/**
 * `ops healthcheck --org | --accounts | --accounts-file`: the Lambda's org mode once, from a terminal,
 * over the accounts and regions `ops check-schedulers` takes the same flags for. Each pair alerts under
 * its own stream (`--alert-table`: the Lambda's items `<key>#<account>#<region>`, so the dedup is
 * shared; else one file per stream next to `--alert-state`), auto-fix backups go to
 * `<backup-dir>/<account>/<region>` and audit entries carry the pair. Unlike the Lambda, it checks
 * only the targets: the account the terminal is in is checked when it is among them, through the role.
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { DEFAULT_ALERT_STATE_FILE, FileAlertStateStore, type AlertStateStore } from '../../../alerts/index.ts';
import { DynamoAlertStateStore } from '../../../aws/alert-state-store.ts';
import { atLeast, Severity } from '../../../checks/finding.ts';
import type { AlertOutcome } from '../../../healthcheck/alerting.ts';
import { healthcheckRunId } from '../../../healthcheck/invocation.ts';
import { accountLabel, ANY_REGION } from '../../../healthcheck/org-entry-alerts.ts';
import { runOrgHealthcheck, type OrgHealthcheckResult, type OrgPairResult } from '../../../healthcheck/org-healthcheck.ts';
import { recordingSink } from '../../../healthcheck/ports.ts';
import { nyse } from '../../../market/index.ts';
import { placedAuditLog, placedFileBackupStore } from '../../../org/placed-stores.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { createOrgHealthcheckDeps, definitionCaches } from '../../wiring/org-healthcheck-aws.ts';
import { definitionTableOf, ledgerTableOf, type AwsOptionArgs } from '../aws-options.ts';
import type { CliContext, CommandOutcome } from '../context.ts';
import { openOrgSession } from '../org-session.ts';
import { targetSpecFrom, type OrgOptionArgs } from '../org-options.ts';
import { autoFixNote } from '../../../healthcheck/auto-fix.ts';
import { DEFAULT_METRICS_NAMESPACE, HEALTHCHECK_SERVICE } from '../../../healthcheck/metric-contract.ts';
import type { HealthLog } from '../../../healthcheck/ports.ts';

export interface OrgHealthcheckArgs extends AwsOptionArgs, OrgOptionArgs {
  notify: boolean;
  autoFix: boolean;
  alertState?: string;
  alertTable?: string;
  alertMinSeverity: Severity;
  marketCritical: string[];
  ledgerTable?: string;
  ledger: boolean;
  definitionCacheTable?: string;
  backupDir: string;
  auditLog: string;
  runbookBaseUrl?: string;
}

export interface OrgHealthcheckSettings {
  now: Date;
  maxChanges: number;
  reminderHours: number;
  topicArn?: string;
  /** The Lambda's ALERT_STATE_KEY default, so `--alert-table` shares its streams. */
  alertStateKey: string;
  log: HealthLog;
}

/** Findings listed in the text before it is cut (the JSON document has them all). */
const MAX_LISTED_FINDINGS = 50;

export async function runOrgHealthcheckCommand(args: OrgHealthcheckArgs, ctx: CliContext, settings: OrgHealthcheckSettings): Promise<CommandOutcome> {
  const { spec, pairConcurrency } = await targetSpecFrom(args, ctx.cwd);
  const { central, org, counter } = openOrgSession(args, ctx, spec.regions);
  const statePath = resolve(ctx.cwd, args.alertState ?? DEFAULT_ALERT_STATE_FILE);
  const alertStore = (key: string): AlertStateStore =>
    args.alertTable !== undefined
      ? new DynamoAlertStateStore({ client: central.dynamodb, tableName: args.alertTable, key })
      : new FileAlertStateStore(streamFile(statePath, key, settings.alertStateKey));
  const backupDir = resolve(ctx.cwd, args.backupDir);
  const auditLog = createFileAuditLog(resolve(ctx.cwd, args.auditLog));
  const definitionTable = definitionTableOf(args, ctx.env);
  const sink = recordingSink();
  const deps = createOrgHealthcheckDeps({
    org,
    metrics: sink,
    log: settings.log,
    alertStore,
    ...(args.notify && settings.topicArn !== undefined ? { topicArn: settings.topicArn } : {}),
    ...(args.ledger ? { ledgerTable: ledgerTableOf(args, ctx.env) } : {}),
    definitionCaches: definitionCaches(central, { ...(definitionTable !== undefined ? { table: definitionTable } : {}), clock: ctx.now, warn: (message) => ctx.stderr(`warning: ${message}\n`) }),
    ...(args.autoFix ? { remediation: (place) => ({ backups: placedFileBackupStore(backupDir, place), audit: placedAuditLog(auditLog, place) }) } : {}),
    calls: () => ({ ...counter.counts(), 'STS.AssumeRole': org.assumeRoleCalls() }),
  });
  const result = await runOrgHealthcheck(deps, {
    runId: healthcheckRunId(settings.now),
    now: settings.now,
    clock: ctx.now,
    calendar: nyse,
    marketCriticalPatterns: args.marketCritical,
    notify: args.notify,
    alert: { minSeverity: args.alertMinSeverity, reminderHours: settings.reminderHours, ...(args.runbookBaseUrl !== undefined ? { runbookBaseUrl: args.runbookBaseUrl } : {}) },
    autoFix: args.autoFix,
    maxChanges: settings.maxChanges,
    targets: spec,
    pairConcurrency,
    alertStateKey: settings.alertStateKey,
    elapsed: () => performance.now(),
    ...(ctx.stderrIsTTY ? { progress: (done: number, total: number, failed: number) => ctx.stderr(`\r… ${done}/${total} pairs checked${failed > 0 ? `, ${failed} failed` : ''}${done === total ? '\n' : ''}`) } : {}),
  });
  const text = renderOrgHealthcheck(result);
  // Nothing was seen anywhere: not "findings" (exit 1) but a setup that cannot work (exit 2).
  if (result.summary.pairs.checked === 0) return { exitCode: 2, json: result, text: `${text}\n\nNo account × region pair could be checked: see the pairs above.` };
  return { exitCode: result.ok ? 0 : 1, json: result, text };
}

/** `.ops/alert-state.json` → `.ops/alert-state.111111111111.us-east-1.json` (`….all-regions.json` for an account's entry stream). */
export function streamFile(base: string, key: string, rootKey: string): string {
  if (key === rootKey) return base;
  const suffix = key.startsWith(`${rootKey}#`) ? key.slice(rootKey.length + 1) : key;
  const ext = extname(base);
  const stem = basename(base, ext);
  return join(dirname(base), `${stem}.${suffix.split('#').map((part) => (part === ANY_REGION ? 'all-regions' : part)).join('.')}${ext}`);
}

export function renderOrgHealthcheck(result: OrgHealthcheckResult): string {
  const { summary } = result;
  const sections: string[] = [];
  sections.push(
    [
      `Org healthcheck (${result.targets.source}): ${summary.pairs.total} pair(s) in ${summary.accounts.total} account(s): ${summary.pairs.checked} checked, ${summary.pairs.incomplete} incomplete, ${summary.pairs.notStarted} not started`,
      `${summary.schedules} schedule(s), ${summary.unhealthySchedules} unhealthy · findings ${summary.findings.critical} critical, ${summary.findings.warning} warning, ${summary.findings.info} info · market ${summary.marketOpen ? 'OPEN' : 'CLOSED'}`,
      ...(result.targets.skipped.length > 0 ? [`Skipped: ${result.targets.skipped.map((s) => `${s.name === s.id ? s.id : `${s.name} (${s.id})`}: ${s.reason}`).join('; ')}`] : []),
    ].join('\n'),
  );
  const rows = result.pairs.map((p) => [accountLabel({ id: p.account, name: p.accountName }), p.region, p.status, p.result ? String(p.result.report.summary.schedules) : '-', p.result ? String(p.result.report.summary.unhealthySchedules) : '-', pairNote(p)]);
  sections.push(table(['ACCOUNT', 'REGION', 'STATUS', 'SCHEDULES', 'UNHEALTHY', 'ALERT / WHY'], rows));

  const findings = result.pairs.flatMap((p) =>
    (p.result?.report.findings ?? []).filter((f) => atLeast(f.severity, Severity.warning)).map((f) => [`${accountLabel({ id: p.account, name: p.accountName })} ${p.region}`, f.severity.toUpperCase(), f.code, f.schedule ? `${f.schedule.group}/${f.schedule.name}` : f.group !== undefined ? `group ${f.group}` : '(check)']),
  );
  if (findings.length > 0) {
    const listed = table(['WHERE', 'SEVERITY', 'CODE', 'SCHEDULE'], findings.slice(0, MAX_LISTED_FINDINGS));
    sections.push(`Findings (warning and above)\n${listed}${findings.length > MAX_LISTED_FINDINGS ? `\n  … and ${findings.length - MAX_LISTED_FINDINGS} more: see --json` : ''}`);
  }
  const entries = result.accounts.filter((a) => !a.entered || (a.alert.status === 'decided' && a.alert.sent));
  if (entries.length > 0) {
    sections.push(
      ['Accounts', ...entries.map((a) => `  ${accountLabel({ id: a.account, name: a.accountName })}: ${a.entered ? 'entered' : `NOT ENTERED, ${a.failure?.action ?? 'unknown'} failed (${a.failure?.errorName ?? ''}: ${a.failure?.reason ?? ''})`}; alert: ${alertNote(a.alert)}`)].join('\n'),
    );
  }
  const fixes = result.pairs.flatMap((p) => {
    const note = p.result ? autoFixNote(p.result.autoFix) : undefined;
    return note === undefined ? [] : [`  ${accountLabel({ id: p.account, name: p.accountName })} ${p.region}: ${note}`];
  });
  if (fixes.length > 0) sections.push(`Auto-fix (backups and audit entries carry each pair's account and region)\n${fixes.join('\n')}`);
  sections.push(
    `Metrics: the org totals the Lambda emits as EMF (namespace ${DEFAULT_METRICS_NAMESPACE}, dimension service=${HEALTHCHECK_SERVICE}); each pair also emits its own with Account and Region\n${table(
      ['METRIC', 'VALUE'],
      result.metrics.map((m) => [m.name, String(m.value)]),
    )}`,
  );
  if (result.errors.length > 0) sections.push(`Errors:\n${result.errors.map((e) => `  ${e.stage}${e.account !== undefined ? ` ${e.account}${e.region !== undefined ? ` ${e.region}` : ''}` : ''}: ${e.message}`).join('\n')}`);
  return sections.join('\n\n');
}

function pairNote(pair: OrgPairResult): string {
  if (pair.status === 'not-started') return 'not started: no time left';
  if (pair.result === undefined) return pair.failure ? `${pair.failure.action} failed (${pair.failure.errorName})` : 'not checked';
  const blind = pair.result.report.blind;
  const alert = alertNote(pair.result.alert);
  return blind !== undefined ? `BLIND (${blind.action}); ${alert}` : alert;
}

function alertNote(alert: AlertOutcome): string {
  switch (alert.status) {
    case 'off':
      if (alert.previewError !== undefined) return `state unreadable (${alert.previewError})`;
      return alert.preview ? (alert.preview.send ? `would send ${alert.preview.kind ?? 'an email'}` : 'would send nothing') : 'off';
    case 'decided':
      if (alert.publishError !== undefined) return `${alert.kind ?? 'email'} NOT published`;
      return alert.sent ? `sent ${alert.kind ?? 'email'}` : 'nothing sent';
    case 'failed':
      return `FAILED: ${alert.error}`;
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
