import { describe, expect, it } from 'vitest';
import { describeFingerprint, fingerprintOf } from '../../../src/alerts/index.ts';
import { scheduleArnParts } from '../../../src/arn.ts';
import { parseSqsEvent, readDeadLetter } from '../../../src/healthcheck/dead-letter-event.ts';
import { deadLetterFindings, deadLetterFixCommand } from '../../../src/healthcheck/dead-letter-findings.ts';
import { UserError } from '../../../src/errors.ts';
import { CLUSTER_ARN, deadLetter, QUEUE_ARN, scheduleArn, schedulerAttributes, sqsRecord } from './dead-letter-fixtures.ts';

describe('readDeadLetter', () => {
  it('reads every documented attribute of a Scheduler dead letter', () => {
    const read = readDeadLetter(sqsRecord(schedulerAttributes({ RETRY_ATTEMPTS: '2', EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts' }), { messageId: 'm-1', body: '{"job":"x"}' }));
    expect(read).toEqual({
      kind: 'dead-letter',
      messageId: 'm-1',
      queueArn: QUEUE_ARN,
      schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher', arn: scheduleArn('ops-pipeline-market', 'ops-pipeline-dispatcher') },
      scheduledTime: new Date('2026-11-23T14:31:00Z'),
      errorCode: 'ClusterNotFoundException',
      errorMessage: 'Cluster not found.',
      targetArn: CLUSTER_ARN,
      retryAttempts: 2,
      exhaustedRetryCondition: 'MaximumRetryAttempts',
      executionId: '5f0c6a53-8c35-4b8e-9b0f-2f1e6f1f4c11',
      payloadTruncated: false,
      problems: [],
    });
  });

  it('keeps a dead letter with missing or malformed attributes, and says which', () => {
    const read = readDeadLetter(sqsRecord(schedulerAttributes({ ERROR_CODE: undefined, SCHEDULED_TIME: 'yesterday', RETRY_ATTEMPTS: 'many', TARGET_ARN: undefined })));
    expect(read.kind).toBe('dead-letter');
    if (read.kind !== 'dead-letter') return;
    expect(read.schedule.name).toBe('ops-pipeline-dispatcher');
    expect(read.errorCode).toBeUndefined();
    expect(read.scheduledTime).toBeUndefined();
    expect(read.retryAttempts).toBeUndefined();
    expect(read.problems).toEqual(['SCHEDULED_TIME "yesterday" is not an ISO-8601 instant', 'ERROR_CODE is missing', 'TARGET_ARN is missing', 'RETRY_ATTEMPTS "many" is not a count']);
  });

  it('calls a message with a malformed SCHEDULE_ARN unrecognised, naming the expected shape', () => {
    const read = readDeadLetter(sqsRecord(schedulerAttributes({ SCHEDULE_ARN: 'arn:aws:scheduler:us-west-2:123456789012:schedule-group/ops-pipeline' })));
    expect(read).toMatchObject({ kind: 'unrecognised', queueArn: QUEUE_ARN });
    expect(read.kind === 'unrecognised' && read.reason).toBe(
      'SCHEDULE_ARN "arn:aws:scheduler:us-west-2:123456789012:schedule-group/ops-pipeline" is not a schedule ARN (arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>)',
    );
  });

  it('calls a message that is not from Scheduler (no SCHEDULE_ARN) unrecognised, keeping its body and attribute names', () => {
    const record = sqsRecord({ RULE_ARN: 'arn:aws:events:us-west-2:123456789012:rule/x', ERROR_CODE: 'NO_PERMISSIONS' }, { body: 'hello' });
    const read = readDeadLetter(record);
    expect(read).toEqual({
      kind: 'unrecognised',
      messageId: record.messageId,
      queueArn: QUEUE_ARN,
      reason: 'no SCHEDULE_ARN message attribute: not an EventBridge Scheduler dead-letter event',
      attributeNames: ['ERROR_CODE', 'RULE_ARN'],
      body: 'hello',
    });
  });

  it('ignores attributes that are not strings (a Binary SCHEDULE_ARN is no schedule)', () => {
    const record = sqsRecord(schedulerAttributes());
    record.messageAttributes.SCHEDULE_ARN = { dataType: 'Binary' };
    expect(readDeadLetter(record).kind).toBe('unrecognised');
  });
});

describe('parseSqsEvent', () => {
  it('returns the records of a Lambda SQS event', () => {
    const records = parseSqsEvent({ Records: [{ messageId: 'a', body: '{}', messageAttributes: {}, eventSourceARN: QUEUE_ARN, awsRegion: 'us-west-2' }] });
    expect(records).toEqual([{ messageId: 'a', body: '{}', messageAttributes: {}, eventSourceARN: QUEUE_ARN, awsRegion: 'us-west-2' }]);
  });

  it('refuses anything else with what was wrong and what to do', () => {
    let error: unknown;
    try {
      parseSqsEvent({ Records: [{ body: 'x' }] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/Records\.0\.messageId/);
    expect((error as UserError).hint).toMatch(/event source mapping/);
    expect(() => parseSqsEvent({ at: '2026-11-23T14:30:00Z' })).toThrow(/Lambda SQS event/);
  });
});

describe('scheduleArnParts', () => {
  it.each([
    ['arn:aws:scheduler:us-west-2:123456789012:schedule/g/n', { group: 'g', name: 'n', account: '123456789012', region: 'us-west-2' }],
    ['arn:aws:scheduler:us-west-2:123456789012:schedule/g', undefined],
    ['arn:aws:scheduler:us-west-2:123456789012:schedule/g/n/extra', undefined],
    ['arn:aws:events:us-west-2:123456789012:schedule/g/n', undefined],
    ['arn:aws:scheduler:us-west-2::schedule/g/n', undefined],
    ['not an arn', undefined],
  ])('%s', (arn, expected) => {
    expect(scheduleArnParts(arn)).toEqual(expected);
  });
});

describe('deadLetterFindings', () => {
  it('makes one critical INVOCATION_FAILED per schedule naming the schedule, the scheduled time and the error code', () => {
    const record = deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z');
    const [finding, ...rest] = deadLetterFindings([readDeadLetter(record)]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'INVOCATION_FAILED',
      severity: 'critical',
      schedule: { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher', arn: scheduleArn('ops-pipeline-market', 'ops-pipeline-dispatcher') },
      fix: 'ops check-schedulers --group ops-pipeline-market --name-prefix ops-pipeline-dispatcher',
      runbook: 'runbooks/INVOCATION_FAILED.md',
    });
    expect(finding!.message).toBe(
      'Scheduler gave up invoking the target of ops-pipeline-market/ops-pipeline-dispatcher for the run due 2026-11-23T14:31:00Z: ClusterNotFoundException (Cluster not found.).',
    );
    expect(finding!.evidence).toEqual({
      errorCode: 'ClusterNotFoundException',
      errorMessage: 'Cluster not found.',
      scheduledTime: '2026-11-23T14:31:00Z',
      targetArn: CLUSTER_ARN,
      retryAttempts: 0,
      exhaustedRetryCondition: null,
      executionId: '5f0c6a53-8c35-4b8e-9b0f-2f1e6f1f4c11',
      queueArn: QUEUE_ARN,
      messageId: record.messageId,
      occurrences: 1,
    });
  });

  it('folds several dead letters of one schedule into one finding: the latest run, the count, the first run', () => {
    const records = [
      deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:33:00Z', { ERROR_CODE: 'ThrottlingException' }),
      deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:31:00Z'),
      deadLetter('ops-pipeline-classifier', '2026-11-23T14:32:00Z', {}, 'ops-pipeline'),
      deadLetter('ops-pipeline-dispatcher', '2026-11-23T14:32:00Z'),
    ];
    const findings = deadLetterFindings(records.map(readDeadLetter));
    expect(findings.map((f) => [f.schedule?.name, f.evidence.scheduledTime, f.evidence.errorCode, f.evidence.occurrences, f.evidence.firstScheduledTime])).toEqual([
      ['ops-pipeline-dispatcher', '2026-11-23T14:33:00Z', 'ThrottlingException', 3, '2026-11-23T14:31:00Z'],
      ['ops-pipeline-classifier', '2026-11-23T14:32:00Z', 'ClusterNotFoundException', 1, undefined],
    ]);
    expect(findings[0]!.evidence.messageId).toBe(records[0]!.messageId);
    expect(findings[0]!.message).toMatch(/; 3 failed runs in this batch, the first due 2026-11-23T14:31:00Z\.$/);
    expect(new Set(findings.map(fingerprintOf)).size).toBe(2);
    expect(deadLetterFixCommand(findings)).toBe('ops check-schedulers');
    expect(deadLetterFixCommand([findings[0]!])).toBe('ops check-schedulers --group ops-pipeline-market --name-prefix ops-pipeline-dispatcher');
  });

  it('makes one finding per queue for unrecognised messages, fingerprinted by the queue', () => {
    const stray = [sqsRecord({ NOTE: 'x' }, { body: 'a'.repeat(1_000) }), sqsRecord({}, { body: 'second' })];
    const [finding, ...rest] = deadLetterFindings(stray.map(readDeadLetter));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ code: 'INVOCATION_FAILED', severity: 'critical', evidence: { queueArn: QUEUE_ARN, occurrences: 2, attributeNames: ['NOTE'] } });
    expect(finding!.schedule).toBeUndefined();
    expect(finding!.message).toMatch(/^A message on dead-letter queue ops-pipeline-scheduler-dlq is not a Scheduler dead-letter event: no SCHEDULE_ARN/);
    expect(String(finding!.evidence.bodyExcerpt).length).toBeLessThan(340);
    expect(fingerprintOf(finding!)).toBe(`INVOCATION_FAILED queue:${QUEUE_ARN}`);
    expect(describeFingerprint(fingerprintOf(finding!))).toEqual({ code: 'INVOCATION_FAILED', subject: 'queue ops-pipeline-scheduler-dlq' });
    expect(finding!.fix).toContain('--queue-name ops-pipeline-scheduler-dlq');
  });

  it('says what was missing rather than inventing it', () => {
    const [finding] = deadLetterFindings([readDeadLetter(sqsRecord(schedulerAttributes({ ERROR_CODE: undefined, SCHEDULED_TIME: undefined })))]);
    expect(finding!.message).toBe('Scheduler gave up invoking the target of ops-pipeline-market/ops-pipeline-dispatcher for a run (SCHEDULED_TIME missing): no ERROR_CODE (Cluster not found.).');
    expect(finding!.evidence).toMatchObject({ errorCode: null, scheduledTime: null, attributeProblems: ['SCHEDULED_TIME is missing', 'ERROR_CODE is missing'] });
  });
});
