import 'aws-sdk-client-mock-vitest/extend';
import { CreateEventBusCommand, DescribeEventBusCommand, EventBridgeClient, PutEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBridgeBus, EventPublishError, ensureEventBus } from '../../../src/aws/eventbridge-bus.ts';
import { FaultError, UserError } from '../../../src/errors.ts';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType, type WorkflowEvent } from '../../../src/trading/domain/events.ts';

const ebMock = mockClient(EventBridgeClient);
const client = () => new EventBridgeClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const AT = new Date('2026-11-23T15:00:00Z');

function trade(i: number, reason = ''): WorkflowEvent {
  return makeEvent(
    EventType.tradeExecuted,
    { correlationId: 'wf-1', causationId: 'evt-plan', producer: 'execution', occurredAt: AT },
    { clientOrderId: `ops-${i}${reason}`, brokerOrderId: `b-${i}`, symbol: 'SPY', side: 'buy', quantity: '1', price: '600', notional: '600', orderIndex: i, orderCount: 30 },
    `ops-${i}${reason}`,
  );
}

function bus(options: Partial<ConstructorParameters<typeof EventBridgeBus>[0]> = {}) {
  const sleep = vi.fn((_ms: number) => Promise.resolve());
  return { bus: new EventBridgeBus({ client: client(), eventBusName: 'ops-trading', sleep, ...options }), sleep };
}

/** What PutEvents answers for `n` entries, with failures at the given positions. */
function answer(n: number, failures: Record<number, string> = {}) {
  return {
    FailedEntryCount: Object.keys(failures).length,
    Entries: Array.from({ length: n }, (_, i) => (failures[i] !== undefined ? { ErrorCode: failures[i], ErrorMessage: `${failures[i]} happened` } : { EventId: `eb-${i}` })),
  };
}

beforeEach(() => {
  ebMock.reset();
});

describe('EventBridgeBus.publish', () => {
  it('sends at most 10 entries per PutEvents call, each mapped from the envelope', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => answer(input.Entries.length));
    const { bus: b } = bus();
    const events = Array.from({ length: 23 }, (_, i) => trade(i));
    expect(await b.publish(events)).toEqual({ published: 23 });
    const calls = ebMock.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]?.args[0].input.Entries?.[0]).toEqual({ Source: 'ops.trading.execution', DetailType: 'TradeExecuted', Detail: JSON.stringify(events[0]), EventBusName: 'ops-trading', Time: AT });
    expect(b.calls).toBe(3);
  });

  it('splits batches at 256 KB', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => answer(input.Entries.length));
    const { bus: b } = bus();
    const big = (i: number) => trade(i, 'x'.repeat(100));
    const events = Array.from({ length: 10 }, (_, i) => ({ ...big(i), detail: { ...big(i).detail, brokerOrderId: 'b'.repeat(60_000) } })) as WorkflowEvent[];
    await b.publish(events);
    const sizes = ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('retries only the entries that failed, with backoff, until they are accepted', async () => {
    ebMock
      .on(PutEventsCommand)
      .resolvesOnce(answer(4, { 1: 'ThrottlingException', 3: 'InternalException' }))
      .resolvesOnce(answer(2, { 0: 'ThrottlingException' }))
      .resolvesOnce(answer(1));
    const { bus: b, sleep } = bus();
    const events = [trade(0), trade(1), trade(2), trade(3)];
    expect(await b.publish(events)).toEqual({ published: 4 });
    const sent = ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.map((e) => (JSON.parse(e.Detail!) as WorkflowEvent).eventId));
    expect(sent).toEqual([events.map((e) => e.eventId), [events[1]!.eventId, events[3]!.eventId], [events[1]!.eventId]]);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200]);
  });

  it('does not retry entries EventBridge refuses for what they are', async () => {
    ebMock.on(PutEventsCommand).resolves(answer(2, { 0: 'MalformedDetail' }));
    const { bus: b } = bus();
    const error = await b.publish([trade(0), trade(1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).code).toBe('EVENT_REJECTED');
    expect((error as EventPublishError).failed).toEqual([{ eventId: trade(0).eventId, type: 'TradeExecuted', errorCode: 'MalformedDetail', errorMessage: 'MalformedDetail happened', permanent: true }]);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('gives up after maxAttempts with a retryable EVENT_PUBLISH_FAILED', async () => {
    ebMock.on(PutEventsCommand).resolves(answer(1, { 0: 'ThrottlingException' }));
    const { bus: b } = bus({ maxAttempts: 3 });
    const error = await b.publish([trade(0)]).catch((e: unknown) => e);
    expect((error as EventPublishError).code).toBe('EVENT_PUBLISH_FAILED');
    expect((error as Error).message).toMatch(/1 of 1 event\(s\) were not accepted by EventBridge bus "ops-trading"/);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('validates events before sending anything', async () => {
    const { bus: b } = bus();
    await expect(b.publish([{ ...trade(0), detail: { price: 600 } } as unknown as WorkflowEvent])).rejects.toThrow(/not a valid workflow event/);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it.each([
    [Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }), UserError, 'EVENT_BUS_ACCESS_DENIED'],
    [new ResourceNotFoundException({ message: 'no bus', $metadata: {} }), UserError, 'EVENT_BUS_MISSING'],
    [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), FaultError, 'EVENT_PUBLISH_FAILED'],
  ])('maps a failed call (%s) to an OpsError', async (thrown, type, code) => {
    ebMock.on(PutEventsCommand).rejects(thrown);
    const error = await bus().bus.publish([trade(0)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as FaultError).code).toBe(code);
  });
});

describe('ensureEventBus', () => {
  it('leaves an existing bus alone and creates a missing one', async () => {
    ebMock.on(DescribeEventBusCommand, { Name: 'there' }).resolves({ Arn: 'arn:bus/there' });
    ebMock.on(DescribeEventBusCommand, { Name: 'missing' }).rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));
    ebMock.on(CreateEventBusCommand).resolves({ EventBusArn: 'arn:bus/missing' });
    expect(await ensureEventBus(client(), 'there')).toEqual({ created: false, arn: 'arn:bus/there' });
    expect(await ensureEventBus(client(), 'missing')).toEqual({ created: true, arn: 'arn:bus/missing' });
    expect(ebMock).toHaveReceivedCommandTimes(CreateEventBusCommand, 1);
  });
});
