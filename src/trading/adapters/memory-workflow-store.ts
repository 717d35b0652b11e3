/**
 * The workflow store in memory, with the same decisions as the DynamoDB adapter: every operation
 * reads and writes synchronously (one atomic step between awaits, like one conditional write), and
 * every record crosses the boundary as a copy, so callers cannot share state through it.
 */
import { randomUUID } from 'node:crypto';
import {
  ClaimOutcome,
  DEFAULT_LIST_LIMIT,
  DEFAULT_TTL_DAYS,
  ttlFrom,
  WorkflowState,
  type ClaimKey,
  type ClaimResult,
  type CreateWorkflowInput,
  type ExecutedOrder,
  type FinishResult,
  type HeldClaim,
  type OpenOrder,
  type OrderTally,
  type StepExtra,
  type StepResult,
  type TerminalOutcome,
  type WorkflowQuery,
  type WorkflowRecord,
  type WorkflowStore,
} from '../ports/workflow-store.ts';
import type { Step } from '../domain/events.ts';

interface ClaimItem {
  status: 'claimed' | 'done';
  token: string;
  leaseUntil: number;
  attempts: number;
  outcome?: ClaimOutcome;
}

export interface MemoryWorkflowStoreOptions {
  ttlDays?: number;
  newToken?: () => string;
}

export class MemoryWorkflowStore implements WorkflowStore {
  private readonly workflows = new Map<string, WorkflowRecord>();
  private readonly claims = new Map<string, ClaimItem>();
  private readonly ttlDays: number;
  private readonly newToken: () => string;

  constructor(options: MemoryWorkflowStoreOptions = {}) {
    this.ttlDays = options.ttlDays ?? DEFAULT_TTL_DAYS;
    this.newToken = options.newToken ?? randomUUID;
  }

  async create(input: CreateWorkflowInput): Promise<{ created: boolean; record: WorkflowRecord }> {
    const existing = this.workflows.get(input.correlationId);
    if (existing !== undefined) return { created: false, record: structuredClone(existing) };
    const record: WorkflowRecord = {
      correlationId: input.correlationId,
      state: WorkflowState.running,
      params: structuredClone(input.params),
      startedAt: new Date(input.startedAt),
      updatedAt: new Date(input.startedAt),
      steps: {},
      orders: [],
      openOrders: [],
      expiresAt: ttlFrom(input.startedAt, this.ttlDays),
    };
    this.workflows.set(input.correlationId, record);
    return { created: true, record: structuredClone(record) };
  }

  async get(correlationId: string): Promise<WorkflowRecord | undefined> {
    const record = this.workflows.get(correlationId);
    return record === undefined ? undefined : structuredClone(record);
  }

  async recordStep(correlationId: string, step: Step, result: StepResult, extra: StepExtra = {}): Promise<boolean> {
    const record = this.workflows.get(correlationId);
    if (record?.state !== WorkflowState.running) return false;
    record.steps[step] = structuredClone(result);
    if (extra.expectedOrders !== undefined) record.expectedOrders = extra.expectedOrders;
    if (extra.plan !== undefined) record.plan = structuredClone(extra.plan);
    record.updatedAt = new Date(result.completedAt);
    return true;
  }

  async recordExecutedOrder(correlationId: string, order: ExecutedOrder): Promise<OrderTally> {
    const record = this.workflows.get(correlationId);
    if (record?.state !== WorkflowState.running) return tallyOf(record, false);
    if (!record.orders.some((o) => o.clientOrderId === order.clientOrderId)) {
      record.orders.push(structuredClone(order));
      record.orders.sort(byPlanPosition);
      record.updatedAt = new Date(order.executedAt);
    }
    record.openOrders = record.openOrders.filter((o) => o.clientOrderId !== order.clientOrderId);
    return tallyOf(record, true);
  }

  async recordOpenOrder(correlationId: string, order: OpenOrder): Promise<OrderTally> {
    const record = this.workflows.get(correlationId);
    if (record?.state !== WorkflowState.running) return tallyOf(record, false);
    if (!record.orders.some((o) => o.clientOrderId === order.clientOrderId)) {
      record.openOrders = [...record.openOrders.filter((o) => o.clientOrderId !== order.clientOrderId), structuredClone(order)].sort(byPlanPosition);
      record.updatedAt = new Date(order.updatedAt);
    }
    return tallyOf(record, true);
  }

