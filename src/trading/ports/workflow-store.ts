/**
 * The workflow store port: the single source of truth for every workflow run. Handlers run in
 * whichever process EventBridge picks, so nothing they decide may live in memory; everything goes
 * through these operations, each of which is one atomic (conditional) write in every adapter.
 *
 * Guarantees every adapter keeps (the contract tests in test/unit/trading/workflow-store-contract.ts
 * run against the memory adapter and against DynamoDB on the sandbox):
 *
 * - `create` is idempotent per correlation id: the first call wins, later ones get the existing record.
 * - State moves RUNNING → COMPLETED | FAILED once, by a write conditional on RUNNING. Of two racing
 *   `finish` calls exactly one wins; a finished workflow never changes state, steps or orders again.
 * - `recordStep` and `recordExecutedOrder` are conditional on RUNNING too, so a handler that was
 *   already running when the workflow failed cannot add results after the fact.
 * - The portfolio step's plan (planned orders and skipped trades) is written by `recordStep` in the
 *   same conditional write as the step's result, and replaces any earlier plan: a re-run stores one
 *   plan, never two.
 * - Executed orders are a map keyed by client order id: recording one twice is a no-op, so the count
 *   that decides completion is right under redelivery and re-runs.
 * - Open orders (accepted by the broker, not final yet) are a second map keyed by client order id,
 *   written only while RUNNING and never for an order already executed; recording the execution
 *   removes the open entry in the same write. An order is open or executed, never both.
 * - `recordExecutedOrder` and `recordOpenOrder` answer the tally after their write (executed, open,
 *   expected and the executed orders), so whoever's write completes the count can complete the
 *   workflow without reading it again.
 * - Event claims (the dedup): `claimDelivery` is one conditional write that succeeds when the workflow
 *   is in the state the consumer needs and the (consumer, event) pair was never claimed, or a previous
 *   claim's lease ran out without being completed; it returns the record, so a delivery costs one
 *   call to decide. Claims live with the workflow (DynamoDB: a map in the workflow item), which is
 *   what lets one write both check the state and claim.
 *   A claim is completed (never runs again), or released when the handler could not finish for a
 *   reason that a retry may cure. A process that dies mid-handler leaves its claim held until the
 *   lease expires; the next delivery (EventBridge/Lambda retry) then runs the handler again. Handlers
 *   are written to be safe to re-run: deterministic event ids, deterministic client order ids.
 * - A step's emitted events are stored with its result (`StepExtra.outbox`), in the same write that
 *   completes its claim; the sweeper re-publishes any that no consumer claimed (the outbox relay), so
 *   a process that dies between that write and the publish loses nothing. The terminal event is
 *   stored with the transition the same way, and `terminalPublishedAt` is set when the notification
 *   consumer claims it (delivery proves publication) or the relay re-publishes it.
 */
import type { EventOf, EventType, Step, TerminalEvent, WorkflowEvent, WorkflowParams } from '../domain/events.ts';

export const WorkflowState = { running: 'RUNNING', completed: 'COMPLETED', failed: 'FAILED' } as const;
export type WorkflowState = (typeof WorkflowState)[keyof typeof WorkflowState];
export const WORKFLOW_STATES: readonly WorkflowState[] = Object.values(WorkflowState);

export const DEFAULT_TTL_DAYS = 30;

export interface Failure {
  step: Step;
  reason: string;
  errorCode: string;
}

export interface StepResult {
  completedAt: Date;
  /** Small facts for status and email (counts, totals as decimal strings); never a whole payload. */
  summary: Record<string, string | number | boolean>;
}

/** One order of the portfolio step's plan, as planned (before any fill). */
export interface PlanOrder {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  /** The reference price the plan was computed with (the as-of close). */
  price: string;
  notional: string;
  /** Position in the plan (sells first, then buys). */
  orderIndex: number;
}

