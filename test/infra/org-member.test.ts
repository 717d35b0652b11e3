/**
 * A member account's stack (config `memberOf`, issue 16): the program deploys only the org access
 * role. It trusts exactly the central principals (with the ExternalId when given), reads exactly what
 * the checks declare, scoped as the central healthcheck's reads are but in every region, and writes
 * only with autoFix, scoped as the central auto-fix is.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseMemberConfig } from '../../infra/config.ts';
import { requiredReadActions } from '../../src/checks/registry.ts';
import { requiredRemediationActions } from '../../src/remediate/registry.ts';
import { ACCOUNT, REGION } from './mocks.ts';
import { asList, BASE_CONFIG, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

const CENTRAL_ROLE = 'arn:aws:iam::999988887777:role/ops-pipeline-healthcheck-fn-role-1a2b3c4';
const OPERATOR_ROLE = 'arn:aws:iam::999988887777:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Operator_0123456789abcdef';
/** A member stack sets none of the central stack's keys. */
const NO_CENTRAL_KEYS = Object.fromEntries(Object.keys(BASE_CONFIG).map((key) => [key, undefined]));
const LEDGER_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem'];

const reads = requiredReadActions();
const remediationOnly = requiredRemediationActions().filter((action) => !reads.includes(action));
/** The checks' reads plus the one the org run itself makes in a member account (`--all-regions`). */
const memberReads = [...reads, 'ec2:DescribeRegions'].sort();

interface Trust {
  Version: string;
  Statement: { Sid?: string; Effect: string; Principal: { AWS: string[] }; Action: string; Condition?: unknown }[];
}

interface Member {
  stack: StackUnderTest;
  trust: Trust;
  /** Statements by inline policy name (`checks-read`, `auto-fix`). */
  policies: Map<string, PolicyStatement[]>;
}

const member = (memberOf: Record<string, unknown>) => runProgram({ ...NO_CENTRAL_KEYS, memberOf });

function memberOf(stack: StackUnderTest): Member {
  const role = stack.one('aws:iam/role:Role');
  const policies = new Map<string, PolicyStatement[]>();
  for (const policy of stack.ofType('aws:iam/rolePolicy:RolePolicy')) {
    expect(roleNamed(stack, String(policy.inputs.role))).toBe(role);
    policies.set(String(policy.inputs.name), (JSON.parse(String(policy.inputs.policy)) as { Statement: PolicyStatement[] }).Statement);
  }
  return { stack, trust: JSON.parse(String(role.inputs.assumeRolePolicy)) as Trust, policies };
}

const actionsOf = (statements: readonly PolicyStatement[] | undefined) => (statements ?? []).flatMap((s) => asList(s.Action)).sort();
const bySid = (statements: readonly PolicyStatement[]) => new Map(statements.map((s) => [s.Sid ?? '', s]));
/** A central read pattern as the member's role has it: every region instead of the central one. */
const anyRegion = (arn: string) => arn.replace(`:${REGION}:`, ':*:');

let readOnly: Member;
let bare: Member;
let fixing: Member;
/** The central stack with auto-fix, to compare the member's scoping with. */
let centralStatements: PolicyStatement[];
let centralLedgerArn: string;

beforeAll(async () => {
  readOnly = memberOf(await member({ centralPrincipalArns: [CENTRAL_ROLE, OPERATOR_ROLE], externalId: 'ops-org-7f3a', runLedgerTable: 'member-run-ledger' }));
  bare = memberOf(await member({ centralPrincipalArns: [CENTRAL_ROLE], roleName: 'acme-ops-checks' }));
  fixing = memberOf(
    await member({
      centralPrincipalArns: [CENTRAL_ROLE],
      autoFix: true,
      runLedgerTable: 'member-run-ledger',
      fixScheduleGroups: ['ops-pipeline', 'ops-pipeline-market'],
      fixSchedulerRoles: ['pipeline-scheduler'],
    }),
  );
  const central = await runProgram({ autoFix: true });
  const fn = central.one('aws:lambda/function:Function', (f) => f.inputs.name === central.outputs.healthcheckFunctionName);
  const role = central.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  centralStatements = roleStatements(central)
    .filter((s) => roleNamed(central, s.role) === role)
    .map((s) => s.statement);
  centralLedgerArn = String(central.one('aws:dynamodb/table:Table', (t) => t.inputs.name === central.outputs.runLedgerTableName).state.arn);
});

