/**
 * The alert policy, as a pure function: given what was last remembered and this run's findings, decide
 * whether to email and what to remember next. No I/O and no clock — `now` and `marketOpen` come in.
 *
 * - The failing set is the findings at or above `minSeverity`, keyed by fingerprint.
 * - `alert` when the set gains a fingerprint or one gets worse (warning → critical).
 * - `recovery`, exactly once, when an announced set becomes empty.
 * - `reminder` every `reminderHours` (from the last alert or reminder) while a critical finding persists
 *   and the market is open; never outside market hours.
 * - Anything else is silent: the same set again, a partial resolution, a severity that improved.
 *
 * A run only speaks for what it looked at (`scope`). The 5-minute run sees the whole fleet; a
 * change-driven run sees the schedules a CloudTrail event named; a dead-letter event sees one failed
 * invocation. Remembered entries outside a run's sight are carried over untouched, so a scoped run
 * neither resolves nor re-announces them, and the run that later sees the same fault stays silent:
 * one email per fault, whichever run saw it first. Codes only events raise (INVOCATION_FAILED) are
 * invisible to every check, so the fleet run resolves them only `eventHoldMinutes` after they were
 * last seen.
 */
import { UserError } from '../errors.ts';
import { atLeast, Severity, severityRank, type Finding } from '../checks/finding.ts';
import { scheduleId } from '../checks/model.ts';
import { fingerprintOf } from './fingerprint.ts';
import { emptyAlertState, type AlertKind, type AlertState, type FailingEntry } from './state.ts';

/** Fingerprints, sorted. `resolved` is reported with an alert or a recovery; a partial resolution alone sends nothing. */
export interface AlertChanges {
  added: string[];
  worsened: string[];
  resolved: string[];
}

export type AlertDecision =
  | { send: false; next: AlertState; reason: string; changes: AlertChanges }
  | { send: true; kind: AlertKind; next: AlertState; reason: string; changes: AlertChanges };

export type SendDecision = Extract<AlertDecision, { send: true }>;

export interface AlertPolicyOptions {
  now: Date;
  /** Whether the market is open at `now` (e.g. `nyse.isOpen(now)`): reminders only go out while it is. */
  marketOpen: boolean;
  /** Hours between reminders while critical findings persist; ALERT_POLICY_DEFAULTS.reminderHours is 2. */
  reminderHours: number;
  /** Findings below this never alert; ALERT_POLICY_DEFAULTS.minSeverity is 'warning' (info never alerts). */
  minSeverity: Severity;
  /** What this run looked at; default the whole fleet. */
  scope?: AlertScope;
  /** Event-sourced codes whose fingerprints the fleet run cannot see (registry EVENT_SOURCED_CODES). */
  eventCodes?: ReadonlySet<string>;
  /** How long an event-sourced finding stays failing after it was last seen; default 60. */
  eventHoldMinutes?: number;
}

/**
 * - `fleet`: every schedule (the 5-minute run): resolves whatever it no longer sees, except
 *   event-sourced findings younger than the hold; the only run that sends reminders.
 * - `schedules`: only these `group/name` ids (a change-driven run): resolves nothing else.
 * - `events`: findings reported by events (dead letters): adds or refreshes, resolves nothing.
 */
export type AlertScope = { kind: 'fleet' } | { kind: 'schedules'; schedules: ReadonlySet<string> } | { kind: 'events' };

export const ALERT_POLICY_DEFAULTS = Object.freeze({ reminderHours: 2, minSeverity: Severity.warning, eventHoldMinutes: 60 } as const);

/**
 * The healthcheck runs every 5 minutes and a Lambda never starts exactly on the minute: without slack a
 * run 2 s early would push each 2-hour reminder to the next run, 5 minutes later, every time.
 */
export const REMINDER_SLACK_MS = 60_000;

const HOUR_MS = 3_600_000;

