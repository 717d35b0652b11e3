/**
 * The healthcheck's status page bucket (config `statusPage: true`; default off, nothing created).
 * Each run writes its page under `status/` (src/aws/status-page-publisher.ts) and the alert emails link
 * it with a presigned URL, so the bucket is never public:
 *
 * - all four public-access blocks on, ACLs disabled (BucketOwnerEnforced), SSE-S3 by default;
 * - a bucket policy that refuses every request not made over TLS;
 * - snapshots expire after STATUS_PAGE_RETENTION_DAYS: a link lives 7 days at most, and older pages
 *   are history nobody links to. Being disposable, the bucket is emptied when the stack removes it.
 *
 * The healthcheck role gets s3:PutObject and s3:GetObject on `<bucket>/status/*` only. GetObject is
 * what a presigned link exercises: S3 authorises the link's request as the role that signed it.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { STATUS_PAGE_FOLDER } from '../src/healthcheck/status-page.ts';
import type { Statement } from './iam/policy.ts';

export const STATUS_PAGE_RETENTION_DAYS = 30;
/** Put a snapshot; read it back through its presigned link. */
export const STATUS_PAGE_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;

export interface StatusPageBucket {
  bucket: aws.s3.Bucket;
  publicAccess: aws.s3.BucketPublicAccessBlock;
  policy: aws.s3.BucketPolicy;
}

export function statusPageBucket(name: string, args: { namePrefix: string }, opts: pulumi.CustomResourceOptions): StatusPageBucket {
  // bucketPrefix allows 37 characters; S3 appends a unique suffix (bucket names are global).
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucketPrefix: `${args.namePrefix.slice(0, 29)}-status-`, forceDestroy: true }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  // Bucket-level changes one after the other: S3 can refuse concurrent ones (OperationAborted).
  const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, { ...opts, dependsOn: [publicAccess] });
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    { ...opts, dependsOn: [ownership] },
  );
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(
    `${name}-expiry`,
    { bucket: bucket.id, rules: [{ id: 'expire-status-pages', status: 'Enabled', filter: { prefix: STATUS_PAGE_FOLDER }, expiration: { days: STATUS_PAGE_RETENTION_DAYS } }] },
    { ...opts, dependsOn: [encryption] },
  );
  const policy = new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    },
    { ...opts, dependsOn: [lifecycle] },
  );
  return { bucket, publicAccess, policy };
}

/**
 * The healthcheck role's grant: its snapshots, nothing else in the bucket; and the run ledger's
 * history (dynamodb:Query), which the page's heatmap reads and the check itself does not.
 */
export function statusPageStatements(bucketArn: pulumi.Input<string>, runLedgerTableArn: pulumi.Input<string>): Statement[] {
  return [
    { Sid: 'PublishStatusPage', Effect: 'Allow', Action: [...STATUS_PAGE_ACTIONS], Resource: [pulumi.interpolate`${bucketArn}/${STATUS_PAGE_FOLDER}*`] },
    { Sid: 'StatusPageRunHistory', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [runLedgerTableArn] },
  ];
}