describe('a member stack', () => {
  it('creates the org access role and its policies only: no Lambda, no schedule, no table, no queue', () => {
    for (const m of [readOnly, bare, fixing]) {
      const types = new Set(m.stack.resources.filter((r) => r.custom).map((r) => r.type));
      expect([...types].sort()).toEqual(['aws:iam/role:Role', 'aws:iam/rolePolicy:RolePolicy']);
      expect(m.stack.ofType('aws:lambda/function:Function')).toEqual([]);
      expect(m.stack.ofType('aws:scheduler/schedule:Schedule')).toEqual([]);
    }
    expect(readOnly.stack.ofType('aws:iam/rolePolicy:RolePolicy')).toHaveLength(1);
    expect(fixing.stack.ofType('aws:iam/rolePolicy:RolePolicy')).toHaveLength(2);
  });

  it('parents the role and its policies to the OrgMemberAccess component', () => {
    const custom = readOnly.stack.urns.filter((urn) => urn.includes('$aws:'));
    expect(custom).toHaveLength(2);
    for (const urn of custom) expect(urn.split('::')[2]).toMatch(/^ops:org:OrgMemberAccess\$aws:iam\/(role:Role|rolePolicy:RolePolicy)$/);
  });

  it('outputs the role name and ARN, and none of the central stack’s outputs', () => {
    expect(readOnly.stack.outputs.orgRoleName).toBe('ops-org-access');
    expect(readOnly.stack.outputs.orgAccessRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/ops-org-access`);
    expect(bare.stack.outputs.orgRoleName).toBe('acme-ops-checks');
    expect(bare.stack.one('aws:iam/role:Role').inputs.name).toBe('acme-ops-checks');
    for (const key of ['clusterArn', 'healthcheckFunctionName', 'healthcheckRoleArn', 'alertTopicArn', 'dashboardUrl']) expect(readOnly.stack.outputs[key], key).toBeUndefined();
  });
});

describe('its trust policy', () => {
  it('lets exactly the central principals assume it, only with the ExternalId', () => {
    expect(readOnly.trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CentralHealthcheck',
          Effect: 'Allow',
          Principal: { AWS: [CENTRAL_ROLE, OPERATOR_ROLE] },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'ops-org-7f3a' } },
        },
      ],
    });
  });

  it('has no condition without an ExternalId', () => {
    expect(bare.trust.Statement).toHaveLength(1);
    expect(bare.trust.Statement[0]!.Principal).toEqual({ AWS: [CENTRAL_ROLE] });
    expect(bare.trust.Statement[0]!.Condition).toBeUndefined();
  });
});

describe('its read policy', () => {
  it('grants exactly the actions the checks declare, with a run ledger', () => {
    expect(reads.length).toBeGreaterThan(10);
    expect(actionsOf(readOnly.policies.get('checks-read'))).toEqual(memberReads);
    expect([...readOnly.policies.keys()]).toEqual(['checks-read']);
  });

  it('is scoped as the central healthcheck’s reads, in every region, with the member’s own ledger table', () => {
    const ledgerArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/member-run-ledger`;
    expect(readOnly.stack.calls.filter((c) => c.token === 'aws:dynamodb/getTable:getTable').map((c) => c.inputs.name)).toEqual(['member-run-ledger']);
    const central = bySid(centralStatements.filter((s) => s.Sid?.startsWith('Check')));
    const ours = bySid(readOnly.policies.get('checks-read')!);
    expect(ours.get('EnabledRegions')).toEqual({ Sid: 'EnabledRegions', Effect: 'Allow', Action: ['ec2:DescribeRegions'], Resource: '*' });
    ours.delete('EnabledRegions');
    expect([...ours.keys()].sort()).toEqual([...central.keys()].sort());
    for (const [sid, statement] of ours) {
      const expected = central.get(sid)!;
      const resource = expected.Resource === '*' ? '*' : asList(expected.Resource).map((arn) => (arn === centralLedgerArn ? ledgerArn : anyRegion(arn)));
      expect(statement.Resource, sid).toEqual(resource);
      expect(statement.Condition, sid).toEqual(expected.Condition === undefined ? undefined : JSON.parse(anyRegion(JSON.stringify(expected.Condition))));
    }
    expect(ours.get('CheckecsDescribeClusters')!.Resource).toEqual([`arn:aws:ecs:*:${ACCOUNT}:cluster/*`]);
    expect(ours.get('CheckdynamodbGetItem')!.Resource).toEqual([ledgerArn]);
  });

  it('leaves out the ledger reads (rather than widening them) without a run-ledger table', () => {
    expect(actionsOf(bare.policies.get('checks-read'))).toEqual(memberReads.filter((action) => !LEDGER_ACTIONS.includes(action)));
    expect(reads).toEqual(expect.arrayContaining(LEDGER_ACTIONS));
    expect(bare.stack.calls.filter((c) => c.token === 'aws:dynamodb/getTable:getTable')).toEqual([]);
  });
});

describe('auto-fix', () => {
  it('is absent without autoFix: none of the remediation’s actions, no auto-fix policy', () => {
    expect(remediationOnly).toEqual(expect.arrayContaining(['scheduler:UpdateSchedule', 'iam:PassRole']));
    for (const m of [readOnly, bare]) {
      expect(m.policies.has('auto-fix')).toBe(false);
      for (const action of remediationOnly) expect(actionsOf([...m.policies.values()].flat()), action).not.toContain(action);
    }
  });

  it('with autoFix, grants the remediation’s other actions, scoped as the central auto-fix is', () => {
    const fix = fixing.policies.get('auto-fix')!;
    expect(actionsOf(fix)).toEqual(remediationOnly);
    expect(actionsOf(fixing.policies.get('checks-read'))).toEqual(memberReads);
    const central = bySid(centralStatements.filter((s) => s.Sid?.startsWith('Fix') && s.Sid !== 'FixBackupsAndAudit'));
    const ours = bySid(fix);
    expect([...ours.keys()].sort()).toEqual([...central.keys()].sort());

    const update = ours.get('FixschedulerUpdateSchedule')!;
    expect(asList(update.Resource).sort()).toEqual(asList(central.get('FixschedulerUpdateSchedule')!.Resource).map(anyRegion).sort());
    expect(asList(update.Resource).sort()).toEqual([`arn:aws:scheduler:*:${ACCOUNT}:schedule/ops-pipeline-market/*`, `arn:aws:scheduler:*:${ACCOUNT}:schedule/ops-pipeline/*`]);

    const pass = ours.get('FixiamPassRole')!;
    expect(pass.Resource).toEqual([`arn:aws:iam::${ACCOUNT}:role/pipeline-scheduler`]);
    expect(fixing.stack.calls.filter((c) => c.token === 'aws:iam/getRole:getRole').map((c) => c.inputs.name)).toEqual(['pipeline-scheduler']);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(pass.Condition).toEqual(central.get('FixiamPassRole')!.Condition);
  });

  it('never writes to a table of its own: backups and the audit log are the central stack’s', () => {
    for (const statement of fixing.policies.get('auto-fix')!) expect(asList(statement.Action).some((a) => a.startsWith('dynamodb:')), statement.Sid).toBe(false);
  });
});

describe('memberOf validation', () => {
  const valid = { centralPrincipalArns: [CENTRAL_ROLE] };

  it('fills the defaults', () => {
    expect(parseMemberConfig(valid)).toEqual({
      centralPrincipalArns: [CENTRAL_ROLE],
      roleName: 'ops-org-access',
      externalId: undefined,
      autoFix: false,
      runLedgerTable: undefined,
      fixScheduleGroups: [],
      fixSchedulerRoles: [],
    });
  });

  it('names every bad key at once', () => {
    const attempt = () => parseMemberConfig({ centralPrincipalArns: ['arn:aws:iam::9999:user/bob'], roleName: 'has spaces', externalId: 'x', centralPrincipal: CENTRAL_ROLE });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/memberOf\.centralPrincipalArns\.0: an IAM role ARN[\s\S]*memberOf\.roleName: an IAM role name[\s\S]*memberOf\.externalId: an STS external id[\s\S]*memberOf: Unrecognized key: "centralPrincipal"/);
  });

  it('needs at least one principal', () => {
    expect(() => parseMemberConfig({ centralPrincipalArns: [] })).toThrow(/memberOf\.centralPrincipalArns: at least the central healthcheck role ARN/);
    expect(() => parseMemberConfig({})).toThrow(/memberOf\.centralPrincipalArns/);
  });

  it('needs the writable groups and roles with autoFix, and rejects them without', () => {
    expect(() => parseMemberConfig({ ...valid, autoFix: true })).toThrow(/memberOf\.fixScheduleGroups: required with autoFix: true[\s\S]*memberOf\.fixSchedulerRoles: required with autoFix: true/);
    expect(() => parseMemberConfig({ ...valid, fixScheduleGroups: ['ops-pipeline'] })).toThrow(/memberOf\.fixScheduleGroups: only applies with autoFix: true/);
    expect(parseMemberConfig({ ...valid, autoFix: true, fixScheduleGroups: ['ops-pipeline'], fixSchedulerRoles: ['r'] })).toMatchObject({ autoFix: true, fixScheduleGroups: ['ops-pipeline'], fixSchedulerRoles: ['r'] });
  });

  it('refuses a central stack’s keys next to memberOf, so a central stack is never replaced by one role', async () => {
    expect(() => parseMemberConfig(valid, ['imageUri', 'subnetIds'])).toThrow(/memberOf: a member stack deploys only the org access role, so imageUri, subnetIds cannot be set with it/);
    // The program itself: BASE_CONFIG is a central stack's config.
    await expect(runProgram({ memberOf: valid })).rejects.toThrow(/memberOf: a member stack deploys only the org access role, so imageUri, jobImages, subnetIds, securityGroupIds, alertEmails cannot be set/);
  });
});