export function decideAlert(previous: AlertState | undefined, findings: readonly Finding[], options: AlertPolicyOptions): AlertDecision {
  validateOptions(options);
  const nowIso = options.now.toISOString();
  const prev = previous ?? emptyAlertState();
  // A failing set that was never emailed (state written by hand or by an older tool) is not "known":
  // its fingerprints count as new, so the first email still goes out.
  const announced = prev.lastSentKind === 'alert' || prev.lastSentKind === 'reminder';
  const known = announced ? prev.failing : {};

  const scope = options.scope ?? { kind: 'fleet' };
  const eventCodes = options.eventCodes ?? new Set<string>();
  const sees = seesEntry(scope, eventCodes, options.now, options.eventHoldMinutes ?? ALERT_POLICY_DEFAULTS.eventHoldMinutes);
  const current = failingSet(scope.kind === 'schedules' ? findings.filter((f) => f.schedule !== undefined && scope.schedules.has(scheduleId(f.schedule))) : findings, options.minSeverity);
  const failing: Record<string, FailingEntry> = {};
  const added: string[] = [];
  const worsened: string[] = [];
  let improved = 0;
  // Entries this run cannot see stay as they were, in their sorted place.
  for (const [fingerprint, entry] of Object.entries(prev.failing)) if (!current.has(fingerprint) && !sees(entry)) failing[fingerprint] = entry;
  for (const [fingerprint, entry] of current) {
    const before = prev.failing[fingerprint];
    failing[fingerprint] = { ...entry, since: before?.since ?? nowIso, ...(eventCodes.has(entry.code) ? { seenAt: nowIso } : {}) };
    const knownBefore = known[fingerprint];
    if (knownBefore === undefined && scheduleAnnounced(known, entry)) continue;
    if (knownBefore === undefined) added.push(fingerprint);
    else if (severityRank(entry.severity) > severityRank(knownBefore.severity)) worsened.push(fingerprint);
    else if (severityRank(entry.severity) < severityRank(knownBefore.severity)) improved++;
  }
  const resolved = Object.keys(prev.failing)
    .filter((fingerprint) => !(fingerprint in failing))
    .sort();
  const changes: AlertChanges = { added, worsened, resolved };
  const sentFields = {
    ...(prev.lastSentAt !== undefined ? { lastSentAt: prev.lastSentAt } : {}),
    ...(prev.lastSentKind !== undefined ? { lastSentKind: prev.lastSentKind } : {}),
    ...(prev.lastReminderAt !== undefined ? { lastReminderAt: prev.lastReminderAt } : {}),
  };
  const count = Object.keys(failing).length;
  const threshold = `at or above ${options.minSeverity}`;

  if (added.length > 0 || worsened.length > 0) {
    const parts = [
      ...(added.length > 0 ? [`${added.length} new`] : []),
      ...(worsened.length > 0 ? [`${worsened.length} worsened`] : []),
      ...(resolved.length > 0 ? [`${resolved.length} resolved`] : []),
    ];
    return {
      send: true,
      kind: 'alert',
      next: { version: 1, failing: sortedByKey(failing), ...sentFields, lastSentAt: nowIso, lastSentKind: 'alert' },
      reason: `failing set changed (${parts.join(', ')}); ${count} finding(s) ${threshold} failing`,
      changes,
    };
  }

  if (count === 0) {
    if (resolved.length === 0) {
      return { send: false, next: { version: 1, failing: {}, ...sentFields }, reason: `no findings ${threshold}`, changes };
    }
    if (announced) {
      return {
        send: true,
        kind: 'recovery',
        next: { version: 1, failing: {}, lastSentAt: nowIso, lastSentKind: 'recovery' },
        reason: `all ${resolved.length} failing finding(s) resolved: nothing at or above the alert threshold`,
        changes,
      };
    }
    return {
      send: false,
      next: { version: 1, failing: {}, ...sentFields },
      reason: `${resolved.length} finding(s) resolved, but no alert had been sent for them: no recovery email`,
      changes,
    };
  }

  // The same failing set (perhaps smaller, perhaps milder): only a reminder can be due.
  const notes: string[] = [];
  if (resolved.length > 0) notes.push(`${resolved.length} resolved while ${count} still failing: no email for a partial resolution`);
  if (improved > 0) notes.push(`${improved} improved in severity: no email`);
  const next: AlertState = { version: 1, failing: sortedByKey(failing), ...sentFields };
  const reminder = scope.kind === 'fleet' ? reminderDue(next, options) : { due: false, why: 'reminders come from the 5-minute run' };
  if (reminder.due) {
    return {
      send: true,
      kind: 'reminder',
      next: { ...next, lastSentAt: nowIso, lastSentKind: 'reminder', lastReminderAt: nowIso },
      reason: [...notes, reminder.why].join('; '),
      changes,
    };
  }
  return {
    send: false,
    next,
    reason: [...(notes.length > 0 ? notes : [`failing set unchanged (${count} finding(s) ${threshold})`]), reminder.why].join('; '),
    changes,
  };
}