/** A planned order once filled: the broker's id, the fill price (in `price`) and when. */
export interface ExecutedOrder extends PlanOrder {
  brokerOrderId: string;
  executedAt: Date;
}

/**
 * A planned order the broker accepted but has not filled in full: the sweeper asks the broker about
 * it until it is final. `filledQuantity` and `averagePrice` are the progress seen last.
 */
export interface OpenOrder extends PlanOrder {
  brokerOrderId: string;
  status: 'pending' | 'partially_filled';
  filledQuantity: string;
  averagePrice?: string;
  /** The RebalancePlanned event id the order was placed for: its TradeExecuted id derives from it. */
  causationId: string;
  placedAt: Date;
  updatedAt: Date;
}

/** A trade the planner decided not to place, and why (below the minimum, not fractionable, …). */
export interface PlanSkip {
  symbol: string;
  side: 'buy' | 'sell';
  notional: string;
  reason: string;
}

/** What the portfolio step planned, kept for audit. */
export interface WorkflowPlan {
  orders: PlanOrder[];
  skipped: PlanSkip[];
}

/** Written with a step's result, in the same conditional write. */
export interface StepExtra {
  expectedOrders?: number;
  plan?: WorkflowPlan;
  /** The events the step emits, stored before they are published (the outbox the sweeper relays). */
  outbox?: readonly WorkflowEvent[];
  /** Completed (succeeded) in the same write: the step's result and its claim are one write. */
  claim?: HeldClaim;
}

/** Written with the terminal transition, in the same conditional write. */
export interface FinishExtra {
  /** The finishing step's result. */
  result?: { step: Step; result: StepResult };
  /** Completed (succeeded) in the same write. */
  claim?: HeldClaim;
}

/** One consumer's claim on one event, as the record shows it (status views, the outbox relay). */
export interface Delivery {
  consumer: string;
  eventId: string;
  status: 'claimed' | 'done';
  outcome?: ClaimOutcome;
}

export interface WorkflowRecord {
  correlationId: string;
  state: WorkflowState;
  params: WorkflowParams;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  failure?: Failure;
  steps: Partial<Record<Step, StepResult>>;
  /** Orders in the plan; set by the portfolio step, compared with `orders.length` to complete. */
  expectedOrders?: number;
  /** The portfolio step's plan: every planned order and every skipped trade (audit). */
  plan?: WorkflowPlan;
  /** Executed orders by plan position. */
  orders: ExecutedOrder[];
  /** Orders placed but not final yet, by plan position (empty on the immediate-fill path). */
  openOrders: OpenOrder[];
  /** The terminal event, written in the same conditional write as the transition (an outbox). */
  terminalEvent?: TerminalEvent;
  /** Set once the terminal event was handed to the bus; the sweeper re-publishes when it is missing. */
  terminalPublishedAt?: Date;
  /** Events each step emitted, stored with its result (the outbox). */
  outbox: Partial<Record<Step, WorkflowEvent[]>>;
  /** Every claim on an event of this workflow, by any consumer. */
  deliveries: Delivery[];
  /** When the store may delete the record (DynamoDB TTL attribute `expiresAt`, epoch seconds). */
  expiresAt: Date;
}

export type TerminalOutcome =
  | { state: typeof WorkflowState.completed; event: EventOf<typeof EventType.workflowCompleted> }
  | { state: typeof WorkflowState.failed; failure: Failure; event: EventOf<typeof EventType.workflowFailed> };

export interface FinishResult {
  /** True for the one caller whose conditional write moved the workflow out of RUNNING. */
  won: boolean;
  /** The record after the attempt; undefined when the workflow does not exist. */
  record: WorkflowRecord | undefined;
}

export interface OrderTally {
  /** False when the workflow is missing or no longer RUNNING: nothing was written. */
  accepted: boolean;
  executed: number;
  /** Orders recorded as open (placed, not final). */
  open: number;
  expected: number | undefined;
  /** The executed orders after the write, by plan position. */
  orders: ExecutedOrder[];
}

