/**
 * Ending a workflow: one conditional write (RUNNING → COMPLETED | FAILED) that also stores the terminal
 * event, then publishing that event. Only the caller whose write won publishes, so a workflow has at
 * most one terminal event however many handlers race. If publishing fails after the write, the event
 * is still in the store (an outbox) and the sweeper re-publishes it; its id is deterministic, so a
 * late duplicate is recognised downstream.
 */
import type { EventBus } from '../ports/bus.ts';
import { makeEvent } from './event-factory.ts';
import { EventType, type EventOf, type Step } from './events.ts';
import { toDecimalString } from './money.ts';
import { valueTraded } from './summary.ts';
import type { Clock } from './step-handler.ts';
import type { WorkflowLogger } from '../ports/workflow-logger.ts';
import {
  WorkflowState,
  type ExecutedOrder,
  type Failure,
  type FinishExtra,
  type FinishResult,
  type StepResult,
  type TerminalOutcome,
  type WorkflowRecord,
  type WorkflowStore,
} from '../ports/workflow-store.ts';

export interface TerminalDeps {
  store: WorkflowStore;
  bus: EventBus;
  clock: Clock;
  logger: WorkflowLogger;
}

export interface FinishAndPublishResult extends FinishResult {
  /** True when this call won and the bus accepted the terminal event. */
  published: boolean;
}

export async function finishAndPublish(deps: TerminalDeps, correlationId: string, outcome: TerminalOutcome, extra?: FinishExtra): Promise<FinishAndPublishResult> {
  const result = await deps.store.finish(correlationId, outcome, deps.clock.now(), extra);
  if (!result.won) return { ...result, published: false };
  const fields = { correlationId, state: outcome.state, eventId: outcome.event.eventId, ...(outcome.state === WorkflowState.failed ? { ...outcome.failure } : {}) };
  deps.logger.info(`workflow ${correlationId} ${outcome.state}${outcome.state === WorkflowState.failed ? ` at ${outcome.failure.step}` : ''}`, fields);
  // Not marked published here: the notification consumer's claim marks it, in a write it makes anyway.
  return { ...result, published: await publishTerminal(deps, correlationId, outcome.event, { mark: false }) };
}

/**
 * Hands a stored terminal event to the bus; false (and a log line) on failure. `mark` (the relay)
 * also records the publication, so a notification consumer that is down is not re-sent it forever.
 */
export async function publishTerminal(deps: TerminalDeps, correlationId: string, event: TerminalOutcome['event'], options: { mark: boolean } = { mark: true }): Promise<boolean> {
  try {
    await deps.bus.publish([event]);
  } catch (error) {
    deps.logger.error(`workflow ${correlationId}: publishing ${event.type} failed; the sweeper will re-publish it`, {
      correlationId,
      eventId: event.eventId,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
  if (options.mark) await deps.store.markTerminalPublished(correlationId, deps.clock.now());
  return true;
}

/**
 * A workflow whose planned orders all executed: its WorkflowCompleted and the execution step's result,
 * built alike by the execution step (fills at once) and the sweeper (fills that came later).
 */
export function completion(
  record: Pick<WorkflowRecord, 'correlationId' | 'startedAt'>,
  orders: readonly ExecutedOrder[],
  causationId: string,
  producer: string,
  at: Date,
): { event: EventOf<typeof EventType.workflowCompleted>; result: StepResult } {
  const traded = toDecimalString(valueTraded(orders));
  const event = makeEvent(
    EventType.workflowCompleted,
    { correlationId: record.correlationId, causationId, producer, occurredAt: at },
    { ordersExecuted: orders.length, valueTraded: traded, startedAt: record.startedAt.toISOString(), durationMs: Math.max(0, at.getTime() - record.startedAt.getTime()) },
  );
  return { event, result: { completedAt: at, summary: { ordersExecuted: orders.length, valueTraded: traded } } };
}

export function failedEvent(record: WorkflowRecord, failure: Failure, causationId: string, producer: string, at: Date): EventOf<typeof EventType.workflowFailed> {
  return makeEvent(
    EventType.workflowFailed,
    { correlationId: record.correlationId, causationId, producer, occurredAt: at },
    {
      step: failure.step,
      reason: failure.reason,
      errorCode: failure.errorCode,
      startedAt: record.startedAt.toISOString(),
      durationMs: Math.max(0, at.getTime() - record.startedAt.getTime()),
    },
  );
}

export async function failWorkflow(deps: TerminalDeps, record: WorkflowRecord, failure: Failure, causationId: string, producer: string): Promise<FinishAndPublishResult> {
  const event = failedEvent(record, failure, causationId, producer, deps.clock.now());
  return finishAndPublish(deps, record.correlationId, { state: WorkflowState.failed, failure, event });
}

/** The step a workflow is waiting on: the first one without a recorded result. */
export function pendingStep(record: WorkflowRecord): Step {
  if (record.steps.strategy === undefined) return 'strategy';
  if (record.steps.portfolio === undefined) return 'portfolio';
  return 'execution';
}
