/**
 * The healthcheck's org mode over fakes: check ports per pair from plain data, an entry port that
 * denies one account, alert state per stream in memory, emails into an array. No AWS, no clock.
 */
import { describe, expect, it } from 'vitest';
import { MemoryAlertStateStore } from '../../../src/alerts/index.ts';
import type { EmailMessage, Notifier } from '../../../src/alerts/notifier.ts';
import { RoleAssumptionError } from '../../../src/aws/assumed-role.ts';
import { CHECKS } from '../../../src/checks/registry.ts';
import { findingMetricName, HealthMetric, type MetricDatum } from '../../../src/healthcheck/metric-contract.ts';
import { orgResultSummary, runOrgHealthcheck, type OrgHealthcheckDeps, type OrgHealthcheckOptions } from '../../../src/healthcheck/org-healthcheck.ts';
import { recordingLog, recordingSink, type RecordingSink } from '../../../src/healthcheck/ports.ts';
import { nyse } from '../../../src/market/index.ts';
import type { AccountTarget, FileAccount, OrgPair } from '../../../src/org/targets.ts';
import { arn, createFakePorts, missing, scheduleFacts, type FakeAwsInput } from '../../support/check-fixtures.ts';

/** Monday 2026-11-23 10:00 New York: the market is open. */
const NOW = new Date('2026-11-23T15:00:00Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const PROD = '111111111111';
const RESEARCH = '222222222222';
const DENIED = '333333333333';
const HOME = '999999999999';

const ACCOUNTS: FileAccount[] = [
  { id: PROD, name: 'prod-trading', regions: ['us-east-1', 'us-west-2'] },
  { id: RESEARCH, name: 'research', regions: ['us-east-1'] },
  { id: DENIED, name: 'sandbox', regions: ['eu-west-1', 'us-east-1'] },
];

/** Healthy unless told otherwise: ECS schedules (every 15 minutes) that ran 5 minutes before `now` by the ledger. */
function pairData(options: { missingCluster?: boolean; names?: string[]; now?: Date } = {}): FakeAwsInput {
  const cluster = options.missingCluster ? arn.cluster('gone') : arn.cluster('trading');
  const names = options.names ?? ['dispatcher'];
  const ranAt = new Date((options.now ?? NOW).getTime() - 5 * 60_000);
  return {
    schedules: names.map((name) => scheduleFacts(name, { target: { arn: cluster } })),
    ...(options.missingCluster ? { clusters: { [cluster]: missing() } } : {}),
    ledger: { coversSince: new Date('2026-01-01T00:00:00Z'), lastRuns: Object.fromEntries(names.map((name) => [`trading/${name}`, ranAt])) },
  };
}

interface Fixture {
  deps: OrgHealthcheckDeps;
  sink: RecordingSink;
  emails: EmailMessage[];
  stores: Map<string, MemoryAlertStateStore>;
  /** Pair data by `account|region`; a pair not listed is healthy. */
  data: Map<string, FakeAwsInput>;
  denied: Set<string>;
  entered: string[];
  /** Pairs whose ports cannot be built (`account|region`). */
  broken: Set<string>;
  /** A fresh sink, log and email list for the next run at `now` (healthy pairs ran 5 minutes before it); alert state, data and denials carry over. */
  nextRun(now?: Date): void;
}

function fixture(options: { home?: boolean; remainingMs?: () => number } = {}): Fixture {
  const stores = new Map<string, MemoryAlertStateStore>();
  const data = new Map<string, FakeAwsInput>();
  const denied = new Set<string>([DENIED]);
  const broken = new Set<string>();
  const entered: string[] = [];
  const f = {} as Fixture;
  const notifier: Notifier = {
    destination: 'arn:aws:sns:us-east-1:999999999999:ops-alerts',
    publish: async (message) => {
      f.emails.push(message);
      return { messageId: `m-${f.emails.length}` };
    },
  };
  let runAt = NOW;
  const portsFor = (account: string, region: string) => ({ check: createFakePorts(data.get(`${account}|${region}`) ?? pairData({ now: runAt })).ports });
  const build = (now: Date = NOW): void => {
    runAt = now;
    f.sink = recordingSink();
    f.emails = [];
    f.deps = {
      lookups: { organizationAccounts: () => Promise.reject(new Error('not used with listed accounts')) },
      entry: {
        enter: async (account: AccountTarget) => {
          entered.push(account.id);
          if (denied.has(account.id)) {
            throw new RoleAssumptionError(`arn:aws:iam::${account.id}:role/ops-org-access`, 'AccessDenied', `User: arn:aws:sts::${HOME}:assumed-role/ops-healthcheck is not authorized to perform: sts:AssumeRole`);
          }
        },
        enabledRegions: () => Promise.reject(new Error('regions are listed')),
      },
      pair: async (pair: OrgPair) => {
        if (broken.has(`${pair.account.id}|${pair.region}`)) throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
        return portsFor(pair.account.id, pair.region);
      },
      ...(options.home ? { home: { account: HOME, region: 'us-east-1', deps: portsFor(HOME, 'us-east-1') } } : {}),
      alertStore: (key: string) => {
        let store = stores.get(key);
        if (store === undefined) stores.set(key, (store = new MemoryAlertStateStore()));
        return store;
      },
      notifier,
      metrics: f.sink,
      log: recordingLog(),
      ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}),
    };
  };
  Object.assign(f, { stores, data, denied, entered, broken, nextRun: build });
  build();
  return f;
}

