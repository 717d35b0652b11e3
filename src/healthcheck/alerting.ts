/**
 * The healthcheck's email: the alert policy (dedup, reminders, recovery) over the final findings, the
 * rendered email, and one SNS Publish. A publish that fails is data (counted as AlertPublishFailures,
 * logged), never an exception: the run still emits its metrics, and the CloudWatch alarms still fire.
 */
import type { Finding, Severity } from '../checks/finding.ts';
import { EVENT_SOURCED_CODES } from '../checks/registry.ts';
import type { CheckReport } from '../checks/report.ts';
import { decideAlert, renderAlertEmail, renderSelfHealedEmail, runAlertPolicy, type AlertEmail, type AlertKind, type AlertScope, type AlertStateStore, type EmailPlace, type SelfHealedChange } from '../alerts/index.ts';
import type { Notifier } from '../alerts/notifier.ts';

export interface AlertDeps {
  store: AlertStateStore;
  notifier: Notifier;
}

export interface AlertSettings {
  minSeverity: Severity;
  reminderHours: number;
  runbookBaseUrl?: string;
  timezone?: string;
  /** Org mode: the pair's account and region, named in every email's subject and body (render.ts). */
  where?: EmailPlace;
}

/** What happened to the alert this run, for the result document and the CLI. */
export type AlertOutcome =
  | { status: 'off'; preview?: AlertPreview; previewError?: string }
  | {
      status: 'decided';
      send: boolean;
      kind?: AlertKind;
      reason: string;
      changes: { added: string[]; worsened: string[]; resolved: string[] };
      sent: boolean;
      subject?: string;
      messageId?: string;
      conflict?: boolean;
      publishError?: string;
      restoreError?: string;
    }
  | { status: 'failed'; error: string };

/** What the policy would decide, without writing state or sending (the CLI without --notify). */
export interface AlertPreview {
  send: boolean;
  kind?: AlertKind;
  reason: string;
}

export interface EmailSent {
  subject: string;
  sent: boolean;
  messageId?: string;
  error?: string;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export async function previewAlert(store: AlertStateStore | undefined, findings: readonly Finding[], options: { now: Date; marketOpen: boolean; scope?: AlertScope } & AlertSettings): Promise<AlertPreview> {
  const stored = store ? await store.read() : undefined;
  const decision = decideAlert(stored?.state, findings, policyOptions(options));
  return decision.send ? { send: true, kind: decision.kind, reason: decision.reason } : { send: false, reason: decision.reason };
}

export async function alertOnFindings(
  deps: AlertDeps,
  check: { findings: readonly Finding[]; report: CheckReport },
  options: {
    now: Date;
    marketOpen: boolean;
    scope?: AlertScope;
    fixCommand: () => Promise<string>;
    notes: readonly string[];
    /** Why this run checked (a change-driven run's CloudTrail cause), said near the top of the email. */
    cause?: string;
  } & AlertSettings,
): Promise<AlertOutcome> {
  let email: AlertEmail | undefined;
  let messageId: string | undefined;
  const run = await runAlertPolicy(
    deps.store,
    check.findings,
    policyOptions(options),
    async (decision) => {
      const rendered = renderAlertEmail(decision, check.report, {
        fixCommand: await options.fixCommand(),
        ...(options.runbookBaseUrl !== undefined ? { runbookBaseUrl: options.runbookBaseUrl } : {}),
        ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
        ...(options.cause !== undefined ? { cause: options.cause } : {}),
        ...(options.where !== undefined ? { where: options.where } : {}),
      });
      // Recovery needs no notes: nothing is left to fix.
      email = decision.kind === 'recovery' || options.notes.length === 0 ? rendered : { ...rendered, body: `${rendered.body}\nAuto-fix\n${options.notes.map((n) => `  ${n}`).join('\n')}\n` };
      messageId = (await deps.notifier.publish(email)).messageId;
    },
  );
  return decidedOutcome(run, email, messageId);
}

/** What a policy run decided and did, as the result document reports it (every alert stream alike). */
export function decidedOutcome(run: Awaited<ReturnType<typeof runAlertPolicy>>, email: AlertEmail | undefined, messageId: string | undefined): AlertOutcome {
  const { decision } = run;
  return {
    status: 'decided',
    send: decision.send,
    ...(decision.send ? { kind: decision.kind } : {}),
    reason: decision.reason,
    changes: decision.changes,
    sent: run.sent,
    ...(email !== undefined ? { subject: email.subject } : {}),
    ...(messageId !== undefined ? { messageId } : {}),
    ...(run.conflict ? { conflict: true } : {}),
    ...(run.sendError !== undefined ? { publishError: errorText(run.sendError) } : {}),
    ...(run.restoreError !== undefined ? { restoreError: errorText(run.restoreError) } : {}),
  };
}

/** The policy's options for a healthcheck run: every run knows which codes only events raise. */
function policyOptions(options: { now: Date; marketOpen: boolean; scope?: AlertScope } & AlertSettings) {
  return {
    now: options.now,
    marketOpen: options.marketOpen,
    reminderHours: options.reminderHours,
    minSeverity: options.minSeverity,
    eventCodes: EVENT_SOURCED_CODES,
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
  };
}

export async function sendSelfHealed(notifier: Notifier, changes: SelfHealedChange[], report: CheckReport, runbookBaseUrl: string | undefined, where?: EmailPlace): Promise<EmailSent> {
  const email = renderSelfHealedEmail({ changes, report, ...(runbookBaseUrl !== undefined ? { runbookBaseUrl } : {}), ...(where !== undefined ? { where } : {}) });
  try {
    const { messageId } = await notifier.publish(email);
    return { subject: email.subject, sent: true, messageId };
  } catch (error) {
    return { subject: email.subject, sent: false, error: errorText(error) };
  }
}
