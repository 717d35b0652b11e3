/** Where the stack deploys, from the provider's own answers (never typed into config). */
import * as aws from '@pulumi/aws';
import type { AccountScope } from './iam/healthcheck-policy.ts';

export interface Deployment extends AccountScope {
  partition: ReturnType<typeof aws.getPartitionOutput>['partition'];
  region: ReturnType<typeof aws.getRegionOutput>['region'];
  accountId: ReturnType<typeof aws.getCallerIdentityOutput>['accountId'];
}

export function currentDeployment(): Deployment {
  return {
    partition: aws.getPartitionOutput().partition,
    region: aws.getRegionOutput().region,
    accountId: aws.getCallerIdentityOutput().accountId,
  };
}
