/**
 * IamPort over IAM: does a schedule's execution role exist? One GetRole per role ARN asked.
 */
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { Lookup } from '../checks/model.ts';
import type { IamPort } from '../checks/ports.ts';
import { iamRoleParts, parseArn } from '../arn.ts';
import { isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';

export const IamAction = { getRole: 'iam:GetRole' } as const;

/**
 * The SDK names IAM's `NoSuchEntity` wire code `NoSuchEntityException`; older shapes and emulators
 * surface the bare code.
 */
const NO_SUCH_ENTITY = ['NoSuchEntityException', 'NoSuchEntity'] as const;

export function createIamReader(client: IAMClient): IamPort {
  return {
    async getRole(roleArn): Promise<Lookup<{ arn: string }>> {
      const parts = iamRoleParts(roleArn);
      // Nothing can assume a role named by something that is not a role ARN.
      if (parts === undefined) return { status: 'missing', reason: `${roleArn} is not an IAM role ARN` };
      try {
        const out = await client.send(new GetRoleCommand({ RoleName: parts.name }));
        const actual = out.Role?.Arn ?? roleArn;
        // GetRole looks up a name in the caller's account. A same-named role there says nothing
        // about the account the ARN names, so that case stays unknown rather than found.
        const actualAccount = parseArn(actual)?.account;
        if (parts.account !== '' && actualAccount !== undefined && actualAccount !== parts.account) {
          return {
            status: 'unknown',
            failure: {
              action: IamAction.getRole,
              errorName: 'CrossAccountRole',
              message: `${roleArn} is in account ${parts.account}; GetRole can only see account ${actualAccount}`,
            },
          };
        }
        return { status: 'found', value: { arn: actual } };
      } catch (error) {
        if (isNotFound(error, ...NO_SUCH_ENTITY)) return { status: 'missing', reason: `role ${parts.name} does not exist` };
        return { status: 'unknown', failure: toLookupFailure(error, IamAction.getRole) };
      }
    },
  };
}
