/**
 * The sandbox's trading resources, by fixed name: what `ops sandbox up --trading`, the demo and the
 * e2e tests create on moto, and what `ops workflow …` reads through the exported environment. They
 * are the stack's names (infra/components/trading.ts) with the prefix `ops`, plus one delivery queue
 * per step Lambda: moto cannot run Lambda code, so each rule targets a queue that the local Lambda
 * runtime (lambda-runtime.ts) consumes in the Lambda's place.
 */
import { EVENT_SOURCE_PREFIX } from '../../trading/domain/event-factory.ts';
import type { EventType } from '../../trading/domain/events.ts';
import { ConsumerName, createStepHandlers } from '../../trading/domain/workflow-app.ts';

export const SANDBOX_TRADING_PREFIX = 'ops';

export const SandboxTradingNames = {
  workflowTable: `${SANDBOX_TRADING_PREFIX}-workflows`,
  paperBrokerTable: `${SANDBOX_TRADING_PREFIX}-paper-broker`,
  eventBus: `${SANDBOX_TRADING_PREFIX}-trading`,
  notificationTopic: `${SANDBOX_TRADING_PREFIX}-trading-notifications`,
  ruleDeadLetterQueue: `${SANDBOX_TRADING_PREFIX}-trading-rule-dlq`,
  failedInvocationsQueue: `${SANDBOX_TRADING_PREFIX}-trading-failed`,
  sweeperDeadLetterQueue: `${SANDBOX_TRADING_PREFIX}-trading-sweeper-dlq`,
  archive: `${SANDBOX_TRADING_PREFIX}-trading-archive`,
} as const;

/** In the order `TRADING_DEAD_LETTER_QUEUES` lists them: rule DLQ, failed invocations, sweeper DLQ. */
export const SANDBOX_DEAD_LETTER_QUEUES = [SandboxTradingNames.ruleDeadLetterQueue, SandboxTradingNames.failedInvocationsQueue, SandboxTradingNames.sweeperDeadLetterQueue] as const;

/** `ops-WorkflowStarted`: one rule per consumed event type, as on AWS. */
export const ruleName = (type: EventType): string => `${SANDBOX_TRADING_PREFIX}-${type}`;
/** `ops-trading-strategy-deliveries`: where the rules of one step Lambda deliver on the sandbox. */
export const deliveryQueueName = (consumer: ConsumerName): string => `${SANDBOX_TRADING_PREFIX}-trading-${consumer}-deliveries`;
/** `ops-trading-strategy`: the function name the stack gives the step Lambda. */
export const functionName = (consumer: ConsumerName | 'sweeper'): string => `${SANDBOX_TRADING_PREFIX}-trading-${consumer}`;

/** The rules' pattern on AWS: our source prefix and one detail-type. */
export function rulePattern(type: EventType): string {
  return JSON.stringify({ source: [{ prefix: `${EVENT_SOURCE_PREFIX}.` }], 'detail-type': [type] });
}

export interface SandboxRoute {
  consumer: ConsumerName;
  consumes: readonly EventType[];
}

/** The factories only keep their dependencies; reading `consumes` never touches them. */
const untouchable = new Proxy({} as never, {
  get(_target, property) {
    throw new Error(`listing the sandbox's trading routes read step dependency "${String(property)}"`);
  },
});

/** Which step consumes which event type, read from the step handlers (as infra/trading-routes.ts does). */
export function sandboxTradingRoutes(): SandboxRoute[] {
  const handlers = createStepHandlers({ marketData: untouchable, brokers: untouchable, notifier: untouchable });
  return Object.values(ConsumerName).map((consumer) => ({ consumer, consumes: [...handlers[consumer].consumes] }));
}

/**
 * The environment `ops workflow …` needs on top of the sandbox's AWS lines, as `sandbox up --trading`
 * prints it. TRADING_DEAD_LETTER_QUEUES and EVENT_ARCHIVE_NAME are read by `ops workflow dlq` and
 * `ops workflow replay`.
 */
export function sandboxTradingEnvironment(): Record<string, string> {
  return {
    WORKFLOW_TABLE: SandboxTradingNames.workflowTable,
    EVENT_BUS_NAME: SandboxTradingNames.eventBus,
    PAPER_BROKER_TABLE: SandboxTradingNames.paperBrokerTable,
    TRADING_DEAD_LETTER_QUEUES: SANDBOX_DEAD_LETTER_QUEUES.join(','),
    EVENT_ARCHIVE_NAME: SandboxTradingNames.archive,
  };
}
