/**
 * One healthcheck run, as a plain async function over library code. The Lambda (lambda.ts) and
 * `ops healthcheck` are thin shells around it:
 *
 *   runCheck (the same check as `ops check-schedulers`)
 *   → auto-fix (optional: plan, refuse over maxChanges, apply, then check again so everything after
 *     reflects the healed state)
 *   → metrics (metric-contract.ts) → the alert policy and its email (only when `notify`)
 *   → a result document.
 *
 * A change-driven run (`change`, from a CloudTrail event or a burst of them merged into one scope:
 * change-trigger.ts) does the same for only the schedules those changes can affect: the same findings, the same auto-fix with backups (it can only touch
 * what it checked), and the alert policy scoped to what it looked at, so the 5-minute run that later
 * sees the same fault stays silent. It emits changeRunMetrics, never the fleet gauges.
 *
 * Failures after the check are data: a failed publish, alert-state store or fix is logged, counted
 * (AlertPublishFailures / CheckErrors) and reported, and the run carries on so its metrics still go
 * out. Only a failed check throws, and even then the Heartbeat (a change-driven run: ChangeChecks) and
 * CheckErrors are in the sink first.
 */
import { describeCause, describeTargets, type ChangeCause, type ChangeScope, type IgnoredChange } from '../checks/change-scope.ts';
import { CHECK_DEFAULTS, runCheck, type CheckOptions, type CheckResult } from '../checks/run-check.ts';
import { scheduleId, type Snapshot } from '../checks/model.ts';
import { Severity } from '../checks/finding.ts';
import type { CheckPorts } from '../checks/ports.ts';
import type { CheckReport } from '../checks/report.ts';
import type { RemediationPlan } from '../remediate/change.ts';
import { DEFAULT_MAX_CHANGES } from '../remediate/change-limit.ts';
import { repairableFindings } from '../remediate/registry.ts';
import { alertOnFindings, errorText, previewAlert, sendSelfHealed, type AlertDeps, type AlertOutcome, type AlertSettings, type EmailSent } from './alerting.ts';
import { autoFixNote, fixCommandFor, planAutoFix, runAutoFix, selfHealedChanges, type AutoFixDeps, type AutoFixOutcome } from './auto-fix.ts';
import { changeRunMetrics, runHealthMetrics, runMetrics, type RunCounters } from './health-metrics.ts';
import type { MetricDatum } from './metric-contract.ts';
import type { HealthLog, MetricSink } from './ports.ts';
import { publishStatusPage, statusPageLine, withStatusPageLine, type StatusPageDeps, type StatusPageOutcome } from './status-page.ts';

export interface HealthcheckDeps {
  /** The ports `ops check-schedulers` reads through (createCheckPorts). */
  check: CheckPorts;
  /** AWS calls so far, for the report (a CallCounter's counts). */
  calls?: () => Record<string, number>;
  metrics: MetricSink;
  log: HealthLog;
  /** Needed when `notify`; with it alone (no notify) the CLI previews the decision from the stored state. */
  alerts?: Partial<AlertDeps> & Pick<AlertDeps, 'store'>;
  /** Needed when `autoFix`; the cluster directory alone also lets the email name the exact fix command. */
  fix?: Partial<AutoFixDeps> & Pick<AutoFixDeps, 'clusters'>;
  /** Publish each run's status page and link it from every email (STATUS_BUCKET / --status-bucket). */
  statusPage?: StatusPageDeps;
}

/** The check's own settings (runCheck defaults what is left out), then the healthcheck's. */
export interface HealthcheckOptions extends Omit<CheckOptions, 'calls' | 'knownChanges'> {
  runId: string;
  /** The instant the check evaluates (the Lambda's wall clock; virtual time on the sandbox). */
  now: Date;
  /** Timestamps of backups and audit entries; default: `now`. */
  clock?: () => Date;
  /** The report's ok / the CLI's exit code: findings at or above this fail (default warning). */
  failOn?: Severity;
  notify: boolean;
  alert: AlertSettings;
  autoFix: boolean;
  maxChanges: number;
  /** Progress lines for a person at a terminal (the CLI on a TTY); the Lambda logs instead. */
  progress?: (message: string) => void;
  /** A change-driven run: check only what this change can affect (change-trigger.ts builds it from the event). */
  change?: ChangeScope;
  /** Why the event that started this run could not scope it: the run checks everything and reports this as an error. */
  unscopedBecause?: string;
  /**
   * The flags that point the email's `ops check-schedulers --fix` at this run's account and region;
   * default `--region <region>`. Org mode: `--accounts <id> --regions <region>`.
   */
  fixScope?: string;
}

