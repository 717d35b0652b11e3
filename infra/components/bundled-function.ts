/**
 * A Lambda function built from one TypeScript entry in this repository: its esbuild bundle, its own
 * log group with retention, and a role that may write to that log group and do exactly what the
 * caller's policies say (no AWS managed policies: AWSLambdaBasicExecutionRole grants logs on `*`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleLambda, LAMBDA_HANDLER, LAMBDA_NODE_OPTIONS, LAMBDA_RUNTIME, type BundleAsset } from '../lambda-bundles.ts';
import { assumedBy, policyDocument, writeLogsTo, type Statement } from '../iam/policy.ts';

export interface BundledFunctionArgs {
  /** Physical function name; also names the bundle directory dist/lambda/<bundleName>. */
  functionName: string;
  bundleName: string;
  /** Repository-relative TypeScript entry that exports `handler`. */
  entry: string;
  /** Data directories copied into the archive next to index.mjs. */
  assets?: readonly BundleAsset[];
  description: string;
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  timeoutSeconds: number;
  memoryMb: number;
  logRetentionDays: number;
  /** Inline policies by name, beyond writing its own logs. */
  policies?: Record<string, pulumi.Input<Statement>[]>;
  /**
   * Asynchronous invocations (EventBridge, Scheduler): how often Lambda retries a failed one, and the
   * queue that keeps the event when it gives up (otherwise the event is gone without a trace).
   */
  asyncInvoke?: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number; onFailureQueueArn?: pulumi.Input<string> };
}

export class BundledFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  /** Where the archive this function ships was bundled. */
  readonly bundleDirectory: string;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:lambda:BundledFunction', name, {}, opts);
    const parent = { parent: this };
    const bundle = bundleLambda(args.bundleName, args.entry, args.assets);
    this.bundleDirectory = bundle.directory;

    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays }, parent);
    this.role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: assumedBy('lambda.amazonaws.com'), description: `${args.functionName}: ${args.description}` }, parent);

    const onFailure = args.asyncInvoke?.onFailureQueueArn;
    const policies = [
      new aws.iam.RolePolicy(`${name}-logs`, { role: this.role.id, policy: policyDocument([writeLogsTo([this.logGroup.arn])]) }, parent),
      ...(onFailure !== undefined
        ? [
            new aws.iam.RolePolicy(
              `${name}-on-failure`,
              { role: this.role.id, name: 'on-failure', policy: policyDocument([{ Sid: 'FailedInvocations', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [onFailure] }]) },
              parent,
            ),
          ]
        : []),
      ...Object.entries(args.policies ?? {}).map(
        ([policyName, statements]) => new aws.iam.RolePolicy(`${name}-${policyName}`, { role: this.role.id, name: policyName, policy: policyDocument(statements) }, parent),
      ),
    ];

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        description: args.description,
        runtime: LAMBDA_RUNTIME,
        handler: LAMBDA_HANDLER,
        code: bundle.archive,
        role: this.role.arn,
        // Pure JavaScript bundle: Graviton is ~20% cheaper per GB-second with nothing to recompile.
        architectures: ['arm64'],
        timeout: args.timeoutSeconds,
        memorySize: args.memoryMb,
        loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
        environment: {
          variables: pulumi.output(args.environment ?? {}).apply((variables) => ({
            NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...variables,
          })),
        },
      },
      // The first invocation must find its log group and its permissions in place.
      { parent: this, dependsOn: [this.logGroup, ...policies] },
    );
    if (args.asyncInvoke !== undefined) {
      new aws.lambda.FunctionEventInvokeConfig(
        `${name}-async`,
        {
          functionName: this.function.name,
          maximumRetryAttempts: args.asyncInvoke.maximumRetryAttempts,
          maximumEventAgeInSeconds: args.asyncInvoke.maximumEventAgeInSeconds,
          ...(onFailure !== undefined ? { destinationConfig: { onFailure: { destination: onFailure } } } : {}),
        },
        parent,
      );
    }
    this.functionArn = this.function.arn;
    this.functionName = this.function.name;
    this.registerOutputs({ functionArn: this.functionArn, functionName: this.functionName });
  }
}
