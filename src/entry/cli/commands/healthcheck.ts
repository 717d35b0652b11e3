import { resolve } from 'node:path';
import { DynamoAlertStateStore } from '../../../aws/alert-state-store.ts';
import { createAwsClients } from '../../../aws/clients.ts';
import { FileAlertStateStore, DEFAULT_ALERT_STATE_FILE, type AlertStateStore } from '../../../alerts/index.ts';
import { isConfigurationBlindness } from '../../../checks/blindness.ts';
import { Severity } from '../../../checks/finding.ts';
import { renderReport } from '../../../checks/report.ts';
import { UserError } from '../../../errors.ts';
import type { AlertOutcome } from '../../../healthcheck/alerting.ts';
import type { AutoFixOutcome } from '../../../healthcheck/auto-fix.ts';
import { countCalls, createHealthcheckDeps } from '../../wiring/healthcheck-aws.ts';
import { causeFields, healthcheckRunId } from '../../../healthcheck/invocation.ts';
import { describeCause } from '../../../checks/change-scope.ts';
import { readEventFile } from '../event-file.ts';
import { DEFAULT_METRICS_NAMESPACE, HEALTHCHECK_SERVICE, type MetricDatum } from '../../../healthcheck/metric-contract.ts';
import { recordingSink, type HealthLog, type LogFields } from '../../../healthcheck/ports.ts';
import { HEALTHCHECK_DEFAULTS, runHealthcheck, type HealthcheckResult } from '../../../healthcheck/run-healthcheck.ts';
import { nyse } from '../../../market/index.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { createFileBackupStore } from '../../../remediate/backup.ts';
import { renderChangeResults } from '../../../remediate/render.ts';
import { awsSettingsFrom, DEFINITION_CACHE_TABLE_DESCRIPTION, definitionTableOf, ledgerTableOf, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand } from '../command.ts';
import type { CliContext } from '../context.ts';
import { formatClock, formatWallTime } from '../../../time-format.ts';
import { parseAmountOption, parseCountOption, parseInstantOption } from '../parse-instant.ts';
import { DEFAULT_AUDIT_LOG, DEFAULT_BACKUP_DIR, DEFAULT_LEDGER_TABLE } from './check-schedulers.ts';
import { assertOrgOptions, isOrgRun, withOrgOptions, type OrgOptionArgs } from '../org-options.ts';
import { runOrgHealthcheckCommand } from './healthcheck-org.ts';
import { statusPageSettingsFrom, withStatusPageOptions, type StatusPageOptionArgs } from '../status-page-options.ts';
import { statusPageLine } from '../../../healthcheck/status-page.ts';

interface Args extends AwsOptionArgs, OrgOptionArgs, StatusPageOptionArgs {
  notify: boolean;
  autoFix: boolean;
  topicArn?: string;
  alertState?: string;
  alertTable?: string;
  alertMinSeverity: Severity;
  reminderHours: number;
  at?: string;
  maxChanges: number;
  marketCritical: string[];
  ledgerTable?: string;
  ledger: boolean;
  definitionCacheTable?: string;
  backupDir: string;
  auditLog: string;
  runbookBaseUrl?: string;
  event?: string;
}

/** The same key the Lambda uses, so `--alert-table` shares its dedup state. */
const ALERT_STATE_KEY = 'healthcheck';

