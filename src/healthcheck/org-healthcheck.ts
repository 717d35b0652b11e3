/**
 * The healthcheck's org mode: one run over every account × region pair of the Organization, each pair
 * the same runHealthcheck the single-account Lambda runs, on clients in that pair's account and region.
 *
 *   resolveTargets (ORG_ACCOUNTS, or Organizations with ORG_OUS / ORG_EXCLUDE_ACCOUNTS)
 *   → preparePairs (one AssumeRole per account; an account that cannot be entered fails all its regions)
 *   → the entry alert of every account (org-entry-alerts.ts: `<key>#<account>#*`)
 *   → runPairs: runHealthcheck per pair, `pairConcurrency` at a time, none started once the invocation
 *     has less than `startMarginMs` left (reported `not-started`)
 *   → the org totals (org-metrics.ts) and one result document listing every pair with its status.
 *
 * Per pair:
 * - metrics: the pair's run with `Account` and `Region` dimensions (minus Finding_<CODE> and
 *   MarketOpen); the totals go out once per run without them, so the alarms read the whole org;
 * - alerts: its own alert stream `<ALERT_STATE_KEY>#<account>#<region>` in the same table, so dedup,
 *   reminders and recovery work per pair, through the central topic, every subject and body naming the
 *   account (name and id) and region; the email's fix command is `ops check-schedulers --accounts <id>
 *   --regions <region> --fix …`;
 * - auto-fix: the pair's own cluster directory and writer (the member role), backups and audit
 *   entries stamped with the account and region (placed-stores.ts), MAX_CHANGES per pair, each pair's
 *   repair its own fix run id;
 * - a pair that fails (its client could not be built, its check threw) is data: it is listed as
 *   incomplete, counted in CheckErrors and IncompletePairs, and every other pair still runs.
 *
 * The home pair: the account the healthcheck runs in, in its own region, is checked with its own
 * credentials (no AssumeRole) exactly as without org mode, under ALERT_STATE_KEY itself, so turning
 * org mode on neither drops nor re-announces what it already watched, change-driven runs (which only
 * see this account's CloudTrail) share its alert state, and `ops healthcheck --alert-table` still
 * shares its dedup. Should the home account also be a target, its home region is not entered twice.
 */
import type { AlertStateStore } from '../alerts/index.ts';
import type { Notifier } from '../alerts/notifier.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { FindingCode, type Finding, type Severity } from '../checks/finding.ts';
import { incompleteAccountFinding, incompletePairFinding, type Placement } from '../org/org-report.ts';
import { preparePairs, type AccountFailure, type EntryPorts } from '../org/prepare-pairs.ts';
import { runPairs, type PairFailure } from '../org/run-pairs.ts';
import { DEFAULT_ORG_ROLE, describeSource, resolveTargets, type AccountTarget, type OrgPair, type ResolvedTargets, type TargetLookups, type TargetSpec } from '../org/targets.ts';
import { errorText, type AlertOutcome } from './alerting.ts';
import type { HealthcheckSummary } from './invocation.ts';
import type { RunCounters } from './health-metrics.ts';
import { HealthMetric, type MetricDatum } from './metric-contract.ts';
import { alertOnAccountEntry, ANY_REGION, pairAlertKey, pairPlace } from './org-entry-alerts.ts';
import { orgTotalMetrics, placedMetricSink } from './org-metrics.ts';
import type { HealthLog, MetricSink } from './ports.ts';
import { runHealthcheck, type HealthcheckDeps, type HealthcheckOptions, type HealthcheckResult } from './run-healthcheck.ts';

/** What one pair's runHealthcheck reads and writes in its own account; metrics, log and alerts are the run's. */
export type PairHealthcheckDeps = Pick<HealthcheckDeps, 'check' | 'fix'>;