function orgOptions(overrides: Partial<OrgHealthcheckOptions> = {}): OrgHealthcheckOptions {
  return {
    runId: 'hc-org-test',
    now: NOW,
    calendar: nyse,
    marketCriticalPatterns: [],
    notify: true,
    alert: { minSeverity: 'critical', reminderHours: 2 },
    autoFix: false,
    maxChanges: 25,
    targets: { source: { kind: 'file', path: 'accounts.yaml', accounts: ACCOUNTS }, exclude: [], regions: [], roleName: 'ops-org-access' },
    pairConcurrency: 2,
    alertStateKey: 'healthcheck',
    elapsed: () => 0,
    ...overrides,
  };
}

/** The one datum of `name` with exactly these dimensions. */
function value(sink: RecordingSink, name: string, dimensions?: Record<string, string>): number | undefined {
  const found = sink.data.filter((d) => d.name === name && JSON.stringify(sortKeys(d.dimensions ?? {})) === JSON.stringify(sortKeys(dimensions ?? {})));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(dimensions)} recorded ${found.length} times`);
  return found[0]?.value;
}
const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const at = (account: string, region: string) => ({ Account: account, Region: region });
const undimensioned = (data: readonly MetricDatum[]) => data.filter((d) => d.dimensions === undefined);

describe('runOrgHealthcheck: three pairs and an account that cannot be entered', () => {
  it('checks every pair, lists every pair with its status, and enters each account once', async () => {
    const f = fixture();
    f.data.set(`${PROD}|us-east-1`, pairData({ missingCluster: true }));

    const result = await runOrgHealthcheck(f.deps, orgOptions());

    expect(result.pairs.map((p) => [p.account, p.region, p.status, p.alertKey])).toEqual([
      [PROD, 'us-east-1', 'checked', `healthcheck#${PROD}#us-east-1`],
      [PROD, 'us-west-2', 'checked', `healthcheck#${PROD}#us-west-2`],
      [RESEARCH, 'us-east-1', 'checked', `healthcheck#${RESEARCH}#us-east-1`],
      [DENIED, 'eu-west-1', 'incomplete', `healthcheck#${DENIED}#*`],
      [DENIED, 'us-east-1', 'incomplete', `healthcheck#${DENIED}#*`],
    ]);
    expect(result.pairs.find((p) => p.account === DENIED)?.failure).toMatchObject({ action: 'sts:AssumeRole', errorName: 'AccessDenied' });
    expect([...f.entered].sort()).toEqual([PROD, RESEARCH, DENIED].sort());
    expect(result.summary.pairs).toEqual({ total: 5, checked: 3, incomplete: 2, notStarted: 0 });
    expect(result.summary.accounts).toEqual({ total: 3, notEntered: 1 });
    expect(result.summary.unhealthySchedules).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.accounts.map((a) => [a.account, a.entered, a.regions])).toEqual([
      [PROD, true, ['us-east-1', 'us-west-2']],
      [RESEARCH, true, ['us-east-1']],
      [DENIED, false, ['eu-west-1', 'us-east-1']],
    ]);
  });

  it('emits each pair\'s metrics with Account and Region, no per-pair Finding_<CODE> or MarketOpen, and the totals once without them', async () => {
    const f = fixture();
    f.data.set(`${PROD}|us-east-1`, pairData({ missingCluster: true }));
    f.data.set(`${RESEARCH}|us-east-1`, pairData({ names: ['dispatcher', 'sweeper'] }));

    const result = await runOrgHealthcheck(f.deps, orgOptions());

    // Per pair.
    expect(value(f.sink, HealthMetric.SchedulesChecked, at(PROD, 'us-east-1'))).toBe(1);
    expect(value(f.sink, HealthMetric.UnhealthySchedules, at(PROD, 'us-east-1'))).toBe(1);
    expect(value(f.sink, HealthMetric.UnhealthySchedules, at(PROD, 'us-west-2'))).toBe(0);
    expect(value(f.sink, HealthMetric.SchedulesChecked, at(RESEARCH, 'us-east-1'))).toBe(2);
    expect(value(f.sink, HealthMetric.Heartbeat, at(RESEARCH, 'us-east-1'))).toBe(1);
    expect(value(f.sink, HealthMetric.CheckErrors, at(PROD, 'us-west-2'))).toBe(0);
    expect(value(f.sink, HealthMetric.TasksStarted10m, { ...at(PROD, 'us-west-2'), ClusterName: 'trading' })).toBe(1);
    const dimensioned = f.sink.data.filter((d) => d.dimensions?.Account !== undefined);
    expect(new Set(dimensioned.map((d) => `${d.dimensions?.Account} ${d.dimensions?.Region}`))).toEqual(new Set([`${PROD} us-east-1`, `${PROD} us-west-2`, `${RESEARCH} us-east-1`]));
    expect(dimensioned.filter((d) => d.name.startsWith('Finding_') || d.name === HealthMetric.MarketOpen)).toEqual([]);
    // Nothing is dimensioned by cluster alone: a cluster name means nothing without its account.
    expect(f.sink.data.filter((d) => d.dimensions?.ClusterName !== undefined && d.dimensions.Account === undefined)).toEqual([]);

    // Totals: the single-account names and order, plus IncompletePairs, each once.
    const totals = undimensioned(f.sink.data);
    expect(totals.map((d) => d.name)).toEqual([
      HealthMetric.SchedulesChecked,
      HealthMetric.UnhealthySchedules,
      ...CHECKS.map((c) => findingMetricName(c.code)),
      HealthMetric.MarketOpen,
      HealthMetric.TasksStarted10m,
      HealthMetric.Heartbeat,
      HealthMetric.CheckErrors,
      HealthMetric.AlertPublishFailures,
      HealthMetric.SelfHealed,
      HealthMetric.AutoFixRefused,
      HealthMetric.IncompletePairs,
    ]);
    expect(value(f.sink, HealthMetric.SchedulesChecked)).toBe(4);
    expect(value(f.sink, HealthMetric.UnhealthySchedules)).toBe(1);
    expect(value(f.sink, findingMetricName('TARGET_CLUSTER_NOT_FOUND'))).toBe(1);
    // The unentered account: one finding, as `ops check-schedulers --org` reports it.
    expect(value(f.sink, findingMetricName('CHECK_INCOMPLETE'))).toBe(1);
    expect(value(f.sink, HealthMetric.MarketOpen)).toBe(1);
    // One run each, 5 minutes ago: 1 + 1 + 2.
    expect(value(f.sink, HealthMetric.TasksStarted10m)).toBe(4);
    expect(value(f.sink, HealthMetric.Heartbeat)).toBe(1);
    // Each region of the unentered account is an incomplete pair and a check error.
    expect(value(f.sink, HealthMetric.IncompletePairs)).toBe(2);
    expect(value(f.sink, HealthMetric.CheckErrors)).toBe(2);
    expect(value(f.sink, HealthMetric.AlertPublishFailures)).toBe(0);
    expect(result.metrics).toEqual(totals);
    expect(result.counters).toEqual({ checkErrors: 2, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0, incompletePairs: 2 });
  });
});

