/**
 * The healthcheck Lambda's permissions, derived from the registries rather than typed out: the checks'
 * read actions (src/checks/registry.ts) always, the remediation's actions (src/remediate/registry.ts)
 * only with auto-fix. An action a registry declares but this file cannot scope fails the program, so
 * a new check cannot ship with a silently missing (or silently `*`) permission.
 *
 * Why most reads are account-wide patterns rather than the stack's own ARNs: the healthcheck inspects
 * whatever a schedule names, and the fault it exists for is a schedule naming the wrong thing (the
 * 2026-01-29 schedules named the cluster `ops-pipeline`, which does not exist). Scoped to this stack's
 * cluster, DescribeClusters on the wrong ARN is AccessDenied and the finding degrades from
 * TARGET_CLUSTER_NOT_FOUND to CHECK_INCOMPLETE. The patterns stay inside this account and region.
 */
import * as pulumi from '@pulumi/pulumi';
import { requiredReadActions } from '../../src/checks/registry.ts';
import { requiredRemediationActions } from '../../src/remediate/registry.ts';
import { SCHEDULE_DEFINITION_ACTIONS } from '../../src/aws/schedule-definition-store.ts';
import type { Statement } from './policy.ts';

export interface AccountScope {
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
}

/**
 * What the actions the registries declare are scoped by. The central healthcheck role and each member
 * account's org access role (infra/components/org-member-access.ts) are both built from these.
 */
export interface ActionScopeArgs {
  scope: AccountScope;
  /** Absent (a member account without a run ledger): the ledger reads are left out, not widened. */
  runLedgerTableArn?: pulumi.Input<string> | undefined;
  /** The schedule groups auto-fix may write to. */
  writableGroupArns: pulumi.Input<string>[];
  /** The execution roles of those schedules: UpdateSchedule passes them again. */
  schedulerRoleArns: pulumi.Input<string>[];
}

export interface HealthcheckPolicyArgs extends ActionScopeArgs {
  runLedgerTableArn: pulumi.Input<string>;
  alertStateTableArn: pulumi.Input<string>;
  /** The schedule-definition cache: read and written in batches, nothing else. */
  definitionCacheTableArn: pulumi.Input<string>;
  /** The change queue its SQS event source reads (infra/change-checks.ts). */
  changeQueueArn: pulumi.Input<string>;
  alertTopicArn: pulumi.Input<string>;
  /** Only used with auto-fix: backups and the audit log of every change. */
  remediationTableArn: pulumi.Input<string>;
}

interface Grant {
  resources: '*' | pulumi.Input<string>[];
  condition?: Statement['Condition'];
}

/** `undefined`: the resource the action works on does not exist here, so the action is not granted. */
type Scoper = (args: ActionScopeArgs) => Grant | undefined;

const pattern =
  (build: (p: string, r: string, a: string) => string): ((args: ActionScopeArgs) => Grant) =>
  ({ scope }) => ({
    resources: [pulumi.all([scope.partition, scope.region, scope.accountId]).apply(([p, r, a]) => build(p, r, a))],
  });

const anyClusterInAccount = pattern((p, r, a) => `arn:${p}:ecs:${r}:${a}:cluster/*`);

/** How each action the checks or the remediation may declare is scoped. */
export const ACTION_SCOPES: Readonly<Record<string, Scoper>> = Object.freeze<Record<string, Scoper>>({
  'cloudwatch:GetMetricData': () => ({ resources: '*' }),
  'dynamodb:BatchGetItem': (args) => (args.runLedgerTableArn !== undefined ? { resources: [args.runLedgerTableArn] } : undefined),
  'dynamodb:GetItem': (args) => (args.runLedgerTableArn !== undefined ? { resources: [args.runLedgerTableArn] } : undefined),
  'ecs:DescribeClusters': anyClusterInAccount,
  'ecs:ListClusters': () => ({ resources: '*' }),
  'ecs:DescribeTaskDefinition': () => ({ resources: '*' }),
  'ecs:DescribeTasks': pattern((p, r, a) => `arn:${p}:ecs:${r}:${a}:task/*`),
  'ecs:ListTasks': (args) => ({
    resources: '*',
    condition: { ArnLike: { 'ecs:cluster': anyClusterInAccount(args).resources } },
  }),
  'iam:GetRole': pattern((p, _r, a) => `arn:${p}:iam::${a}:role/*`),
  'lambda:GetFunction': pattern((p, r, a) => `arn:${p}:lambda:${r}:${a}:function:*`),
  'scheduler:GetSchedule': pattern((p, r, a) => `arn:${p}:scheduler:${r}:${a}:schedule/*/*`),
  'scheduler:ListSchedules': () => ({ resources: '*' }),
  'scheduler:ListScheduleGroups': () => ({ resources: '*' }),
  'scheduler:ListTagsForResource': pattern((p, r, a) => `arn:${p}:scheduler:${r}:${a}:schedule-group/*`),
  'sqs:GetQueueUrl': pattern((p, r, a) => `arn:${p}:sqs:${r}:${a}:*`),
  // ---- auto-fix only ----
  'scheduler:UpdateSchedule': (args) => ({ resources: args.writableGroupArns.map(schedulesInGroup) }),
  'iam:PassRole': (args) => ({
    resources: args.schedulerRoleArns,
    condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  }),
  'sts:GetCallerIdentity': () => ({ resources: '*' }),
});