export interface OrgHealthcheckDeps {
  /** The Organization's accounts, for ORG_DISCOVER (never called for listed accounts). */
  lookups: TargetLookups;
  /** Assumes each account's role once (the wiring caches the session for its pairs). */
  entry: EntryPorts;
  /** The pair's check and fix ports, on clients in its account and region; called after its account was entered. */
  pair(pair: OrgPair): Promise<PairHealthcheckDeps>;
  /** The account the run is in, checked in `region` with the run's own credentials. */
  home?: { account: string; region: string; deps: PairHealthcheckDeps };
  /** The alert state of one stream (`<key>`, `<key>#<account>#<region>`, `<key>#<account>#*`), all in one table. */
  alertStore(key: string): AlertStateStore;
  /** The central alert topic; needed when `notify`. */
  notifier?: Notifier;
  metrics: MetricSink;
  log: HealthLog;
  /** AWS calls of the whole run so far (every pair's clients count into one counter). */
  calls?: () => Record<string, number>;
  /** Milliseconds the invocation has left (Lambda's getRemainingTimeInMillis); absent: no time budget. */
  remainingMs?: () => number;
}

export interface OrgHealthcheckOptions extends Omit<HealthcheckOptions, 'region' | 'change' | 'unscopedBecause' | 'fixScope' | 'progress'> {
  targets: TargetSpec;
  /** Pairs checked at once (ORG_CONCURRENCY). */
  pairConcurrency: number;
  /** ALERT_STATE_KEY: pairs alert under `<key>#<account>#<region>`, unentered accounts under `<key>#<account>#*`, the home pair under `<key>`. */
  alertStateKey: string;
  /** No pair starts with less than this left (deps.remainingMs); default ORG_HEALTHCHECK_DEFAULTS.startMarginMs. */
  startMarginMs?: number;
  /** Milliseconds on a monotonic clock (performance.now), to time each pair. */
  elapsed: () => number;
  /** After each pair, for a person at a terminal. */
  progress?: (done: number, total: number, failed: number) => void;
}

export const ORG_HEALTHCHECK_DEFAULTS = {
  /**
   * A pair takes ~3 s, ~10 s cold or with auto-fix; after the last one the run still emits its totals
   * and logs its result. 30 s left is the last moment a pair may start.
   */
  startMarginMs: 30_000,
} as const;

export type OrgPairStatus = 'checked' | 'incomplete' | 'not-started';

export interface OrgPairResult extends Placement {
  status: OrgPairStatus;
  /** Its alert stream: the key of its item in the alert-state table. */
  alertKey: string;
  /** The home pair: the run's own account and region, own credentials. */
  home?: true;
  ms: number;
  /** Why it is incomplete or not started. */
  failure?: PairFailure;
  /** The pair's healthcheck, when it ran (a blind check ran, and is incomplete). */
  result?: HealthcheckResult;
}

export interface OrgAccountEntry {
  account: string;
  accountName: string;
  entered: boolean;
  /** Regions it covers (those it would have covered, when it could not be entered). */
  regions: string[];
  failure?: PairFailure;
  alertKey: string;
  alert: AlertOutcome;
}

export interface OrgHealthcheckResult {
  runId: string;
  mode: 'org';
  /** Every pair checked and healthy, every account entered, nothing in the run failed. */
  ok: boolean;
  generatedAt: string;
  targets: { source: string; accounts: number; regions: string[]; skipped: ResolvedTargets['skipped'] };
  summary: {
    pairs: { total: number; checked: number; incomplete: number; notStarted: number };
    accounts: { total: number; notEntered: number };
    schedules: number;
    unhealthySchedules: number;
    findings: Record<Severity, number>;
    marketOpen: boolean;
    emailsSent: number;
  };
  /** Every pair: the home pair first, then account by account, region by region. */
  pairs: OrgPairResult[];
  /** Each target account's entry alert stream. */
  accounts: OrgAccountEntry[];
  /** The totals emitted without Account/Region (the per-pair datums are in each pair's result). */
  metrics: MetricDatum[];
  counters: RunCounters & { incompletePairs: number };
  errors: { stage: 'targets' | 'entry-alert' | 'pair'; account?: string; region?: string; message: string }[];
  calls?: Record<string, number>;
}

