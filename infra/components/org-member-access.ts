/**
 * The role a member account gives the central healthcheck for org-wide checks (issue 16): the central
 * healthcheck Lambda (and, optionally, operators running `ops` from the central account) assumes it
 * and runs the same checks here, in every region the central stack is configured with.
 *
 * Permissions: exactly the checks' reads (the same generator as the central role's,
 * iam/org-access-policy.ts), read on this account's run ledger when there is one, and the remediation's
 * writes only with `autoFix`, scoped to the named schedule groups and execution roles. Deployed by the
 * same program as the central stack, with stack config `memberOf` (infra/index.ts).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ORG_ACCESS_ROLE_NAME } from '../config.ts';
import { policyDocument } from '../iam/policy.ts';
import { memberFixStatements, memberReadStatements, trustedByPrincipals, type MemberPolicyArgs } from '../iam/org-access-policy.ts';
import type { AccountScope } from '../iam/healthcheck-policy.ts';

export interface OrgMemberAccessArgs {
  /** The central healthcheck Lambda's role ARN (central stack output `healthcheckRoleArn`), and operator roles for the CLI. */
  centralPrincipalArns: pulumi.Input<string>[];
  /** Default `ops-org-access`: the central stack's `org.roleName` must match. */
  roleName?: string;
  /** When given, AssumeRole must pass it (condition `sts:ExternalId`). */
  externalId?: pulumi.Input<string>;
  /** This account: partition and id, from the provider (infra/account.ts). */
  scope: Pick<AccountScope, 'partition' | 'accountId'>;
  /** This account's run-ledger table (a data-source lookup's ARN); absent: no DynamoDB read at all. */
  runLedgerTableArn?: pulumi.Input<string>;
  /** Let the central auto-fix repair schedules here. Off by default: the role is read-only. */
  autoFix?: boolean;
  /** autoFix only: the schedule groups auto-fix may write to (every region). */
  writableGroupNames?: readonly string[];
  /** autoFix only: the execution roles of those schedules, which UpdateSchedule passes again. */
  schedulerRoleArns?: pulumi.Input<string>[];
}

export class OrgMemberAccess extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: OrgMemberAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:org:OrgMemberAccess', name, {}, opts);
    const parent = { parent: this };
    const autoFix = args.autoFix ?? false;
    const writableGroupNames = args.writableGroupNames ?? [];
    const schedulerRoleArns = args.schedulerRoleArns ?? [];
    if (autoFix && (writableGroupNames.length === 0 || schedulerRoleArns.length === 0)) {
      throw new Error('OrgMemberAccess: autoFix needs writableGroupNames and schedulerRoleArns (auto-fix writes only there)');
    }
    if (args.centralPrincipalArns.length === 0) throw new Error('OrgMemberAccess: centralPrincipalArns is empty; nobody could assume the role');

    const roleName = args.roleName ?? ORG_ACCESS_ROLE_NAME;
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: roleName,
        assumeRolePolicy: trustedByPrincipals(args.centralPrincipalArns, args.externalId),
        description: `ops org-wide healthcheck: the central account's checks${autoFix ? ' and auto-fix' : ' (read-only)'} in this account`,
      },
      parent,
    );
    const policyArgs: MemberPolicyArgs = { scope: args.scope, runLedgerTableArn: args.runLedgerTableArn, writableGroupNames, schedulerRoleArns };
    new aws.iam.RolePolicy(`${name}-checks-read`, { role: this.role.id, name: 'checks-read', policy: policyDocument(memberReadStatements(policyArgs)) }, parent);
    if (autoFix) {
      new aws.iam.RolePolicy(`${name}-auto-fix`, { role: this.role.id, name: 'auto-fix', policy: policyDocument(memberFixStatements(policyArgs)) }, parent);
    }

    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
  }
}
