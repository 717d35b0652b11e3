/**
 * Which trading step Lambda receives which event type, read from the step handlers themselves
 * (`consumes` in src/trading/domain/steps/*) so a handler that starts consuming another event gets its rule
 * on the next `pulumi up` without anyone re-typing the routing here.
 */
import { EVENT_TYPES, type EventType } from '../src/trading/domain/events.ts';
import { createStepHandlers, type ConsumerName } from '../src/trading/domain/workflow-app.ts';

export interface TradingConsumer {
  name: ConsumerName;
  /** Repository-relative Lambda entry exporting `handler`. */
  entry: string;
  consumes: readonly EventType[];
}

/** The factories only keep their dependencies; reading `consumes` never touches them. */
const untouchable = new Proxy({} as never, {
  get(_target, property) {
    throw new Error(`infra read step dependency "${String(property)}" while listing consumers`);
  },
});

export function tradingConsumers(): TradingConsumer[] {
  const handlers = createStepHandlers({ marketData: untouchable, brokers: untouchable, notifier: untouchable });
  return (Object.keys(handlers) as ConsumerName[]).map((name) => ({
    name,
    entry: `src/entry/lambda/trading/${name}.ts`,
    consumes: [...handlers[name].consumes],
  }));
}

/** Event types no step consumes (TradeExecuted: completion is counted in the store, not by an event). */
export function unroutedEventTypes(consumers: readonly TradingConsumer[]): EventType[] {
  const routed = new Set(consumers.flatMap((consumer) => consumer.consumes));
  return EVENT_TYPES.filter((type) => !routed.has(type));
}
