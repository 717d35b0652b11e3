/**
 * The change-driven checks as deployed: one rule on the default bus for CloudTrail's record of the five
 * calls, delivering to the change queue (only that rule may send), an SQS event source that hands the
 * healthcheck Lambda a burst of changes as one batch, the role's three SQS actions on that queue only,
 * a dead-letter queue for batches that keep failing and events the rule could not deliver, and, with
 * `changeTrail: create`, the trail those events come from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_DELIVERY_RETRY } from '../../infra/change-checks.ts';
import { HEALTHCHECK_TIMEOUT_SECONDS } from '../../infra/components/healthcheck.ts';
import { changeEventPattern } from '../../src/checks/change-event.ts';
import { ACCOUNT, REGION, type RecordedResource } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

let stack: StackUnderTest;
let rule: RecordedResource;
let fn: RecordedResource;
let queue: RecordedResource;
let dlq: RecordedResource;

const queueNamed = (name: string) => stack.one('aws:sqs/queue:Queue', (q) => q.inputs.name === name);
const statementsOf = (policy: RecordedResource) => (JSON.parse(String(policy.inputs.policy)) as { Statement: PolicyStatement[] }).Statement;
const queuePolicyOf = (q: RecordedResource) => stack.one('aws:sqs/queuePolicy:QueuePolicy', (p) => p.inputs.queueUrl === q.state.url);

beforeAll(async () => {
  stack = await runProgram();
  rule = stack.one('aws:cloudwatch/eventRule:EventRule', (r) => String(r.inputs.eventPattern).includes('AWS API Call via CloudTrail'));
  fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
  queue = queueNamed('ops-pipeline-schedule-changes');
  dlq = queueNamed('ops-pipeline-schedule-changes-dlq');
});

describe('the CloudTrail change rule', () => {
  it('matches exactly the five API calls of Scheduler and ECS, on the default bus', () => {
    expect(JSON.parse(String(rule.inputs.eventPattern))).toEqual({
      source: ['aws.scheduler', 'aws.ecs'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['scheduler.amazonaws.com', 'ecs.amazonaws.com'],
        eventName: ['CreateSchedule', 'UpdateSchedule', 'DeleteCluster', 'DeregisterTaskDefinition', 'DeleteTaskDefinitions'],
      },
    });
    // The sandbox's rule is built from the same function: what the stack routes is what is parsed.
    expect(JSON.parse(String(rule.inputs.eventPattern))).toEqual(changeEventPattern());
    expect(rule.inputs.eventBusName).toBeUndefined();
    expect(rule.inputs.name).toBe('ops-pipeline-schedule-changes');
  });

  it('delivers to the change queue, not to the Lambda, retrying briefly, with a dead-letter queue', () => {
    const targets = stack.ofType('aws:cloudwatch/eventTarget:EventTarget').filter((t) => t.inputs.rule === rule.state.name);
    expect(targets).toHaveLength(1);
    const target = targets[0]!;
    expect(target.inputs.arn).toBe(queue.state.arn);
    expect(target.inputs.eventBusName).toBeUndefined();
    expect(target.inputs.retryPolicy).toEqual(CHANGE_DELIVERY_RETRY);
    expect(target.inputs.deadLetterConfig).toEqual({ arn: dlq.state.arn });
  });

  it('no Lambda permission: nothing but the event source invokes the function for changes', () => {
    const permissions = stack.ofType('aws:lambda/permission:Permission').filter((p) => p.inputs.function === fn.state.name || p.inputs.function === fn.state.arn);
    expect(permissions.map((p) => p.inputs)).toEqual([]);
  });
});

describe('the change queue', () => {
  it('is encrypted, hides a received batch for 6× the function’s timeout, and sends a batch that failed 3 times to the dead-letter queue', () => {
    expect(Number(fn.inputs.timeout)).toBe(HEALTHCHECK_TIMEOUT_SECONDS);
    expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
    expect(Number(queue.inputs.visibilityTimeoutSeconds)).toBe(6 * HEALTHCHECK_TIMEOUT_SECONDS);
    expect(JSON.parse(String(queue.inputs.redrivePolicy))).toEqual({ deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 3 });
    expect(dlq.inputs.sqsManagedSseEnabled).toBe(true);
    expect(dlq.inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
  });

  it('accepts messages from this rule only, and so does its dead-letter queue', () => {
    for (const q of [queue, dlq]) {
      const statements = statementsOf(queuePolicyOf(q));
      expect(statements, String(q.inputs.name)).toHaveLength(1);
      expect(statements[0]).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: q.state.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': [rule.state.arn] } },
      });
    }
    expect(rule.state.arn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/ops-pipeline-schedule-changes`);
  });

  it('is read by one event source mapping: batches of up to 100 gathered over 5 s, at most 2 at once, all or nothing', () => {
    const mappings = stack.ofType('aws:lambda/eventSourceMapping:EventSourceMapping').filter((m) => m.inputs.eventSourceArn === queue.state.arn);
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!;
    expect(mapping.inputs.functionName).toBe(fn.state.arn);
    expect(mapping.inputs.batchSize).toBe(100);
    expect(mapping.inputs.maximumBatchingWindowInSeconds).toBe(5);
    expect(mapping.inputs.scalingConfig).toEqual({ maximumConcurrency: 2 });
    // One run per batch: it succeeds or the whole batch is retried.
    expect(mapping.inputs.functionResponseTypes).toBeUndefined();
  });

  it('the healthcheck role may receive, delete and read attributes on this queue, and on no other', () => {
    const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
    const statements = roleStatements(stack)
      .filter((s) => roleNamed(stack, s.role) === role)
      .map((s) => s.statement);
    const sqs = statements.filter((s) => asList(s.Action).some((a) => /^sqs:(ReceiveMessage|DeleteMessage|GetQueueAttributes|ChangeMessageVisibility)$/.test(a)));
    expect(sqs).toEqual([
      { Sid: 'ConsumeScheduleChanges', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], Resource: [queue.state.arn] },
    ]);
  });

  it('its dead-letter queue is on the dashboard with the others', () => {
    const dashboard = stack.one('aws:cloudwatch/dashboard:Dashboard');
    expect(String(dashboard.inputs.dashboardBody)).toContain('ops-pipeline-schedule-changes-dlq');
  });
});

describe('the CloudTrail trail', () => {
  it('is not created by default (changeTrail: existing)', () => {
    expect(stack.ofType('aws:cloudtrail/trail:Trail')).toEqual([]);
    expect(stack.ofType('aws:s3/bucket:Bucket')).toEqual([]);
  });

  describe('with changeTrail: create', () => {
    let created: StackUnderTest;
    let trail: RecordedResource;
    let bucket: RecordedResource;
    beforeAll(async () => {
      created = await runProgram({ changeTrail: 'create' });
      trail = created.one('aws:cloudtrail/trail:Trail');
      bucket = created.one('aws:s3/bucket:Bucket');
    });

    it('records this region’s write management events, with logging on, into its own bucket', () => {
      expect(trail.inputs).toMatchObject({
        name: 'ops-pipeline-trail',
        s3BucketName: bucket.state.bucket,
        enableLogging: true,
        enableLogFileValidation: true,
        isMultiRegionTrail: false,
        includeGlobalServiceEvents: false,
        eventSelectors: [{ includeManagementEvents: true, readWriteType: 'WriteOnly' }],
      });
    });

    it('keeps the bucket private, encrypted, expiring, and retained when the trail goes', () => {
      const bucketId = `${bucket.name}_id`;
      expect(created.one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toEqual({
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(created.one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs).toMatchObject({
        bucket: bucketId,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      });
      expect(created.one('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs).toMatchObject({ bucket: bucketId, rules: [{ status: 'Enabled', expiration: { days: 90 } }] });
      expect(bucket.inputs.bucketPrefix).toBe('ops-pipeline-trail-');
    });

    it('lets CloudTrail read the ACL and write its logs, only for this trail, and nothing else', () => {
      const policy = created.one('aws:s3/bucketPolicy:BucketPolicy');
      expect(policy.inputs.bucket).toBe(`${bucket.name}_id`);
      // The condition's ARN is built before the trail exists: it must be the trail's own.
      expect(trail.state.arn).toBe(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/ops-pipeline-trail`);
      const onlyThisTrail = { 'aws:SourceArn': trail.state.arn };
      expect(statementsOf(policy)).toEqual([
        { Sid: 'AWSCloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: bucket.state.arn, Condition: { StringEquals: onlyThisTrail } },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${String(bucket.state.arn)}/AWSLogs/${ACCOUNT}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...onlyThisTrail } },
        },
      ]);
    });
  });
});
