/**
 * Wiring: the four step handlers behind their gates. `createConsumers` is what a Lambda, the CLI's
 * local run and the tests all use; nothing here keeps state between deliveries.
 */
import type { BrokerDirectory } from './broker-directory.ts';
import type { WorkflowEvent } from './events.ts';
import { gate, type DeliveryOutcome, type GateDeps, type GatedHandler } from './gate.ts';
import type { SubscribableBus } from '../ports/bus.ts';
import type { MarketData } from '../ports/market-data.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { StepHandler } from './step-handler.ts';
import { createExecutionStep } from './steps/execution-step.ts';
import { createNotificationStep } from './steps/notification-step.ts';
import { createPortfolioStep } from './steps/portfolio-step.ts';
import { createStrategyStep } from './steps/strategy-step.ts';

export interface WorkflowDeps extends GateDeps {
  marketData: MarketData;
  brokers: BrokerDirectory;
  notifier: Notifier;
}

export const ConsumerName = { strategy: 'strategy', portfolio: 'portfolio', execution: 'execution', notification: 'notification' } as const;
export type ConsumerName = (typeof ConsumerName)[keyof typeof ConsumerName];

export function createStepHandlers(deps: Pick<WorkflowDeps, 'marketData' | 'brokers' | 'notifier'>): Record<ConsumerName, StepHandler> {
  return {
    strategy: createStrategyStep(deps) as StepHandler,
    portfolio: createPortfolioStep(deps) as StepHandler,
    execution: createExecutionStep(deps) as StepHandler,
    notification: createNotificationStep(deps) as StepHandler,
  };
}

export function createConsumers(deps: WorkflowDeps): Record<ConsumerName, GatedHandler> {
  const handlers = createStepHandlers(deps);
  return {
    strategy: gate(handlers.strategy, deps),
    portfolio: gate(handlers.portfolio, deps),
    execution: gate(handlers.execution, deps),
    notification: gate(handlers.notification, deps),
  };
}

/**
 * Subscribes every consumer to the in-memory bus. `makeDeps` is called per delivery, so each delivery
 * gets fresh handler instances (like a cold Lambda) sharing only what `makeDeps` returns.
 */
export function subscribeWorkflow(
  bus: SubscribableBus,
  makeDeps: () => WorkflowDeps,
  onOutcome?: (outcome: DeliveryOutcome, event: WorkflowEvent) => void,
): () => void {
  const probe = createConsumers(makeDeps());
  const unsubscribers = (Object.keys(probe) as ConsumerName[]).map((name) =>
    bus.subscribe(
      probe[name].consumes,
      async (event) => {
        const outcome = await createConsumers(makeDeps())[name](event);
        onOutcome?.(outcome, event);
        return outcome;
      },
      name,
    ),
  );
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