/** What a change-driven run was for and what it looked at, for the result document, logs and email. */
export interface ChangeRun {
  /** The earliest change. */
  cause: ChangeCause;
  /** A batch: every change the run was for, earliest first (absent for one). */
  causes?: ChangeCause[];
  /** A batch: the failed calls it left out, they changed nothing (absent when none). */
  ignored?: IgnoredChange[];
  /** What the change named: `group/name` ids, cluster and task-definition references. */
  requested: { schedules: string[]; clusters: string[]; taskDefinitions: string[] };
  /** The schedules the check looked at (`group/name`): the alert policy's scope. */
  checked: string[];
  /** The change touches no schedule: nothing to check (not SCOPE_EMPTY), nothing to alert on. */
  nothingToCheck: boolean;
}

export interface HealthcheckResult {
  runId: string;
  /** Healthy after any fix, and nothing in the run itself failed. */
  ok: boolean;
  /** The report the metrics and the alert were based on (after any fix). */
  report: CheckReport;
  /** The report before auto-fix changed anything, when it did. */
  reportBeforeFix?: CheckReport;
  metrics: MetricDatum[];
  counters: RunCounters;
  alert: AlertOutcome;
  autoFix: AutoFixOutcome;
  selfHealedEmail?: EmailSent;
  /** Set for a change-driven run. */
  change?: ChangeRun;
  /** Set when the status page is on: its link, or why this run has none. */
  statusPage?: StatusPageOutcome;
  errors: { stage: 'event' | 'check' | 'recheck' | 'auto-fix' | 'alert' | 'plan' | 'status-page'; message: string }[];
}

export const HEALTHCHECK_DEFAULTS = {
  maxChanges: DEFAULT_MAX_CHANGES,
  reminderHours: 2,
  /**
   * The email pages a person, so it follows critical findings (a target that cannot run, a
   * market-critical schedule that missed its run while the market is open). Warnings show in the
   * UnhealthySchedules metric and alarm and in every email's report; alerting on them would re-send
   * the incident email each time one more non-critical schedule comes due and misses.
   */
  alertMinSeverity: Severity.critical,
  fixCommand: 'ops check-schedulers --fix',
} as const;