export async function runOrgHealthcheck(deps: OrgHealthcheckDeps, options: OrgHealthcheckOptions): Promise<OrgHealthcheckResult> {
  const { log } = deps;
  const errors: OrgHealthcheckResult['errors'] = [];
  const counters: RunCounters = { checkErrors: 0, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 };
  const marketOpen = options.calendar.isOpen(options.now);

  let targets: ResolvedTargets | undefined;
  try {
    targets = await resolveTargets(options.targets, deps.lookups);
  } catch (error) {
    counters.checkErrors += 1;
    errors.push({ stage: 'targets', message: errorText(error) });
    log.error('cannot resolve the org targets', { stage: 'targets', error });
    if (deps.home === undefined) {
      // Nothing to check at all: the run failed, but its Heartbeat and CheckErrors go out first.
      for (const datum of orgTotalMetrics({ schedulesChecked: 0, unhealthySchedules: 0, findings: [], marketOpen, tasksStarted10m: 0, counters, incompletePairs: 0 })) deps.metrics.add(datum);
      throw error;
    }
  }

  const home = deps.home;
  const homeAccount: AccountTarget | undefined =
    home === undefined ? undefined : { id: home.account, name: targets?.accounts.find((a) => a.id === home.account)?.name ?? home.account, role: '(the healthcheck role)', tags: {} };
  const homePair: OrgPair | undefined = home !== undefined && homeAccount !== undefined ? { account: homeAccount, region: home.region } : undefined;
  const accounts = withoutHomeRegion(targets?.accounts ?? [], options.targets.regions, home);
  const prepared = accounts.length > 0 ? await preparePairs(accounts, options.targets.regions, deps.entry, options.pairConcurrency) : { pairs: [], failures: [] };
  const memberPairs = prepared.pairs.filter((p) => !(home !== undefined && p.account.id === home.account && p.region === home.region));
  for (const { account, failure, regions } of prepared.failures) {
    log.error('account not entered', { account: account.id, accountName: account.name, regions, failure });
  }

  const entries = await entryAlerts(deps, options, accounts, prepared.failures, memberPairs, marketOpen);
  for (const entry of entries) {
    if (entry.alert.status === 'failed') {
      counters.checkErrors += 1;
      errors.push({ stage: 'entry-alert', account: entry.account, message: entry.alert.error });
    }
    if (entry.alert.status === 'decided' && entry.alert.publishError !== undefined) counters.alertPublishFailures += 1;
  }

  const pairs = homePair !== undefined ? [homePair, ...memberPairs] : memberPairs;
  const roleFlag = options.targets.roleName !== DEFAULT_ORG_ROLE && !options.targets.roleName.startsWith('arn:') ? ` --role-name ${options.targets.roleName}` : '';
  const { pairConcurrency, alertStateKey, startMarginMs, elapsed, progress } = options;
  const runOptions = withoutOrgOptions(options);
  const margin = startMarginMs ?? ORG_HEALTHCHECK_DEFAULTS.startMarginMs;
  const remaining = deps.remainingMs;
  const outcomes = await runPairs(
    pairs,
    async (pair) => {
      const isHome = pair === homePair;
      const place = { account: pair.account.id, region: pair.region };
      const pairDeps = isHome && home !== undefined ? home.deps : await deps.pair(pair);
      return runHealthcheck(
        {
          ...pairDeps,
          metrics: placedMetricSink(deps.metrics, place),
          log: placedLog(log, place),
          alerts: { store: deps.alertStore(isHome ? alertStateKey : pairAlertKey(alertStateKey, place.account, place.region)), ...(deps.notifier ? { notifier: deps.notifier } : {}) },
        },
        {
          ...runOptions,
          region: pair.region,
          alert: { ...options.alert, where: pairPlace(pair.account, pair.region) },
          ...(isHome ? {} : { fixScope: `--accounts ${pair.account.id} --regions ${pair.region}${roleFlag}` }),
        },
      );
    },
    {
      concurrency: pairConcurrency,
      elapsed,
      ...(progress ? { progress } : {}),
      ...(remaining !== undefined ? { startBy: () => remaining() > margin } : {}),
    },
  );

  const pairResults: OrgPairResult[] = [];
  const findings: Pick<Finding, 'code'>[] = [];
  let incompletePairs = 0;
  let tasksStarted10m = 0;
  for (const outcome of outcomes) {
    const place = placement(outcome.pair);
    const alertKey = outcome.pair === homePair ? alertStateKey : pairAlertKey(alertStateKey, place.account, place.region);
    const homeFlag = outcome.pair === homePair ? { home: true as const } : {};
    if (!outcome.ok) {
      const notStarted = outcome.failure.action === 'not-started';
      incompletePairs += 1;
      counters.checkErrors += 1;
      findings.push(incompletePairFinding(outcome.pair, outcome.failure));
      if (!notStarted) errors.push({ stage: 'pair', account: place.account, region: place.region, message: `${outcome.failure.action}: ${outcome.failure.errorName}: ${outcome.failure.reason}` });
      log.error(notStarted ? 'pair not started: no time left' : 'pair not checked', { account: place.account, region: place.region, failure: outcome.failure });
      pairResults.push({ ...place, status: notStarted ? 'not-started' : 'incomplete', alertKey, ...homeFlag, ms: outcome.ms, failure: outcome.failure });
      continue;
    }
    const result = outcome.value;
    for (const key of Object.keys(counters) as (keyof RunCounters)[]) counters[key] += result.counters[key];
    findings.push(...result.report.findings);
    tasksStarted10m += result.metrics.find((m) => m.name === HealthMetric.TasksStarted10m && m.dimensions === undefined)?.value ?? 0;
    const blind = result.report.blind;
    if (blind !== undefined) incompletePairs += 1;
    pairResults.push({
      ...place,
      status: blind !== undefined ? 'incomplete' : 'checked',
      alertKey,
      ...homeFlag,
      ms: outcome.ms,
      ...(blind !== undefined ? { failure: { action: blind.action, errorName: FindingCode.MONITOR_BLIND, reason: blind.reason } } : {}),
      result,
    });
  }
  // An account that could not be entered: one finding (as `ops check-schedulers --org` reports it), each of its regions an incomplete pair.
  const unentered: OrgPairResult[] = [];
  for (const { account, failure, regions } of prepared.failures) {
    findings.push(incompleteAccountFinding(account, failure, regions));
    for (const region of regions.length > 0 ? regions : [ANY_REGION]) {
      incompletePairs += 1;
      counters.checkErrors += 1;
      unentered.push({ account: account.id, accountName: account.name, region, status: 'incomplete', alertKey: pairAlertKey(alertStateKey, account.id, ANY_REGION), ms: 0, failure });
    }
  }
  const all = [...pairResults, ...unentered].sort(pairOrder);

  const checked = pairResults.filter((p) => p.result !== undefined).map((p) => p.result as HealthcheckResult);
  const metrics = orgTotalMetrics({
    schedulesChecked: checked.reduce((sum, r) => sum + r.report.summary.schedules, 0),
    unhealthySchedules: checked.reduce((sum, r) => sum + r.report.summary.unhealthySchedules, 0),
    findings,
    marketOpen,
    tasksStarted10m,
    counters,
    incompletePairs,
  });
  for (const datum of metrics) deps.metrics.add(datum);

  const severities = (severity: Severity) => checked.reduce((sum, r) => sum + r.report.summary.findings[severity], 0);
  const incompleteFindings = findings.length - checked.reduce((sum, r) => sum + r.report.findings.length, 0);
  const emailsSent =
    entries.filter((e) => e.alert.status === 'decided' && e.alert.sent).length +
    checked.reduce((sum, r) => sum + (r.alert.status === 'decided' && r.alert.sent ? 1 : 0) + (r.selfHealedEmail?.sent === true ? 1 : 0), 0);
  const result: OrgHealthcheckResult = {
    runId: options.runId,
    mode: 'org',
    ok: errors.length === 0 && incompletePairs === 0 && counters.checkErrors === 0 && all.every((p) => p.result?.ok === true),
    generatedAt: options.now.toISOString(),
    targets: {
      source: describeSource(options.targets.source),
      accounts: new Set([...(homePair !== undefined ? [homePair.account.id] : []), ...accounts.map((a) => a.id)]).size,
      regions: [...new Set(all.map((p) => p.region).filter((r) => r !== ANY_REGION))].sort(),
      skipped: targets?.skipped ?? [],
    },
    summary: {
      pairs: { total: all.length, checked: all.filter((p) => p.status === 'checked').length, incomplete: all.filter((p) => p.status === 'incomplete').length, notStarted: all.filter((p) => p.status === 'not-started').length },
      accounts: { total: new Set(all.map((p) => p.account)).size, notEntered: prepared.failures.length },
      schedules: checked.reduce((sum, r) => sum + r.report.summary.schedules, 0),
      unhealthySchedules: checked.reduce((sum, r) => sum + r.report.summary.unhealthySchedules, 0),
      // The incomplete pairs' and accounts' CHECK_INCOMPLETE findings are warnings, as in the org report.
      findings: { critical: severities('critical'), warning: severities('warning') + incompleteFindings, info: severities('info') },
      marketOpen,
      emailsSent,
    },
    pairs: all,
    accounts: entries,
    metrics,
    counters: { ...counters, incompletePairs },
    errors,
    ...(deps.calls ? { calls: deps.calls() } : {}),
  };
  log.info('org healthcheck done', { org: { ok: result.ok, pairs: result.summary.pairs, accounts: result.summary.accounts, unhealthySchedules: result.summary.unhealthySchedules, emailsSent } });
  return result;
}

