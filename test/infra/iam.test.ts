/**
 * Least privilege across every role in the stack, with auto-fix, org discovery and the status page on (the widest configuration): no
 * action wildcards, `Resource: "*"` only for the documented exceptions, every other resource an ARN
 * of something the stack created (or a pattern on the short, deliberate list below).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_WILDCARD_EXCEPTIONS } from '../../infra/iam/wildcard-exceptions.ts';
import { ACCOUNT, REGION } from './mocks.ts';
import { asList, roleStatements, runProgram, type StackUnderTest } from './program.ts';

/**
 * Account-wide patterns and the only actions allowed on them. The healthcheck reads whatever a
 * schedule names, including things that do not exist (see infra/iam/healthcheck-policy.ts); the
 * ledger credits tasks to schedules in any group. Adding a line here is a reviewed decision.
 */
const ACCOUNT_WIDE: Readonly<Record<string, readonly string[]>> = {
  [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/*`]: ['ecs:DescribeClusters'],
  [`arn:aws:ecs:${REGION}:${ACCOUNT}:task/*`]: ['ecs:DescribeTasks'],
  [`arn:aws:iam::${ACCOUNT}:role/*`]: ['iam:GetRole'],
  [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`]: ['lambda:GetFunction'],
  [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/*/*`]: ['scheduler:GetSchedule'],
  [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/*`]: ['scheduler:ListTagsForResource'],
  [`arn:aws:sqs:${REGION}:${ACCOUNT}:*`]: ['sqs:GetQueueUrl'],
  // Org discovery: the member accounts are known at run time only; each member's role decides whom it trusts.
  'arn:aws:iam::*:role/ops-org-access': ['sts:AssumeRole'],
};

let stack: StackUnderTest;
let knownArns: Set<string>;
/** Forms of a stack resource's ARN that IAM needs: log streams, every revision, schedules in a group, an index, a bucket's status pages. */
let derivedPatterns: Set<string>;

beforeAll(async () => {
  stack = await runProgram({ autoFix: true, org: { discover: true, regions: [REGION] }, statusPage: true });
  const arns = stack.resources.map((r) => r.state.arn).filter((arn): arn is string => typeof arn === 'string');
  // Data-source lookups are outputs too (the ECR repositories the images come from).
  const looked = stack.calls.filter((c) => c.token === 'aws:ecr/getRepository:getRepository').map((c) => String(c.result.arn));
  knownArns = new Set([...arns, ...looked]);
  derivedPatterns = new Set([
    ...stack.ofType('aws:cloudwatch/logGroup:LogGroup').map((g) => `${String(g.state.arn)}:*`),
    ...stack.ofType('aws:ecs/taskDefinition:TaskDefinition').map((td) => `${String(td.state.arnWithoutRevision)}:*`),
    ...stack.ofType('aws:scheduler/scheduleGroup:ScheduleGroup').map((g) => `${String(g.state.arn).replace(':schedule-group/', ':schedule/')}/*`),
    ...stack.ofType('aws:s3/bucket:Bucket').map((b) => `${String(b.state.arn)}/status/*`),
    ...stack
      .ofType('aws:dynamodb/table:Table')
      .flatMap((t) => ((t.inputs.globalSecondaryIndexes ?? []) as { name: string }[]).map((index) => `${String(t.state.arn)}/index/${index.name}`)),
  ]);
});

describe('every IAM statement', () => {
  it('exists: the stack has inline role policies to check', () => {
    expect(roleStatements(stack).length).toBeGreaterThan(20);
  });

  it('names its actions: no "*" and no service-wide wildcards', () => {
    for (const { policy, statement } of roleStatements(stack)) {
      for (const action of asList(statement.Action)) expect(action, `${policy}: ${action}`).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(statement.Effect).toBe('Allow');
    }
  });

  it('uses Resource "*" only for actions without resource-level permissions, each listed with its reason', () => {
    for (const { policy, statement } of roleStatements(stack)) {
      if (!asList(statement.Resource).includes('*')) continue;
      expect(statement.Resource, `${policy}: "*" must stand alone`).toBe('*');
      for (const action of asList(statement.Action)) expect(Object.keys(RESOURCE_WILDCARD_EXCEPTIONS), `${policy}: ${action} on "*"`).toContain(action);
    }
    for (const reason of Object.values(RESOURCE_WILDCARD_EXCEPTIONS)) expect(reason.length).toBeGreaterThan(20);
  });

  it('names resources the stack created, or one of the reviewed account-wide patterns', () => {
    const stray: string[] = [];
    for (const { policy, statement } of roleStatements(stack)) {
      if (statement.Resource === '*') continue;
      for (const resource of asList(statement.Resource)) {
        if (knownArns.has(resource) || derivedPatterns.has(resource)) continue;
        const allowed = ACCOUNT_WIDE[resource];
        if (allowed !== undefined && asList(statement.Action).every((action) => allowed.includes(action))) continue;
        stray.push(`${policy}: ${asList(statement.Action).join(',')} on ${resource}`);
      }
    }
    expect(stray).toEqual([]);
  });

  it('narrows ecs:ListTasks (which must use "*") to clusters of this account', () => {
    const listTasks = roleStatements(stack).filter((s) => asList(s.statement.Action).includes('ecs:ListTasks'));
    expect(listTasks.length).toBeGreaterThan(0);
    for (const { statement } of listTasks) expect(statement.Condition).toEqual({ ArnLike: { 'ecs:cluster': [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/*`] } });
  });

  it('passes roles only to the service that needs them', () => {
    const passRole = roleStatements(stack).filter((s) => asList(s.statement.Action).includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThan(0);
    for (const { policy, statement } of passRole) {
      expect(asList(statement.Action), policy).toEqual(['iam:PassRole']);
      expect(statement.Condition?.StringEquals?.['iam:PassedToService'], policy).toMatch(/^(ecs-tasks|scheduler)\.amazonaws\.com$/);
    }
  });
});

describe('roles', () => {
  it('use no AWS managed or standalone policies (they grant on "*")', () => {
    expect(stack.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')).toEqual([]);
    expect(stack.ofType('aws:iam/policy:Policy')).toEqual([]);
    for (const role of stack.ofType('aws:iam/role:Role')) expect(role.inputs.managedPolicyArns, role.name).toBeUndefined();
  });

  it('trust exactly one service, and Scheduler only on behalf of this account', () => {
    for (const role of stack.ofType('aws:iam/role:Role')) {
      const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: { Service: string }; Condition?: unknown }[] };
      expect(trust.Statement, role.name).toHaveLength(1);
      const [statement] = trust.Statement;
      expect(statement!.Principal.Service, role.name).toMatch(/^(lambda|ecs-tasks|scheduler)\.amazonaws\.com$/);
      if (statement!.Principal.Service === 'scheduler.amazonaws.com') {
        expect(statement!.Condition, role.name).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
      }
    }
  });
});

describe('components', () => {
  it('parent every AWS resource (the URN names an ops: component above it)', () => {
    const custom = stack.urns.filter((urn) => urn.split('::')[2]?.split('$').at(-1)?.startsWith('aws:'));
    expect(custom.length).toBe(stack.resources.filter((r) => r.custom).length);
    for (const urn of custom) expect(urn.split('::')[2], urn).toMatch(/^ops:[a-z]+:[A-Za-z]+(\$ops:[a-z]+:[A-Za-z]+)*\$aws:/);
  });
});
