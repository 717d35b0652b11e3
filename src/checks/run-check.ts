/**
 * The whole check as one function, shared by `ops check-schedulers`, `ops healthcheck` and the Lambda:
 * collect → evaluate → report. Callers own the ports (and so the AWS clients).
 */
import type { MarketCalendar } from '../market/index.ts';
import { UserError } from '../errors.ts';
import { collect, type CollectOptions } from './collect.ts';
import { evaluate } from './evaluate.ts';
import type { Finding, Severity } from './finding.ts';
import type { Snapshot } from './model.ts';
import type { CheckPorts } from './ports.ts';
import { buildReport, type CheckReport } from './report.ts';

export interface CheckOptions extends CollectOptions {
  calendar: MarketCalendar;
  graceMinutes: number;
  marketCriticalPatterns: readonly string[];
  failOn: Severity;
  calls?: () => Record<string, number>;
  /** See EvaluateOptions.knownChanges. */
  knownChanges?: ReadonlyMap<string, Date>;
}

export interface CheckResult {
  snapshot: Snapshot;
  findings: Finding[];
  report: CheckReport;
}

export const CHECK_DEFAULTS = {
  concurrency: 16,
  graceMinutes: 2,
  metricsWindowMinutes: 15,
  ecsRetentionMinutes: 60,
  failOn: 'warning',
} as const;

export async function runCheck(ports: CheckPorts, options: CheckOptions): Promise<CheckResult> {
  const snapshot = await collect(ports, options);
  refuseWithoutAccess(snapshot);
  const findings = evaluate(snapshot, {
    now: options.now,
    calendar: options.calendar,
    graceMinutes: options.graceMinutes,
    marketCriticalPatterns: options.marketCriticalPatterns,
    ...(options.knownChanges ? { knownChanges: options.knownChanges } : {}),
  });
  const calls = options.calls?.();
  const report = buildReport(snapshot, findings, { failOn: options.failOn, calendar: options.calendar, ...(calls ? { calls } : {}) });
  return { snapshot, findings, report };
}

const CREDENTIAL_ERRORS = /CredentialsProviderError|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException|SignatureDoesNotMatch/;
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|NetworkingError|TimeoutError/;

/**
 * Missing credentials or an unreachable endpoint are configuration errors (exit 2), not findings:
 * every look-up would fail the same way and the report would be noise.
 */
function refuseWithoutAccess(snapshot: Snapshot): void {
  const listing = snapshot.failures.find((f) => f.action === 'scheduler:ListSchedules');
  if (!listing) return;
  const text = `${listing.errorName} ${listing.message}`;
  if (CREDENTIAL_ERRORS.test(text)) {
    throw new UserError(
      'NO_CREDENTIALS',
      `AWS rejected or could not find credentials: ${listing.message}`,
      'Set AWS_PROFILE (or pass --profile), or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; to try ops without AWS, run `ops sandbox up` and export what it prints.',
    );
  }
  if (UNREACHABLE.test(text)) {
    throw new UserError(
      'ENDPOINT_UNREACHABLE',
      `Cannot reach the Scheduler API: ${listing.message}`,
      'Check --endpoint / AWS_ENDPOINT_URL and your network; for the local sandbox, start it with `ops sandbox up`.',
    );
  }
}
