/**
 * The shell every step Lambda shares: EventBridge event in → unwrap and validate the envelope → gate
 * → run → publish (the gate does the last three). A plain async function over library code, so it is
 * tested with injected dependencies; the per-step files only wire module-scope clients into it.
 *
 * What Lambda sees: an invalid event throws (it can never succeed; after Lambda's retries it lands in
 * the failed-invocations queue for a person to read). A delivery whose event another instance is
 * processing right now throws DeliveryDeferredError, so Lambda retries it later: by then the other
 * instance has finished (the retry is skipped as a duplicate) or died (its claim's lease has expired
 * and the retry runs the step). Everything else returns normally, including a step that failed the
 * workflow: that outcome is recorded and published, and retrying it would change nothing.
 *
 * Metrics (with `metrics`): after the gate returns, the delivery's values (workflow-metrics.ts) go to
 * the sink, one EMF document per dimension set: StepLatency and StepDuration for a handled delivery,
 * and the workflow's terminal metrics when the notification consumer handled WorkflowCompleted or
 * WorkflowFailed. A delivery that throws emits nothing; its successful retry does.
 */
import { FaultError } from '../../../errors.ts';
import { fromEventBridgeLambdaEvent } from '../../../trading/ports/eventbridge-envelope.ts';
import type { DeliveryOutcome, GatedHandler } from '../../../trading/domain/gate.ts';
import type { WorkflowLogger } from '../../../trading/ports/workflow-logger.ts';
import { deliveryMetrics, type MarketHours } from '../../../trading/domain/workflow-metrics.ts';
import type { TradingMetricsSink } from './trading-metrics.ts';

export class DeliveryDeferredError extends FaultError {
  constructor(eventId: string, consumer: string, leaseUntil: Date) {
    super('DELIVERY_DEFERRED', `Event ${eventId} is being processed by another ${consumer} invocation until ${leaseUntil.toISOString()}; retry later.`);
  }
}

export interface StepLambdaOptions {
  consumer: GatedHandler;
  logger: WorkflowLogger;
  /** Called with the correlation id before the gate runs (Powertools: appendKeys). */
  setContext?: (keys: Record<string, string>) => void;
  /** Where the delivery's metrics go (the Lambdas: lambdaTradingMetrics); none when absent. */
  metrics?: TradingMetricsSink;
  /** The clock step latency and duration are measured with (default the wall clock). */
  now?: () => Date;
  /** Decides "failed while the market is open" (default the NYSE calendar). */
  calendar?: MarketHours;
}

export function createStepLambda(options: StepLambdaOptions): (event: unknown) => Promise<DeliveryOutcome> {
  return async (raw) => {
    let event;
    try {
      event = fromEventBridgeLambdaEvent(raw);
    } catch (error) {
      options.logger.error(`rejected an invalid event for ${options.consumer.consumer}`, { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    options.setContext?.({ correlationId: event.correlationId, eventId: event.eventId, eventType: event.type });
    const now = options.now ?? (() => new Date());
    const receivedAt = now();
    const outcome = await options.consumer(event);
    if (options.metrics !== undefined) {
      try {
        options.metrics(deliveryMetrics(event, outcome, { receivedAt, finishedAt: now() }, options.calendar));
      } catch (error) {
        options.logger.warn(`could not write the metrics of ${options.consumer.consumer}`, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (outcome.status === 'deferred') throw new DeliveryDeferredError(event.eventId, outcome.consumer, outcome.leaseUntil);
    return outcome;
  };
}