/**
 * A new finding on a schedule whose fault was already emailed at the same or a higher severity is, as
 * a rule, that fault's consequence: the dead letter or the missed run of a schedule whose missing
 * cluster a change-driven run announced a minute earlier. Remembered (and listed in the next email
 * or reminder), not emailed on its own; the schedule gets one email per episode.
 */
function scheduleAnnounced(known: Record<string, FailingEntry>, entry: Omit<FailingEntry, 'since'>): boolean {
  if (entry.schedule === undefined) return false;
  return Object.values(known).some((other) => other.code !== entry.code && other.schedule === entry.schedule && severityRank(other.severity) >= severityRank(entry.severity));
}

/** Whether this run can vouch that a remembered entry is still failing or gone. */
function seesEntry(scope: AlertScope, eventCodes: ReadonlySet<string>, now: Date, holdMinutes: number): (entry: FailingEntry) => boolean {
  switch (scope.kind) {
    case 'events':
      return () => false;
    case 'schedules':
      return (entry) => !eventCodes.has(entry.code) && entry.schedule !== undefined && scope.schedules.has(entry.schedule);
    case 'fleet':
      return (entry) => {
        if (!eventCodes.has(entry.code)) return true;
        const seen = new Date(entry.seenAt ?? entry.since).getTime();
        return Number.isNaN(seen) || now.getTime() - seen >= holdMinutes * 60_000;
      };
  }
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function reminderDue(state: AlertState, options: AlertPolicyOptions): { due: boolean; why: string } {
  const critical = Object.values(state.failing).filter((entry) => entry.severity === Severity.critical).length;
  if (critical === 0) return { due: false, why: 'no critical findings: no reminders' };
  if (state.lastSentAt === undefined) return { due: false, why: 'no email on record to remind of' };
  const last = new Date(state.lastSentAt).getTime();
  const dueAt = last + options.reminderHours * HOUR_MS;
  if (options.now.getTime() < dueAt - REMINDER_SLACK_MS) {
    return { due: false, why: `next reminder due at ${new Date(dueAt).toISOString()} if the market is open` };
  }
  if (!options.marketOpen) return { due: false, why: `${critical} critical finding(s) persist, but the market is closed: no reminder` };
  return { due: true, why: `${critical} critical finding(s) persist ${options.reminderHours} h after the last email (${state.lastSentAt}) and the market is open` };
}

/** Findings at or above the threshold, one entry per fingerprint (the worst severity wins), sorted by fingerprint. */
function failingSet(findings: readonly Finding[], minSeverity: Severity): Map<string, Omit<FailingEntry, 'since'>> {
  const byFingerprint = new Map<string, Omit<FailingEntry, 'since'>>();
  for (const finding of findings) {
    if (!atLeast(finding.severity, minSeverity)) continue;
    const fingerprint = fingerprintOf(finding);
    const existing = byFingerprint.get(fingerprint);
    if (existing !== undefined && severityRank(existing.severity) >= severityRank(finding.severity)) continue;
    byFingerprint.set(fingerprint, {
      code: finding.code,
      severity: finding.severity,
      ...(finding.schedule ? { schedule: scheduleId(finding.schedule) } : {}),
      ...(!finding.schedule && finding.group !== undefined ? { group: finding.group } : {}),
    });
  }
  return new Map([...byFingerprint].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function validateOptions(options: AlertPolicyOptions): void {
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new UserError('INVALID_ALERT_OPTIONS', 'The alert policy needs a valid `now`.', 'Pass the run time as a Date, e.g. new Date(event.time).');
  }
  if (!(Number.isFinite(options.reminderHours) && options.reminderHours > 0)) {
    throw new UserError(
      'INVALID_ALERT_OPTIONS',
      `reminderHours must be a positive number, got ${String(options.reminderHours)}.`,
      `Use a number of hours such as ${ALERT_POLICY_DEFAULTS.reminderHours}.`,
    );
  }
  if (!Object.values(Severity).includes(options.minSeverity)) {
    throw new UserError(
      'INVALID_ALERT_OPTIONS',
      `minSeverity must be one of ${Object.values(Severity).join(', ')}, got ${String(options.minSeverity)}.`,
      `Use ${ALERT_POLICY_DEFAULTS.minSeverity} (the default) or critical.`,
    );
  }
}
