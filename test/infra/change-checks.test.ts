/**
 * The change-driven checks as deployed: one rule on the default bus for CloudTrail's record of the five
 * calls, its target (the healthcheck Lambda, with a retry policy and a dead-letter queue only that rule
 * may send to) and the Lambda permission for exactly that rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { changeEventPattern } from '../../src/checks/change-event.ts';
import { CHANGE_DELIVERY_RETRY } from '../../infra/change-checks.ts';
import { runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

let stack: StackUnderTest;
let rule: RecordedResource;
let fn: RecordedResource;

beforeAll(async () => {
  stack = await runProgram();
  rule = stack.one('aws:cloudwatch/eventRule:EventRule', (r) => String(r.inputs.eventPattern).includes('AWS API Call via CloudTrail'));
  fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
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

  it('targets the healthcheck Lambda, retrying briefly, with a dead-letter queue', () => {
    const target = stack.one('aws:cloudwatch/eventTarget:EventTarget', (t) => t.inputs.rule === rule.state.name);
    expect(target.inputs.arn).toBe(fn.state.arn);
    expect(target.inputs.eventBusName).toBeUndefined();
    expect(target.inputs.retryPolicy).toEqual(CHANGE_DELIVERY_RETRY);
    const dlq = stack.one('aws:sqs/queue:Queue', (q) => q.state.arn === (target.inputs.deadLetterConfig as { arn: string }).arn);
    expect(dlq.inputs.name).toBe('ops-pipeline-schedule-changes-dlq');
    const policy = stack.one('aws:sqs/queuePolicy:QueuePolicy', (p) => p.inputs.queueUrl === dlq.state.url);
    const statement = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Principal: unknown; Action: string; Condition: unknown }[] }).Statement[0];
    expect(statement).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': [rule.state.arn] } } });
  });

  it('may invoke the healthcheck Lambda, and only this rule may (sourceArn is the rule’s own ARN)', () => {
    const permissions = stack.ofType('aws:lambda/permission:Permission').filter((p) => p.inputs.function === fn.state.name);
    expect(permissions.map((p) => p.inputs)).toEqual([expect.objectContaining({ action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com', sourceArn: rule.state.arn })]);
    expect(rule.state.arn).toBe('arn:aws:events:us-east-1:123456789012:rule/ops-pipeline-schedule-changes');
  });

  it('its dead-letter queue is on the dashboard with the others', () => {
    const dashboard = stack.one('aws:cloudwatch/dashboard:Dashboard');
    expect(String(dashboard.inputs.dashboardBody)).toContain('ops-pipeline-schedule-changes-dlq');
  });
});
