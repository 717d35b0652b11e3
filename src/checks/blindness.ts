/**
 * Whether the check could see at all. A check that reads nothing must not pass: the 2026-01-29
 * incident was a monitor-shaped silence, and "0 schedules, 0 findings" after every list call failed
 * is the same silence. Blindness is decided here, once, from the snapshot; the CLI turns it into
 * exit 2 or 3, the healthcheck into CheckErrors, its alarm and an email.
 */
import { AccessErrorCode, accessErrorCodeOf, ENDPOINT_UNREACHABLE_HINT, NO_CREDENTIALS_HINT } from '../access-failure.ts';
import { clipText } from '../clip-text.ts';
import { FaultError, UserError, type OpsError } from '../errors.ts';
import type { Lookup, LookupFailure, Snapshot } from './model.ts';

export const BlindCause = {
  credentials: 'credentials',
  endpoint: 'endpoint',
  region: 'region',
  permission: 'permission',
  fault: 'fault',
} as const;
export type BlindCause = (typeof BlindCause)[keyof typeof BlindCause];

export interface Blindness {
  cause: BlindCause;
  /** The error code the CLI exits with: a configuration code (exit 2) or MONITOR_BLIND (exit 3). */
  code: 'NO_CREDENTIALS' | 'ENDPOINT_UNREACHABLE' | 'INVALID_REGION' | 'ACCESS_DENIED' | 'MONITOR_BLIND';
  /** The failure that blinded the check. */
  failure: LookupFailure;
  /** What the check could not see, in words. */
  reason: string;
  hint: string;
}

const BAD_REGION = /Region not accepted|Invalid region|region .* is not a valid/i;
const DENIED = /AccessDenied|UnauthorizedOperation|not authorized to perform/i;

/** True for failures that mean "this API cannot be reached or called at all", not "this one item failed". */
export function classifyFailure(failure: LookupFailure): BlindCause {
  const text = `${failure.errorName} ${failure.message}`;
  const access = accessErrorCodeOf(failure);
  if (access === AccessErrorCode.noCredentials) return BlindCause.credentials;
  if (BAD_REGION.test(text)) return BlindCause.region;
  if (access === AccessErrorCode.endpointUnreachable) return BlindCause.endpoint;
  if (DENIED.test(text)) return BlindCause.permission;
  return BlindCause.fault;
}

/**
 * Blind when the schedules cannot be listed or read (every ListSchedules page failed, or every listed
 * schedule's GetSchedule did), or when any API is unreachable or rejects the credentials or region
 * (every call to it fails the same way). A denied or throttled call on one API is partial sight:
 * CHECK_INCOMPLETE.
 */
export function assessBlindness(snapshot: Snapshot): Blindness | undefined {
  const listing = snapshot.failures.find((f) => f.action === 'scheduler:ListSchedules');
  if (listing) return blindness(listing, 'no schedule could be listed');
  const [firstUnreadable] = snapshot.unreadable;
  if (snapshot.schedules.length === 0 && firstUnreadable !== undefined) {
    return blindness(firstUnreadable.failure, `none of the ${snapshot.unreadable.length} listed schedule(s) could be read`);
  }
  const unreachable = unreachableService(snapshot);
  if (unreachable) return blindness(unreachable, `every ${unreachable.action.split(':')[0] ?? 'AWS'} call failed the same way`);
  return undefined;
}

function blindness(failure: LookupFailure, what: string): Blindness {
  const cause = classifyFailure(failure);
  const said = `${failure.action} failed (${failure.errorName}): ${clipText(failure.message, 300)}`;
  const reason = `the monitor cannot see: ${what}; ${said}`;
  switch (cause) {
    case BlindCause.credentials:
      return {
        cause,
        code: 'NO_CREDENTIALS',
        failure,
        reason,
        hint: NO_CREDENTIALS_HINT,
      };
    case BlindCause.endpoint:
      return { cause, code: 'ENDPOINT_UNREACHABLE', failure, reason, hint: ENDPOINT_UNREACHABLE_HINT };
    case BlindCause.region:
      return { cause, code: 'INVALID_REGION', failure, reason, hint: 'Pass a region name such as --region us-east-1 (no spaces), or fix AWS_REGION.' };
    case BlindCause.permission:
      return { cause, code: 'ACCESS_DENIED', failure, reason, hint: `Grant ${failure.action} to the caller (the read-only set is in runbooks/CHECK_INCOMPLETE.md), or run as a role that has it.` };
    case BlindCause.fault:
      return { cause, code: 'MONITOR_BLIND', failure, reason, hint: 'Re-run in a minute; if it persists, check the AWS Health Dashboard for the region and the endpoint.' };
  }
}