describe('runOrgHealthcheck: alerts per pair', () => {
  it('emails once per pair with a new fault, naming the account and region; nothing on the next run; one recovery per pair', async () => {
    const f = fixture();
    f.denied.clear();
    f.data.set(`${PROD}|us-east-1`, pairData({ missingCluster: true }));
    f.data.set(`${RESEARCH}|us-east-1`, pairData({ missingCluster: true }));

    const first = await runOrgHealthcheck(f.deps, orgOptions());

    expect(f.emails.map((e) => e.subject).sort()).toEqual([
      '[CRITICAL] prod-trading us-east-1: 1 schedule target missing cluster gone',
      '[CRITICAL] research us-east-1: 1 schedule target missing cluster gone',
    ]);
    const prod = f.emails.find((e) => e.subject.includes('prod-trading'));
    expect(prod?.body).toContain('Where:    prod-trading (111111111111) us-east-1');
    expect(prod?.body).toContain('ops check-schedulers --accounts 111111111111 --regions us-east-1 --fix');
    expect(first.summary.emailsSent).toBe(2);
    expect([...f.stores.keys()].sort()).toEqual([
      `healthcheck#${PROD}#*`,
      `healthcheck#${PROD}#us-east-1`,
      `healthcheck#${PROD}#us-west-2`,
      `healthcheck#${RESEARCH}#*`,
      `healthcheck#${RESEARCH}#us-east-1`,
      `healthcheck#${DENIED}#*`,
      `healthcheck#${DENIED}#eu-west-1`,
      `healthcheck#${DENIED}#us-east-1`,
    ]);
    expect((await f.stores.get(`healthcheck#${PROD}#us-west-2`)?.read())).toBeUndefined();

    f.nextRun(later(5));
    const second = await runOrgHealthcheck(f.deps, orgOptions({ now: later(5) }));
    expect(f.emails).toEqual([]);
    expect(second.pairs.map((p) => p.result?.alert)).toEqual(second.pairs.map(() => expect.objectContaining({ status: 'decided', send: false }) as unknown));

    // Repaired in research only: that pair recovers, prod-trading's stays silent.
    f.data.delete(`${RESEARCH}|us-east-1`);
    f.nextRun(later(10));
    await runOrgHealthcheck(f.deps, orgOptions({ now: later(10) }));
    expect(f.emails.map((e) => e.subject)).toEqual(['[RESOLVED] research us-east-1: all schedules healthy again']);
    expect(f.emails[0]?.body).toContain('Where:    research (222222222222) us-east-1');

    f.data.delete(`${PROD}|us-east-1`);
    f.nextRun(later(15));
    await runOrgHealthcheck(f.deps, orgOptions({ now: later(15) }));
    expect(f.emails.map((e) => e.subject)).toEqual(['[RESOLVED] prod-trading us-east-1: all schedules healthy again']);
  });

  it('alerts an account that cannot be entered once, as CHECK_INCOMPLETE at warning, under ALERT_MIN_SEVERITY critical; and once when it can again', async () => {
    const f = fixture();

    const first = await runOrgHealthcheck(f.deps, orgOptions());

    expect(f.emails).toHaveLength(1);
    const [email] = f.emails;
    expect(email?.subject).toBe('[WARNING] sandbox (333333333333): not checked, sts:AssumeRole failed (AccessDenied)');
    expect(email?.body).toContain('WARNING: sandbox (333333333333) was not checked in eu-west-1, us-east-1: sts:AssumeRole failed.');
    expect(email?.body).toContain('AWS said: AccessDenied: User: arn:aws:sts::999999999999:assumed-role/ops-healthcheck is not authorized');
    expect(email?.body).toContain('aws iam get-role --role-name ops-org-access   # in account 333333333333');
    expect(email?.body).toContain('runbooks/CHECK_INCOMPLETE.md');
    const entry = first.accounts.find((a) => a.account === DENIED);
    expect(entry).toMatchObject({ entered: false, alertKey: `healthcheck#${DENIED}#*`, alert: { status: 'decided', sent: true, kind: 'alert' } });
    expect((await f.stores.get(`healthcheck#${DENIED}#*`)?.read())?.state.failing).toHaveProperty(['CHECK_INCOMPLETE action:sts:AssumeRole']);

    // Still denied, hours later while the market is open: a warning never reminds.
    f.nextRun(later(60));
    await runOrgHealthcheck(f.deps, orgOptions({ now: later(60) }));
    f.nextRun(later(5 * 60));
    await runOrgHealthcheck(f.deps, orgOptions({ now: later(5 * 60) }));
    expect(f.emails).toEqual([]);
    expect(value(f.sink, HealthMetric.IncompletePairs)).toBe(2);

    f.denied.clear();
    f.nextRun(later(6 * 60));
    const recovered = await runOrgHealthcheck(f.deps, orgOptions({ now: later(6 * 60) }));
    expect(f.emails.map((e) => e.subject)).toEqual(['[RESOLVED] sandbox (333333333333): the healthcheck can enter the account again']);
    expect(recovered.summary.pairs).toEqual({ total: 5, checked: 5, incomplete: 0, notStarted: 0 });
    expect(recovered.ok).toBe(true);
  });

  it('previews without notify: no email, no state written', async () => {
    const f = fixture();
    f.data.set(`${PROD}|us-east-1`, pairData({ missingCluster: true }));

    const result = await runOrgHealthcheck(f.deps, orgOptions({ notify: false }));

    expect(f.emails).toEqual([]);
    expect(result.accounts.find((a) => a.account === DENIED)?.alert).toMatchObject({ status: 'off', preview: { send: true, kind: 'alert' } });
    expect(result.pairs[0]?.result?.alert).toMatchObject({ status: 'off', preview: { send: true, kind: 'alert' } });
    for (const store of f.stores.values()) expect(await store.read()).toBeUndefined();
  });
});

