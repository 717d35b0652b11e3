/** The three dead-letter shapes (EventBridge rule DLQ, Lambda on-failure record, Scheduler DLQ) read into one view. */
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType } from '../../../src/trading/domain/events.ts';
import { DeadLetterKind, describeDeadLetterError, matchesFilter, parseDeadLetter } from '../../../src/trading/domain/dead-letter.ts';
import { toEventBridgeLambdaEvent } from '../../../src/trading/ports/eventbridge-envelope.ts';

const started = makeEvent(
  EventType.workflowStarted,
  { correlationId: 'wf-dlq', causationId: 'wf-dlq', producer: 'starter', occurredAt: new Date('2026-11-23T15:00:00Z') },
  { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' },
);
const ebEvent = toEventBridgeLambdaEvent(started, { id: 'eb-1', account: '123456789012', region: 'us-east-1' });
const SENT = new Date('2026-11-23T15:01:00Z');

describe('parseDeadLetter', () => {
  it('reads an EventBridge rule DLQ message: the event is the body, the error is in the attributes', () => {
    const letter = parseDeadLetter({
      messageId: 'm1',
      body: JSON.stringify(ebEvent),
      attributes: {
        RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/ops-trading/ops-WorkflowStarted',
        TARGET_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:ops-trading-strategy',
        ERROR_CODE: 'RESOURCE_NOT_FOUND',
        ERROR_MESSAGE: 'Function not found',
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        RETRY_ATTEMPTS: '20',
      },
      sentAt: SENT,
      receiveCount: 2,
    });
    expect(letter).toEqual({
      messageId: 'm1',
      kind: DeadLetterKind.ruleDelivery,
      event: started,
      error: { code: 'RESOURCE_NOT_FOUND', message: 'Function not found', condition: 'MaximumRetryAttempts', retries: 20 },
      source: { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/ops-trading/ops-WorkflowStarted', targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:ops-trading-strategy' },
      sentAt: SENT,
      receiveCount: 2,
    });
    expect(describeDeadLetterError(letter.error)).toBe('RESOURCE_NOT_FOUND: Function not found (MaximumRetryAttempts, 20 retries)');
    expect(matchesFilter(letter, { correlationId: 'wf-dlq' })).toBe(true);
    expect(matchesFilter(letter, { correlationId: 'wf-other' })).toBe(false);
  });

  it('reads a Lambda on-failure destination record: the event is requestPayload, the error responsePayload', () => {
    const record = {
      version: '1.0',
      timestamp: '2026-11-23T15:02:00.000Z',
      requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ops-trading-strategy:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: ebEvent,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'FaultError', errorMessage: 'DynamoDB GetItem failed: throttled' },
    };
    const letter = parseDeadLetter({ messageId: 'm2', body: JSON.stringify(record), attributes: {} });
    expect(letter).toEqual({
      messageId: 'm2',
      kind: DeadLetterKind.lambdaFailure,
      event: started,
      error: { code: 'FaultError', message: 'DynamoDB GetItem failed: throttled', condition: 'RetriesExhausted', invocations: 3 },
      source: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ops-trading-strategy:$LATEST' },
    });
    expect(describeDeadLetterError(letter.error)).toBe('FaultError: DynamoDB GetItem failed: throttled (RetriesExhausted, 3 invocation(s))');
  });

  it('has no event in the sweeper records: its Lambda failure (a schedule input) and its Scheduler DLQ message', () => {
    const sweeperFailure = parseDeadLetter({
      messageId: 'm3',
      body: JSON.stringify({ version: '1.0', requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1, functionArn: 'arn:aws:lambda:us-east-1:1:function:ops-trading-sweeper' }, requestPayload: {}, responsePayload: { errorType: 'Error', errorMessage: 'boom' } }),
      attributes: {},
    });
    expect(sweeperFailure).toMatchObject({ kind: DeadLetterKind.lambdaFailure, eventProblem: 'the body is not an EventBridge event' });
    expect(sweeperFailure.event).toBeUndefined();

    const scheduler = parseDeadLetter({
      messageId: 'm4',
      body: '{}',
      attributes: { ERROR_CODE: 'AWS.Lambda.TooManyRequestsException', ERROR_MESSAGE: 'Rate exceeded', SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:1:schedule/ops-trading/ops-trading-sweeper', TARGET_ARN: 'arn:aws:lambda:us-east-1:1:function:ops-trading-sweeper' },
    });
    expect(scheduler).toEqual({
      messageId: 'm4',
      kind: DeadLetterKind.schedulerDelivery,
      error: { code: 'AWS.Lambda.TooManyRequestsException', message: 'Rate exceeded' },
      source: { scheduleArn: 'arn:aws:scheduler:us-east-1:1:schedule/ops-trading/ops-trading-sweeper', targetArn: 'arn:aws:lambda:us-east-1:1:function:ops-trading-sweeper' },
    });
    expect(matchesFilter(scheduler, {})).toBe(true);
    expect(matchesFilter(scheduler, { correlationId: 'wf-dlq' })).toBe(false);
  });

  it('says why an EventBridge event did not yield a workflow event, and copes with a body that is not JSON', () => {
    const tampered = parseDeadLetter({ messageId: 'm5', body: JSON.stringify({ ...ebEvent, 'detail-type': 'SignalGenerated' }), attributes: { RULE_ARN: 'r' } });
    expect(tampered.event).toBeUndefined();
    expect(tampered.eventProblem).toContain('does not match the envelope\'s type "WorkflowStarted"');
    const garbage = parseDeadLetter({ messageId: 'm6', body: 'not json', attributes: { RULE_ARN: 'r', ERROR_CODE: 'X' } });
    expect(garbage).toMatchObject({ kind: DeadLetterKind.ruleDelivery, eventProblem: 'the body is not an EventBridge event', error: { code: 'X' } });
    const unknown = parseDeadLetter({ messageId: 'm7', body: JSON.stringify(ebEvent), attributes: {} });
    expect(unknown).toMatchObject({ kind: DeadLetterKind.unknown, event: started });
    expect(describeDeadLetterError({})).toBe('(no error given)');
  });
});
