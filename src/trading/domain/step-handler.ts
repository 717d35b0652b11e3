/**
 * What a step handler is: domain logic for one event type behind ports, with no knowledge of
 * delivery. The gate (src/trading/domain/gate.ts) decides whether it runs, records its result, publishes
 * what it emits and turns its errors into a failed workflow.
 */
import type { EventOf, EventType, Step, WorkflowEvent } from './events.ts';
import type { StepResult, WorkflowPlan, WorkflowRecord, WorkflowStore } from '../ports/workflow-store.ts';

export interface Clock {
  now(): Date;
}

export interface StepContext {
  /** The workflow as the gate read it just before the run. */
  record: WorkflowRecord;
  store: WorkflowStore;
  now: () => Date;
  /** Publishes at once (the execution step reports each fill as it happens). */
  publish: (events: readonly WorkflowEvent[]) => Promise<void>;
}

export interface StepOutput {
  /** Stored (conditionally on RUNNING) before anything in `emit` is published. */
  result?: StepResult;
  /** Orders in the plan; stored with the result so completion can be counted in the store. */
  expectedOrders?: number;
  /** The plan (planned orders, skipped trades); stored with the result, in the same write. */
  plan?: WorkflowPlan;
  emit: WorkflowEvent[];
  /** The run found every planned order executed: the gate attempts the RUNNING → COMPLETED write. */
  complete?: EventOf<typeof EventType.workflowCompleted>;
  /** The workflow stopped RUNNING under the handler's feet; nothing more was done. */
  halted?: string;
}

/**
 * `runsWhen: 'running'` handlers drive the workflow and are skipped once it finished; the
 * notification handler is the one `'finished'` consumer: it reacts to the terminal event.
 */
export interface StepHandler<T extends EventType = EventType> {
  /** The consumer name: dedup claims and log lines are per consumer. */
  readonly name: string;
  /** The step a failure of this handler is attributed to. */
  readonly step: Step;
  readonly consumes: readonly T[];
  readonly runsWhen: 'running' | 'finished';
  run(event: EventOf<T>, ctx: StepContext): Promise<StepOutput>;
}
