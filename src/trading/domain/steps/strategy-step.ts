/** WorkflowStarted → SignalGenerated: the strategy's target weights for the workflow's "as of" date. */
import { makeEvent } from '../event-factory.ts';
import { EventType, Step } from '../events.ts';
import type { MarketData } from '../../ports/market-data.ts';
import type { StepHandler } from '../step-handler.ts';
import { runStrategy } from '../strategy.ts';

export interface StrategyStepDeps {
  marketData: MarketData;
}

export function createStrategyStep(deps: StrategyStepDeps): StepHandler<typeof EventType.workflowStarted> {
  return {
    name: 'strategy',
    step: Step.strategy,
    consumes: [EventType.workflowStarted],
    runsWhen: 'running',
    async run(event, ctx) {
      // The stored params, not the event's copy: the store is the source of truth for a run's inputs.
      const { strategy, asOf } = ctx.record.params;
      const result = await runStrategy(strategy, deps.marketData, asOf);
      const now = ctx.now();
      const signal = makeEvent(
        EventType.signalGenerated,
        { correlationId: event.correlationId, causationId: event.eventId, producer: Step.strategy, occurredAt: now },
        { strategy: result.name, asOf, targets: result.targets },
      );
      return {
        result: { completedAt: now, summary: { strategy: result.name, targets: result.targets.map((t) => `${t.symbol}=${t.weight}`).join(' ') } },
        emit: [signal],
      };
    },
  };
}
