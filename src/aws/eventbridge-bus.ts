/**
 * The workflow's EventBus on Amazon EventBridge.
 *
 * PutEvents accepts up to 10 entries and 256 KB per call and answers 200 even when some entries
 * failed: `FailedEntryCount` says how many, and each failed entry carries an `ErrorCode` at its
 * position. Only those entries are retried (with backoff); entries that EventBridge rejects for what
 * they are (malformed detail, access) are not retried, because they never succeed. Whole-call errors
 * (network, throttling of the call) are retried by the SDK's adaptive retry; what remains is a fault.
 */
import { CreateEventBusCommand, DescribeEventBusCommand, PutEventsCommand, type EventBridgeClient, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { FaultError, UserError } from '../errors.ts';
import type { EventBus, PublishResult } from '../trading/ports/bus.ts';
import { batchEntries, toPutEventsEntry, type PutEventsEntry } from '../trading/ports/eventbridge-envelope.ts';
import { parseWorkflowEvent, type WorkflowEvent } from '../trading/domain/events.ts';
import { errorMessage, errorName, isAccessDenied } from '../aws-error.ts';

/** Entry error codes that a retry cannot fix. */
const PERMANENT_ENTRY_ERRORS: ReadonlySet<string> = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'ValidationException',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'ResourceNotFoundException',
]);

export interface EventBridgeBusOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Attempts per entry, including the first (default 4). */
  maxAttempts?: number;
  /** Backoff between partial-failure retries; tests inject a fake. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FailedEntry {
  eventId: string;
  type: string;
  errorCode: string;
  errorMessage: string;
  /** EventBridge refused the entry itself (no retry can help), as opposed to running out of attempts. */
  permanent: boolean;
}

export class EventBridgeBus implements EventBus {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** PutEvents calls made, for efficiency figures. */
  calls = 0;

  constructor(options: EventBridgeBusOptions) {
    const attempts = options.maxAttempts ?? 4;
    if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${attempts}`);
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.maxAttempts = attempts;
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  async publish(events: readonly WorkflowEvent[]): Promise<PublishResult> {
    const valid = events.map((event, i) => parseWorkflowEvent(event, `event ${i} of the batch`));
    const entries = valid.map((event) => ({ ...toPutEventsEntry(event, this.eventBusName), event }));
    const failed: FailedEntry[] = [];
    for (const batch of batchEntries(entries)) failed.push(...(await this.sendBatch(batch)));
    if (failed.length > 0) {
      const first = failed[0] as FailedEntry;
      throw new EventPublishError(
        `${failed.length} of ${valid.length} event(s) were not accepted by EventBridge bus "${this.eventBusName}" (first: ${first.type} ${first.eventId}: ${first.errorCode} ${first.errorMessage}).`,
        failed,
      );
    }
    return { published: valid.length };
  }

  /** Sends one batch, retrying only its failed entries; returns the ones that never went through. */
  private async sendBatch(batch: (PutEventsEntry & { event: WorkflowEvent })[]): Promise<FailedEntry[]> {
    let pending = batch;
    let givenUp: FailedEntry[] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(Math.min(100 * 2 ** (attempt - 2), 2_000));
      const response = await this.put(pending);
      if ((response.FailedEntryCount ?? 0) === 0) return givenUp;
      const retry: typeof pending = [];
      const results = response.Entries ?? [];
      pending.forEach((entry, i) => {
        const result: PutEventsResultEntry | undefined = results[i];
        if (result?.ErrorCode === undefined && result?.EventId !== undefined) return;
        const errorCode = result?.ErrorCode ?? 'NoResult';
        const failure = {
          eventId: entry.event.eventId,
          type: entry.event.type,
          errorCode,
          errorMessage: result?.ErrorMessage ?? 'EventBridge returned no result for this entry',
          permanent: PERMANENT_ENTRY_ERRORS.has(errorCode),
        };
        if (failure.permanent || attempt >= this.maxAttempts) givenUp = [...givenUp, failure];
        else retry.push(entry);
      });
      pending = retry;
    }
    return givenUp;
  }

  private async put(entries: (PutEventsEntry & { event: WorkflowEvent })[]) {
    this.calls += 1;
    try {
      return await this.client.send(new PutEventsCommand({ Entries: entries.map(({ event: _event, ...entry }) => entry) }));
    } catch (error) {
      throw eventBridgeError('PutEvents', this.eventBusName, error);
    }
  }
}

export class EventPublishError extends FaultError {
  readonly failed: readonly FailedEntry[];

  constructor(message: string, failed: readonly FailedEntry[]) {
    // Only refusals are final: a workflow whose events EventBridge will never take must fail, while
    // entries that ran out of attempts (throttling, internal errors) deserve a later retry.
    super(failed.every((f) => f.permanent) ? 'EVENT_REJECTED' : 'EVENT_PUBLISH_FAILED', message);
    this.failed = failed;
  }

  override details(): Record<string, unknown> {
    return { failed: this.failed };
  }
}

/** Creates the bus unless it exists (the sandbox and e2e tests; in AWS the bus comes from infra). */
export async function ensureEventBus(client: EventBridgeClient, name: string): Promise<{ created: boolean; arn: string | undefined }> {
  try {
    const existing = await client.send(new DescribeEventBusCommand({ Name: name }));
    return { created: false, arn: existing.Arn };
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw eventBridgeError('DescribeEventBus', name, error);
  }
  try {
    const created = await client.send(new CreateEventBusCommand({ Name: name }));
    return { created: true, arn: created.EventBusArn };
  } catch (error) {
    if (errorName(error) === 'ResourceAlreadyExistsException') return { created: false, arn: undefined };
    throw eventBridgeError('CreateEventBus', name, error);
  }
}

function eventBridgeError(operation: string, busName: string, error: unknown): Error {
  const message = errorMessage(error);
  if (isAccessDenied(error)) {
    return new UserError('EVENT_BUS_ACCESS_DENIED', `EventBridge ${operation} on bus "${busName}" was denied (${message}).`, `Grant events:${operation} on the bus to the role or user in use.`, {
      cause: error,
    });
  }
  if (errorName(error) === 'ResourceNotFoundException') {
    return new UserError('EVENT_BUS_MISSING', `EventBridge bus "${busName}" does not exist (${message}).`, 'Deploy the stack (pulumi up), or pass the right --bus and region.', { cause: error });
  }
  return new FaultError('EVENT_PUBLISH_FAILED', `EventBridge ${operation} on bus "${busName}" failed: ${message}`, { cause: error });
}
