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
  type Delivery,
  type ExecutedOrder,
  type FinishExtra,
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
  /** Claims per workflow, by `consumer\u001feventId` (in DynamoDB they live in the workflow item). */
  private readonly claims = new Map<string, Map<string, ClaimItem>>();
  private readonly ttlDays: number;
  private readonly newToken: () => string;

  constructor(options: MemoryWorkflowStoreOptions = {}) {
    this.ttlDays = options.ttlDays ?? DEFAULT_TTL_DAYS;
    this.newToken = options.newToken ?? randomUUID;
  }

  async create(input: CreateWorkflowInput): Promise<{ created: boolean; record: WorkflowRecord }> {
    const existing = this.workflows.get(input.correlationId);
    if (existing !== undefined) return { created: false, record: this.snapshot(existing) };
    const record: WorkflowRecord = {
      correlationId: input.correlationId,
      state: WorkflowState.running,
      params: structuredClone(input.params),
      startedAt: new Date(input.startedAt),
      updatedAt: new Date(input.startedAt),
      steps: {},
      orders: [],
      openOrders: [],
      outbox: {},
      deliveries: [],
      expiresAt: ttlFrom(input.startedAt, this.ttlDays),
    };
    this.workflows.set(input.correlationId, record);
    this.claims.set(input.correlationId, new Map());
    return { created: true, record: this.snapshot(record) };
  }

  async get(correlationId: string): Promise<WorkflowRecord | undefined> {
    const record = this.workflows.get(correlationId);
    return record === undefined ? undefined : this.snapshot(record);
  }

  async recordStep(correlationId: string, step: Step, result: StepResult, extra: StepExtra = {}): Promise<boolean> {
    const record = this.workflows.get(correlationId);
    if (record?.state !== WorkflowState.running) return false;
    record.steps[step] = structuredClone(result);
    if (extra.expectedOrders !== undefined) record.expectedOrders = extra.expectedOrders;
    if (extra.plan !== undefined) record.plan = structuredClone(extra.plan);
    if (extra.outbox !== undefined) record.outbox[step] = structuredClone([...extra.outbox]);
    record.updatedAt = new Date(result.completedAt);
    if (extra.claim !== undefined) this.markDone(extra.claim, ClaimOutcome.succeeded);
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

  async finish(correlationId: string, outcome: TerminalOutcome, at: Date, extra: FinishExtra = {}): Promise<FinishResult> {
    const record = this.workflows.get(correlationId);
    if (record === undefined) return { won: false, record: undefined };
    if (record.state !== WorkflowState.running) return { won: false, record: this.snapshot(record) };
    record.state = outcome.state;
    record.finishedAt = new Date(at);
    record.updatedAt = new Date(at);
    record.terminalEvent = structuredClone(outcome.event);
    if (outcome.state === WorkflowState.failed) record.failure = { ...outcome.failure };
    if (extra.result !== undefined) record.steps[extra.result.step] = structuredClone(extra.result.result);
    if (extra.claim !== undefined) this.markDone(extra.claim, ClaimOutcome.succeeded);
    return { won: true, record: this.snapshot(record) };
  }

  async markTerminalPublished(correlationId: string, at: Date): Promise<void> {
    const record = this.workflows.get(correlationId);
    if (record?.terminalEvent !== undefined && record.terminalPublishedAt === undefined) record.terminalPublishedAt = new Date(at);
  }

  async claimDelivery(key: ClaimKey, at: Date, leaseMs: number, requiredState?: WorkflowState): Promise<ClaimResult> {
    const record = this.workflows.get(key.correlationId);
    const claims = this.claims.get(key.correlationId);
    if (record === undefined || claims === undefined) return { status: 'unknown' };
    if (requiredState !== undefined && record.state !== requiredState) return { status: 'state', record: this.snapshot(record) };
    const id = claimId(key);
    const existing = claims.get(id);
    const now = at.getTime();
    if (existing?.status === 'done') return { status: 'done', outcome: existing.outcome ?? ClaimOutcome.succeeded, record: this.snapshot(record) };
    if (existing !== undefined && existing.leaseUntil > now) return { status: 'held', leaseUntil: new Date(existing.leaseUntil), record: this.snapshot(record) };
    const token = this.newToken();
    const attempts = (existing?.attempts ?? 0) + 1;
    claims.set(id, { status: 'claimed', token, leaseUntil: now + leaseMs, attempts });
    if (requiredState !== undefined && requiredState !== WorkflowState.running) record.terminalPublishedAt ??= new Date(at);
    return { status: 'claimed', claim: { ...key, token }, attempt: attempts, record: this.snapshot(record) };
  }

  async completeClaim(claim: HeldClaim, outcome: ClaimOutcome, _at: Date): Promise<void> {
    this.markDone(claim, outcome);
  }

  async releaseClaim(claim: HeldClaim): Promise<void> {
    const claims = this.claims.get(claim.correlationId);
    const id = claimId(claim);
    const item = claims?.get(id);
    if (item?.token === claim.token) claims?.delete(id);
  }

  private markDone(claim: HeldClaim, outcome: ClaimOutcome): void {
    const item = this.claims.get(claim.correlationId)?.get(claimId(claim));
    // A claim that was re-taken after its lease expired belongs to the newer delivery now.
    if (item?.token !== claim.token) return;
    item.status = 'done';
    item.outcome = outcome;
  }

  /** A copy of the record with its claims as deliveries: callers never share state with the store. */
  private snapshot(record: WorkflowRecord): WorkflowRecord {
    const deliveries: Delivery[] = [];
    for (const [id, item] of this.claims.get(record.correlationId) ?? []) {
      const [consumer = '', eventId = ''] = id.split('\u001f');
      deliveries.push({ consumer, eventId, status: item.status, ...(item.outcome !== undefined ? { outcome: item.outcome } : {}) });
    }
    return { ...structuredClone(record), deliveries };
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
      .map((r) => this.snapshot(r));
  }

  /** What DynamoDB's TTL does eventually: drops records (and their claims) past `expiresAt`. */
  purgeExpired(now: Date): number {
    let purged = 0;
    for (const [id, record] of this.workflows) {
      if (record.expiresAt.getTime() > now.getTime()) continue;
      this.workflows.delete(id);
      this.claims.delete(id);
      purged += 1;
    }
    return purged;
  }
}

function tallyOf(record: WorkflowRecord | undefined, accepted: boolean): OrderTally {
  return { accepted, executed: record?.orders.length ?? 0, open: record?.openOrders.length ?? 0, expected: record?.expectedOrders, orders: structuredClone(record?.orders ?? []) };
}

function claimId(key: Pick<ClaimKey, 'consumer' | 'eventId'>): string {
  return `${key.consumer}\u001f${key.eventId}`;
}

export function byPlanPosition(a: Pick<ExecutedOrder, 'orderIndex' | 'clientOrderId'>, b: Pick<ExecutedOrder, 'orderIndex' | 'clientOrderId'>): number {
  return a.orderIndex - b.orderIndex || a.clientOrderId.localeCompare(b.clientOrderId);
}