export async function runHealthcheck(deps: HealthcheckDeps, options: HealthcheckOptions): Promise<HealthcheckResult> {
  const { log } = deps;
  const counters: RunCounters = { checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 };
  const errors: HealthcheckResult['errors'] = [];
  const failed = (stage: HealthcheckResult['errors'][number]['stage'], error: unknown): string => {
    const message = errorText(error);
    counters.checkErrors += 1;
    errors.push({ stage, message });
    log.error(`${stage} failed`, { stage, error });
    return message;
  };
  const { change } = options;
  if (options.unscopedBecause !== undefined) {
    // Never a silent skip: the full check runs, and the unreadable event is an error someone looks at.
    counters.checkErrors += 1;
    errors.push({ stage: 'event', message: `the event could not scope the check, so everything was checked: ${options.unscopedBecause}` });
    log.error('event could not scope the check; checking every schedule', { stage: 'event', reason: options.unscopedBecause });
  }
  if (change) {
    const batch = { ...(change.causes ? { changes: change.causes.length } : {}), ...(change.ignored ? { ignoredCalls: change.ignored.length } : {}) };
    log.info('change-driven check', { change: { cause: change.cause, ...batch, scope: describeTargets(change) } });
  }

  let check: CheckResult;
  try {
    check = await checkOnce(deps, options);
  } catch (error) {
    // Nothing to report on, but the run happened and failed: say so in the metrics before failing.
    const failedRun = { ...counters, checkErrors: counters.checkErrors + 1 };
    for (const datum of change ? changeRunMetrics(failedRun) : runHealthMetrics(failedRun)) deps.metrics.add(datum);
    log.error('check failed', { stage: 'check', error });
    throw error;
  }
  log.info('check done', summaryFields(check.report));

  let autoFix: AutoFixOutcome = { status: 'off' };
  let plan: RemediationPlan | undefined;
  let reportBeforeFix: CheckReport | undefined;
  let selfHealedEmail: EmailSent | undefined;
  let healed: ReturnType<typeof selfHealedChanges> | undefined;
  if (options.autoFix) {
    ({ outcome: autoFix, plan } = await autoFixStep(deps, options, check, failed));
    logAutoFix(log, autoFix);
    if (autoFix.status === 'refused') counters.autoFixRefused = 1;
    if (autoFix.status === 'applied') counters.selfHealed = autoFix.healed;
    if (autoFix.status === 'applied' && autoFix.results.some((r) => r.written)) {
      reportBeforeFix = check.report;
      try {
        // The schedules just repointed changed now; runs they missed before the repair are history.
        const repaired = new Map(autoFix.results.filter((r) => r.written).map((r) => [`${r.schedule.group}/${r.schedule.name}`, options.now] as const));
        check = await checkOnce(deps, options, repaired);
        log.info('check after auto-fix done', summaryFields(check.report));
      } catch (error) {
        // The metrics and the alert fall back to the pre-fix check: stale, but not nothing.
        failed('recheck', error);
      }
      healed = selfHealedChanges(autoFix.results);
    }
  }

  // The page shows the report the emails are about (after any fix), and goes up before the first
  // email so that every email of the run links it. A failure is reported, never fatal to the emails.
  const statusPage = deps.statusPage ? await statusPageStep(deps.statusPage, check, options, log, errors) : undefined;
  const emailDeps = statusPage ? linkedEmails(deps, statusPageLine(statusPage, options.alert.timezone)) : deps;
  if (healed !== undefined && options.notify && emailDeps.alerts?.notifier) {
    selfHealedEmail = await sendSelfHealed(emailDeps.alerts.notifier, healed, check.report, options.alert.runbookBaseUrl, options.alert.where);
    if (selfHealedEmail.sent) {
      log.info('self-healed email published', { subject: selfHealedEmail.subject, messageId: selfHealedEmail.messageId });
    } else {
      counters.alertPublishFailures += 1;
      log.error('self-healed email not published', { subject: selfHealedEmail.subject, error: selfHealedEmail.error });
    }
  }

  if (check.blind) {
    // The check ran but saw nothing it can vouch for: an error of the run, so CheckErrors and its alarm
    // fire, and the MONITOR_BLIND finding (critical) goes through the alert policy like any other.
    counters.checkErrors += 1;
    errors.push({ stage: 'check', message: check.blind.reason });
    log.error('the monitor cannot see', { stage: 'check', blind: { code: check.blind.code, cause: check.blind.cause, action: check.blind.failure.action, errorName: check.blind.failure.errorName, message: check.blind.failure.message } });
  }
  const alert = await alertStep(emailDeps, options, check, autoFix, plan, counters, failed);
  const metrics = change ? changeRunMetrics(counters) : runMetrics(check, options.now, counters);
  for (const datum of metrics) deps.metrics.add(datum);

  const ok = check.report.ok && counters.checkErrors === 0 && counters.alertPublishFailures === 0 && counters.autoFixRefused === 0;
  return {
    runId: options.runId,
    ok,
    report: check.report,
    ...(reportBeforeFix ? { reportBeforeFix } : {}),
    metrics,
    counters,
    alert,
    autoFix,
    ...(selfHealedEmail ? { selfHealedEmail } : {}),
    ...(change ? { change: changeRun(change, check.snapshot) } : {}),
    ...(statusPage ? { statusPage } : {}),
    errors,
  };
}

/** Not a CheckError: the check was fine, and every email of the run says the link is missing. */
async function statusPageStep(deps: StatusPageDeps, check: CheckResult, options: HealthcheckOptions, log: HealthLog, errors: HealthcheckResult['errors']): Promise<StatusPageOutcome> {
  // The heatmap judges runs with the check's own grace, so its cells agree with MISSED_RUNS.
  const outcome = await publishStatusPage(deps, check, options.now, options.graceMinutes ?? CHECK_DEFAULTS.graceMinutes);
  if ('error' in outcome) {
    errors.push({ stage: 'status-page', message: outcome.error });
    log.warn('status page not published; the emails go out without its link', { stage: 'status-page', error: outcome.error });
  } else {
    log.info('status page published', { statusPage: { key: outcome.key, expiresAt: outcome.expiresAt } });
  }
  return outcome;
}

