/**
 * The healthcheck's org mode on the sandbox organization (src/sandbox/org-scenario.ts, seeded by
 * org-seed.ts into one moto): the same wiring the Lambda uses (org-healthcheck-aws.ts: discovery
 * through Organizations, AssumeRole per account, the pair's own clients), the alert state in moto's
 * DynamoDB, one key per pair. The emails go to an array: the SNS adapter has its own tests, and moto's
 * data dump fails once the scenario has created Lambda functions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStateStore, ensureAlertStateTable } from '../../src/aws/alert-state-store.ts';
import type { AwsClients } from '../../src/aws/clients.ts';
import type { EmailMessage } from '../../src/alerts/notifier.ts';
import { createCheckPorts } from '../../src/entry/wiring/check-ports.ts';
import { createClusterDirectory } from '../../src/aws/cluster-directory.ts';
import { createOrgClients } from '../../src/entry/wiring/org-clients.ts';
import { createOrgHealthcheckDeps } from '../../src/entry/wiring/org-healthcheck-aws.ts';
import { HealthMetric } from '../../src/healthcheck/metric-contract.ts';
import { runOrgHealthcheck, type OrgHealthcheckResult } from '../../src/healthcheck/org-healthcheck.ts';
import { recordingLog, recordingSink, type RecordingSink } from '../../src/healthcheck/ports.ts';
import { nyse } from '../../src/market/index.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { generateOrgScenario, ORG_ACCESS_ROLE } from '../../src/sandbox/org-scenario.ts';
import { seedOrgScenario, type OrgSeedResult } from '../../src/sandbox/org-seed.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { motoEndpoint, sandboxClock } from './sandbox-harness.ts';

const START = new Date('2026-11-23T15:00:00Z');
const TABLE = 'ops-alert-state';
const REGIONS = ['us-east-1', 'eu-west-1'];

describe('org-mode healthcheck on the sandbox organization', () => {
  const scenario = generateOrgScenario({ accounts: 4, regions: REGIONS });
  let seed: OrgSeedResult;
  let clock: () => Date;
  let central: AwsClients;

  beforeAll(async () => {
    await resetSandbox(motoEndpoint());
    const virtual = sandboxClock(START);
    clock = () => virtual.now();
    central = createSandboxClients(motoEndpoint(), 'us-east-1');
    seed = await seedOrgScenario(scenario, { endpoint: motoEndpoint(), clients: central, clock });
    await ensureAlertStateTable(central.dynamodb, TABLE);
  });

  /** One 5-minute run as the Lambda wires it, home pair = the management account in us-east-1. */
  async function run(org: ReturnType<typeof createOrgClients>, now: Date): Promise<{ result: OrgHealthcheckResult; emails: EmailMessage[]; sink: RecordingSink }> {
    const emails: EmailMessage[] = [];
    const sink = recordingSink();
    const deps = createOrgHealthcheckDeps({
      org,
      metrics: sink,
      log: recordingLog(),
      alertStore: (key) => new DynamoAlertStateStore({ client: central.dynamodb, tableName: TABLE, key }),
      home: { account: seed.management.id, region: 'us-east-1', deps: { check: createCheckPorts(central, {}), fix: { clusters: createClusterDirectory(central.ecs) } } },
    });
    deps.notifier = { destination: 'test', publish: async (message) => ({ messageId: `m-${emails.push(message)}` }) };
    const result = await runOrgHealthcheck(deps, {
      runId: 'hc-org-e2e',
      now,
      calendar: nyse,
      marketCriticalPatterns: [],
      notify: true,
      alert: { minSeverity: 'critical', reminderHours: 2 },
      autoFix: false,
      maxChanges: 25,
      targets: { source: { kind: 'org', ous: [] }, exclude: [], regions: REGIONS, roleName: ORG_ACCESS_ROLE },
      pairConcurrency: 4,
      alertStateKey: 'healthcheck',
      elapsed: () => performance.now(),
    });
    return { result, emails, sink };
  }

  it('checks every reachable pair with its own account, alerts per pair and once for the account without the role, then stays quiet', async () => {
    const org = createOrgClients(central, {
      aws: { endpoint: motoEndpoint(), region: 'us-east-1', maxAttempts: 1, disableRequestCompression: true },
      env: {},
      clock,
      sessionName: 'ops-healthcheck',
    });
    const id = (name: string) => seed.accounts.find((a) => a.name === name)!.id;

    const { result, emails, sink } = await run(org, clock());

    const rows = result.pairs.map((p) => `${p.accountName} ${p.region} ${p.status}${p.home ? ' (home)' : ''}`);
    // The home pair first (own credentials), then every other pair, the management account's other region included.
    // Its name is what Organizations lists for the management account (moto: `master`).
    const management = result.pairs[0]!.accountName;
    expect(result.pairs[0]).toMatchObject({ account: seed.management.id, region: 'us-east-1', alertKey: 'healthcheck' });
    expect(rows[0]).toBe(`${management} us-east-1 checked (home)`);
    expect(rows.slice(1).sort()).toEqual([
      'desk-01 eu-west-1 checked',
      'desk-01 us-east-1 checked',
      'dev eu-west-1 incomplete',
      'dev us-east-1 incomplete',
      `${management} eu-west-1 checked`,
      'prod eu-west-1 checked',
      'prod us-east-1 checked',
      'staging eu-west-1 checked',
      'staging us-east-1 checked',
    ]);
    // Every finding of a checked pair is one planted there (the management account's are healthy).
    const found = result.pairs.flatMap((p) => (p.result?.report.findings ?? []).map((f) => `${p.accountName} ${p.region} ${f.code}`)).sort();
    expect(found).toEqual(seed.expected.map((f) => `${f.accountName} ${f.region} ${f.code}`).sort());
    expect(result.pairs.filter((p) => p.accountName === 'dev').map((p) => p.failure?.action)).toEqual(['sts:AssumeRole', 'sts:AssumeRole']);

    expect(emails.map((e) => e.subject).sort()).toEqual([
      '[CRITICAL] desk-01 eu-west-1: 1 schedule target missing cluster trading',
      '[CRITICAL] prod us-east-1: 1 schedule target missing cluster trading',
      `[WARNING] dev (${id('dev')}): not checked, sts:AssumeRole failed (AccessDenied)`,
    ]);
    expect(emails.find((e) => e.subject.startsWith('[CRITICAL] prod '))?.body).toContain(`Where:    prod (${id('prod')}) us-east-1`);
    // The alert state lives in the one table, one item per stream.
    const stored = async (key: string) => (await new DynamoAlertStateStore({ client: central.dynamodb, tableName: TABLE, key }).read())?.state.lastSentKind;
    expect(await stored(`healthcheck#${id('prod')}#us-east-1`)).toBe('alert');
    expect(await stored(`healthcheck#${id('dev')}#*`)).toBe('alert');
    expect(await stored(`healthcheck#${id('prod')}#eu-west-1`)).toBeUndefined();

    const total = (name: string) => sink.data.find((d) => d.name === name && d.dimensions === undefined)?.value;
    expect(total(HealthMetric.IncompletePairs)).toBe(2);
    expect(total(HealthMetric.CheckErrors)).toBe(2);
    expect(total(HealthMetric.UnhealthySchedules)).toBe(seed.expected.length);
    expect(sink.data.find((d) => d.name === HealthMetric.UnhealthySchedules && d.dimensions?.Account === id('prod') && d.dimensions.Region === 'us-east-1')?.value).toBe(1);
    // One AssumeRole per account entered (the home pair needs none), whatever the number of its regions.
    expect(org.assumeRoleCalls()).toBe(seed.accounts.length + 1);

    // Five minutes later, nothing changed: no email, and the sessions are reused.
    const again = await run(org, new Date(clock().getTime() + 5 * 60_000));
    expect(again.emails).toEqual([]);
    expect(again.result.summary.pairs).toEqual(result.summary.pairs);
    // Only the account that refused is asked again.
    expect(org.assumeRoleCalls()).toBe(seed.accounts.length + 2);
  });
});