describe('runOrgHealthcheck: failures and the time budget', () => {
  it('a pair that fails is listed as incomplete and counted; every other pair still runs and alerts', async () => {
    const f = fixture();
    f.denied.clear();
    f.broken.add(`${PROD}|us-west-2`);
    f.data.set(`${RESEARCH}|us-east-1`, pairData({ missingCluster: true }));

    const result = await runOrgHealthcheck(f.deps, orgOptions());

    const broken = result.pairs.find((p) => p.account === PROD && p.region === 'us-west-2');
    expect(broken).toMatchObject({ status: 'incomplete', failure: { action: 'unknown', errorName: 'TimeoutError', reason: 'connect ETIMEDOUT' } });
    expect(broken?.result).toBeUndefined();
    expect(result.summary.pairs).toEqual({ total: 5, checked: 4, incomplete: 1, notStarted: 0 });
    expect(result.errors).toEqual([{ stage: 'pair', account: PROD, region: 'us-west-2', message: 'unknown: TimeoutError: connect ETIMEDOUT' }]);
    expect(value(f.sink, HealthMetric.IncompletePairs)).toBe(1);
    expect(value(f.sink, HealthMetric.CheckErrors)).toBe(1);
    expect(f.emails.map((e) => e.subject)).toEqual(['[CRITICAL] research us-east-1: 1 schedule target missing cluster gone']);
    // Its alert state is untouched: no run, no verdict.
    expect(f.stores.has(`healthcheck#${PROD}#us-west-2`)).toBe(false);
  });

  it('starts no pair once the invocation has less than the margin left: those are reported not-started', async () => {
    // One pair at a time; the budget runs out after the second pair starts.
    const left = [200_000, 100_000, 20_000, 10_000];
    const f = fixture({ remainingMs: () => left.shift() ?? 0 });
    f.denied.clear();
    f.data.set(`${RESEARCH}|us-east-1`, pairData({ missingCluster: true }));

    const result = await runOrgHealthcheck(f.deps, orgOptions({ pairConcurrency: 1 }));

    expect(result.pairs.map((p) => [p.account, p.region, p.status])).toEqual([
      [PROD, 'us-east-1', 'checked'],
      [PROD, 'us-west-2', 'checked'],
      [RESEARCH, 'us-east-1', 'not-started'],
      [DENIED, 'eu-west-1', 'not-started'],
      [DENIED, 'us-east-1', 'not-started'],
    ]);
    expect(result.pairs[2]?.failure).toMatchObject({ action: 'not-started', errorName: 'TimeBudgetExhausted' });
    expect(result.summary.pairs).toEqual({ total: 5, checked: 2, incomplete: 0, notStarted: 3 });
    expect(value(f.sink, HealthMetric.IncompletePairs)).toBe(3);
    expect(value(f.sink, HealthMetric.CheckErrors)).toBe(3);
    expect(value(f.sink, HealthMetric.Heartbeat)).toBe(1);
    // Not started is not an error of the pair, and says nothing about it: no email, no state.
    expect(result.errors).toEqual([]);
    expect(f.emails).toEqual([]);
    expect(f.stores.has(`healthcheck#${RESEARCH}#us-east-1`)).toBe(false);
    const summary = orgResultSummary(result);
    expect(summary.org.incomplete.map((p) => [p.account, p.region, p.status])).toEqual([
      [RESEARCH, 'us-east-1', 'not-started'],
      [DENIED, 'eu-west-1', 'not-started'],
      [DENIED, 'us-east-1', 'not-started'],
    ]);
  });

  it('when the accounts cannot be listed, checks the home pair, counts the error, and does not throw', async () => {
    const f = fixture({ home: true });
    f.deps.lookups = { organizationAccounts: () => Promise.reject(Object.assign(new Error('You don\'t have permissions to access this resource.'), { name: 'AccessDeniedException' })) };

    const result = await runOrgHealthcheck(f.deps, orgOptions({ targets: { source: { kind: 'org', ous: [] }, exclude: [], regions: ['us-east-1'], roleName: 'ops-org-access' } }));

    expect(result.pairs.map((p) => [p.account, p.region, p.status, p.alertKey])).toEqual([[HOME, 'us-east-1', 'checked', 'healthcheck']]);
    expect(result.errors).toEqual([{ stage: 'targets', message: expect.stringContaining('AccessDeniedException') as unknown }]);
    expect(value(f.sink, HealthMetric.CheckErrors)).toBe(1);
    expect(value(f.sink, HealthMetric.Heartbeat)).toBe(1);
  });

  it('without a home pair, a target failure emits Heartbeat and CheckErrors and throws', async () => {
    const f = fixture();
    const boom = new Error('organizations unreachable');
    f.deps.lookups = { organizationAccounts: () => Promise.reject(boom) };

    await expect(runOrgHealthcheck(f.deps, orgOptions({ targets: { source: { kind: 'org', ous: [] }, exclude: [], regions: ['us-east-1'], roleName: 'ops-org-access' } }))).rejects.toBe(boom);

    expect(value(f.sink, HealthMetric.Heartbeat)).toBe(1);
    expect(value(f.sink, HealthMetric.CheckErrors)).toBe(1);
  });
});