/** The same deps, with a notifier that ends every email with the status page line. */
function linkedEmails(deps: HealthcheckDeps, line: string): HealthcheckDeps {
  const alerts = deps.alerts;
  if (alerts?.notifier === undefined) return deps;
  return { ...deps, alerts: { ...alerts, notifier: withStatusPageLine(alerts.notifier, line) } };
}

/** Every schedule the check looked at, read or not: what a change-driven run may speak for. */
function lookedAt(snapshot: Snapshot): string[] {
  return [...snapshot.schedules.map(scheduleId), ...snapshot.unreadable.map((u) => scheduleId(u.ref))].sort();
}

function changeRun(change: ChangeScope, snapshot: Snapshot): ChangeRun {
  const checked = lookedAt(snapshot);
  return {
    cause: change.cause,
    ...(change.causes ? { causes: [...change.causes] } : {}),
    ...(change.ignored ? { ignored: [...change.ignored] } : {}),
    requested: { schedules: change.schedules.map(scheduleId), clusters: [...change.clusters], taskDefinitions: [...change.taskDefinitions] },
    checked,
    nothingToCheck: checked.length === 0,
  };
}

async function autoFixStep(
  deps: HealthcheckDeps,
  options: HealthcheckOptions,
  check: CheckResult,
  failed: (stage: 'plan' | 'auto-fix', error: unknown) => string,
): Promise<{ outcome: AutoFixOutcome; plan?: RemediationPlan }> {
  if (repairableFindings(check.findings).length === 0) return { outcome: { status: 'nothing-to-fix' } };
  const fix = deps.fix;
  if (fix?.ports === undefined) return { outcome: { status: 'failed', error: failed('auto-fix', new Error('auto-fix is on but no remediation ports were wired')) } };
  let plan: RemediationPlan;
  try {
    plan = await planAutoFix(check, fix.clusters);
  } catch (error) {
    return { outcome: { status: 'failed', error: failed('plan', error) } };
  }
  try {
    const outcome = await runAutoFix(plan, check.snapshot, fix.ports, {
      maxChanges: options.maxChanges,
      clock: options.clock ?? (() => options.now),
      ...(options.progress ? { progress: options.progress } : {}),
    });
    return { plan, outcome };
  } catch (error) {
    return { plan, outcome: { status: 'failed', error: failed('auto-fix', error) } };
  }
}

async function checkOnce(deps: HealthcheckDeps, options: HealthcheckOptions, knownChanges?: ReadonlyMap<string, Date>): Promise<CheckResult> {
  // HealthcheckOptions are CheckOptions plus the run's own: runCheck reads only the fields it knows.
  return runCheck(deps.check, { ...options, ...(deps.calls ? { calls: deps.calls } : {}), ...(knownChanges ? { knownChanges } : {}) });
}

async function alertStep(
  deps: HealthcheckDeps,
  options: HealthcheckOptions,
  check: CheckResult,
  autoFix: AutoFixOutcome,
  plan: RemediationPlan | undefined,
  counters: RunCounters,
  failed: (stage: 'alert', error: unknown) => string,
): Promise<AlertOutcome> {
  const marketOpen = check.report.market.open;
  // A change-driven run speaks only for the schedules it looked at; everything else is carried over.
  const scope = options.change ? { scope: { kind: 'schedules' as const, schedules: new Set(lookedAt(check.snapshot)) } } : {};
  if (!options.notify) {
    try {
      return { status: 'off', preview: await previewAlert(deps.alerts?.store, check.findings, { now: options.now, marketOpen, ...scope, ...options.alert }) };
    } catch (error) {
      return { status: 'off', previewError: errorText(error) };
    }
  }
  const notifier = deps.alerts?.notifier;
  if (deps.alerts === undefined || notifier === undefined) {
    return { status: 'failed', error: failed('alert', new Error('notify is on but no alert store and notifier were wired')) };
  }
  const note = autoFixNote(autoFix);
  try {
    const outcome = await alertOnFindings({ store: deps.alerts.store, notifier }, check, {
      now: options.now,
      marketOpen,
      fixCommand: () => fixCommand(deps, check, plan, options.region, options.fixScope),
      notes: note !== undefined ? [note] : [],
      ...scope,
      ...(options.change ? { cause: `Checked because of ${describeCause(options.change)}.` } : {}),
      ...options.alert,
    });
    if (outcome.status === 'decided') {
      if (outcome.publishError !== undefined) {
        counters.alertPublishFailures += 1;
        log(deps.log, 'error', 'alert email not published', outcome);
      } else {
        log(deps.log, 'info', outcome.sent ? 'alert email published' : 'no alert email', outcome);
      }
    }
    return outcome;
  } catch (error) {
    return { status: 'failed', error: failed('alert', error) };
  }
}