export const healthcheckCommand = defineCommand<Args>({
  command: 'healthcheck',
  describe: 'Run the 5-minute healthcheck once: the check, the metrics it emits, the alert decision, and optionally the auto-fix',
  builder: (y) =>
    withStatusPageOptions(withOrgOptions(withAwsOptions(y)))
      .option('notify', { type: 'boolean', default: false, describe: 'Apply the alert policy and publish its email to --topic-arn (without it nothing is sent)' })
      .option('topic-arn', { type: 'string', describe: 'SNS topic for the email (default: ALERT_TOPIC_ARN)' })
      .option('alert-state', { type: 'string', describe: `Alert state file (dedup, reminders, recovery; default ${DEFAULT_ALERT_STATE_FILE})` })
      .option('alert-table', { type: 'string', describe: 'Keep the alert state in this DynamoDB table instead (the Lambda\'s, to share its dedup)' })
      .option('alert-min-severity', { choices: [Severity.critical, Severity.warning] as const, default: HEALTHCHECK_DEFAULTS.alertMinSeverity, describe: 'Findings below this never email' })
      .option('reminder-hours', { type: 'number', default: HEALTHCHECK_DEFAULTS.reminderHours, describe: 'Hours between reminders while critical findings persist (market hours only)' })
      .option('auto-fix', { type: 'boolean', default: false, describe: 'Repair unambiguous TARGET_CLUSTER_NOT_FOUND (auto-matched cluster only) without asking, like the Lambda with AUTO_FIX=true' })
      .option('max-changes', { type: 'number', default: HEALTHCHECK_DEFAULTS.maxChanges, describe: 'Auto-fix writes nothing when it plans more changes than this' })
      .option('backup-dir', { type: 'string', default: DEFAULT_BACKUP_DIR, describe: 'Auto-fix: where each schedule is saved before it is written' })
      .option('audit-log', { type: 'string', default: DEFAULT_AUDIT_LOG, describe: 'Auto-fix: append-only JSON-lines record of every change' })
      .option('market-critical', { type: 'string', array: true, default: [] as string[], describe: 'Glob of market-critical schedule names (repeatable)' })
      .option('ledger-table', { type: 'string', describe: `DynamoDB table of the run ledger (run evidence; default: RUN_LEDGER_TABLE, else ${DEFAULT_LEDGER_TABLE})` })
      .option('ledger', { type: 'boolean', default: true, describe: 'Read run evidence from the ledger; --no-ledger reads ECS task listings only' })
      .option('definition-cache-table', { type: 'string', describe: DEFINITION_CACHE_TABLE_DESCRIPTION })
      .option('at', { type: 'string', describe: 'Evaluate as of this ISO instant (default: now); for replays on the sandbox clock' })
      .option('runbook-base-url', { type: 'string', describe: 'Prefix for runbook links in the email' })
      .option('event', { type: 'string', describe: 'Check only what this CloudTrail change event can affect, like the Lambda does (a JSON file: one event as EventBridge delivers it, a list of them, or an SQS batch; many are one run)' })
      .example('$0 healthcheck', 'What the healthcheck sees and would emit; sends nothing')
      .example('$0 healthcheck --notify --topic-arn arn:aws:sns:us-east-1:123456789012:ops-alerts', 'Email through SNS under the alert policy')
      .example('$0 healthcheck --auto-fix --json', 'Repair what is unambiguous, then report the healed state')
      .example('$0 healthcheck --event update-schedule.json --notify', 'The change-driven check for one UpdateSchedule, DeleteCluster, … event')
      .example('$0 healthcheck --org --regions us-east-1,us-west-2 --alert-table ops-pipeline-alert-state', "The Lambda's org mode once: every account × region, each pair's alert state shared with the Lambda"),
  run: async (args, ctx) => {
    const now = args.at !== undefined ? parseInstantOption('at', args.at) : ctx.now();
    const maxChanges = parseCountOption('max-changes', args.maxChanges, 10_000);
    const reminderHours = parseAmountOption('reminder-hours', args.reminderHours, { min: 0, exclusiveMin: true, max: 24 * 7, example: 2, unit: 'hours' });
    if (args.alertState !== undefined && args.alertTable !== undefined) {
      throw new UserError('CONFLICTING_OPTIONS', '--alert-state and --alert-table both name where the alert state lives.', 'Pass one: a file for a terminal, the table to share the Lambda\'s state.');
    }
    const topicArn = args.topicArn ?? (ctx.env.ALERT_TOPIC_ARN || undefined);
    if (args.notify && topicArn === undefined) {
      throw new UserError('NO_TOPIC', '--notify needs an SNS topic to publish to.', 'Pass --topic-arn arn:aws:sns:<region>:<account>:<topic>, or export ALERT_TOPIC_ARN.');
    }
    assertOrgOptions(args);
    if (isOrgRun(args)) {
      if (args.event !== undefined) {
        throw new UserError('CONFLICTING_OPTIONS', '--event checks what a change in this account can affect; it does not combine with --org, --accounts or --accounts-file.', 'Drop --event for the org-wide run, or the org flags for the change-driven check.');
      }
      if (args.statusBucket !== undefined) {
        throw new UserError('CONFLICTING_OPTIONS', '--status-bucket publishes one account\'s status page; it does not combine with --org, --accounts or --accounts-file.', 'Drop --status-bucket for the org-wide run.');
      }
      return runOrgHealthcheckCommand(args, ctx, { now, maxChanges, reminderHours, ...(topicArn !== undefined ? { topicArn } : {}), alertStateKey: ALERT_STATE_KEY, log: stderrLog(ctx) });
    }
    const trigger = args.event !== undefined ? await readEventFile(resolve(ctx.cwd, args.event), args.event) : undefined;
    if (trigger?.kind === 'ignored') {
      const ignored = { runId: healthcheckRunId(now), ok: true, ignored: true, reason: trigger.reason, change: causeFields(trigger.cause), ...(trigger.ignored.length > 1 ? { ignoredCalls: trigger.ignored.length } : {}) };
      return { exitCode: 0, json: ignored, text: `Change ignored: ${trigger.reason}.
  ${describeCause(trigger.cause)}` };
    }

    const statusPage = statusPageSettingsFrom(args, ctx.env);
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const counter = countCalls(clients);
    const store: AlertStateStore =
      args.alertTable !== undefined
        ? new DynamoAlertStateStore({ client: clients.dynamodb, tableName: args.alertTable, key: ALERT_STATE_KEY })
        : new FileAlertStateStore(resolve(ctx.cwd, args.alertState ?? DEFAULT_ALERT_STATE_FILE));
    const sink = recordingSink();
    const definitionTable = definitionTableOf(args, ctx.env);
    const deps = createHealthcheckDeps(clients, {
      metrics: sink,
      log: stderrLog(ctx),
      counter,
      ...(args.ledger ? { ledgerTable: ledgerTableOf(args, ctx.env) } : {}),
      ...(definitionTable !== undefined ? { definitionTable } : {}),
      alerts: { store, ...(args.notify && topicArn !== undefined ? { topicArn } : {}) },
      ...(args.autoFix ? { remediation: { backups: createFileBackupStore(resolve(ctx.cwd, args.backupDir)), audit: createFileAuditLog(resolve(ctx.cwd, args.auditLog)) } } : {}),
      ...(statusPage !== undefined ? { statusPage, clock: ctx.now } : {}),
    });

    const result = await runHealthcheck(deps, {
      runId: healthcheckRunId(now),
      now,
      clock: ctx.now,
      region: clients.config.region,
      calendar: nyse,
      marketCriticalPatterns: args.marketCritical,
      notify: args.notify,
      alert: { minSeverity: args.alertMinSeverity, reminderHours, ...(args.runbookBaseUrl !== undefined ? { runbookBaseUrl: args.runbookBaseUrl } : {}) },
      autoFix: args.autoFix,
      maxChanges,
      ...(ctx.stderrIsTTY ? { progress: (message: string) => ctx.stderr(`… ${message}\n`) } : {}),
      ...(trigger !== undefined ? { change: trigger.scope } : {}),
    });
    const blind = result.report.blind;
    // Blind: the metrics and the alert went out, but the exit code says what the check-schedulers one does.
    const exitCode = blind ? (isConfigurationBlindness(blind) ? 2 : 3) : result.ok ? 0 : 1;
    return { exitCode, json: result, text: renderHealthcheck(result, ctx) };
  },
});