describe('runOrgHealthcheck: the home pair and discovery', () => {
  it('checks its own account and region first with its own credentials under ALERT_STATE_KEY, and never enters it for that region', async () => {
    const f = fixture({ home: true });
    f.denied.clear();
    f.data.set(`${HOME}|us-east-1`, pairData({ missingCluster: true }));
    const discovered = { accounts: [{ id: HOME, name: 'central' }, { id: PROD, name: 'prod-trading' }, { id: RESEARCH, name: 'research' }], inactive: [{ id: '444444444444', name: 'closed', state: 'SUSPENDED' }] };
    f.deps.lookups = { organizationAccounts: async (ous) => (ous.length === 0 ? discovered : { accounts: [], inactive: [] }) };
    // Rebuilt so the home deps see the planted fault.
    f.deps.home = { account: HOME, region: 'us-east-1', deps: { check: createFakePorts(pairData({ missingCluster: true })).ports } };

    const result = await runOrgHealthcheck(f.deps, orgOptions({ targets: { source: { kind: 'org', ous: [] }, exclude: [RESEARCH], regions: ['us-east-1', 'us-west-2'], roleName: 'ops-org-access' } }));

    expect(result.pairs.map((p) => [p.account, p.accountName, p.region, p.status, p.alertKey, p.home ?? false])).toEqual([
      [HOME, 'central', 'us-east-1', 'checked', 'healthcheck', true],
      [PROD, 'prod-trading', 'us-east-1', 'checked', `healthcheck#${PROD}#us-east-1`, false],
      [PROD, 'prod-trading', 'us-west-2', 'checked', `healthcheck#${PROD}#us-west-2`, false],
      [HOME, 'central', 'us-west-2', 'checked', `healthcheck#${HOME}#us-west-2`, false],
    ]);
    // Entered for its other region only (through the role, like any member).
    expect(f.entered.sort()).toEqual([HOME, PROD].sort());
    expect(result.targets.skipped.map((s) => s.id).sort()).toEqual(['222222222222', '444444444444']);
    expect(f.emails.map((e) => e.subject)).toEqual(['[CRITICAL] central us-east-1: 1 schedule target missing cluster gone']);
    // The home pair's email points at this account the single-account way.
    expect(f.emails[0]?.body).toContain('ops check-schedulers --region us-east-1 --fix');
    expect(value(f.sink, HealthMetric.UnhealthySchedules, at(HOME, 'us-east-1'))).toBe(1);
  });

  it('does not enter the home account at all when the home region is its only one', async () => {
    const f = fixture({ home: true });
    f.denied.clear();

    const result = await runOrgHealthcheck(f.deps, orgOptions({ targets: { source: { kind: 'accounts', ids: [HOME, PROD] }, exclude: [], regions: ['us-east-1'], roleName: 'ops-org-access' } }));

    expect(f.entered).toEqual([PROD]);
    expect(result.pairs.map((p) => [p.account, p.region, p.home ?? false])).toEqual([
      [HOME, 'us-east-1', true],
      [PROD, 'us-east-1', false],
    ]);
    expect(result.targets.accounts).toBe(2);
  });
});

