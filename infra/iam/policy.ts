/**
 * IAM policy documents as typed data. Every policy in the stack is built here so tests can parse each
 * one back and hold it to the least-privilege rules (test/infra/iam.test.ts).
 */
import * as pulumi from '@pulumi/pulumi';

export type ConditionBlock = Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow';
  Action: string[];
  /** `'*'` only for actions in RESOURCE_WILDCARD_EXCEPTIONS (see wildcard-exceptions.ts). */
  Resource: '*' | pulumi.Input<string>[];
  Condition?: ConditionBlock;
}

export function policyDocument(statements: readonly pulumi.Input<Statement>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** The trust policy that lets one AWS service assume a role, optionally only on behalf of this account. */
export function assumedBy(service: string, sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        // Confused-deputy guard: Scheduler assumes the role only for schedules in this account.
        ...(sourceAccount !== undefined ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } } : {}),
      },
    ],
  });
}

/** `arn:…:task-definition/family` → `arn:…:task-definition/family:*`, every revision of one family. */
export function everyRevision(arnWithoutRevision: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${arnWithoutRevision}:*`;
}

/** Log streams and events of one log group: the group's ARN with `:*`. */
export function logStreamsOf(logGroupArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(logGroupArn).apply((arn) => (arn.endsWith(':*') ? arn : `${arn}:*`));
}

/** Writing CloudWatch Logs into one log group: what AWSLambdaBasicExecutionRole grants, minus its `*`. */
export function writeLogsTo(logGroupArns: pulumi.Input<string>[]): Statement {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: logGroupArns.map(logStreamsOf),
  };
}
