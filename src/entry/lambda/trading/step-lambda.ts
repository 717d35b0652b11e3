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
 */
import { FaultError } from '../../../errors.ts';
import { fromEventBridgeLambdaEvent } from '../../../trading/ports/eventbridge-envelope.ts';
import type { DeliveryOutcome, GatedHandler } from '../../../trading/domain/gate.ts';
import type { WorkflowLogger } from '../../../trading/ports/workflow-logger.ts';

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
    const outcome = await options.consumer(event);
    if (outcome.status === 'deferred') throw new DeliveryDeferredError(event.eventId, outcome.consumer, outcome.leaseUntil);
    return outcome;
  };
}
