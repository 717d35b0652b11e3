/**
 * LambdaPort over Lambda: does a schedule's target function exist? One GetFunction per ARN asked,
 * with the ARN itself as FunctionName so a version or alias qualifier is checked too.
 */
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Lookup } from '../checks/model.ts';
import type { LambdaPort } from '../checks/ports.ts';
import { lambdaFunctionParts } from '../arn.ts';
import { isNotFound } from '../aws-error.ts';
import { toLookupFailure } from './lookup-failure.ts';

export const LambdaAction = { getFunction: 'lambda:GetFunction' } as const;

export function createLambdaReader(client: LambdaClient): LambdaPort {
  return {
    async getFunction(functionArn): Promise<Lookup<{ arn: string }>> {
      if (lambdaFunctionParts(functionArn) === undefined) {
        return { status: 'missing', reason: `${functionArn} is not a Lambda function ARN` };
      }
      try {
        const out = await client.send(new GetFunctionCommand({ FunctionName: functionArn }));
        return { status: 'found', value: { arn: out.Configuration?.FunctionArn ?? functionArn } };
      } catch (error) {
        if (isNotFound(error, 'ResourceNotFoundException')) {
          return { status: 'missing', reason: `function ${functionArn} does not exist` };
        }
        return { status: 'unknown', failure: toLookupFailure(error, LambdaAction.getFunction) };
      }
    },
  };
}
