/**
 * EventBridgeBus against the sandbox's EventBridge (CreateEventBus, PutEvents): batches go through,
 * and what a rule delivers (here to a queue, as moto cannot invoke a Lambda) unwraps into exactly the
 * events that were published, through the same function the step Lambdas use.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeBus, ensureEventBus } from '../../src/aws/eventbridge-bus.ts';
import { createSandboxClients } from '../../src/sandbox/sandbox.ts';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { makeEvent } from '../../src/trading/domain/event-factory.ts';
import { fromEventBridgeLambdaEvent } from '../../src/trading/ports/eventbridge-envelope.ts';
import { EventType, type WorkflowEvent } from '../../src/trading/domain/events.ts';
import { motoEndpoint } from './sandbox-harness.ts';
import { busRoutedToQueue, type RoutedBus } from './workflow-sandbox.ts';

let routed: RoutedBus;
let bus: EventBridgeBus;

beforeAll(async () => {
  await resetSandbox(motoEndpoint());
  const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
  routed = await busRoutedToQueue(clients, 'ops-trading-e2e');
  bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: routed.busName });
});

function trade(i: number): WorkflowEvent {
  return makeEvent(
    EventType.tradeExecuted,
    { correlationId: 'wf-eb', causationId: 'evt-plan', producer: 'execution', occurredAt: new Date(Date.UTC(2026, 10, 23, 15, 0, i)) },
    { clientOrderId: `ops-${i}`, brokerOrderId: `b-${i}`, symbol: 'SPY', side: 'buy', quantity: '1.000001', price: '600.01', notional: '600.0106', orderIndex: i, orderCount: 23 },
    `ops-${i}`,
  );
}

describe('EventBridgeBus on the sandbox', () => {
  it('creates the bus once', async () => {
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    expect(await ensureEventBus(clients.eventbridge, routed.busName)).toMatchObject({ created: false });
  });

  it('publishes 23 events in 3 PutEvents calls, and the rule delivers each one, unchanged', async () => {
    const events = Array.from({ length: 23 }, (_, i) => trade(i));
    const before = bus.calls;
    expect(await bus.publish(events)).toEqual({ published: 23 });
    expect(bus.calls - before).toBe(3);
    const delivered = (await routed.drain()).map((body) => fromEventBridgeLambdaEvent(body));
    const index = (e: WorkflowEvent) => (e.type === EventType.tradeExecuted ? e.detail.orderIndex : -1);
    expect(delivered.sort((a, b) => index(a) - index(b))).toEqual(events);
  });

  it('reports a bus that does not exist as a user error', async () => {
    const clients = createSandboxClients(motoEndpoint(), 'us-west-2');
    const missing = new EventBridgeBus({ client: clients.eventbridge, eventBusName: 'no-such-bus', maxAttempts: 1 });
    await expect(missing.publish([trade(0)])).rejects.toMatchObject({ code: 'EVENT_BUS_MISSING', kind: 'user' });
  });
});
