/**
 * Starting a workflow: create the RUNNING record, publish WorkflowStarted, return the correlation id.
 * Nothing waits for the outcome; the notification step reports it and `workflowStatus` reads it.
 *
 * Idempotent per correlation id: a second start of a RUNNING workflow re-publishes the same
 * WorkflowStarted (same deterministic event id, so consumers skip it if they saw it), which also
 * heals a start that crashed between the two writes. A finished workflow is left alone.
 */
import { randomBytes } from 'node:crypto';
import { clipText } from '../../clip-text.ts';
import type { EventBus } from '../ports/bus.ts';
import { makeEvent } from './event-factory.ts';
import { correlationIdSchema, EventType, workflowParamsSchema, type EventOf, type WorkflowParams } from './events.ts';
import type { Clock } from './step-handler.ts';
import { InvalidEventError, zodIssues } from './trading-errors.ts';
import { WorkflowState, type WorkflowRecord, type WorkflowStore } from '../ports/workflow-store.ts';

export interface StartDeps {
  store: WorkflowStore;
  bus: EventBus;
  clock: Clock;
  /** Random suffix of generated ids; tests pin it. */
  randomSuffix?: () => string;
}

export interface StartRequest {
  params: WorkflowParams;
  /** Default: `wf-<UTC timestamp>-<random>`. */
  correlationId?: string;
}

export interface StartResult {
  correlationId: string;
  /** False when a workflow with this id already existed. */
  created: boolean;
  /** The state it was in when this call returned. */
  state: WorkflowState;
  /** Whether WorkflowStarted was (re-)published by this call. */
  published: boolean;
}

export async function startWorkflow(deps: StartDeps, request: StartRequest): Promise<StartResult> {
  const now = deps.clock.now();
  const params = workflowParamsSchema.safeParse(request.params);
  if (!params.success) throw new InvalidEventError('the workflow parameters', zodIssues(params.error), { cause: params.error });
  const correlationId = request.correlationId ?? newCorrelationId(now, deps.randomSuffix);
  const checkedId = correlationIdSchema.safeParse(correlationId);
  if (!checkedId.success) throw new InvalidEventError(`correlation id "${clipText(correlationId)}"`, zodIssues(checkedId.error), { cause: checkedId.error });

  const { created, record } = await deps.store.create({ correlationId, params: params.data, startedAt: now });
  if (record.state !== WorkflowState.running) return { correlationId, created, state: record.state, published: false };
  await deps.bus.publish([startedEvent(record)]);
  return { correlationId, created, state: record.state, published: true };
}

/** A workflow's WorkflowStarted, rebuilt from its record: the same id every time (the relay re-sends it). */
export function startedEvent(record: Pick<WorkflowRecord, 'correlationId' | 'startedAt' | 'params'>): EventOf<typeof EventType.workflowStarted> {
  return makeEvent(EventType.workflowStarted, { correlationId: record.correlationId, causationId: record.correlationId, producer: 'starter', occurredAt: record.startedAt }, record.params);
}

export function newCorrelationId(now: Date, randomSuffix: () => string = () => randomBytes(4).toString('hex')): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `wf-${stamp}-${randomSuffix()}`;
}
