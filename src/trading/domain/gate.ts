/**
 * The gate every step handler runs behind, in Lambda and in memory alike. Per delivery:
 *
 * 1. Claim (consumer, eventId) in the store, in one conditional write that also checks the workflow's
 *    state and returns the record. Unknown → skip. Not RUNNING → skip with one log line
 *    (`skipped: workflow <id> already FAILED at portfolio`); the notification consumer is the
 *    exception: it only runs once the workflow has finished. Already done → skip (a duplicate
 *    delivery). Held by a live claim → `deferred` (the Lambda shell throws so Lambda retries later; if
 *    the holder died, its lease has expired by then and the retry runs the handler again).
 * 2. Run the handler. Its result, the events it emits (the outbox) and the claim's completion are one
 *    write, conditional on RUNNING, made before anything is published: a handler overtaken by a
 *    failure publishes nothing, and a process that dies after the write loses nothing (the sweeper
 *    re-publishes outbox events no consumer claimed). A run that finishes the workflow completes its
 *    claim in the terminal transition's write.
 * 3. A handler error fails the workflow: one conditional write to FAILED (step, reason, code), and
 *    only the winner publishes WorkflowFailed. Transient infrastructure errors instead release the
 *    claim and propagate, for a retry.
 */
import type { EventBus } from '../ports/bus.ts';
import { EventType, type WorkflowEvent } from './events.ts';
import type { Clock, StepHandler, StepOutput } from './step-handler.ts';
import { failWorkflow, finishAndPublish } from './terminal.ts';
import { errorCodeOf, isTransient, reasonOf } from './trading-errors.ts';
import type { WorkflowLogger } from '../ports/workflow-logger.ts';
import { ClaimOutcome, WorkflowState, type HeldClaim, type WorkflowRecord, type WorkflowStore } from '../ports/workflow-store.ts';

/** Longer than any handler may run (the step Lambdas time out at 60 s), shorter than Lambda's first retry. */
export const DEFAULT_LEASE_MS = 90_000;

export interface GateDeps {
  store: WorkflowStore;
  bus: EventBus;
  clock: Clock;
  logger: WorkflowLogger;
  leaseMs?: number;
}

