/**
 * Dead-letter alerts: every schedule the stack creates dead-letters to a queue that the consumer
 * Lambda reads (partial batch responses, a visibility timeout sized for the function), and that
 * Lambda may do exactly what it does: consume those queues, use the healthcheck's alert state, publish
 * to the alert topic, write its logs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeadLetterAlertsConfig } from '../../src/healthcheck/dead-letter-config.ts';
import { loadHealthcheckConfig } from '../../src/healthcheck/config.ts';
import { REGION } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

let stack: StackUnderTest;
let fn: RecordedResource;
let statements: PolicyStatement[];
let mappings: RecordedResource[];
let scheduleQueueArns: Set<string>;

const arnOf = (type: string, name: string) => String(stack.one(type, (r) => r.inputs.name === name).state.arn);

beforeAll(async () => {
  stack = await runProgram();
  fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.deadLetterAlertsFunctionName);
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  statements = roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
  // The consumer's mappings; the healthcheck's change queue has its own (test/infra/change-checks.test.ts).
  mappings = stack.ofType('aws:lambda/eventSourceMapping:EventSourceMapping').filter((m) => m.inputs.functionName === fn.state.arn);
  scheduleQueueArns = new Set(stack.ofType('aws:scheduler/schedule:Schedule').map((s) => String((s.inputs.target as { deadLetterConfig?: { arn?: string } }).deadLetterConfig?.arn)));
});

describe('schedule dead-letter queues', () => {
  it('every aws.scheduler.Schedule has a deadLetterConfig naming a queue the stack creates', () => {
    const schedules = stack.ofType('aws:scheduler/schedule:Schedule');
    expect(schedules.length).toBeGreaterThan(3);
    const queues = new Set(stack.ofType('aws:sqs/queue:Queue').map((q) => q.state.arn));
    for (const schedule of schedules) {
      const arn = (schedule.inputs.target as { deadLetterConfig?: { arn?: string } }).deadLetterConfig?.arn;
      expect(queues.has(arn), `${String(schedule.inputs.name)}: deadLetterConfig ${arn}`).toBe(true);
    }
    expect([...scheduleQueueArns].sort()).toEqual(
      ['ops-pipeline-scheduler-dlq', 'ops-pipeline-healthcheck-dlq', 'ops-pipeline-trading-sweeper-dlq'].map((name) => arnOf('aws:sqs/queue:Queue', name)).sort(),
    );
  });

  it('are each read by exactly one event source mapping of the consumer, and nothing else is', () => {
    expect(mappings.map((m) => String(m.inputs.eventSourceArn)).sort()).toEqual([...scheduleQueueArns].sort());
    const all = stack.ofType('aws:lambda/eventSourceMapping:EventSourceMapping');
    for (const mapping of all.filter((m) => scheduleQueueArns.has(String(m.inputs.eventSourceArn)))) expect(mapping.inputs.functionName, String(mapping.inputs.eventSourceArn)).toBe(fn.state.arn);
  });

  it('report partial batch failures, in batches of at most 10, two at a time', () => {
    for (const mapping of mappings) {
      expect(mapping.inputs.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.inputs.batchSize).toBeLessThanOrEqual(10);
      expect(mapping.inputs.scalingConfig).toEqual({ maximumConcurrency: 2 });
    }
  });

  it('hide a received message for at least 6× the consumer’s timeout (AWS’s guidance for SQS event sources)', () => {
    const timeout = Number(fn.inputs.timeout);
    expect(timeout).toBe(30);
    for (const queue of stack.ofType('aws:sqs/queue:Queue').filter((q) => scheduleQueueArns.has(String(q.state.arn)))) {
      expect(Number(queue.inputs.visibilityTimeoutSeconds), String(queue.inputs.name)).toBeGreaterThanOrEqual(6 * timeout);
      // Two weeks to fix SNS before an unalerted message expires.
      expect(queue.inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
    }
  });
});

describe('the consumer’s role', () => {
  it('holds exactly these statements: consume the schedule DLQs, the alert state, the alert topic, its logs', () => {
    const logGroup = `${arnOf('aws:cloudwatch/logGroup:LogGroup', '/aws/lambda/ops-pipeline-dead-letter-alerts')}:*`;
    const byAction = (s: PolicyStatement) => ({ sid: s.Sid, actions: asList(s.Action), resources: asList(s.Resource).sort() });
    expect(statements.map(byAction).sort((a, b) => String(a.sid).localeCompare(String(b.sid)))).toEqual([
      { sid: 'AlertState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [arnOf('aws:dynamodb/table:Table', 'ops-pipeline-alert-state')] },
      { sid: 'ConsumeScheduleDeadLetters', actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], resources: [...scheduleQueueArns].sort() },
      { sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [String(stack.outputs.alertTopicArn)] },
      { sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup] },
    ]);
    for (const statement of statements) expect(asList(statement.Resource), statement.Sid).not.toContain('*');
  });
});

describe('the consumer’s configuration', () => {
  it('is accepted by its own loader, and shares the healthcheck’s topic and alert-state item', () => {
    const environment = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    const config = loadDeadLetterAlertsConfig({ ...environment, AWS_REGION: REGION });
    const healthcheck = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
    const theirs = loadHealthcheckConfig({ ...(healthcheck.inputs.environment as { variables: Record<string, string> }).variables, AWS_REGION: REGION });
    expect(config).toMatchObject({ alertTopicArn: theirs.alertTopicArn, alertStateTable: theirs.alertStateTable, alertStateKey: theirs.alertStateKey, metricsNamespace: theirs.metricsNamespace });
    expect(config.alertTopicArn).toBe(stack.outputs.alertTopicArn);
  });
});