  async finish(correlationId: string, outcome: TerminalOutcome, at: Date): Promise<FinishResult> {
    const record = this.workflows.get(correlationId);
    if (record === undefined) return { won: false, record: undefined };
    if (record.state !== WorkflowState.running) return { won: false, record: structuredClone(record) };
    record.state = outcome.state;
    record.finishedAt = new Date(at);
    record.updatedAt = new Date(at);
    record.terminalEvent = structuredClone(outcome.event);
    if (outcome.state === WorkflowState.failed) record.failure = { ...outcome.failure };
    return { won: true, record: structuredClone(record) };
  }

  async markTerminalPublished(correlationId: string, at: Date): Promise<void> {
    const record = this.workflows.get(correlationId);
    if (record?.terminalEvent !== undefined && record.terminalPublishedAt === undefined) record.terminalPublishedAt = new Date(at);
  }

  async claimEvent(key: ClaimKey, at: Date, leaseMs: number): Promise<ClaimResult> {
    const id = claimId(key);
    const existing = this.claims.get(id);
    const now = at.getTime();
    if (existing?.status === 'done') return { status: 'done', outcome: existing.outcome ?? ClaimOutcome.succeeded };
    if (existing !== undefined && existing.leaseUntil > now) return { status: 'held', leaseUntil: new Date(existing.leaseUntil) };
    const token = this.newToken();
    const attempts = (existing?.attempts ?? 0) + 1;
    this.claims.set(id, { status: 'claimed', token, leaseUntil: now + leaseMs, attempts });
    return { status: 'claimed', claim: { ...key, token }, attempt: attempts };
  }

  async completeClaim(claim: HeldClaim, outcome: ClaimOutcome, _at: Date): Promise<void> {
    const item = this.claims.get(claimId(claim));
    // A claim that was re-taken after its lease expired belongs to the newer delivery now.
    if (item?.token !== claim.token) return;
    item.status = 'done';
    item.outcome = outcome;
  }

  async releaseClaim(claim: HeldClaim): Promise<void> {
    const id = claimId(claim);
    const item = this.claims.get(id);
    if (item?.token === claim.token && item.status === 'claimed') this.claims.delete(id);
  }

  async list(query: WorkflowQuery = {}): Promise<WorkflowRecord[]> {
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    return [...this.workflows.values()]
      .filter(
        (r) =>
          (query.state === undefined || r.state === query.state) &&
          (query.startedAfter === undefined || r.startedAt.getTime() > query.startedAfter.getTime()) &&
          (query.startedBefore === undefined || r.startedAt.getTime() < query.startedBefore.getTime()),
      )
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.correlationId.localeCompare(a.correlationId))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  /** What DynamoDB's TTL does eventually: drops records (and their claims) past `expiresAt`. */
  purgeExpired(now: Date): number {
    let purged = 0;
    for (const [id, record] of this.workflows) {
      if (record.expiresAt.getTime() > now.getTime()) continue;
      this.workflows.delete(id);
      purged += 1;
      for (const key of [...this.claims.keys()]) if (key.startsWith(`${id}\u001f`)) this.claims.delete(key);
    }
    return purged;
  }
}

function tallyOf(record: WorkflowRecord | undefined, accepted: boolean): OrderTally {
  return { accepted, executed: record?.orders.length ?? 0, open: record?.openOrders.length ?? 0, expected: record?.expectedOrders, orders: structuredClone(record?.orders ?? []) };
}

function claimId(key: ClaimKey): string {
  return `${key.correlationId}\u001f${key.consumer}\u001f${key.eventId}`;
}

export function byPlanPosition(a: Pick<ExecutedOrder, 'orderIndex' | 'clientOrderId'>, b: Pick<ExecutedOrder, 'orderIndex' | 'clientOrderId'>): number {
  return a.orderIndex - b.orderIndex || a.clientOrderId.localeCompare(b.clientOrderId);
}
