/**
 * Who is calling, for the audit log: STS GetCallerIdentity, which needs no permission. When it fails
 * anyway (no network to STS, a broken profile), the audit says `unknown` with the reason instead of
 * blocking the fix: the reason is itself the record.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentity, IdentityPort } from '../remediate/ports.ts';
import { errorMessage, errorName } from '../aws-error.ts';

export function createIdentityPort(client: STSClient): IdentityPort {
  return {
    async whoAmI(): Promise<CallerIdentity> {
      try {
        const out = await client.send(new GetCallerIdentityCommand({}));
        if (out.Arn === undefined) return { known: false, reason: 'sts:GetCallerIdentity returned no Arn' };
        return { known: true, arn: out.Arn, account: out.Account ?? '', userId: out.UserId ?? '' };
      } catch (error) {
        return { known: false, reason: `sts:GetCallerIdentity failed: ${errorName(error)}: ${errorMessage(error)}` };
      }
    },
  };
}
