/**
 * The one place that decides how every AWS SDK client is configured: region, credentials chain,
 * endpoint override (for the sandbox, LocalStack or a VPC endpoint) and adaptive retries.
 * Adapters take a constructed client so tests can inject an aws-sdk-client-mock instance instead.
 */
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { UserError } from '../errors.ts';
import { clipText } from '../clip-text.ts';

export interface AwsSettings {
  /** AWS region; falls back to AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string | undefined;
  /** Named profile from ~/.aws/config; falls back to the default credentials chain. */
  profile?: string | undefined;
  /** Endpoint URL override; falls back to AWS_ENDPOINT_URL. */
  endpoint?: string | undefined;
  /** Maximum attempts per call, including the first (adaptive retry mode). */
  maxAttempts?: number | undefined;
}

export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  maxAttempts: number;
  retryMode: 'adaptive';
}

/** What the SDK accepts as a region: one hostname label, at most 63 characters (it goes into every endpoint's host). */
const REGION_NAME = /^(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function resolveClientConfig(settings: AwsSettings, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UserError(
      'NO_REGION',
      'No AWS region is configured.',
      'Pass --region <region>, or export AWS_REGION (try `ops sandbox up` for a local sandbox).',
    );
  }
  if (!REGION_NAME.test(region)) {
    const suggestion = region.trim().toLowerCase();
    throw new UserError(
      'INVALID_REGION',
      `The region ${JSON.stringify(clipText(region))} is not a region name: AWS would reject every call.`,
      REGION_NAME.test(suggestion) ? `Pass --region ${suggestion}.` : 'Pass a region such as --region us-east-1 (lower-case letters, digits and dashes), or fix AWS_REGION.',
    );
  }
  const endpoint = settings.endpoint ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch (cause) {
      throw new UserError('BAD_ENDPOINT', `The endpoint "${clipText(endpoint)}" is not a URL.`, 'Pass --endpoint http://127.0.0.1:<port>, or unset AWS_ENDPOINT_URL.', { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserError('BAD_ENDPOINT', `The endpoint "${clipText(endpoint)}" must use http or https.`, 'Pass --endpoint http://127.0.0.1:<port>.');
    }
  }
  const credentials = credentialsFor(settings, env);
  return {
    region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    credentials,
    maxAttempts: settings.maxAttempts ?? 5,
    retryMode: 'adaptive',
  };
}

/**
 * --profile wins; then keys in the environment the command was given (the CLI's injected env, which
 * in-process tests set without touching process.env); then the SDK's default chain.
 */
function credentialsFor(settings: AwsSettings, env: NodeJS.ProcessEnv): AwsCredentialIdentityProvider {
  if (settings.profile !== undefined) return fromIni({ profile: settings.profile });
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const sessionToken = env.AWS_SESSION_TOKEN;
    return () => Promise.resolve({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
  }
  return fromNodeProviderChain();
}