function stderrLog(ctx: CliContext): HealthLog {
  const line = (level: string) => (message: string, fields?: LogFields) => {
    // The check's own failure is printed once, as the command's error or in its result.
    if (fields?.stage === 'check') return;
    const detail = fields?.error instanceof Error ? `: ${fields.error.message}` : '';
    ctx.stderr(`${level}: ${message}${detail}\n`);
  };
  // Info lines would repeat what the printed result says; warnings and errors are what stderr is for.
  return { info: () => undefined, warn: line('warning'), error: line('error') };
}

export function renderHealthcheck(result: HealthcheckResult, ctx: Pick<CliContext, 'stdoutIsTTY'>): string {
  const sections: string[] = [];
  if (result.change) sections.push(renderChangeRun(result.change));
  const reportText = (report: HealthcheckResult['report']) =>
    renderReport(report, {
      colour: ctx.stdoutIsTTY,
      formatClock: (iso) => formatClock(new Date(iso), nyse.timezone),
      formatWhen: (iso) => formatWallTime(new Date(iso), nyse.timezone),
    });
  if (result.reportBeforeFix) sections.push(`Before auto-fix:\n${reportText(result.reportBeforeFix)}`, renderAutoFix(result.autoFix), `After auto-fix:\n${reportText(result.report)}`);
  else {
    sections.push(reportText(result.report));
    if (result.autoFix.status !== 'off') sections.push(renderAutoFix(result.autoFix));
  }
  if (result.selfHealedEmail) {
    const e = result.selfHealedEmail;
    sections.push(`Self-healed email: ${e.sent ? `published "${e.subject}"` : `NOT published (${e.error ?? 'unknown error'}): "${e.subject}"`}`);
  }
  sections.push(renderMetrics(result.metrics));
  sections.push(renderAlert(result.alert));
  if (result.statusPage) sections.push(statusPageLine(result.statusPage, nyse.timezone));
  const blind = result.report.blind;
  // A blind check is the run's error: said once, last, with what to do.
  const errors = result.errors.filter((e) => !(blind && e.stage === 'check'));
  if (errors.length > 0) sections.push(`Errors:\n${errors.map((e) => `  ${e.stage}: ${e.message}`).join('\n')}`);
  if (blind) sections.push(`error: ${blind.code}: the check could not see; MONITOR_BLIND above says why\nhint: ${blind.hint}`);
  return sections.join('\n\n');
}