describe('orgResultSummary', () => {
  it('gives the single-account fields as org totals, and the pair totals, unchecked pairs and emails under org', async () => {
    const f = fixture();
    f.data.set(`${PROD}|us-east-1`, pairData({ missingCluster: true }));

    const summary = orgResultSummary(await runOrgHealthcheck(f.deps, orgOptions()));

    expect(summary).toMatchObject({
      runId: 'hc-org-test',
      ok: false,
      schedules: 3,
      unhealthySchedules: 1,
      marketOpen: true,
      alert: { status: 'org', sent: true },
      counters: { checkErrors: 2, alertPublishFailures: 0, selfHealed: 0, autoFixRefused: 0 },
      org: {
        pairs: { total: 5, checked: 3, incomplete: 2, notStarted: 0 },
        accounts: { total: 3, notEntered: 1 },
        incompletePairs: 2,
        emails: { sent: 2 },
      },
    });
    expect(summary.findings.TARGET_CLUSTER_NOT_FOUND).toBe(1);
    expect(summary.org.emails.subjects.sort()).toEqual(['[CRITICAL] prod-trading us-east-1: 1 schedule target missing cluster gone', '[WARNING] sandbox (333333333333): not checked, sts:AssumeRole failed (AccessDenied)']);
    expect(summary.org.incomplete.map((p) => `${p.account} ${p.region} ${p.status}`)).toEqual([`${DENIED} eu-west-1 incomplete`, `${DENIED} us-east-1 incomplete`]);
    expect(summary.org.incomplete[0]?.reason).toMatch(/^sts:AssumeRole: AccessDenied: /);
  });
});
