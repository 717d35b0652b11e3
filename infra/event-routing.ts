/**
 * An EventBridge rule delivering to a Lambda function: the target (with an explicit retry policy and a
 * dead-letter queue for events EventBridge could not deliver) and the function's resource policy that
 * lets only this rule invoke it.
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

export interface RouteArgs {
  rule: aws.cloudwatch.EventRule;
  /** Absent for the default bus. */
  eventBusName?: pulumi.Input<string>;
  functionArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
}

export function routeToFunction(name: string, args: RouteArgs, opts: pulumi.CustomResourceOptions): { target: aws.cloudwatch.EventTarget; permission: aws.lambda.Permission } {
  const permission = new aws.lambda.Permission(
    `${name}-permission`,
    { action: 'lambda:InvokeFunction', function: args.functionName, principal: 'events.amazonaws.com', sourceArn: args.rule.arn },
    opts,
  );
  const target = new aws.cloudwatch.EventTarget(
    `${name}-target`,
    {
      rule: args.rule.name,
      ...(args.eventBusName !== undefined ? { eventBusName: args.eventBusName } : {}),
      arn: args.functionArn,
      retryPolicy: { ...args.retry },
      deadLetterConfig: { arn: args.deadLetterQueueArn },
    },
    { ...opts, dependsOn: [permission] },
  );
  return { target, permission };
}