/** Exit 2 for what the caller can fix; exit 3 for an outage or a bug. */
export function isConfigurationBlindness(blind: Pick<Blindness, 'cause'>): boolean {
  return blind.cause !== BlindCause.fault;
}

/**
 * A service none of whose calls succeeded, failing with credentials, region or network errors: the
 * whole API is out of reach. One failed call among successful ones is a blip (CHECK_INCOMPLETE).
 */
function unreachableService(snapshot: Snapshot): LookupFailure | undefined {
  const outcomes = new Map<string, { ok: number; failures: LookupFailure[] }>();
  const record = (service: string, failure?: LookupFailure) => {
    const entry = outcomes.get(service) ?? { ok: 0, failures: [] };
    if (failure) entry.failures.push(failure);
    else entry.ok += 1;
    outcomes.set(service, entry);
  };
  const serviceOf = (failure: LookupFailure) => failure.action.split(':')[0] ?? failure.action;
  const lookups = (service: string, values: Iterable<Lookup<unknown>>) => {
    for (const lookup of values) record(service, lookup.status === 'unknown' ? lookup.failure : undefined);
  };
  // ListSchedules answered (assessBlindness checked it first), so Scheduler is reachable.
  record('scheduler');
  for (const failure of snapshot.failures) record(serviceOf(failure), failure);
  for (const { failure } of snapshot.unreadable) record(serviceOf(failure), failure);
  lookups('ecs', snapshot.clusters.values());
  lookups('ecs', snapshot.taskDefinitions.values());
  lookups('iam', snapshot.roles.values());
  lookups('lambda', snapshot.functions.values());
  lookups('sqs', snapshot.queues.values());
  lookups('cloudwatch', snapshot.metrics.byGroup.values());
  for (const evidence of snapshot.evidence.values()) {
    if (evidence.source === 'ecs') record('ecs');
    else if (evidence.source === 'ledger') record('dynamodb');
    else if (evidence.failure) record(serviceOf(evidence.failure), evidence.failure);
  }
  for (const [service, { ok, failures }] of outcomes) {
    const [first] = failures;
    // Without the run ledger the check reads ECS instead (collect's fallback): not blind.
    if (ok > 0 || first === undefined || service === 'dynamodb') continue;
    const cause = classifyFailure(first);
    if (cause === BlindCause.credentials || cause === BlindCause.endpoint || cause === BlindCause.region) return first;
  }
  return undefined;
}

class BlindConfigurationError extends UserError {
  constructor(private readonly blind: Blindness) {
    super(blind.code, blind.reason, blind.hint);
  }

  override details(): Record<string, unknown> {
    return detailsOf(this.blind);
  }
}

class BlindFaultError extends FaultError {
  constructor(private readonly blind: Blindness) {
    super(blind.code, blind.reason, { hint: blind.hint });
  }

  override details(): Record<string, unknown> {
    return detailsOf(this.blind);
  }
}

/** The error a CLI exits with for a blind check: exit 2 when the caller can fix it, 3 otherwise. */
export function blindnessError(blind: Blindness): OpsError {
  return isConfigurationBlindness(blind) ? new BlindConfigurationError(blind) : new BlindFaultError(blind);
}

function detailsOf(blind: Blindness): Record<string, unknown> {
  return { finding: 'MONITOR_BLIND', cause: blind.cause, action: blind.failure.action, errorName: blind.failure.errorName };
}
