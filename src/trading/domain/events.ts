/**
 * The workflow's events: one envelope, six types, validated with zod wherever an event crosses a
 * boundary (publish, EventBridge delivery, the store's outbox). Money, prices, quantities and weights
 * travel as decimal strings; nothing on the wire is a binary float.
 *
 * The chain is WorkflowStarted → SignalGenerated → RebalancePlanned → TradeExecuted (one per order)
 * → WorkflowCompleted, or WorkflowFailed from any step.
 */
import * as z from 'zod';
import { decimalString } from './money.ts';
import { riskLimitsSchema } from './risk-limits.ts';
import { InvalidEventError, zodIssues } from './trading-errors.ts';

export const EventType = {
  workflowStarted: 'WorkflowStarted',
  signalGenerated: 'SignalGenerated',
  rebalancePlanned: 'RebalancePlanned',
  tradeExecuted: 'TradeExecuted',
  workflowCompleted: 'WorkflowCompleted',
  workflowFailed: 'WorkflowFailed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** The steps that can fail a workflow; `WorkflowFailed.detail.step` is one of these. */
export const Step = { strategy: 'strategy', portfolio: 'portfolio', execution: 'execution', notification: 'notification' } as const;
export type Step = (typeof Step)[keyof typeof Step];
export const STEPS: readonly Step[] = Object.values(Step);

export const SCHEMA_VERSION = 1 as const;

/**
 * Correlation ids end up in DynamoDB keys (`WF#<id>`), log lines and client order ids; '#' and
 * whitespace would make keys ambiguous, so only a conservative alphabet is allowed.
 */
export const correlationIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

export const symbolSchema = z
  .string()
  .min(1)
  .max(12)
  .regex(/^[A-Z][A-Z0-9.]*$/, 'an upper-case ticker such as "SPY" or "BRK.B"');

export const isoDateSchema = z.iso.date();
const instantSchema = z.iso.datetime({ offset: true });

export const strategySpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('momentum'),
    universe: z.array(symbolSchema).min(1),
    /** Trading days between the first and the last close of the return. */
    lookbackDays: z.int().min(1).max(250),
    topN: z.int().min(1),
  }),
  z.object({
    kind: z.literal('fixed'),
    weights: z.array(z.object({ symbol: symbolSchema, weight: decimalString })).min(1),
  }),
]);
export type StrategySpec = z.infer<typeof strategySpecSchema>;

/** What a workflow run is asked to do; stored with the record so every step reads the same inputs. */
export const workflowParamsSchema = z.object({
  accountId: z.string().min(1).max(64),
  /** The trading date whose closes the strategy and the plan use (YYYY-MM-DD). */
  asOf: isoDateSchema,
  strategy: strategySpecSchema,
  /** Orders below this notional are not worth their costs and are skipped. */
  minTradeNotional: decimalString,
  /**
   * The plan's risk limits (risk-limits.ts); absent means none. Optional, so records and events
   * written before limits existed stay valid under the same schemaVersion.
   */
  riskLimits: riskLimitsSchema.optional(),
  /**
   * Set on a retry attempt (`ops workflow retry`, retry.ts): the original workflow, this attempt's
   * number (2, 3, …) and the attempt it replaces. Optional, like riskLimits, so older records stay valid.
   */
  retry: z.object({ of: correlationIdSchema, attempt: z.int().min(2), previous: correlationIdSchema }).optional(),
});
export type WorkflowParams = z.infer<typeof workflowParamsSchema>;

export const orderSideSchema = z.enum(['buy', 'sell']);
export type OrderSide = z.infer<typeof orderSideSchema>;

export const targetWeightSchema = z.object({ symbol: symbolSchema, weight: decimalString });
export type TargetWeight = z.infer<typeof targetWeightSchema>;

export const plannedOrderSchema = z.object({
  symbol: symbolSchema,
  side: orderSideSchema,
  quantity: decimalString,
  /** The price the plan was computed with (the as-of close). */
  price: decimalString,
  notional: decimalString,
});
export type PlannedOrder = z.infer<typeof plannedOrderSchema>;

