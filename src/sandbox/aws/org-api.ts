/**
 * The calls that build a sandbox AWS Organization (org-seed.ts): the organization, its OUs, member
 * accounts, and the cross-account role an org-wide run assumes. Real APIs, so moto answers them the
 * way AWS would (CreateAccount is asynchronous in AWS: its status is polled until it settles).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  ListRootsCommand,
  MoveAccountCommand,
  type CreateAccountStatus,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { FaultError } from '../../errors.ts';

export interface OrgAdminPort {
  /** CreateOrganization (all features) in the caller's account, which becomes the management account. */
  createOrganization(): Promise<{ organizationId: string; rootId: string; managementAccount: string }>;
  createOrganizationalUnit(parentId: string, name: string): Promise<string>;
  /** CreateAccount, waiting until it has SUCCEEDED; returns the new account's id. */
  createAccount(account: { name: string; email: string; tags: Record<string, string> }): Promise<string>;
  moveAccount(accountId: string, fromParentId: string, toParentId: string): Promise<void>;
}

export interface OrgAdminPortOptions {
  /** Polls of DescribeCreateAccountStatus before giving up (default 30), and the pause between them. */
  statusPolls?: number;
  pollMs?: number;
}

export function createOrgAdminPort(organizations: OrganizationsClient, options: OrgAdminPortOptions = {}): OrgAdminPort {
  const polls = options.statusPolls ?? 30;
  const pollMs = options.pollMs ?? 500;
  return {
    async createOrganization() {
      const out = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      const roots = await organizations.send(new ListRootsCommand({}));
      const organizationId = out.Organization?.Id;
      const rootId = roots.Roots?.[0]?.Id;
      const managementAccount = out.Organization?.MasterAccountId;
      if (organizationId === undefined || rootId === undefined || managementAccount === undefined) {
        throw new FaultError('ORG_CREATE_INCOMPLETE', 'CreateOrganization/ListRoots answered without an organization id, root id or management account.');
      }
      return { organizationId, rootId, managementAccount };
    },

    async createOrganizationalUnit(parentId, name) {
      const out = await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }));
      const id = out.OrganizationalUnit?.Id;
      if (id === undefined) throw new FaultError('ORG_CREATE_INCOMPLETE', `CreateOrganizationalUnit ${name} answered without an id.`);
      return id;
    },

    async createAccount({ name, email, tags }) {
      const out = await organizations.send(
        new CreateAccountCommand({ AccountName: name, Email: email, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
      );
      let status: CreateAccountStatus | undefined = out.CreateAccountStatus;
      for (let poll = 0; status?.State === 'IN_PROGRESS' && poll < polls; poll++) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        const described = await organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id }));
        status = described.CreateAccountStatus;
      }
      if (status?.State !== 'SUCCEEDED' || status.AccountId === undefined) {
        throw new FaultError('ORG_ACCOUNT_NOT_CREATED', `CreateAccount ${name}: ${status?.State ?? 'no status'}${status?.FailureReason ? ` (${status.FailureReason})` : ''}.`);
      }
      return status.AccountId;
    },

    async moveAccount(accountId, fromParentId, toParentId) {
      await organizations.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: fromParentId, DestinationParentId: toParentId }));
    },
  };
}

/**
 * A role in the account `iam` is signed for, which principals of `trustedAccount` (its root: any
 * principal there that IAM allows) may assume, with an inline policy of `actions` on `*`.
 */
export async function createCrossAccountRole(iam: IAMClient, role: { name: string; trustedAccount: string; actions: readonly string[]; description?: string }): Promise<string> {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${role.trustedAccount}:root` }, Action: 'sts:AssumeRole' }],
  };
  const out = await iam.send(
    new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: JSON.stringify(trust), ...(role.description ? { Description: role.description } : {}) }),
  );
  if (role.actions.length > 0) {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...role.actions], Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: `${role.name}-policy`, PolicyDocument: JSON.stringify(policy) }));
  }
  const arn = out.Role?.Arn;
  if (arn === undefined) throw new FaultError('ROLE_CREATE_INCOMPLETE', `CreateRole ${role.name} answered without an ARN.`);
  return arn;
}