/** `…:schedule-group/<group>` → `…:schedule/<group>/*`: every schedule in that group. */
export function schedulesInGroup(groupArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(groupArn).apply((arn) => {
    const at = arn.lastIndexOf(':schedule-group/');
    if (at < 0) throw new Error(`Not a schedule group ARN: ${arn}`);
    return `${arn.slice(0, at)}:schedule/${arn.slice(at + ':schedule-group/'.length)}/*`;
  });
}

/** Actions the Lambda needs for its own state, on the stack's own resources only. Not "writes" to what it monitors. */
export const OWN_STATE_ACTIONS = Object.freeze({
  alertTopic: ['sns:Publish'],
  alertState: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  definitionCache: SCHEDULE_DEFINITION_ACTIONS,
  remediation: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  /** What Lambda's SQS event source does with the function's role: exactly these three. */
  changeQueue: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
} as const);

export class UnscopedActionError extends Error {
  override readonly name = 'UnscopedActionError';
}

/** One statement per distinct scope, so a reader sees which actions share a resource list. */
function statementsFor(sidPrefix: string, actions: readonly string[], args: ActionScopeArgs): Statement[] {
  const missing = actions.filter((action) => !Object.hasOwn(ACTION_SCOPES, action));
  if (missing.length > 0) {
    throw new UnscopedActionError(
      `No IAM scope for ${missing.join(', ')} (declared in a check or remediation registry). Add it to ACTION_SCOPES in infra/iam/healthcheck-policy.ts.`,
    );
  }
  return [...actions].sort().flatMap((action) => {
    const grant = ACTION_SCOPES[action]!(args);
    if (grant === undefined) return [];
    const sid = `${sidPrefix}${action.replace(/[^A-Za-z0-9]/g, '')}`;
    return [
      {
        Sid: sid,
        Effect: 'Allow',
        Action: [action],
        Resource: grant.resources,
        ...(grant.condition !== undefined ? { Condition: grant.condition } : {}),
      } satisfies Statement,
    ];
  });
}

/** Exactly the checks' read actions (without the ledger reads when there is no ledger table). */
export function checkReadStatements(args: ActionScopeArgs): Statement[] {
  return statementsFor('Check', requiredReadActions(), args);
}

/** The remediation's actions that the read policy does not already grant, on the account's schedules. */
export function remediationStatements(args: ActionScopeArgs): Statement[] {
  const reads = new Set(requiredReadActions());
  const extra = requiredRemediationActions().filter((action) => !reads.has(action));
  return statementsFor('Fix', extra, args);
}

/** The remediation's actions, plus its backups and audit entries in the stack's remediation table. */
export function autoFixStatements(args: HealthcheckPolicyArgs): Statement[] {
  return [
    ...remediationStatements(args),
    { Sid: 'FixBackupsAndAudit', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.remediation], Resource: [args.remediationTableArn] },
  ];
}

/** Publishing alerts, remembering what was alerted, the schedule definitions it already read, and its change queue. */
export function ownStateStatements(args: HealthcheckPolicyArgs): Statement[] {
  return [
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.alertTopic], Resource: [args.alertTopicArn] },
    { Sid: 'AlertState', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.alertState], Resource: [args.alertStateTableArn] },
    { Sid: 'DefinitionCache', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.definitionCache], Resource: [args.definitionCacheTableArn] },
    { Sid: 'ConsumeScheduleChanges', Effect: 'Allow', Action: [...OWN_STATE_ACTIONS.changeQueue], Resource: [args.changeQueueArn] },
  ];
}
