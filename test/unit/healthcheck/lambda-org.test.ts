/**
 * The healthcheck Lambda in org mode: the same module-scope wiring as lambda.test.ts (AWS behind
 * aws-sdk-client-mock, Powertools output captured), plus STS AssumeRole into the member accounts. The
 * mocks answer every client alike, so a member pair sees the same fake account as the home pair; what
 * is under test is the wiring: sessions, alert keys, metric dimensions, the summary.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthcheckContext } from '../../../src/entry/lambda/healthcheck.ts';
import type { HealthcheckSummary } from '../../../src/healthcheck/invocation.ts';
import type { OrgHealthcheckSummary } from '../../../src/healthcheck/org-healthcheck.ts';
import { sqsBatch, updateScheduleEvent } from '../../support/cloudtrail-events.ts';
import { captureOutput, emfMetrics, type OutputCapture } from './output-capture.ts';
import { TOPIC_ARN, world, type World } from './world.ts';

type Handler = (event: unknown, context?: HealthcheckContext) => Promise<HealthcheckSummary>;

const HOME = '123456789012';
const MEMBER = '111111111111';
const DENIED = '333333333333';

const ENV = {
  AWS_REGION: 'us-west-2',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALERT_STATE_TABLE: 'ops-alert-state',
  MARKET_CRITICAL: 'ops-pipeline-dispatcher*',
  POWERTOOLS_DEV: '',
  POWERTOOLS_METRICS_DISABLED: 'false',
  ORG_ACCOUNTS: `${MEMBER},${DENIED}`,
  ORG_REGIONS: 'us-west-2',
};

const context = (id: string): HealthcheckContext => ({
  awsRequestId: id,
  invokedFunctionArn: `arn:aws:lambda:us-west-2:${HOME}:function:ops-pipeline-healthcheck`,
  getRemainingTimeInMillis: () => 290_000,
});

let w: World;
let stdout: OutputCapture;
let dynamo: { restore(): void };
let sts: AwsClientStub<STSClient>;
let items: Map<string, Record<string, unknown>>;
let assumed: { RoleArn?: string; RoleSessionName?: string; ExternalId?: string }[];

async function loadHandler(env: Record<string, string> = {}): Promise<Handler> {
  for (const [key, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const { handler } = await import('../../../src/entry/lambda/healthcheck.ts');
  return handler;
}

beforeEach(() => {
  w = world();
  items = new Map();
  assumed = [];
  const documents = mockClient(DynamoDBDocumentClient);
  documents.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({ Item: items.get(input.Key.pk) }));
  documents.on(PutCommand).callsFake((input: { Item: Record<string, unknown> & { pk: string } }) => {
    items.set(input.Item.pk, input.Item);
    return {};
  });
  dynamo = documents;
  // Replaces the world's STS mock: AssumeRole into the member, AccessDenied in the other account.
  sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:sts::${HOME}:assumed-role/ops-healthcheck/fn`, Account: HOME, UserId: 'AROA:fn' });
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
    assumed.push(input);
    if (input.RoleArn.includes(DENIED)) {
      throw Object.assign(new Error(`User: arn:aws:sts::${HOME}:assumed-role/ops-healthcheck/fn is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), { name: 'AccessDenied' });
    }
    return { Credentials: { AccessKeyId: 'ASIAMEMBER', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
  stdout = captureOutput();
});

afterEach(() => {
  stdout.restore();
  sts.restore();
  dynamo.restore();
  w.restore();
  vi.unstubAllEnvs();
});

const at = { at: '2026-11-23T15:00:00Z' };

describe('healthcheck Lambda in org mode', () => {
  it('checks the home pair and every member pair, one alert stream each, and returns the pair totals', async () => {
    const handler = await loadHandler();

    const summary = (await handler(at, context('req-org1'))) as OrgHealthcheckSummary;

    expect(summary.org.pairs).toEqual({ total: 3, checked: 2, incomplete: 1, notStarted: 0 });
    expect(summary.org.accounts).toEqual({ total: 3, notEntered: 1 });
    expect(summary).toMatchObject({ ok: false, schedules: 6, unhealthySchedules: 4, counters: { checkErrors: 1 } });
    expect(summary.org.incomplete).toEqual([{ account: DENIED, region: 'us-west-2', status: 'incomplete', reason: expect.stringMatching(/^sts:AssumeRole: AccessDenied: /) as unknown }]);
    expect(assumed.map((a) => [a.RoleArn, a.RoleSessionName])).toEqual(
      expect.arrayContaining([
        [`arn:aws:iam::${MEMBER}:role/ops-org-access`, 'ops-healthcheck'],
        [`arn:aws:iam::${DENIED}:role/ops-org-access`, 'ops-healthcheck'],
      ]),
    );
    expect(assumed).toHaveLength(2);

    expect(w.published.map((p) => p.Subject).sort()).toEqual([
      expect.stringMatching(new RegExp(`^\\[CRITICAL\\] account ${MEMBER} us-west-2: 2 schedules failing: TARGET_CLUSTER_NOT_FOUND ×2`)),
      expect.stringMatching(new RegExp(`^\\[CRITICAL\\] account ${HOME} us-west-2: 2 schedules failing: TARGET_CLUSTER_NOT_FOUND ×2`)),
      `[WARNING] account ${DENIED}: not checked, sts:AssumeRole failed (AccessDenied)`,
    ]);
    expect(w.published.find((p) => p.Subject?.includes(MEMBER))?.Message).toContain(`ops check-schedulers --accounts ${MEMBER} --regions us-west-2 --fix`);
    // An entered account's entry stream is read, but written only once something changes.
    expect([...items.keys()].sort()).toEqual(['ALERT#healthcheck', `ALERT#healthcheck#${DENIED}#*`, `ALERT#healthcheck#${MEMBER}#us-west-2`].sort());

    const metrics = emfMetrics(stdout.emf());
    const plain = (name: string) => metrics.filter((m) => m.name === name && m.dimensions.Account === undefined).map((m) => m.value);
    const inPair = (name: string, account: string) => metrics.filter((m) => m.name === name && m.dimensions.Account === account && m.dimensions.ClusterName === undefined);
    expect(plain('Heartbeat')).toEqual([1]);
    expect(plain('UnhealthySchedules')).toEqual([4]);
    expect(plain('IncompletePairs')).toEqual([1]);
    expect(plain('CheckErrors')).toEqual([1]);
    expect(inPair('UnhealthySchedules', MEMBER).map((m) => [m.value, m.dimensions.Region, m.dimensionNames])).toEqual([[2, 'us-west-2', [['service', 'Account', 'Region']]]]);
    expect(inPair('Heartbeat', HOME).map((m) => m.value)).toEqual([1]);
    expect(metrics.filter((m) => m.name.startsWith('Finding_') && m.dimensions.Account !== undefined)).toEqual([]);
    expect(stdout.logs().find((l) => l.message === 'healthcheck done')).toMatchObject({ result: { org: { pairs: { total: 3 } } } });
  });

  it('reuses the member session on a warm invocation, retries the denied account, and sends nothing new', async () => {
    const handler = await loadHandler();

    await handler(at, context('req-org1'));
    const second = (await handler({ at: '2026-11-23T15:05:00Z' }, context('req-org2'))) as OrgHealthcheckSummary;

    const calls = (account: string) => assumed.filter((a) => a.RoleArn === `arn:aws:iam::${account}:role/ops-org-access`).length;
    expect([calls(MEMBER), calls(DENIED)]).toEqual([1, 2]);
    expect(w.published).toHaveLength(3);
    expect(second.org.emails.sent).toBe(0);
  });

  it('passes ORG_ROLE_NAME and ORG_EXTERNAL_ID to AssumeRole', async () => {
    const handler = await loadHandler({ ORG_ROLE_NAME: 'acme-ops', ORG_EXTERNAL_ID: 'ops-org-7f3a', ORG_ACCOUNTS: MEMBER });

    await handler(at, context('req-org3'));

    expect(assumed).toEqual([expect.objectContaining({ RoleArn: `arn:aws:iam::${MEMBER}:role/acme-ops`, ExternalId: 'ops-org-7f3a', RoleSessionName: 'ops-healthcheck' })]);
    expect(w.published.find((p) => p.Subject?.includes(MEMBER))?.Message).toContain(`--accounts ${MEMBER} --regions us-west-2 --role-name acme-ops --fix`);
  });

  it('runs a change-driven check on the home pair only, as without org mode, naming the account', async () => {
    const handler = await loadHandler();

    const summary = await handler(sqsBatch([updateScheduleEvent('ops-pipeline-market', 'ops-pipeline-dispatcher')]), context('req-chg'));

    expect(summary.change).toMatchObject({ trigger: 'change', checked: ['ops-pipeline-market/ops-pipeline-dispatcher'] });
    expect(assumed).toEqual([]);
    expect(w.published.map((p) => p.Subject)).toEqual([`[CRITICAL] account ${HOME} us-west-2: 1 schedule target missing cluster ops-pipeline`]);
    expect([...items.keys()]).toEqual(['ALERT#healthcheck']);
    const metrics = emfMetrics(stdout.emf());
    expect(metrics.filter((m) => m.dimensions.Account !== undefined)).toEqual([]);
    expect(metrics.find((m) => m.name === 'ChangeChecks')?.value).toBe(1);
  });
});
