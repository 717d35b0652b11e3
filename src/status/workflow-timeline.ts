/**
 * One workflow run as the status page shows it (issue 17): every event it produced, as a causation
 * tree with offsets from the start, and how long each step took. Pure: everything comes from the
 * stored record (WorkflowStarted rebuilt, the steps' outboxes, TradeExecuted rebuilt from the executed
 * orders, the terminal event), never from a bus, because the record is what survives the Lambdas that
 * handled the run; `now` is a parameter.
 *
 * An event whose cause is not among them (an outbox written by a step whose input event is not
 * stored) is still shown, at the top level and marked `orphan`, rather than dropped.
 */
import { describeEvent } from '../trading/domain/describe-event.ts';
import { Step, type WorkflowEvent } from '../trading/domain/events.ts';
import { executedTradeEvents } from '../trading/domain/executed-trades.ts';
import { startedEvent } from '../trading/domain/start-workflow.ts';
import { WorkflowState, type Failure, type WorkflowRecord } from '../trading/ports/workflow-store.ts';

export interface TimelineEvent {
  eventId: string;
  type: WorkflowEvent['type'];
  occurredAt: string;
  /** From the workflow's start. */
  offsetMs: number;
  causationId: string;
  /** 0 for a root; a child is one deeper than the event that caused it. */
  depth: number;
  /** The cause is neither the run itself nor an event of the run. */
  orphan?: true;
  summary: string;
}

export const TIMED_STEPS = [Step.strategy, Step.portfolio, Step.execution] as const;
export type TimedStep = (typeof TIMED_STEPS)[number];

export interface StepTiming {
  step: TimedStep;
  completedAt?: string;
  /** From the previous completed step (or the start) to this one's completion. */
  durationMs?: number;
}

export interface WorkflowTimeline {
  correlationId: string;
  state: WorkflowState;
  startedAt: string;
  finishedAt?: string;
  /** To the finish, or to `now` while RUNNING. */
  durationMs: number;
  failure?: Failure;
  /** Depth-first by causation, siblings by time. */
  events: TimelineEvent[];
  steps: StepTiming[];
}

/** Every event of the run once, by time, a cause before its effects when they share an instant. */
export function workflowEvents(record: WorkflowRecord): WorkflowEvent[] {
  const byId = new Map<string, WorkflowEvent>();
  const add = (event: WorkflowEvent) => {
    if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  };
  add(startedEvent(record));
  for (const step of Object.values(Step)) for (const event of record.outbox[step] ?? []) add(event);
  // Fills are published without an outbox; the record keeps them as executed orders.
  for (const event of executedTradeEvents(record)) add(event);
  if (record.terminalEvent !== undefined) add(record.terminalEvent);
  const events = [...byId.values()];
  const depth = depthsOf(events);
  return events.sort((a, b) => timeOf(a) - timeOf(b) || (depth.get(a.eventId) ?? 0) - (depth.get(b.eventId) ?? 0) || compare(a.eventId, b.eventId));
}

export function buildWorkflowTimeline(record: WorkflowRecord, now: Date): WorkflowTimeline {
  const start = record.startedAt.getTime();
  const end = record.state === WorkflowState.running ? now.getTime() : (record.finishedAt ?? record.updatedAt).getTime();
  return {
    correlationId: record.correlationId,
    state: record.state,
    startedAt: record.startedAt.toISOString(),
    ...(record.finishedAt !== undefined ? { finishedAt: record.finishedAt.toISOString() } : {}),
    durationMs: Math.max(0, end - start),
    ...(record.failure !== undefined ? { failure: record.failure } : {}),
    events: causationOrder(workflowEvents(record), start),
    steps: stepTimings(record),
  };
}

/** Depth-first from each root; children by time. Events caught in a causation loop end as orphans. */
function causationOrder(events: readonly WorkflowEvent[], start: number): TimelineEvent[] {
  const ids = new Set(events.map((e) => e.eventId));
  const children = new Map<string, WorkflowEvent[]>();
  const roots: WorkflowEvent[] = [];
  for (const event of events) {
    if (ids.has(event.causationId) && event.causationId !== event.eventId) {
      const siblings = children.get(event.causationId) ?? [];
      siblings.push(event);
      children.set(event.causationId, siblings);
    } else roots.push(event);
  }
  const out: TimelineEvent[] = [];
  const seen = new Set<string>();
  const visit = (event: WorkflowEvent, depth: number) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    const orphan = depth === 0 && event.causationId !== event.correlationId;
    out.push({
      eventId: event.eventId,
      type: event.type,
      occurredAt: event.occurredAt,
      offsetMs: timeOf(event) - start,
      causationId: event.causationId,
      depth,
      ...(orphan ? { orphan: true as const } : {}),
      summary: describeEvent(event),
    });
    for (const child of byTime(children.get(event.eventId) ?? [])) visit(child, depth + 1);
  };
  for (const root of byTime(roots)) visit(root, 0);
  for (const event of byTime(events)) visit(event, 0);
  return out;
}

function stepTimings(record: WorkflowRecord): StepTiming[] {
  let previous = record.startedAt.getTime();
  return TIMED_STEPS.map((step) => {
    const result = record.steps[step];
    if (result === undefined) return { step };
    const completed = result.completedAt.getTime();
    const timing = { step, completedAt: result.completedAt.toISOString(), durationMs: Math.max(0, completed - previous) };
    previous = completed;
    return timing;
  });
}

/** Causal depth of each event (0 when its cause is not in the list); a loop stops at the revisit. */
function depthsOf(events: readonly WorkflowEvent[]): Map<string, number> {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const depths = new Map<string, number>();
  const depthOf = (event: WorkflowEvent, trail: Set<string>): number => {
    const known = depths.get(event.eventId);
    if (known !== undefined) return known;
    const cause = byId.get(event.causationId);
    const depth = cause === undefined || trail.has(cause.eventId) ? 0 : depthOf(cause, trail.add(event.eventId)) + 1;
    depths.set(event.eventId, depth);
    return depth;
  };
  for (const event of events) depthOf(event, new Set());
  return depths;
}

function byTime(events: readonly WorkflowEvent[]): WorkflowEvent[] {
  return [...events].sort((a, b) => timeOf(a) - timeOf(b) || compare(a.eventId, b.eventId));
}

function timeOf(event: WorkflowEvent): number {
  return Date.parse(event.occurredAt);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