function renderChangeRun(change: NonNullable<HealthcheckResult['change']>): string {
  const what = change.nothingToCheck
    ? 'no schedule is affected: nothing to check'
    : `checked ${change.checked.length} schedule(s): ${change.checked.slice(0, 10).join(', ')}${change.checked.length > 10 ? ', …' : ''}`;
  const ignored = change.ignored !== undefined ? `; ${change.ignored.length} failed call(s) ignored` : '';
  return `Change-driven check: ${describeCause(change)}; ${what}${ignored}.`;
}

export function renderMetrics(metrics: readonly MetricDatum[]): string {
  const rows = metrics.map((m) => [m.name, Object.entries(m.dimensions ?? {}).map(([k, v]) => `${k}=${v}`).join(' '), String(m.value)]);
  const widths = [0, 1].map((i) => Math.max(i === 0 ? 'METRIC'.length : 'DIMENSIONS'.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const fmt = (r: string[]) => `  ${(r[0] ?? '').padEnd(widths[0] ?? 0)}  ${(r[1] ?? '').padEnd(widths[1] ?? 0)}  ${r[2] ?? ''}`.trimEnd();
  return [`Metrics (the Lambda emits these as EMF in namespace ${DEFAULT_METRICS_NAMESPACE}, dimension service=${HEALTHCHECK_SERVICE}):`, fmt(['METRIC', 'DIMENSIONS', 'VALUE']), ...rows.map(fmt)].join('\n');
}

export function renderAlert(alert: AlertOutcome): string {
  switch (alert.status) {
    case 'off': {
      if (alert.previewError !== undefined) return `Alert: not sent (no --notify); the stored alert state could not be read: ${alert.previewError}`;
      const p = alert.preview;
      if (p === undefined) return 'Alert: not sent (no --notify).';
      return `Alert: not sent (no --notify); with --notify it would ${p.send ? `send ${p.kind ?? 'an email'}` : 'send nothing'}: ${p.reason}`;
    }
    case 'decided': {
      const head = alert.publishError !== undefined
        ? `Alert: ${alert.kind ?? 'email'} NOT published (${alert.publishError}); the next run retries`
        : alert.sent
          ? `Alert: ${alert.kind ?? 'email'} published: "${alert.subject ?? ''}"${alert.messageId ? ` (message ${alert.messageId})` : ''}`
          : 'Alert: nothing sent';
      const extra = [alert.conflict ? 'another run updated the alert state at the same time' : undefined, alert.restoreError !== undefined ? `the email will not be retried: ${alert.restoreError}` : undefined].filter((s) => s !== undefined);
      return [`${head}.`, `  ${alert.reason}`, ...extra.map((s) => `  ${s}`)].join('\n');
    }
    case 'failed':
      return `Alert: FAILED: ${alert.error}`;
  }
}

export function renderAutoFix(outcome: AutoFixOutcome): string {
  switch (outcome.status) {
    case 'off':
      return 'Auto-fix: off.';
    case 'nothing-to-fix':
      return 'Auto-fix: nothing to fix (no TARGET_CLUSTER_NOT_FOUND).';
    case 'needs-decision':
      return [
        `Auto-fix: changed nothing; ${outcome.decisions.length} schedule(s) need a decision:`,
        ...outcome.decisions.map((d) => `  ${d.schedule.group}/${d.schedule.name}: ${d.reason}${d.candidates.length > 0 ? ` (candidates: ${d.candidates.join(', ')})` : ''}`),
        'Decide with: ops check-schedulers --fix --cluster <name> (or --map <from>=<to>)',
      ].join('\n');
    case 'refused':
      return `Auto-fix: REFUSED, ${outcome.reason}.\nReview it with: ops check-schedulers --fix --dry-run`;
    case 'applied':
      return [
        `Auto-fix: ${outcome.healed} schedule(s) repaired by ${outcome.who}.`,
        renderChangeResults(outcome.results, { runId: outcome.runId, auditLog: outcome.auditLog }),
        ...(outcome.decisions.length > 0 ? [`${outcome.decisions.length} schedule(s) need a decision and were not changed.`] : []),
      ].join('\n');
    case 'failed':
      return `Auto-fix: FAILED: ${outcome.error}`;
  }
}