/**
 * The home account among the targets: its home region is the home pair's (own credentials), so it is
 * not entered for it; an account left with no other region is not entered at all.
 */
function withoutHomeRegion(accounts: readonly AccountTarget[], regions: TargetSpec['regions'], home: OrgHealthcheckDeps['home']): AccountTarget[] {
  if (home === undefined) return [...accounts];
  return accounts.flatMap((account) => {
    if (account.id !== home.account) return [account];
    const list = account.regions ?? (regions === 'all' ? undefined : regions);
    // `all`: its regions are only known once entered; the home pair is dropped from its pairs then.
    if (list === undefined) return [account];
    const rest = list.filter((r) => r !== home.region);
    return rest.length > 0 ? [{ ...account, regions: rest }] : [];
  });
}

async function entryAlerts(
  deps: OrgHealthcheckDeps,
  options: OrgHealthcheckOptions,
  accounts: readonly AccountTarget[],
  failures: readonly AccountFailure[],
  pairs: readonly OrgPair[],
  marketOpen: boolean,
): Promise<OrgAccountEntry[]> {
  const failed = new Map(failures.map((f) => [f.account.id, f]));
  return mapWithConcurrency(accounts, options.pairConcurrency, async (account): Promise<OrgAccountEntry> => {
    const failure = failed.get(account.id);
    const alertKey = pairAlertKey(options.alertStateKey, account.id, ANY_REGION);
    const regions = failure !== undefined ? failure.regions : pairs.filter((p) => p.account.id === account.id).map((p) => p.region);
    let alert: AlertOutcome;
    try {
      alert = await alertOnAccountEntry({ store: deps.alertStore(alertKey), ...(deps.notifier ? { notifier: deps.notifier } : {}) }, account, failure, {
        now: options.now,
        marketOpen,
        reminderHours: options.alert.reminderHours,
        notify: options.notify,
        ...(options.alert.runbookBaseUrl !== undefined ? { runbookBaseUrl: options.alert.runbookBaseUrl } : {}),
        ...(options.alert.timezone !== undefined ? { timezone: options.alert.timezone } : {}),
      });
    } catch (error) {
      deps.log.error('entry alert failed', { stage: 'alert', account: account.id, error });
      alert = { status: 'failed', error: errorText(error) };
    }
    if (alert.status === 'decided' && (alert.sent || alert.publishError !== undefined)) {
      const fields = { account: account.id, alert: { kind: alert.kind, subject: alert.subject, sent: alert.sent, ...(alert.publishError !== undefined ? { publishError: alert.publishError } : {}) } };
      if (alert.publishError !== undefined) deps.log.error('entry alert email not published', fields);
      else deps.log.info('entry alert email published', fields);
    }
    return { account: account.id, accountName: account.name, entered: failure === undefined, regions: [...regions], ...(failure ? { failure: failure.failure } : {}), alertKey, alert };
  });
}

