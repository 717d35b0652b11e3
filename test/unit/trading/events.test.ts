import { describe, expect, it } from 'vitest';
import { deriveEventId, makeEvent } from '../../../src/trading/domain/event-factory.ts';
import {
  batchEntries,
  entrySize,
  EventTooLargeError,
  fromEventBridgeLambdaEvent,
  PUT_EVENTS_MAX_BYTES,
  toEventBridgeLambdaEvent,
  toPutEventsEntry,
} from '../../../src/trading/ports/eventbridge-envelope.ts';
import { EVENT_TYPES, EventType, isTerminalEvent, parseWorkflowEvent, type WorkflowEvent } from '../../../src/trading/domain/events.ts';
import { InvalidEventError } from '../../../src/trading/domain/trading-errors.ts';

const AT = new Date('2026-11-23T15:00:00.123Z');
const origin = { correlationId: 'wf-1', causationId: 'evt-cause', producer: 'execution', occurredAt: AT };

function trade(key: string, quantity = '1.5'): WorkflowEvent {
  return makeEvent(
    EventType.tradeExecuted,
    origin,
    { clientOrderId: key, brokerOrderId: 'b-1', symbol: 'SPY', side: 'buy', quantity, price: '600.01', notional: '900.015', orderIndex: 0, orderCount: 1 },
    key,
  );
}

describe('workflow events', () => {
  it('builds a validated envelope with every field', () => {
    const event = trade('ops-a');
    expect(event).toMatchObject({
      type: 'TradeExecuted',
      correlationId: 'wf-1',
      causationId: 'evt-cause',
      occurredAt: '2026-11-23T15:00:00.123Z',
      source: 'ops.trading.execution',
      schemaVersion: 1,
    });
    expect(event.eventId).toMatch(/^evt-[0-9a-f]{32}$/);
  });

  it('derives the same event id from the same inputs, and different ids for different keys', () => {
    expect(trade('ops-a').eventId).toBe(trade('ops-a').eventId);
    expect(trade('ops-a').eventId).not.toBe(trade('ops-b').eventId);
    expect(deriveEventId('a', 'bc')).not.toBe(deriveEventId('ab', 'c'));
  });

  it('gives a workflow one terminal event id per type, whatever caused it', () => {
    const failed = (causationId: string) =>
      makeEvent(EventType.workflowFailed, { ...origin, causationId }, { step: 'portfolio', reason: 'x', errorCode: 'E', startedAt: AT.toISOString(), durationMs: 0 });
    expect(failed('evt-1').eventId).toBe(failed('evt-2').eventId);
  });

  it('refuses money as a binary float, unknown types and a wrong schema version, with every issue', () => {
    const good = trade('ops-a');
    const bad = { ...good, detail: { ...good.detail, quantity: 1.5, price: '1e3' } };
    expect(() => parseWorkflowEvent(bad)).toThrow(InvalidEventError);
    try {
      parseWorkflowEvent(bad);
    } catch (error) {
      expect((error as InvalidEventError).issues.join('\n')).toMatch(/detail.quantity/);
      expect((error as InvalidEventError).issues.join('\n')).toMatch(/detail.price/);
    }
    expect(() => parseWorkflowEvent({ ...good, type: 'TradeSettled' })).toThrow(InvalidEventError);
    expect(() => parseWorkflowEvent({ ...good, schemaVersion: 2 })).toThrow(InvalidEventError);
    expect(() => parseWorkflowEvent({ ...good, correlationId: 'wf#1' })).toThrow(/correlationId/);
  });

  it('refuses to build an invalid event at the producer', () => {
    expect(() => makeEvent(EventType.signalGenerated, origin, { strategy: 'x', asOf: '2026-13-01', targets: [{ symbol: 'SPY', weight: '1' }] })).toThrow(/asOf/);
  });

  it('knows which events are terminal', () => {
    expect(EVENT_TYPES.filter((type) => isTerminalEvent({ ...trade('x'), type } as WorkflowEvent))).toEqual(['WorkflowCompleted', 'WorkflowFailed']);
  });
});

describe('EventBridge mapping', () => {
  it('maps an event to a PutEvents entry: Source, DetailType, the whole envelope as Detail, bus, time', () => {
    const event = trade('ops-a');
    const entry = toPutEventsEntry(event, 'ops-trading');
    expect(entry).toEqual({ Source: 'ops.trading.execution', DetailType: 'TradeExecuted', Detail: JSON.stringify(event), EventBusName: 'ops-trading', Time: AT });
    expect(JSON.parse(entry.Detail)).toEqual(event);
  });

  it('unwraps what EventBridge hands a Lambda back into the same event', () => {
    const event = trade('ops-a');
    const delivered = toEventBridgeLambdaEvent(event, { id: 'eb-1', account: '123456789012', region: 'us-west-2' });
    expect(delivered).toMatchObject({ 'detail-type': 'TradeExecuted', source: 'ops.trading.execution', time: '2026-11-23T15:00:00Z' });
    expect(fromEventBridgeLambdaEvent(delivered)).toEqual(event);
  });

  it('refuses a delivery whose detail-type disagrees with the envelope, or that is no event at all', () => {
    const delivered = toEventBridgeLambdaEvent(trade('ops-a'), { id: 'eb-1', account: '1', region: 'r' });
    expect(() => fromEventBridgeLambdaEvent({ ...delivered, 'detail-type': 'WorkflowCompleted' })).toThrow(/does not match/);
    expect(() => fromEventBridgeLambdaEvent({ hello: 'world' })).toThrow(InvalidEventError);
    expect(() => fromEventBridgeLambdaEvent({ ...delivered, detail: { ...trade('x'), detail: {} } })).toThrow(/EventBridge event eb-1/);
  });

  it('counts entry size as AWS does: UTF-8 bytes of Source, DetailType, Detail, plus 14 for Time', () => {
    expect(entrySize({ Source: 'é', DetailType: 'ab', Detail: '{}', EventBusName: 'ignored' })).toBe(2 + 2 + 2);
    expect(entrySize({ Source: 'a', DetailType: 'b', Detail: 'c', EventBusName: 'x', Time: AT, Resources: ['rr'] })).toBe(14 + 3 + 2);
  });

  it('batches at most 10 entries per call, in order', () => {
    const entries = Array.from({ length: 23 }, (_, i) => toPutEventsEntry(trade(`ops-${i}`), 'bus'));
    const batches = batchEntries(entries);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(entries);
  });

  it('batches within 256 KB per call, and refuses an entry larger than that alone', () => {
    const big = (n: number) => ({ Source: 's', DetailType: 'd', Detail: 'x'.repeat(n), EventBusName: 'bus' });
    const third = Math.floor(PUT_EVENTS_MAX_BYTES / 3);
    const batches = batchEntries([big(third), big(third), big(third), big(third)]);
    expect(batches.map((b) => b.length)).toEqual([2, 2]);
    expect(batches.every((b) => b.reduce((t, e) => t + entrySize(e), 0) <= PUT_EVENTS_MAX_BYTES)).toBe(true);
    expect(batchEntries([big(PUT_EVENTS_MAX_BYTES - 2)])).toHaveLength(1);
    expect(() => batchEntries([big(PUT_EVENTS_MAX_BYTES)])).toThrow(EventTooLargeError);
  });
});
