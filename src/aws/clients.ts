/**
 * Builds the SDK clients from one resolved configuration. Clients are created lazily and reused, so a
 * command that only needs Scheduler never constructs the others.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { resolveClientConfig, type AwsSettings, type ClientConfig } from './client-config.ts';

export interface AwsClients {
  readonly config: ClientConfig;
  readonly scheduler: SchedulerClient;
  readonly ecs: ECSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly eventbridge: EventBridgeClient;
  readonly sts: STSClient;
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
  /** Org-wide runs only: the accounts (src/aws/organizations-reader.ts) and regions (regions-reader.ts). */
  readonly organizations: OrganizationsClient;
  readonly ec2: EC2Client;
}

/** Fixed credentials instead of the default chain; only the sandbox (dummy keys on 127.0.0.1) uses it. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SandboxClientSettings {
  /** Fixed credentials instead of the default chain. */
  credentials?: StaticCredentials;
  /** A provider instead of the default chain: an assumed role in another account (src/aws/assumed-role.ts). */
  credentialProvider?: AwsCredentialIdentityProvider;
  /**
   * Send request bodies uncompressed. moto's server decompresses a gzip body twice and answers 500,
   * so a PutMetricData above the SDK's 10 KB compression threshold fails against the sandbox.
   */
  disableRequestCompression?: boolean;
}

export function createAwsClients(settings: AwsSettings & SandboxClientSettings = {}, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const resolved = resolveClientConfig(settings, env);
  // The default chain reads process.env, not `env`; the sandbox must not depend on what the user exported.
  const fixed = settings.credentials;
  const config: ClientConfig & { disableRequestCompression?: boolean } = {
    ...resolved,
    ...(fixed !== undefined ? { credentials: () => Promise.resolve({ ...fixed }) } : {}),
    ...(settings.credentialProvider !== undefined ? { credentials: settings.credentialProvider } : {}),
    ...(settings.disableRequestCompression ? { disableRequestCompression: true } : {}),
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    config,
    get scheduler() { return lazy('scheduler', () => new SchedulerClient(config)); },
    get ecs() { return lazy('ecs', () => new ECSClient(config)); },
    get cloudwatch() { return lazy('cloudwatch', () => new CloudWatchClient(config)); },
    // IAM is a global service; the SDK signs it for us-east-1 whatever the region, and the endpoint
    // override still applies, which is what the sandbox needs.
    get iam() { return lazy('iam', () => new IAMClient(config)); },
    get lambda() { return lazy('lambda', () => new LambdaClient(config)); },
    get sqs() { return lazy('sqs', () => new SQSClient(config)); },
    get sns() { return lazy('sns', () => new SNSClient(config)); },
    get dynamodb() { return lazy('dynamodb', () => new DynamoDBClient(config)); },
    get eventbridge() { return lazy('eventbridge', () => new EventBridgeClient(config)); },
    get sts() { return lazy('sts', () => new STSClient(config)); },
    get secretsManager() { return lazy('secretsManager', () => new SecretsManagerClient(config)); },
    get ssm() { return lazy('ssm', () => new SSMClient(config)); },
    get organizations() { return lazy('organizations', () => new OrganizationsClient(config)); },
    get ec2() { return lazy('ec2', () => new EC2Client(config)); },
  };
}

/** Dummy credentials for the local sandbox only; they never leave 127.0.0.1. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
