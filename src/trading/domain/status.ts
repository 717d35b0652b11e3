/**
 * Reading workflows back: one run's status, and the metrics of many (counts by state, durations,
 * failure reasons). Everything comes from the store, so any process can answer.
 */
import type { Step } from './events.ts';
import { toDecimalString } from './money.ts';
import { strategyName } from './strategy.ts';
import { valueTraded } from './summary.ts';
import { WORKFLOW_STATES, WorkflowState, type ExecutedOrder, type Failure, type WorkflowPlan, type WorkflowQuery, type WorkflowRecord, type WorkflowStore } from '../ports/workflow-store.ts';

export interface WorkflowView {
  correlationId: string;
  state: WorkflowState;
  accountId: string;
  asOf: string;
  strategy: string;
  startedAt: string;
  finishedAt?: string;
  /** Finished: start to finish. Running: start to now (its age). */
  durationMs: number;
  failure?: Failure;
  steps: Partial<Record<Step, { completedAt: string; summary: Record<string, string | number | boolean> }>>;
  expectedOrders?: number;
  /** What the portfolio step planned: every order and every skipped trade with its reason. */
  plan?: WorkflowPlan;
  ordersExecuted: number;
  valueTraded: string;
  orders: (Omit<ExecutedOrder, 'executedAt'> & { executedAt: string })[];
  /** Orders the broker accepted but has not finished filling (the sweeper reconciles them). */
  openOrders: { clientOrderId: string; symbol: string; side: 'buy' | 'sell'; quantity: string; filledQuantity: string; status: string; placedAt: string }[];
  terminalEventId?: string;
  terminalPublished: boolean;
  /** On a retry attempt (retry.ts): the original, this attempt's number and the attempt it replaced. */
  retryOf?: { of: string; attempt: number; previous: string };
  /** Every attempt of the original, original first, when there is more than one (filled by retry.ts). */
  attempts?: { correlationId: string; attempt: number; state: WorkflowState }[];
}

export function workflowView(record: WorkflowRecord, now: Date): WorkflowView {
  const end = record.finishedAt ?? now;
  const steps: WorkflowView['steps'] = {};
  for (const [step, result] of Object.entries(record.steps) as [Step, WorkflowRecord['steps'][Step]][]) {
    if (result !== undefined) steps[step] = { completedAt: result.completedAt.toISOString(), summary: result.summary };
  }
  return {
    correlationId: record.correlationId,
    state: record.state,
    accountId: record.params.accountId,
    asOf: record.params.asOf,
    strategy: strategyName(record.params.strategy),
    startedAt: record.startedAt.toISOString(),
    ...(record.finishedAt !== undefined ? { finishedAt: record.finishedAt.toISOString() } : {}),
    durationMs: Math.max(0, end.getTime() - record.startedAt.getTime()),
    ...(record.failure !== undefined ? { failure: record.failure } : {}),
    steps,
    ...(record.expectedOrders !== undefined ? { expectedOrders: record.expectedOrders } : {}),
    ...(record.plan !== undefined ? { plan: record.plan } : {}),
    ordersExecuted: record.orders.length,
    valueTraded: toDecimalString(valueTraded(record.orders)),
    orders: record.orders.map((o) => ({ ...o, executedAt: o.executedAt.toISOString() })),
    openOrders: record.openOrders.map((o) => ({
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filledQuantity,
      status: o.status,
      placedAt: o.placedAt.toISOString(),
    })),
    ...(record.terminalEvent !== undefined ? { terminalEventId: record.terminalEvent.eventId } : {}),
    terminalPublished: record.terminalPublishedAt !== undefined,
    ...(record.params.retry !== undefined ? { retryOf: record.params.retry } : {}),
  };
}

export async function workflowStatus(store: WorkflowStore, correlationId: string, now: Date): Promise<WorkflowView | undefined> {
  const record = await store.get(correlationId);
  return record === undefined ? undefined : workflowView(record, now);
}

export interface DurationStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  maxMs: number;
}

export interface WorkflowMetrics {
  total: number;
  byState: Record<WorkflowState, number>;
  /** Durations of finished workflows, per terminal state. */
  durations: { COMPLETED?: DurationStats; FAILED?: DurationStats };
  /** Most frequent first. */
  failureReasons: { step: Step; errorCode: string; count: number; lastReason: string }[];
  /** Age of the oldest RUNNING workflow: the number a timeout alarm watches. */
  oldestRunningAgeMs?: number;
}

export function workflowMetrics(records: readonly WorkflowRecord[], now: Date): WorkflowMetrics {
  const byState = Object.fromEntries(WORKFLOW_STATES.map((s) => [s, 0])) as Record<WorkflowState, number>;
  const durations: Record<'COMPLETED' | 'FAILED', number[]> = { COMPLETED: [], FAILED: [] };
  const reasons = new Map<string, WorkflowMetrics['failureReasons'][number]>();
  let oldestRunningAgeMs: number | undefined;
  for (const record of records) {
    byState[record.state] += 1;
    switch (record.state) {
      case WorkflowState.running: {
        const age = Math.max(0, now.getTime() - record.startedAt.getTime());
        oldestRunningAgeMs = Math.max(oldestRunningAgeMs ?? 0, age);
        break;
      }
      case WorkflowState.completed:
      case WorkflowState.failed: {
        durations[record.state].push(Math.max(0, (record.finishedAt ?? now).getTime() - record.startedAt.getTime()));
        if (record.failure !== undefined) {
          const key = `${record.failure.step}\u001f${record.failure.errorCode}`;
          const entry = reasons.get(key) ?? { step: record.failure.step, errorCode: record.failure.errorCode, count: 0, lastReason: record.failure.reason };
          entry.count += 1;
          reasons.set(key, entry);
        }
        break;
      }
    }
  }
  const stats = (values: number[]): DurationStats | undefined => {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    return {
      count: sorted.length,
      meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
      p50Ms: sorted[Math.floor((sorted.length - 1) / 2)] as number,
      maxMs: sorted[sorted.length - 1] as number,
    };
  };
  const completed = stats(durations.COMPLETED);
  const failed = stats(durations.FAILED);
  return {
    total: records.length,
    byState,
    durations: { ...(completed ? { COMPLETED: completed } : {}), ...(failed ? { FAILED: failed } : {}) },
    failureReasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.step.localeCompare(b.step) || a.errorCode.localeCompare(b.errorCode)),
    ...(oldestRunningAgeMs !== undefined ? { oldestRunningAgeMs } : {}),
  };
}

export async function listWorkflows(store: WorkflowStore, query: WorkflowQuery, now: Date): Promise<{ workflows: WorkflowView[]; metrics: WorkflowMetrics }> {
  const records = await store.list(query);
  return { workflows: records.map((r) => workflowView(r, now)), metrics: workflowMetrics(records, now) };
}