/** Who processes which event: one claim per (consumer, eventId). */
export interface ClaimKey {
  consumer: string;
  eventId: string;
  correlationId: string;
}

export interface HeldClaim extends ClaimKey {
  /** Proves ownership when completing or releasing; a reclaimed lease gets a new token. */
  token: string;
}

export const ClaimOutcome = { succeeded: 'succeeded', failed: 'failed', skipped: 'skipped' } as const;
export type ClaimOutcome = (typeof ClaimOutcome)[keyof typeof ClaimOutcome];

export type ClaimResult =
  /** Run the handler. `attempt` > 1 means an earlier claim's lease expired (its process died). */
  | { status: 'claimed'; claim: HeldClaim; attempt: number; record: WorkflowRecord }
  /** Already processed: skip. */
  | { status: 'done'; outcome: ClaimOutcome; record: WorkflowRecord }
  /** Another delivery is running it right now (lease not expired): skip or retry later. */
  | { status: 'held'; leaseUntil: Date; record: WorkflowRecord }
  /** The workflow is not in the state the consumer needs: nothing was claimed. */
  | { status: 'state'; record: WorkflowRecord }
  /** No such workflow: nothing was claimed. */
  | { status: 'unknown' };

export interface WorkflowQuery {
  state?: WorkflowState;
  startedAfter?: Date;
  startedBefore?: Date;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

export interface CreateWorkflowInput {
  correlationId: string;
  params: WorkflowParams;
  startedAt: Date;
}

export interface WorkflowStore {
  create(input: CreateWorkflowInput): Promise<{ created: boolean; record: WorkflowRecord }>;
  get(correlationId: string): Promise<WorkflowRecord | undefined>;
  /** Records a step's result; returns false (and writes nothing) unless the workflow is RUNNING. */
  recordStep(correlationId: string, step: Step, result: StepResult, extra?: StepExtra): Promise<boolean>;
  /** Adds a fill (if_not_exists per client order id) and drops the order's open entry; only while RUNNING. */
  recordExecutedOrder(correlationId: string, order: ExecutedOrder): Promise<OrderTally>;
  /**
   * Records (or updates the progress of) an order placed but not final; only while RUNNING, and a
   * no-op for an order already executed.
   */
  recordOpenOrder(correlationId: string, order: OpenOrder): Promise<OrderTally>;
  /** RUNNING → COMPLETED | FAILED, conditional; stores the terminal event with the transition. */
  finish(correlationId: string, outcome: TerminalOutcome, at: Date, extra?: FinishExtra): Promise<FinishResult>;
  markTerminalPublished(correlationId: string, at: Date): Promise<void>;
  /**
   * Claims (consumer, eventId) when the workflow is in `requiredState` (any state when omitted),
   * in one conditional write; the state is checked before the claim (`state` wins over `done`).
   * A claim of a terminal event also sets `terminalPublishedAt`: it was delivered.
   */
  claimDelivery(key: ClaimKey, at: Date, leaseMs: number, requiredState?: WorkflowState): Promise<ClaimResult>;
  completeClaim(claim: HeldClaim, outcome: ClaimOutcome, at: Date): Promise<void>;
  /**
   * Gives a claim back so a retry can run at once (only the token holder can), also one its own step
   * write completed: a publish that failed after that write must be retried, not skipped.
   */
  releaseClaim(claim: HeldClaim): Promise<void>;
  list(query?: WorkflowQuery): Promise<WorkflowRecord[]>;
}

export const DEFAULT_LIST_LIMIT = 100;

export function ttlFrom(startedAt: Date, ttlDays: number): Date {
  return new Date(startedAt.getTime() + ttlDays * 86_400_000);
}

export function isFinished(state: WorkflowState): boolean {
  switch (state) {
    case WorkflowState.running:
      return false;
    case WorkflowState.completed:
    case WorkflowState.failed:
      return true;
  }
}