function placement(pair: OrgPair): Placement {
  return { account: pair.account.id, accountName: pair.account.name, region: pair.region };
}

/** The options every pair's runHealthcheck shares: the org run's, minus its own. */
function withoutOrgOptions(options: OrgHealthcheckOptions): Omit<HealthcheckOptions, 'region'> {
  const run: Partial<OrgHealthcheckOptions> = { ...options };
  delete run.targets;
  delete run.pairConcurrency;
  delete run.alertStateKey;
  delete run.startMarginMs;
  delete run.elapsed;
  delete run.progress;
  return run as Omit<HealthcheckOptions, 'region'>;
}

/** Every log line of a pair's run names the pair. */
function placedLog(log: HealthLog, place: { account: string; region: string }): HealthLog {
  return {
    info: (message, fields) => log.info(message, { ...fields, ...place }),
    warn: (message, fields) => log.warn(message, { ...fields, ...place }),
    error: (message, fields) => log.error(message, { ...fields, ...place }),
  };
}

/** The home pair first, then account by account, region by region (an unentered account's `*` last). */
function pairOrder(a: OrgPairResult, b: OrgPairResult): number {
  return Number(b.home === true) - Number(a.home === true) || a.account.localeCompare(b.account) || a.region.localeCompare(b.region);
}

