/**
 * The outbox relay for workflows still RUNNING: the events a step stored with its result (and the
 * WorkflowStarted its start implies) that no consumer has claimed a while after they were due. A
 * process that died between its store write and its publish leaves exactly these behind; the sweeper
 * re-publishes them, and because event ids are deterministic a copy that did arrive is recognised.
 * Terminal events have their own relay (sweeper.ts), keyed on `terminalPublishedAt`.
 */
import { EventType, type WorkflowEvent } from './events.ts';
import { startedEvent } from './start-workflow.ts';
import type { WorkflowRecord } from '../ports/workflow-store.ts';

/**
 * Who consumes each relayed event type; test/unit/trading/outbox-relay.test.ts checks this against
 * the handlers' own `consumes`, so a re-routed event cannot be relayed to nobody.
 */
export const RELAYED_CONSUMER: Readonly<Partial<Record<EventType, string>>> = {
  [EventType.workflowStarted]: 'strategy',
  [EventType.signalGenerated]: 'portfolio',
  [EventType.rebalancePlanned]: 'execution',
};

/** The running workflow's events whose consumer has not claimed them `afterMs` after they occurred. */
export function unclaimedEvents(record: WorkflowRecord, now: Date, afterMs: number): WorkflowEvent[] {
  const claimed = new Set(record.deliveries.map((d) => `${d.consumer}#${d.eventId}`));
  const candidates = [startedEvent(record), ...Object.values(record.outbox).flat()];
  return candidates.filter((event) => {
    const consumer = RELAYED_CONSUMER[event.type];
    if (consumer === undefined || claimed.has(`${consumer}#${event.eventId}`)) return false;
    return now.getTime() - new Date(event.occurredAt).getTime() >= afterMs;
  });
}
