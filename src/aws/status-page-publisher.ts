/**
 * Stores the healthcheck's status page in a private S3 bucket and returns a presigned link to it, for
 * the alert email (src/healthcheck/status-page.ts is the port).
 *
 * One object per run, `<prefix>status/<run instant>.html` (colons as dashes, so the key needs no
 * escaping and keys sort by time), never overwritten: the link in an email shows what was true when
 * the email was sent, not what a later run saw. There is no `latest.html`: the bucket is private, so a
 * stable key would only serve people who can list the bucket anyway, and the newest key is the last
 * one in the listing. The bucket's lifecycle rule (infra/status-page.ts) expires old snapshots.
 *
 * A presigned URL is signed with the credentials of whoever signs it and stops working when those
 * do, whatever its X-Amz-Expires says. A Lambda role's temporary credentials last hours at most (the
 * role session's lifetime), and Lambda hands them over as environment variables without an expiry,
 * so such a link is reported as `mayExpireEarlier`. When the credentials do carry an expiry (an SSO or
 * assumed-role session on a workstation), the link's expiry is the earlier of the two.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errorMessage, errorName, isAccessDenied, isNotFound } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';
import { STATUS_PAGE_FOLDER, type PublishedStatusPage, type StatusPagePublisher } from '../healthcheck/status-page.ts';
import type { ClientConfig } from './client-config.ts';

/** SigV4 refuses a presigned URL valid for longer than 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export const STATUS_PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';

export interface StatusPagePublisherOptions {
  s3: S3Client;
  bucket: string;
  /** Prepended to `status/`; a missing trailing `/` is added. */
  prefix?: string;
  /** X-Amz-Expires of the link, 1 s to 7 days. */
  expiresInSeconds: number;
  /** SSE-KMS with this key instead of SSE-S3 (AES256); the signer then also needs kms:Decrypt on it. */
  kmsKeyId?: string;
  /** Wall clock: the signature's date, from which the link's expiry counts. */
  clock: () => Date;
}

/**
 * The S3 client for the publisher, from the one client configuration (src/aws/clients.ts). Kept out of
 * AwsClients on purpose: every Lambda bundles clients.ts, and a static S3 import there would load the
 * S3 client at every cold start of every function; the healthcheck imports this module lazily instead.
 */
export function createStatusPageS3Client(config: ClientConfig): S3Client {
  // moto and LocalStack serve buckets by path (http://127.0.0.1:5000/<bucket>/<key>); the default
  // virtual-hosted style would put the bucket into the endpoint's host name.
  return new S3Client({ ...config, ...(config.endpoint !== undefined ? { forcePathStyle: true } : {}) });
}

/** `status/2026-01-29T16-35-00.000Z.html` under the prefix. */
export function statusPageKey(prefix: string, now: Date): string {
  return `${normalPrefix(prefix)}${STATUS_PAGE_FOLDER}${now.toISOString().replace(/:/g, '-')}.html`;
}

function normalPrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function createStatusPagePublisher(options: StatusPagePublisherOptions): StatusPagePublisher {
  const { s3, bucket, clock } = options;
  const prefix = normalPrefix(options.prefix ?? '');
  const expiresIn = options.expiresInSeconds;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new UserError('STATUS_LINK_LIFETIME', `A presigned link lives 1 to ${MAX_PRESIGN_SECONDS} seconds (7 days), not ${expiresIn}.`, 'Set STATUS_LINK_HOURS (--status-link-hours) between 0.25 and 168.');
  }
  const encryption = options.kmsKeyId !== undefined ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.kmsKeyId } : { ServerSideEncryption: 'AES256' as const };

  return {
    async publish(html: string, now: Date): Promise<PublishedStatusPage> {
      const key = statusPageKey(prefix, now);
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: html, ContentType: STATUS_PAGE_CONTENT_TYPE, CacheControl: 'no-store', ...encryption }));
      } catch (cause) {
        throw putFailed(cause, bucket, key, prefix);
      }
      try {
        const signedAt = clock();
        const credentials = await s3.config.credentials();
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate: signedAt });
        const linkEnds = signedAt.getTime() + expiresIn * 1000;
        const credentialsEnd = credentials.expiration?.getTime();
        return {
          key,
          url,
          expiresAt: new Date(credentialsEnd !== undefined ? Math.min(linkEnds, credentialsEnd) : linkEnds),
          mayExpireEarlier: credentials.sessionToken !== undefined && credentialsEnd === undefined,
        };
      } catch (cause) {
        throw new FaultError('STATUS_PAGE_LINK_FAILED', `The status page is in s3://${bucket}/${key}, but its link (a presigned s3:GetObject) could not be signed: ${errorName(cause)}: ${errorMessage(cause)}`, { cause });
      }
    },
  };
}

function putFailed(cause: unknown, bucket: string, key: string, prefix: string): Error {
  const what = `s3:PutObject of s3://${bucket}/${key}`;
  const detail = `${errorName(cause)}: ${errorMessage(cause)}`;
  if (isAccessDenied(cause)) {
    return new UserError(
      'STATUS_PAGE_ACCESS_DENIED',
      `${what} was denied (${detail}).`,
      `Grant the healthcheck's role s3:PutObject and s3:GetObject on arn:aws:s3:::${bucket}/${prefix}${STATUS_PAGE_FOLDER}* (the stack does, with config statusPage: true).`,
      { cause },
    );
  }
  if (isNotFound(cause, 'NoSuchBucket')) {
    return new UserError('STATUS_BUCKET_MISSING', `${what} failed: the bucket ${bucket} does not exist (${detail}).`, 'Fix STATUS_BUCKET (or --status-bucket), or create the bucket.', { cause });
  }
  return new FaultError('STATUS_PAGE_PUBLISH_FAILED', `${what} failed: ${detail}`, { cause });
}
