/**
 * Org-wide checks (issue 16): the central healthcheck assumes a role in each member account and runs
 * the same checks there, in every configured region. Both sides of that trust, as policy data:
 *
 * - central (config `org`): `sts:AssumeRole` on exactly the member roles of the listed accounts, or on
 *   the role of that name in any account when the accounts are discovered, plus the Organizations
 *   reads discovery needs. The wildcard is safe because assuming a role takes both sides: a role of
 *   that name that does not trust the central healthcheck role cannot be assumed with it.
 * - member (config `memberOf`): a trust policy that names the central principals (with an ExternalId
 *   condition when one is configured), and permissions generated from the same registries as the
 *   central role's (healthcheck-policy.ts: ACTION_SCOPES), so a new check's action reaches the member
 *   accounts in the same change that adds it.
 */
import * as pulumi from '@pulumi/pulumi';
import type { OrgConfig } from '../config.ts';
import { checkReadStatements, remediationStatements, type AccountScope, type ActionScopeArgs } from './healthcheck-policy.ts';
import type { Statement } from './policy.ts';

/** What discovery calls: every account, or the accounts below the configured OUs (and their child OUs). */
export const ORG_DISCOVERY_ACTIONS = ['organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'] as const;

/** `arn:<partition>:iam::<account>:role/<roleName>`; account `*` for any account. */
export function orgRoleArn(partition: pulumi.Input<string>, account: string, roleName: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${account}:role/${roleName}`;
}

/** The central healthcheck role's org statements: assume the member roles; with discovery, list the accounts. */
export function orgAccessStatements(org: Pick<OrgConfig, 'roleName' | 'accounts'>, partition: pulumi.Input<string>): Statement[] {
  const accounts = org.accounts.kind === 'listed' ? org.accounts.ids : ['*'];
  const assume: Statement = {
    Sid: 'AssumeOrgAccessRole',
    Effect: 'Allow',
    Action: ['sts:AssumeRole'],
    Resource: accounts.map((account) => orgRoleArn(partition, account, org.roleName)),
  };
  if (org.accounts.kind === 'listed') return [assume];
  return [assume, { Sid: 'DiscoverOrgAccounts', Effect: 'Allow', Action: [...ORG_DISCOVERY_ACTIONS], Resource: '*' }];
}

/** A member role's trust policy: the central principals may assume it, with the ExternalId when one is given. */
export function trustedByPrincipals(principalArns: pulumi.Input<string>[], externalId?: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CentralHealthcheck',
        Effect: 'Allow',
        Principal: { AWS: principalArns },
        Action: 'sts:AssumeRole',
        ...(externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  });
}

export interface MemberPolicyArgs {
  /** The member account. Its region is `*`: the role is global and the central stack chooses the regions. */
  scope: Pick<AccountScope, 'partition' | 'accountId'>;
  runLedgerTableArn?: pulumi.Input<string> | undefined;
  /** autoFix only: the schedule groups it may write to (in every region), and the roles it may pass again. */
  writableGroupNames: readonly string[];
  schedulerRoleArns: pulumi.Input<string>[];
}

function memberScopeArgs(args: MemberPolicyArgs): ActionScopeArgs {
  const scope: AccountScope = { partition: args.scope.partition, region: '*', accountId: args.scope.accountId };
  return {
    scope,
    runLedgerTableArn: args.runLedgerTableArn,
    // No data source names a schedule group; its ARN is built from the provider's partition and account.
    writableGroupArns: args.writableGroupNames.map((group) => pulumi.interpolate`arn:${scope.partition}:scheduler:*:${scope.accountId}:schedule-group/${group}`),
    schedulerRoleArns: args.schedulerRoleArns,
  };
}

/** The checks' reads in the member account, exactly as the central role has them in its own. */
export function memberReadStatements(args: MemberPolicyArgs): Statement[] {
  // `--all-regions` reads the regions each account has enabled, in that account.
  return [...checkReadStatements(memberScopeArgs(args)), { Sid: 'EnabledRegions', Effect: 'Allow', Action: ['ec2:DescribeRegions'], Resource: '*' }];
}

/**
 * The remediation's writes in the member account, scoped as the central auto-fix's are. Backups and
 * the audit log are the central stack's (its remediation table); nothing here grants a table of its own.
 */
export function memberFixStatements(args: MemberPolicyArgs): Statement[] {
  return remediationStatements(memberScopeArgs(args));
}