export const SkipReason = {
  notConsumed: 'not-consumed',
  unknownWorkflow: 'unknown-workflow',
  finished: 'finished',
  notFinished: 'not-finished',
  duplicate: 'duplicate',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export type DeliveryOutcome =
  | { status: 'handled'; consumer: string; published: number; completed: boolean }
  | { status: 'skipped'; consumer: string; reason: SkipReason; message: string }
  | { status: 'deferred'; consumer: string; leaseUntil: Date }
  | { status: 'failed'; consumer: string; errorCode: string; won: boolean };

export type GatedHandler = ((event: WorkflowEvent) => Promise<DeliveryOutcome>) & { readonly consumer: string; readonly consumes: readonly EventType[] };

export function gate(handler: StepHandler, deps: GateDeps): GatedHandler {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const consumer = handler.name;
  const consumes: readonly EventType[] = handler.consumes;

  const skip = (event: WorkflowEvent, reason: SkipReason, message: string, extra: Record<string, unknown> = {}): DeliveryOutcome => {
    deps.logger.info(message, { correlationId: event.correlationId, eventId: event.eventId, eventType: event.type, consumer, skipReason: reason, ...extra });
    return { status: 'skipped', consumer, reason, message };
  };

  const deliver = async (event: WorkflowEvent): Promise<DeliveryOutcome> => {
    if (!consumes.includes(event.type)) return { status: 'skipped', consumer, reason: SkipReason.notConsumed, message: `${consumer} does not consume ${event.type}` };
    const id = event.correlationId;
    const claimed = await deps.store.claimDelivery({ consumer, eventId: event.eventId, correlationId: id }, deps.clock.now(), leaseMs, requiredState(handler, event));
    switch (claimed.status) {
      case 'unknown':
        return skip(event, SkipReason.unknownWorkflow, `skipped: workflow ${id} is not in the store`);
      case 'state': {
        const record = claimed.record;
        const problem = stateMismatch(handler, record, event);
        return skip(event, problem.reason, problem.message, { state: record.state, ...(record.failure ? { failureStep: record.failure.step } : {}) });
      }
      case 'done':
        return skip(event, SkipReason.duplicate, `skipped: event ${event.eventId} (${event.type}) of workflow ${id} already processed by ${consumer}`);
      case 'held':
        deps.logger.info(`deferred: event ${event.eventId} (${event.type}) of workflow ${id} is being processed by another ${consumer} delivery`, {
          correlationId: id,
          eventId: event.eventId,
          consumer,
          leaseUntil: claimed.leaseUntil.toISOString(),
        });
        return { status: 'deferred', consumer, leaseUntil: claimed.leaseUntil };
      case 'claimed':
        if (claimed.attempt > 1) deps.logger.warn(`re-running ${consumer} for event ${event.eventId}: an earlier claim expired unfinished`, { correlationId: id, attempt: claimed.attempt });
        return run(event, claimed.record, claimed.claim);
    }
  };

  const run = async (event: WorkflowEvent, record: WorkflowRecord, claim: HeldClaim): Promise<DeliveryOutcome> => {
    let published = 0;
    let output: StepOutput;
    try {
      output = await handler.run(event, {
        record,
        store: deps.store,
        now: () => deps.clock.now(),
        publish: async (events) => {
          await deps.bus.publish(events);
          published += events.length;
        },
      });
    } catch (error) {
      if (handler.runsWhen === 'finished' || isTransient(error)) {
        await deps.store.releaseClaim(claim);
        throw error;
      }
      const failure = { step: handler.step, reason: reasonOf(error), errorCode: errorCodeOf(error) };
      deps.logger.error(`${consumer} failed for workflow ${record.correlationId}: ${failure.reason}`, { correlationId: record.correlationId, eventId: event.eventId, consumer, ...failure });
      const result = await failWorkflow(deps, record, failure, event.eventId, handler.step);
      await deps.store.completeClaim(claim, ClaimOutcome.failed, deps.clock.now());
      return { status: 'failed', consumer, errorCode: failure.errorCode, won: result.won };
    }

    try {
      if (output.halted !== undefined) {
        await deps.store.completeClaim(claim, ClaimOutcome.skipped, deps.clock.now());
        return skip(event, SkipReason.finished, `stopped: ${output.halted}`);
      }
      // The claim is completed by the run's last write: the terminal transition, or the step's result.
      let claimDone = false;
      if (output.result !== undefined && output.complete === undefined) {
        const extra = {
          ...(output.expectedOrders !== undefined ? { expectedOrders: output.expectedOrders } : {}),
          ...(output.plan !== undefined ? { plan: output.plan } : {}),
          ...(output.emit.length > 0 ? { outbox: output.emit } : {}),
          claim,
        };
        const recorded = await deps.store.recordStep(record.correlationId, handler.step, output.result, extra);
        if (!recorded) return await discarded(event, record.correlationId, claim);
        claimDone = true;
      }
      if (output.emit.length > 0) {
        await deps.bus.publish(output.emit);
        published += output.emit.length;
      }
      let completed = false;
      if (output.complete !== undefined) {
        const step = output.result !== undefined ? { result: { step: handler.step, result: output.result } } : {};
        const finished = await finishAndPublish(deps, record.correlationId, { state: WorkflowState.completed, event: output.complete }, { ...step, claim });
        completed = finished.won;
        claimDone = finished.won;
        if (finished.published) published += 1;
        if (!finished.won && output.result !== undefined) return await discarded(event, record.correlationId, claim);
      }
      if (!claimDone) await deps.store.completeClaim(claim, ClaimOutcome.succeeded, deps.clock.now());
      return { status: 'handled', consumer, published, completed };
    } catch (error) {
      // Recording or publishing failed: give the event back so a retry redoes the (idempotent) work.
      await deps.store.releaseClaim(claim).catch(() => undefined);
      throw error;
    }
  };

  /** The workflow left RUNNING while the handler ran: its result was not recorded. */
  const discarded = async (event: WorkflowEvent, id: string, claim: HeldClaim): Promise<DeliveryOutcome> => {
    await deps.store.completeClaim(claim, ClaimOutcome.skipped, deps.clock.now());
    const now = await deps.store.get(id);
    return skip(event, SkipReason.finished, `skipped: workflow ${id} ${describeState(now)} while ${consumer} ran; its result was discarded`);
  };

  return Object.assign(deliver, { consumer, consumes });
}

/** The state a delivery needs: RUNNING for the steps, the event's own terminal state for the notification. */
function requiredState(handler: StepHandler, event: WorkflowEvent): WorkflowState {
  if (handler.runsWhen === 'running') return WorkflowState.running;
  return event.type === EventType.workflowCompleted ? WorkflowState.completed : WorkflowState.failed;
}

function stateMismatch(handler: StepHandler, record: WorkflowRecord, event: WorkflowEvent): { reason: SkipReason; message: string } {
  const id = record.correlationId;
  if (handler.runsWhen === 'running') return { reason: SkipReason.finished, message: `skipped: workflow ${id} ${describeState(record)}` };
  return { reason: SkipReason.notFinished, message: `skipped: ${event.type} for workflow ${id}, which is ${record.state}` };
}

/** "already FAILED at portfolio", "already COMPLETED". */
export function describeState(record: WorkflowRecord | undefined): string {
  if (record === undefined) return 'no longer exists';
  if (record.state === WorkflowState.failed) return `already FAILED at ${record.failure?.step ?? 'an unknown step'}`;
  return `already ${record.state}`;
}
