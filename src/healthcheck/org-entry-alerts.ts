/**
 * Org mode: an account the run could not enter (a denied or missing role) has no pair that could
 * speak for it, so it gets an alert stream of its own, `<ALERT_STATE_KEY>#<account>#*`, under the same
 * alert policy as every other stream: one email when it cannot be entered, none on the runs after
 * that, one when it can be entered again.
 *
 * Severity: its only finding is CHECK_INCOMPLETE at warning (org-report.ts, as `ops check-schedulers
 * --org` reports it). ALERT_MIN_SEVERITY (default critical) is not applied to this stream: below the
 * threshold the email would never go out, and an account nobody is watching any more must be said
 * once. Warning also means no reminders (the policy reminds about critical findings only), so a
 * long-denied account is one email, while its regions keep counting in IncompletePairs and
 * CheckErrors (the HealthcheckErrors alarm) on every run.
 */
import { EVENT_SOURCED_CODES } from '../checks/registry.ts';
import { FindingCode, Severity, type Finding } from '../checks/finding.ts';
import { fitSubject, runAlertPolicy, type AlertEmail, type AlertStateStore, type SendDecision } from '../alerts/index.ts';
import { runbookLink } from '../alerts/render.ts';
import { wallTime } from '../alerts/time.ts';
import type { Notifier } from '../alerts/notifier.ts';
import { NYSE_TIMEZONE } from '../market/index.ts';
import { incompleteAccountFinding } from '../org/org-report.ts';
import type { PairFailure } from '../org/run-pairs.ts';
import type { AccountTarget } from '../org/targets.ts';
import { decidedOutcome, errorText, previewAlert, type AlertOutcome } from './alerting.ts';

/** `prod-trading (111111111111)`, or the id alone when the name is the id (ORG_ACCOUNTS gives no names). */
export function accountLabel(account: Pick<AccountTarget, 'id' | 'name'>): string {
  return account.name === '' || account.name === account.id ? `account ${account.id}` : `${account.name} (${account.id})`;
}

/** The subject's short form: the account's name, or `account <id>` without one. */
export function accountShortLabel(account: Pick<AccountTarget, 'id' | 'name'>): string {
  return account.name === '' || account.name === account.id ? `account ${account.id}` : account.name;
}

/** Where a pair's emails say they come from (render.ts EmailPlace). */
export function pairPlace(account: Pick<AccountTarget, 'id' | 'name'>, region: string): { short: string; full: string } {
  return { short: `${accountShortLabel(account)} ${region}`, full: `${accountLabel(account)} ${region}` };
}

/** The region `*` stands for "every region of the account" in alert keys and pair lists. */
export const ANY_REGION = '*';

/** `<key>#<account>#<region>`: a pair's alert stream; region `*`: the account's entry stream. */
export function pairAlertKey(key: string, account: string, region: string): string {
  return `${key}#${account}#${region}`;
}

export interface EntryAlertOptions {
  now: Date;
  marketOpen: boolean;
  reminderHours: number;
  runbookBaseUrl?: string;
  timezone?: string;
  /** Without it the decision is previewed from the stored state, nothing is written or sent. */
  notify: boolean;
}

/** The entry stream's decision for one account: `failure` when it could not be entered this run. */
export async function alertOnAccountEntry(
  deps: { store: AlertStateStore; notifier?: Notifier },
  account: AccountTarget,
  failure: { failure: PairFailure; regions: readonly string[] } | undefined,
  options: EntryAlertOptions,
): Promise<AlertOutcome> {
  const finding = failure === undefined ? undefined : incompleteAccountFinding(account, failure.failure, failure.regions);
  const findings: Finding[] = finding === undefined ? [] : [finding];
  const policy = { now: options.now, marketOpen: options.marketOpen, reminderHours: options.reminderHours, minSeverity: Severity.warning, eventCodes: EVENT_SOURCED_CODES };
  if (!options.notify || deps.notifier === undefined) {
    try {
      return { status: 'off', preview: await previewAlert(deps.store, findings, policy) };
    } catch (error) {
      return { status: 'off', previewError: errorText(error) };
    }
  }
  const notifier = deps.notifier;
  let email: AlertEmail | undefined;
  let messageId: string | undefined;
  const run = await runAlertPolicy(deps.store, findings, policy, async (decision) => {
    email = renderEntryEmail(decision, account, finding, options);
    messageId = (await notifier.publish(email)).messageId;
  });
  return decidedOutcome(run, email, messageId);
}

/** The entry stream's email: the account cannot be entered (alert), or can be again (recovery). */
export function renderEntryEmail(decision: SendDecision, account: AccountTarget, finding: Finding | undefined, options: Pick<EntryAlertOptions, 'now' | 'runbookBaseUrl' | 'timezone'>): AlertEmail {
  const label = accountLabel(account);
  const when = wallTime(options.now, options.timezone ?? NYSE_TIMEZONE);
  const runbook = `  ${FindingCode.CHECK_INCOMPLETE}  ${runbookLink(`runbooks/${FindingCode.CHECK_INCOMPLETE}.md`, options.runbookBaseUrl)}`;
  if (decision.kind === 'recovery' || finding === undefined) {
    return {
      subject: fitSubject(`[RESOLVED] ${label}: the healthcheck can enter the account again`),
      body: [
        `RESOLVED: the healthcheck entered ${label} again (role ${account.role}) at ${when}.`,
        '',
        'Its regions are checked again from this run on; each reports through its own alerts, so any fault found there comes in its own email.',
        '',
        'No further emails about entering this account until it fails again.',
        '',
      ].join('\n'),
    };
  }
  const { action, errorName, reason } = finding.evidence as { action: string; errorName: string; reason: string };
  const regions = Array.isArray(finding.evidence.regions) ? (finding.evidence.regions as string[]) : [];
  const where = regions.length > 0 ? `in ${regions.join(', ')}` : 'in any region';
  const severity = finding.severity.toUpperCase();
  return {
    subject: fitSubject(`[${severity}] ${label}: not checked, ${action} failed (${errorName})`),
    body: [
      `${severity}: ${label} was not checked ${where}: ${action} failed.`,
      `Where:    ${label}, ${regions.length > 0 ? `regions ${regions.join(', ')}` : 'every region'}`,
      `Checked:  ${when} · role ${account.role}`,
      '',
      `AWS said: ${errorName}: ${reason}`,
      '',
      "None of this account's schedules were checked: the healthcheck could not enter the account, so it cannot say whether they are healthy.",
      'Until it can, every run counts these regions in IncompletePairs and CheckErrors (the HealthcheckErrors alarm).',
      '',
      'Fix',
      `  ${finding.fix}`,
      '',
      'Runbook',
      runbook,
      '',
      'You get this email once, and one more when the account can be entered again.',
      '',
    ].join('\n'),
  };
}
