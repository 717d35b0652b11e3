/**
 * An optional CloudTrail trail, for accounts that have none (config `changeTrail: create`; the default
 * `existing` creates nothing, because most accounts already have an organization or account trail and
 * a second one only adds S3 storage). CloudTrail puts "AWS API Call via CloudTrail" events on
 * EventBridge only while some trail with logging is on in the account (infra/change-checks.ts), and
 * that is all this trail is for:
 *
 * - management events, write calls only (every call the change rule matches is a write), in this
 *   region only (the rule sees its own region's default bus), without global-service (IAM) events;
 * - log files in a private bucket of its own: public access blocked, SSE-S3, log-file validation on,
 *   expired after TRAIL_LOG_RETENTION_DAYS (the events reached EventBridge as they happened; the files
 *   are an audit copy). The bucket is retained when the trail is removed: S3 will not delete a bucket
 *   that holds objects, and audit logs should outlive the stack that wrote them;
 * - the bucket policy CloudTrail requires, no wider: s3:GetBucketAcl on the bucket and s3:PutObject
 *   under AWSLogs/<account>/ with `s3:x-amz-acl = bucket-owner-full-control`, both only for this
 *   trail (`aws:SourceArn`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AccountScope } from './iam/healthcheck-policy.ts';

export const TRAIL_LOG_RETENTION_DAYS = 90;

export interface ChangeTrailArgs {
  namePrefix: string;
  scope: AccountScope;
}

export interface ChangeTrail {
  trail: aws.cloudtrail.Trail;
  bucket: aws.s3.Bucket;
  bucketPolicy: aws.s3.BucketPolicy;
}

export function changeTrail(name: string, args: ChangeTrailArgs, opts: pulumi.CustomResourceOptions): ChangeTrail {
  const trailName = `${args.namePrefix}-trail`;
  const { partition, region, accountId } = args.scope;
  // bucketPrefix allows 37 characters; S3 appends a unique suffix (bucket names are global).
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucketPrefix: `${args.namePrefix.slice(0, 30)}-trail-` }, { ...opts, retainOnDelete: true });
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-expiry`,
    { bucket: bucket.id, rules: [{ id: 'expire-trail-logs', status: 'Enabled', filter: { prefix: 'AWSLogs/' }, expiration: { days: TRAIL_LOG_RETENTION_DAYS } }] },
    opts,
  );

  // Built, not the trail's output: CloudTrail checks the bucket policy when the trail is created, so the
  // policy comes first and cannot depend on the trail. The test checks it equals the trail's own ARN.
  const trailArn = pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trailName}`;
  const bucketPolicy = new aws.s3.BucketPolicy(
    `${name}-bucket-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: bucket.arn,
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          },
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
          },
        ],
      }),
    },
    // One bucket-level change after the other: S3 can refuse concurrent ones (OperationAborted).
    { ...opts, dependsOn: [publicAccess] },
  );
  const trail = new aws.cloudtrail.Trail(
    name,
    {
      name: trailName,
      s3BucketName: bucket.bucket,
      enableLogging: true,
      enableLogFileValidation: true,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      eventSelectors: [{ includeManagementEvents: true, readWriteType: 'WriteOnly' }],
    },
    { ...opts, dependsOn: [bucketPolicy, encryption] },
  );
  return { trail, bucket, bucketPolicy };
}