export const skippedTradeSchema = z.object({
  symbol: symbolSchema,
  side: orderSideSchema,
  notional: decimalString,
  reason: z.string().min(1),
});
export type SkippedTrade = z.infer<typeof skippedTradeSchema>;

const workflowStartedDetail = workflowParamsSchema;

const signalGeneratedDetail = z.object({
  strategy: z.string().min(1),
  asOf: isoDateSchema,
  targets: z.array(targetWeightSchema).min(1),
});

const rebalancePlannedDetail = z.object({
  equity: decimalString,
  cash: decimalString,
  /** Sells first, then buys: the order the execution step places them in. */
  orders: z.array(plannedOrderSchema),
  skipped: z.array(skippedTradeSchema),
});

const tradeExecutedDetail = z.object({
  clientOrderId: z.string().min(1).max(128),
  brokerOrderId: z.string().min(1),
  symbol: symbolSchema,
  side: orderSideSchema,
  quantity: decimalString,
  price: decimalString,
  notional: decimalString,
  orderIndex: z.int().min(0),
  orderCount: z.int().min(1),
});

const workflowCompletedDetail = z.object({
  ordersExecuted: z.int().min(0),
  valueTraded: decimalString,
  startedAt: instantSchema,
  durationMs: z.int().min(0),
});

const workflowFailedDetail = z.object({
  step: z.enum(STEPS as [Step, ...Step[]]),
  reason: z.string().min(1),
  errorCode: z.string().min(1),
  startedAt: instantSchema,
  durationMs: z.int().min(0),
});

const envelope = {
  eventId: z.string().min(1).max(128),
  correlationId: correlationIdSchema,
  /** The eventId of the event that caused this one; WorkflowStarted names the run itself. */
  causationId: z.string().min(1).max(128),
  occurredAt: instantSchema,
  /** The producing component, e.g. `ops.trading.strategy`; becomes EventBridge's `Source`. */
  source: z.string().min(1).max(256),
  schemaVersion: z.literal(SCHEMA_VERSION),
};

export const workflowEventSchema = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal(EventType.workflowStarted), detail: workflowStartedDetail }),
  z.object({ ...envelope, type: z.literal(EventType.signalGenerated), detail: signalGeneratedDetail }),
  z.object({ ...envelope, type: z.literal(EventType.rebalancePlanned), detail: rebalancePlannedDetail }),
  z.object({ ...envelope, type: z.literal(EventType.tradeExecuted), detail: tradeExecutedDetail }),
  z.object({ ...envelope, type: z.literal(EventType.workflowCompleted), detail: workflowCompletedDetail }),
  z.object({ ...envelope, type: z.literal(EventType.workflowFailed), detail: workflowFailedDetail }),
]);

export type WorkflowEvent = z.infer<typeof workflowEventSchema>;
export type EventOf<T extends EventType> = Extract<WorkflowEvent, { type: T }>;
export type DetailOf<T extends EventType> = EventOf<T>['detail'];
export type TerminalEvent = EventOf<typeof EventType.workflowCompleted> | EventOf<typeof EventType.workflowFailed>;

export function isTerminalEvent(event: WorkflowEvent): event is TerminalEvent {
  switch (event.type) {
    case EventType.workflowCompleted:
    case EventType.workflowFailed:
      return true;
    case EventType.workflowStarted:
    case EventType.signalGenerated:
    case EventType.rebalancePlanned:
    case EventType.tradeExecuted:
      return false;
  }
}

/** Validates anything that claims to be a workflow event; throws InvalidEventError with every issue. */
export function parseWorkflowEvent(value: unknown, what = 'event'): WorkflowEvent {
  const parsed = workflowEventSchema.safeParse(value);
  if (!parsed.success) throw new InvalidEventError(what, zodIssues(parsed.error), { cause: parsed.error });
  return parsed.data;
}
