/**
 * The central stack with config `org` (issue 16): the healthcheck role may assume exactly the member
 * roles (or the role of that name in any account, and list the organization's accounts, when they are
 * discovered), the Lambda is told which accounts, regions and role in its ORG_* variables, has time for
 * every pair, and the stack exports what a member stack is configured from. Without `org`, nothing of
 * this is there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseStackConfig } from '../../infra/config.ts';
import { HEALTHCHECK_TIMEOUT_SECONDS, ORG_HEALTHCHECK_TIMEOUT_SECONDS } from '../../infra/components/healthcheck.ts';
import { RESOURCE_WILDCARD_EXCEPTIONS } from '../../infra/iam/wildcard-exceptions.ts';
import { loadHealthcheckConfig } from '../../src/healthcheck/config.ts';
import { REGION } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

interface Central {
  stack: StackUnderTest;
  roleArn: string;
  statements: PolicyStatement[];
  environment: Record<string, string>;
  timeout: number;
}

function centralOf(stack: StackUnderTest): Central {
  const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  const statements = roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
  const environment = (fn.inputs.environment as { variables: Record<string, string> }).variables;
  return { stack, roleArn: String(role.state.arn), statements, environment, timeout: Number(fn.inputs.timeout) };
}

const ORG_ACTIONS = /^(sts:AssumeRole|organizations:)/;
const orgStatements = (c: Central) => c.statements.filter((s) => asList(s.Action).some((a) => ORG_ACTIONS.test(a)));
const orgVariables = (c: Central) => Object.fromEntries(Object.entries(c.environment).filter(([name]) => name.startsWith('ORG_')));

const valid = {
  imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ops-pipeline:test',
  subnetIds: ['subnet-0aaa1111'],
  securityGroupIds: ['sg-0ccc3333'],
};

let listed: Central;
let discovered: Central;
let single: Central;

beforeAll(async () => {
  listed = centralOf(
    await runProgram({ org: { accounts: ['111111111111', '222222222222'], regions: ['us-east-1', 'eu-west-1'], externalId: 'ops-org-7f3a', concurrency: 4 } }),
  );
  discovered = centralOf(
    await runProgram({ org: { discover: true, ous: ['ou-ab12-cdefgh34'], excludeAccounts: ['333333333333'], roleName: 'acme-ops-checks', regions: ['us-west-2'] } }),
  );
  single = centralOf(await runProgram());
});

describe('org with listed accounts', () => {
  it('may assume exactly the org access role of each listed account, and nothing from Organizations', () => {
    expect(orgStatements(listed)).toEqual([
      {
        Sid: 'AssumeOrgAccessRole',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: ['arn:aws:iam::111111111111:role/ops-org-access', 'arn:aws:iam::222222222222:role/ops-org-access'],
      },
    ]);
  });

  it('tells the Lambda the role, accounts, regions, external id and concurrency', () => {
    expect(orgVariables(listed)).toEqual({
      ORG_ROLE_NAME: 'ops-org-access',
      ORG_REGIONS: 'us-east-1,eu-west-1',
      ORG_ACCOUNTS: '111111111111,222222222222',
      ORG_EXTERNAL_ID: 'ops-org-7f3a',
      ORG_CONCURRENCY: '4',
    });
  });

  it('gives the Lambda time for every pair, and the queue and retries follow the timeout', () => {
    expect(ORG_HEALTHCHECK_TIMEOUT_SECONDS).toBe(300);
    expect(listed.timeout).toBe(300);
    const queue = listed.stack.one('aws:sqs/queue:Queue', (q) => q.inputs.name === 'ops-pipeline-schedule-changes');
    expect(Number(queue.inputs.visibilityTimeoutSeconds)).toBe(6 * 300);
    const schedule = listed.stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === 'ops-pipeline-healthcheck');
    expect((schedule.inputs.target as { retryPolicy: { maximumEventAgeInSeconds: number } }).retryPolicy.maximumEventAgeInSeconds).toBe(300);
  });

  it('exports the role name and the healthcheck role ARN a member stack trusts', () => {
    expect(listed.stack.outputs.orgRoleName).toBe('ops-org-access');
    expect(listed.stack.outputs.healthcheckRoleArn).toBe(listed.roleArn);
    expect(listed.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/.+/);
    expect(listed.stack.outputs.orgAccessRoleArn).toBeUndefined();
  });

  it('keeps an environment the healthcheck’s config loader accepts', () => {
    expect(loadHealthcheckConfig({ ...listed.environment, AWS_REGION: REGION }).alertTopicArn).toBe(listed.stack.outputs.alertTopicArn);
  });
});

describe('org with discovered accounts', () => {
  it('may assume the role of that name in any account, and list the organization’s accounts and OUs', () => {
    expect(orgStatements(discovered)).toEqual([
      { Sid: 'AssumeOrgAccessRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: ['arn:aws:iam::*:role/acme-ops-checks'] },
      {
        Sid: 'DiscoverOrgAccounts',
        Effect: 'Allow',
        Action: ['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
        Resource: '*',
      },
    ]);
  });

  it('grants the Organizations reads on "*" only as documented exceptions', () => {
    for (const action of asList(orgStatements(discovered)[1]!.Action)) expect(Object.keys(RESOURCE_WILDCARD_EXCEPTIONS), action).toContain(action);
  });

  it('tells the Lambda to discover, below which OUs, without which accounts', () => {
    expect(orgVariables(discovered)).toEqual({
      ORG_ROLE_NAME: 'acme-ops-checks',
      ORG_REGIONS: 'us-west-2',
      ORG_DISCOVER: 'organization',
      ORG_OUS: 'ou-ab12-cdefgh34',
      ORG_EXCLUDE_ACCOUNTS: '333333333333',
      ORG_CONCURRENCY: '8',
    });
    expect(discovered.timeout).toBe(ORG_HEALTHCHECK_TIMEOUT_SECONDS);
    expect(discovered.stack.outputs.orgRoleName).toBe('acme-ops-checks');
  });
});

describe('without org', () => {
  it('has no org statement, no ORG_ variable and the single-account timeout', () => {
    expect(orgStatements(single)).toEqual([]);
    expect(orgVariables(single)).toEqual({});
    expect(single.timeout).toBe(HEALTHCHECK_TIMEOUT_SECONDS);
    expect(HEALTHCHECK_TIMEOUT_SECONDS).toBeLessThan(ORG_HEALTHCHECK_TIMEOUT_SECONDS);
  });

  it('still exports the healthcheck role ARN, but no org role name', () => {
    expect(single.stack.outputs.healthcheckRoleArn).toBe(single.roleArn);
    expect(single.stack.outputs.orgRoleName).toBeUndefined();
  });
});

describe('org validation', () => {
  const org = (value: Record<string, unknown>) => () => parseStackConfig({ ...valid, org: value });

  it('fills the defaults', () => {
    expect(parseStackConfig({ ...valid, org: { accounts: ['111111111111'], regions: ['us-east-1'] } }).org).toEqual({
      roleName: 'ops-org-access',
      externalId: undefined,
      accounts: { kind: 'listed', ids: ['111111111111'] },
      regions: ['us-east-1'],
      concurrency: 8,
    });
    expect(parseStackConfig(valid).org).toBeUndefined();
  });

  it('needs exactly one of accounts and discover', () => {
    expect(org({ accounts: ['111111111111'], discover: true, regions: ['us-east-1'] })).toThrow(/org\.accounts: give exactly one of accounts \(a list of account ids\) or discover: true/);
    expect(org({ regions: ['us-east-1'] })).toThrow(/org\.accounts: give exactly one of accounts/);
    expect(org({ discover: false, regions: ['us-east-1'] })).toThrow(/org\.accounts: give exactly one of accounts/);
  });

  it('needs at least one region', () => {
    expect(org({ accounts: ['111111111111'] })).toThrow(/org\.regions: Invalid input/);
    expect(org({ accounts: ['111111111111'], regions: [] })).toThrow(/org\.regions: at least one region/);
    expect(org({ accounts: ['111111111111'], regions: ['us-east'] })).toThrow(/org\.regions\.0: an AWS region/);
  });

  it('rejects a bad account id, a repeated one, and OUs or exclusions without discover', () => {
    expect(org({ accounts: ['12345678901'], regions: ['us-east-1'] })).toThrow(/org\.accounts\.0: a 12-digit AWS account id/);
    expect(org({ accounts: ['111111111111', '111111111111'], regions: ['us-east-1'] })).toThrow(/org\.accounts: lists an entry twice/);
    expect(org({ accounts: ['111111111111'], ous: ['ou-ab12-cdefgh34'], regions: ['us-east-1'] })).toThrow(/org\.ous: only applies with discover: true/);
    expect(org({ accounts: ['111111111111'], excludeAccounts: ['222222222222'], regions: ['us-east-1'] })).toThrow(/org\.excludeAccounts: only applies with discover: true/);
    expect(org({ discover: true, ous: ['ou-ab12'], regions: ['us-east-1'] })).toThrow(/org\.ous\.0: an organizational unit id/);
    expect(parseStackConfig({ ...valid, org: { discover: true, ous: ['r-ab12', 'ou-ab12-cdefgh34'], regions: ['us-east-1'] } }).org?.accounts).toEqual({
      kind: 'discover',
      ous: ['r-ab12', 'ou-ab12-cdefgh34'],
      excludeAccounts: [],
    });
  });

  it('names every problem at once, concurrency included', () => {
    const attempt = org({ accounts: ['1234'], discover: true, regions: [], concurrency: 65, roleNme: 'x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/org\.accounts\.0: a 12-digit[\s\S]*org\.regions: at least one region[\s\S]*org\.concurrency[\s\S]*org: Unrecognized key: "roleNme"[\s\S]*org\.accounts: give exactly one/);
    expect(org({ discover: true, regions: ['us-east-1'], concurrency: 0 })).toThrow(/org\.concurrency/);
    expect(parseStackConfig({ ...valid, org: { discover: true, regions: ['us-east-1'], concurrency: 64 } }).org?.concurrency).toBe(64);
  });

  it('fails the program before anything is created', async () => {
    await expect(runProgram({ org: { accounts: ['111111111111'], discover: true, regions: ['us-east-1'] } })).rejects.toThrow(/Invalid stack configuration:[\s\S]*org\.accounts: give exactly one/);
  });
});

describe('the dashboard with org', () => {
  const titles = (c: Central) =>
    (JSON.parse(String(c.stack.one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody)) as { widgets: { properties: { title?: string; metrics?: unknown[] } }[] }).widgets;

  it('draws the pairs not checked and the unhealthy schedules of every account and region', () => {
    const org = titles(listed).filter((w) => w.properties.title?.startsWith('Org: '));
    expect(org.map((w) => w.properties.title)).toEqual(['Org: account × region pairs not checked', 'Org: unhealthy schedules by account and region']);
    expect(org[0]!.properties.metrics).toEqual([['Ops/Healthcheck', 'IncompletePairs', 'service', 'ops-healthcheck', { stat: 'Maximum', period: 300 }]]);
    expect(JSON.stringify(org[1]!.properties.metrics)).toContain(`SEARCH('{Ops/Healthcheck,service,Account,Region} MetricName=\\"UnhealthySchedules\\" service=\\"ops-healthcheck\\"', 'Maximum', 300)`);
  });

  it('has no org section without org', () => {
    expect(titles(single).filter((w) => w.properties.title?.startsWith('Org: '))).toEqual([]);
  });
});