/**
 * The email's repair command, worked out only when an email goes out: listing the account's clusters
 * costs two calls, and most runs send nothing. Without a plan it is the bare command.
 */
async function fixCommand(deps: HealthcheckDeps, check: CheckResult, plan: RemediationPlan | undefined, region: string, scope: string | undefined): Promise<string> {
  // After a fix, what is still broken decides; with nothing broken there is nothing to map.
  if (repairableFindings(check.findings).length === 0) return fixCommandFor(undefined, region, scope);
  if (plan !== undefined || deps.fix === undefined) return fixCommandFor(plan, region, scope);
  try {
    return fixCommandFor(await planAutoFix(check, deps.fix.clusters), region, scope);
  } catch (error) {
    deps.log.warn('could not plan the fix command for the email', { error });
    return fixCommandFor(undefined, region, scope);
  }
}

function log(target: HealthLog, level: 'info' | 'error', message: string, outcome: Extract<AlertOutcome, { status: 'decided' }>): void {
  const fields = {
    alert: {
      send: outcome.send,
      kind: outcome.kind,
      sent: outcome.sent,
      reason: outcome.reason,
      subject: outcome.subject,
      messageId: outcome.messageId,
      added: outcome.changes.added.length,
      worsened: outcome.changes.worsened.length,
      resolved: outcome.changes.resolved.length,
      ...(outcome.conflict ? { conflict: true } : {}),
      ...(outcome.publishError !== undefined ? { publishError: outcome.publishError } : {}),
      ...(outcome.restoreError !== undefined ? { restoreError: outcome.restoreError } : {}),
    },
  };
  if (level === 'error') target.error(message, fields);
  else target.info(message, fields);
}

function logAutoFix(target: HealthLog, outcome: AutoFixOutcome): void {
  switch (outcome.status) {
    case 'off':
    case 'nothing-to-fix':
      return;
    case 'needs-decision':
      target.warn('auto-fix skipped: schedules need a decision', { autoFix: { status: outcome.status, decisions: outcome.decisions.map((d) => ({ schedule: `${d.schedule.group}/${d.schedule.name}`, reason: d.reason })) } });
      return;
    case 'refused':
      target.warn('auto-fix refused', { autoFix: { status: outcome.status, planned: outcome.planned, maxChanges: outcome.maxChanges, reason: outcome.reason } });
      return;
    case 'applied':
      target.info('auto-fix applied', {
        autoFix: {
          status: outcome.status,
          runId: outcome.runId,
          healed: outcome.healed,
          auditLog: outcome.auditLog,
          results: outcome.results.map((r) => ({ schedule: `${r.schedule.group}/${r.schedule.name}`, status: r.status, from: r.from, to: r.to, backup: r.backupFile, reason: r.reason })),
          decisions: outcome.decisions.length,
        },
      });
      return;
    case 'failed':
      // Already logged where it failed.
      return;
  }
}

function summaryFields(report: CheckReport): Record<string, unknown> {
  return {
    check: {
      ok: report.ok,
      schedules: report.summary.schedules,
      unhealthySchedules: report.summary.unhealthySchedules,
      findings: report.summary.findings,
      marketOpen: report.market.open,
      codes: [...new Set(report.findings.map((f) => f.code))].sort(),
      ...(report.calls ? { calls: report.calls } : {}),
    },
  };
}
