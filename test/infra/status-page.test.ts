/**
 * The status page bucket as deployed with `statusPage: true`: private (public access blocked, ACLs off,
 * TLS only, SSE-S3), snapshots expiring, the healthcheck role allowed exactly PutObject and GetObject
 * under the bucket's status/ folder, and told the bucket by its output. Off by default: nothing at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STATUS_PAGE_RETENTION_DAYS } from '../../infra/status-page.ts';
import { loadHealthcheckConfig } from '../../src/healthcheck/config.ts';
import { REGION, type RecordedResource } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

interface Deployed {
  stack: StackUnderTest;
  environment: Record<string, string>;
  statements: PolicyStatement[];
}

function deployed(stack: StackUnderTest): Deployed {
  const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  const statements = roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
  return { stack, environment: (fn.inputs.environment as { variables: Record<string, string> }).variables, statements };
}

let off: Deployed;
let on: Deployed;
let bucket: RecordedResource;
/** A bucket-level resource of the status bucket (the mocks' id is `<logical name>_id`). */
const ofBucket = (type: string) => on.stack.one(type, (r) => r.inputs.bucket === `${bucket.name}_id`);

beforeAll(async () => {
  off = deployed(await runProgram());
  on = deployed(await runProgram({ statusPage: true }));
  bucket = on.stack.one('aws:s3/bucket:Bucket', (b) => String(b.inputs.bucketPrefix).includes('-status-'));
});

describe('without statusPage (the default)', () => {
  it('creates no bucket, grants no S3 action and sets no STATUS_ variable', () => {
    expect(off.stack.ofType('aws:s3/bucket:Bucket')).toEqual([]);
    expect(off.stack.ofType('aws:s3/bucketPolicy:BucketPolicy')).toEqual([]);
    expect(off.statements.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(Object.keys(off.environment).filter((k) => k.startsWith('STATUS_'))).toEqual([]);
    expect(off.stack.outputs.statusBucketName).toBeUndefined();
  });
});

describe('with statusPage: true, the bucket', () => {
  it('is one bucket named from the stack prefix, its name left to S3', () => {
    expect(on.stack.ofType('aws:s3/bucket:Bucket')).toHaveLength(1);
    expect(bucket.inputs.bucketPrefix).toBe('ops-pipeline-status-');
    expect(String(bucket.inputs.bucketPrefix).length).toBeLessThanOrEqual(37);
    expect(bucket.inputs.bucket).toBeUndefined();
    expect(on.stack.outputs.statusBucketName).toBe(bucket.state.bucket);
  });

  it('is private: all four public access blocks, ACLs disabled', () => {
    expect(ofBucket('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(ofBucket('aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule).toEqual({ objectOwnership: 'BucketOwnerEnforced' });
  });

  it('encrypts with SSE-S3 by default and expires status/ objects after 30 days', () => {
    expect(ofBucket('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]);
    expect(STATUS_PAGE_RETENTION_DAYS).toBe(30);
    expect(ofBucket('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs.rules).toEqual([
      { id: 'expire-status-pages', status: 'Enabled', filter: { prefix: 'status/' }, expiration: { days: 30 } },
    ]);
  });

  it('has a policy that denies every request without TLS, and allows nothing', () => {
    const document = JSON.parse(String(ofBucket('aws:s3/bucketPolicy:BucketPolicy').inputs.policy)) as { Statement: Record<string, unknown>[] };
    expect(document.Statement).toEqual([
      {
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket.state.arn, `${String(bucket.state.arn)}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });
});

describe('with statusPage: true, the healthcheck', () => {
  it('may put and get objects under the bucket’s status/ folder, and nothing else in S3', () => {
    const s3 = on.statements.filter((s) => asList(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([{ Sid: 'PublishStatusPage', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`${String(bucket.state.arn)}/status/*`] }]);
  });

  it('is told the bucket by its output, in a form its config loader accepts', () => {
    expect(on.environment.STATUS_BUCKET).toBe(bucket.state.bucket);
    expect(on.environment.STATUS_PREFIX).toBeUndefined();
    const config = loadHealthcheckConfig({ ...on.environment, AWS_REGION: REGION });
    expect(config.statusPage).toEqual({ bucket: bucket.state.bucket, prefix: '', linkHours: 24 });
  });

  it('may query the run ledger, which the page\'s heatmap reads (the check alone only batch-gets it)', () => {
    const query = on.statements.filter((s) => asList(s.Action).includes('dynamodb:Query') && s.Sid === 'StatusPageRunHistory');
    expect(query).toHaveLength(1);
    expect(asList(query[0]!.Resource)).toHaveLength(1);
    expect(String(asList(query[0]!.Resource)[0])).toMatch(/run-ledger/);
    expect(off.statements.some((s) => s.Sid === 'StatusPageRunHistory')).toBe(false);
  });

  it('keeps every other permission and variable as without it', () => {
    const withoutS3 = on.statements.filter((s) => s.Sid !== 'PublishStatusPage' && s.Sid !== 'StatusPageRunHistory');
    expect(withoutS3).toEqual(off.statements);
    const { STATUS_BUCKET: _bucket, ...rest } = on.environment;
    expect(rest).toEqual(off.environment);
  });
});