/**
 * The Lambda's return value in org mode: the single-account summary's fields as org totals (so what
 * reads `unhealthySchedules` or `counters` keeps working), and `org` with the pair totals, the pairs
 * that were not checked and the emails sent.
 */
export interface OrgHealthcheckSummary extends HealthcheckSummary {
  org: {
    pairs: OrgHealthcheckResult['summary']['pairs'];
    accounts: OrgHealthcheckResult['summary']['accounts'];
    incompletePairs: number;
    emails: { sent: number; subjects: string[] };
    /** Pairs not checked (at most SUMMARY_LIST_LIMIT), with why. */
    incomplete: { account: string; region: string; status: OrgPairStatus; reason: string }[];
    errors: OrgHealthcheckResult['errors'];
  };
}

export const SUMMARY_LIST_LIMIT = 25;

export function orgResultSummary(result: OrgHealthcheckResult): OrgHealthcheckSummary {
  const byCode: Record<string, number> = {};
  for (const pair of result.pairs) for (const f of pair.result?.report.findings ?? []) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  const subjects = [
    ...result.accounts.flatMap((a) => (a.alert.status === 'decided' && a.alert.sent && a.alert.subject !== undefined ? [a.alert.subject] : [])),
    ...result.pairs.flatMap((p) => {
      const r = p.result;
      if (r === undefined) return [];
      return [...(r.alert.status === 'decided' && r.alert.sent && r.alert.subject !== undefined ? [r.alert.subject] : []), ...(r.selfHealedEmail?.sent === true ? [r.selfHealedEmail.subject] : [])];
    }),
  ];
  const { incompletePairs, ...counters } = result.counters;
  const { pairs, accounts, emailsSent } = result.summary;
  return {
    runId: result.runId,
    ok: result.ok,
    schedules: result.summary.schedules,
    unhealthySchedules: result.summary.unhealthySchedules,
    findings: byCode,
    marketOpen: result.summary.marketOpen,
    alert: { status: 'org', sent: emailsSent > 0, reason: `${emailsSent} email(s) over ${pairs.total} pair(s) and ${accounts.total} account(s); see org.emails` },
    autoFix: { status: 'org', healed: counters.selfHealed },
    counters,
    // The single-account stages, for what reads them; org.errors has the pair of each.
    errors: result.errors.map((e) => ({ stage: e.stage === 'entry-alert' ? ('alert' as const) : ('check' as const), message: e.account !== undefined ? `${e.account}${e.region !== undefined ? ` ${e.region}` : ''}: ${e.message}` : e.message })),
    org: {
      pairs,
      accounts,
      incompletePairs,
      emails: { sent: emailsSent, subjects: subjects.slice(0, SUMMARY_LIST_LIMIT) },
      incomplete: result.pairs
        .filter((p) => p.status !== 'checked')
        .slice(0, SUMMARY_LIST_LIMIT)
        .map((p) => ({ account: p.account, region: p.region, status: p.status, reason: p.failure ? `${p.failure.action}: ${p.failure.errorName}: ${p.failure.reason}` : 'unknown' })),
      errors: result.errors,
    },
  };
}
