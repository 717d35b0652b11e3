/**
 * The Lambda's event in and summary out: small, so the invocation result and its log line stay
 * readable in the console (the full report is in the logs and in `ops healthcheck --json`).
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { describeCause, type ChangeCause } from '../checks/change-scope.ts';
import { UserError } from '../errors.ts';
import { compactTimestamp } from '../remediate/identifiers.ts';
import type { HealthcheckResult } from './run-healthcheck.ts';

const eventSchema = z.looseObject({ at: z.iso.datetime({ offset: true }).optional() });

/** `{ "at": "2026-11-23T14:35:00Z" }` → that instant; any other event (the Scheduler's) → undefined. */
export function invocationInstant(event: unknown): Date | undefined {
  if (typeof event !== 'object' || event === null || !('at' in event)) return undefined;
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success || parsed.data.at === undefined) {
    throw new UserError('INVALID_EVENT', `The healthcheck event's "at" is not an ISO instant with an offset: ${JSON.stringify(event.at)}.`, 'Send {} or {"at": "2026-11-23T14:35:00Z"}.');
  }
  return new Date(parsed.data.at);
}

/** `hc-20261123T143500000Z-<request id or random>`: sortable, and one search finds every line of a run. */
export function healthcheckRunId(now: Date, requestId?: string): string {
  const suffix = requestId !== undefined && requestId !== '' ? requestId.slice(0, 8) : randomBytes(3).toString('hex');
  return `hc-${compactTimestamp(now)}-${suffix}`;
}

export interface HealthcheckSummary {
  runId: string;
  ok: boolean;
  schedules: number;
  unhealthySchedules: number;
  findings: Record<string, number>;
  marketOpen: boolean;
  alert: { status: string; sent?: boolean; kind?: string; subject?: string; reason?: string; error?: string };
  autoFix: { status: string; healed?: number; planned?: number };
  counters: HealthcheckResult['counters'];
  errors: HealthcheckResult['errors'];
  /** Set when a CloudTrail change started the run (or was ignored: a failed call changes nothing). */
  change?: ChangeSummary;
  /**
   * Set when the status page is on. Without the URL: the summary goes into the log, and a presigned
   * URL is a key to the page for anyone who reads it. The emails carry it.
   */
  statusPage?: { key: string; expiresAt: string } | { error: string };
}

export interface ChangeSummary extends CauseFields {
  trigger: 'change' | 'ignored';
  /** The schedules the check looked at (`group/name`). */
  checked?: string[];
  nothingToCheck?: boolean;
  reason?: string;
  /** A batch: how many changes the run was for (absent for one). */
  changes?: number;
  /** A batch: how many failed calls it left out (absent when none, or for one ignored call). */
  ignoredCalls?: number;
}

export interface CauseFields {
  eventName: string;
  eventTime: string;
  actor?: string;
  eventId?: string;
  /** `UpdateSchedule by <actor> at <time>` (`… and 11 more changes (UpdateSchedule ×12)` for a batch). */
  description: string;
}

/** The earliest change's fields; `causes`, a batch's every change, only widens the description. */
export function causeFields(cause: ChangeCause, causes?: readonly ChangeCause[]): CauseFields {
  return {
    eventName: cause.eventName,
    eventTime: cause.eventTime,
    ...(cause.actor !== undefined ? { actor: cause.actor } : {}),
    ...(cause.eventId !== undefined ? { eventId: cause.eventId } : {}),
    description: describeCause(causes !== undefined ? { cause, causes } : cause),
  };
}

export function resultSummary(result: HealthcheckResult): HealthcheckSummary {
  const byCode: Record<string, number> = {};
  for (const f of result.report.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  const { alert, autoFix } = result;
  return {
    runId: result.runId,
    ok: result.ok,
    schedules: result.report.summary.schedules,
    unhealthySchedules: result.report.summary.unhealthySchedules,
    findings: byCode,
    marketOpen: result.report.market.open,
    alert:
      alert.status === 'decided'
        ? { status: alert.status, sent: alert.sent, ...(alert.kind ? { kind: alert.kind } : {}), ...(alert.subject ? { subject: alert.subject } : {}), reason: alert.reason, ...(alert.publishError ? { error: alert.publishError } : {}) }
        : alert.status === 'failed'
          ? { status: alert.status, error: alert.error }
          : { status: alert.status },
    autoFix: {
      status: autoFix.status,
      ...(autoFix.status === 'applied' ? { healed: autoFix.healed } : {}),
      ...(autoFix.status === 'refused' ? { planned: autoFix.planned } : {}),
    },
    counters: result.counters,
    errors: result.errors,
    ...(result.change ? { change: changeSummary(result.change) } : {}),
    ...(result.statusPage ? { statusPage: 'error' in result.statusPage ? { error: result.statusPage.error } : { key: result.statusPage.key, expiresAt: result.statusPage.expiresAt } } : {}),
  };
}

function changeSummary(change: NonNullable<HealthcheckResult['change']>): ChangeSummary {
  return {
    trigger: 'change',
    ...causeFields(change.cause, change.causes),
    checked: change.checked,
    nothingToCheck: change.nothingToCheck,
    ...(change.causes !== undefined ? { changes: change.causes.length } : {}),
    ...(change.ignored !== undefined ? { ignoredCalls: change.ignored.length } : {}),
  };
}
