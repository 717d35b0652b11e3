/**
 * A local stand-in for Lambda's asynchronous invocation, because moto cannot run Lambda code: it
 * polls the queues the sandbox's EventBridge rules deliver to (one per function), hands each event to
 * the function's handler, and behaves as Lambda does with an event from EventBridge:
 *
 * - an event accepted from the queue is the function's to run (Lambda's internal queue): the message
 *   is deleted before the handler runs, and retries are this runtime's, not SQS's;
 * - a handler that throws is invoked again, `maxRetries` times (the stack's maximumRetryAttempts: 2),
 *   with the same request id; then the on-failure record (on-failure-record.ts) goes to the
 *   failed-invocations queue;
 * - scheduled functions (the sweeper) run every `everyMs`, with no retry (the stack's 0).
 *
 * Two ways to drive it. `start()` runs a background loop (`ops sandbox up --trading`, the demo),
 * retrying after `retryDelaysMs`. `drainUntilIdle()` runs rounds until every queue is empty and
 * nothing is in flight or waiting for a retry, with retries due at once in the next round: tests never
 * wait on the wall clock. A round runs its invocations concurrently (up to `concurrency`) and ends
 * when all have settled, so a duplicate that found its twin's claim held (and threw to be retried) is
 * retried after the twin finished, as Lambda's minute-later retry would be.
 *
 * Fault injection for tests: `duplicates` invokes every delivery N times (EventBridge's at-least-once),
 * `shuffle` randomises each round's order, `intercept` runs before a handler and throws in its place.
 * Every invocation is recorded with what the handler returned (the gate's DeliveryOutcome) or threw.
 *
 * Nothing here writes to stdout: handlers' logs are the composition's business (src/entry/sandbox).
 */
import { randomUUID } from 'node:crypto';
import { FaultError } from '../../errors.ts';
import { shuffleInPlace } from '../../trading/domain/seeded-random.ts';
import { invocationError, onFailureRecord, type InvocationError } from './on-failure-record.ts';

export interface QueuedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}

/** The SQS calls the runtime makes (src/sandbox/aws/trading-queues.ts implements them over the SDK). */
export interface DeliveryQueues {
  receive(queueUrl: string, max: number): Promise<QueuedMessage[]>;
  delete(queueUrl: string, messages: readonly QueuedMessage[]): Promise<void>;
  send(queueUrl: string, body: string): Promise<void>;
}

export interface LocalFunction<R> {
  /** The stack's function name, e.g. ops-trading-strategy. */
  name: string;
  /** Unqualified; on-failure records name `<arn>:$LATEST`. */
  functionArn: string;
  /** The queue its rules deliver to. */
  queueUrl: string;
  handler: (event: unknown) => Promise<R>;
}

export interface ScheduledFunction {
  name: string;
  functionArn: string;
  handler: () => Promise<unknown>;
  /** The schedule's rate, in the background loop. */
  everyMs: number;
}

export interface InvocationCall {
  functionName: string;
  event: unknown;
  /** 1 for the first invocation, 2 and 3 for Lambda's retries. */
  attempt: number;
  requestId: string;
}

export interface InvocationRecord<R> {
  functionName: string;
  requestId: string;
  attempt: number;
  /** Read from our envelope in the event's detail, when the event is one of ours. */
  eventId?: string;
  eventType?: string;
  correlationId?: string;
  outcome: 'returned' | 'threw';
  /** What the handler returned (for the step Lambdas: the gate's DeliveryOutcome). */
  result?: R;
  error?: InvocationError;
  /** This attempt was the last and threw: the on-failure record went to the failed-invocations queue. */
  sentToFailedQueue: boolean;
}

export interface LocalLambdaRuntimeOptions<R> {
  queues: DeliveryQueues;
  functions: readonly LocalFunction<R>[];
  /** Lambda's on-failure destination. */
  failedQueueUrl: string;
  scheduled?: readonly ScheduledFunction[];
  /** Retries after the first invocation (default 2, the stack's maximumRetryAttempts). */
  maxRetries?: number;
  /** Background loop: wait before retry n (default 1 s, then 2 s; AWS waits about 1 and 2 minutes). */
  retryDelaysMs?: readonly number[];
  /** Invocations running at once (default 8). */
  concurrency?: number;
  /** Invoke every delivery this many times (default 1): each copy is its own invocation, with its own retries. */
  duplicates?: number;
  /** Shuffle each round's invocations (default false), with `random` (default Math.random). */
  shuffle?: boolean;
  random?: () => number;
  /** Runs before the handler; throwing counts as the handler throwing (retried, then the failed queue). */
  intercept?: (call: InvocationCall) => void | Promise<void>;
  /** Every invocation as it settles. */
  onInvocation?: (record: InvocationRecord<R>) => void;
  /** A poll or a send that failed in the background loop (the loop goes on). */
  onError?: (error: unknown) => void;
  /** Records kept for `invocations()` (default 10 000, oldest dropped first); `stats()` counts all. */
  keepRecords?: number;
  now?: () => Date;
  newRequestId?: () => string;
}

export interface RuntimeStats {
  invocations: number;
  returned: number;
  threw: number;
  sentToFailedQueue: number;
}

export interface DrainSummary {
  rounds: number;
  invocations: number;
}

export interface LocalLambdaRuntime<R> {
  /** Runs rounds until every queue is empty and no invocation is in flight or waiting for a retry. */
  drainUntilIdle(options?: { maxRounds?: number }): Promise<DrainSummary>;
  /** Runs the scheduled functions now (all, or the one named), as their schedule would. */
  runScheduled(name?: string): Promise<void>;
  /** The background loop; idempotent. */
  start(options?: { pollIntervalMs?: number }): void;
  /** Ends the loop after the round in flight; retries still waiting go back to their queues. */
  stop(): Promise<void>;
  invocations(): readonly InvocationRecord<R>[];
  stats(): RuntimeStats;
}

interface Pending<R> {
  fn: LocalFunction<R>;
  event: unknown;
  attempt: number;
  requestId: string;
  dueAt: number;
}

const RECEIVE_BATCH = 10;

export function createLocalLambdaRuntime<R>(options: LocalLambdaRuntimeOptions<R>): LocalLambdaRuntime<R> {
  const maxRetries = options.maxRetries ?? 2;
  const delays = options.retryDelaysMs ?? [1_000, 2_000];
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const duplicates = Math.max(1, options.duplicates ?? 1);
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const newRequestId = options.newRequestId ?? randomUUID;
  const keep = options.keepRecords ?? 10_000;
  const scheduled = options.scheduled ?? [];
  const records: InvocationRecord<R>[] = [];
  const totals: RuntimeStats = { invocations: 0, returned: 0, threw: 0, sentToFailedQueue: 0 };
  let retries: Pending<R>[] = [];
  let loop: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  const record = (entry: InvocationRecord<R>): void => {
    totals.invocations += 1;
    if (entry.outcome === 'returned') totals.returned += 1;
    else totals.threw += 1;
    if (entry.sentToFailedQueue) totals.sentToFailedQueue += 1;
    records.push(entry);
    if (records.length > keep) records.splice(0, records.length - keep);
    options.onInvocation?.(entry);
  };

  const invoke = async (call: Pending<R>, retryAtOnce: boolean): Promise<void> => {
    const { fn, event, attempt, requestId } = call;
    const ids = envelopeIds(event);
    try {
      await options.intercept?.({ functionName: fn.name, event, attempt, requestId });
      const result = await fn.handler(event);
      record({ functionName: fn.name, requestId, attempt, ...ids, outcome: 'returned', result, sentToFailedQueue: false });
    } catch (thrown) {
      const error = invocationError(thrown);
      const last = attempt > maxRetries;
      if (last) {
        const body = onFailureRecord({ requestId, functionArn: fn.functionArn, attempts: attempt, event, error, at: now() });
        await options.queues.send(options.failedQueueUrl, JSON.stringify(body));
      } else {
        const delay = retryAtOnce ? 0 : (delays[attempt - 1] ?? delays.at(-1) ?? 0);
        retries.push({ ...call, attempt: attempt + 1, dueAt: now().getTime() + delay });
      }
      record({ functionName: fn.name, requestId, attempt, ...ids, outcome: 'threw', error, sentToFailedQueue: last });
    }
  };

  /** One poll of every queue plus the retries that are due; resolves when all of them have settled. */
  const round = async (retryAtOnce: boolean): Promise<number> => {
    const received = await Promise.all(
      options.functions.map(async (fn) => {
        const messages = await options.queues.receive(fn.queueUrl, RECEIVE_BATCH);
        // Accepted: from here the event is the function's, as in Lambda's own queue.
        if (messages.length > 0) await options.queues.delete(fn.queueUrl, messages);
        return messages.map((message) => ({ fn, event: parseBody(message.body) }));
      }),
    );
    const at = now().getTime();
    const calls: Pending<R>[] = received.flat().flatMap(({ fn, event }) =>
      Array.from({ length: duplicates }, () => ({ fn, event, attempt: 1, requestId: newRequestId(), dueAt: at })),
    );
    const due = retries.filter((r) => retryAtOnce || r.dueAt <= at);
    retries = retries.filter((r) => !due.includes(r));
    calls.push(...due);
    if (options.shuffle) shuffleInPlace(calls, random);
    await runBounded(calls, concurrency, (call) => invoke(call, retryAtOnce));
    return calls.length;
  };

  const runScheduled = async (name?: string): Promise<void> => {
    for (const fn of scheduled) {
      if (name !== undefined && fn.name !== name) continue;
      const requestId = newRequestId();
      const event = { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: now().toISOString() };
      try {
        await fn.handler();
        record({ functionName: fn.name, requestId, attempt: 1, outcome: 'returned', sentToFailedQueue: false });
      } catch (thrown) {
        const error = invocationError(thrown);
        await options.queues.send(options.failedQueueUrl, JSON.stringify(onFailureRecord({ requestId, functionArn: fn.functionArn, attempts: 1, event, error, at: now() })));
        record({ functionName: fn.name, requestId, attempt: 1, outcome: 'threw', error, sentToFailedQueue: true });
      }
    }
  };

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const background = async (pollMs: number): Promise<void> => {
    const nextRun = new Map(scheduled.map((fn) => [fn.name, now().getTime() + fn.everyMs]));
    while (!stopping) {
      try {
        for (const fn of scheduled) {
          if ((nextRun.get(fn.name) ?? 0) > now().getTime()) continue;
          nextRun.set(fn.name, now().getTime() + fn.everyMs);
          await runScheduled(fn.name);
        }
        const handled = await round(false);
        if (handled === 0 && !stopping) await pause(pollMs);
      } catch (error) {
        options.onError?.(error);
        if (!stopping) await pause(pollMs * 4);
      }
    }
  };

  return {
    async drainUntilIdle({ maxRounds = 1_000 } = {}) {
      if (loop !== undefined) throw new FaultError('RUNTIME_RUNNING', 'drainUntilIdle() drives the runtime step by step; it cannot run while the background loop is started.');
      let rounds = 0;
      let invocations = 0;
      for (;;) {
        const handled = await round(true);
        rounds += 1;
        invocations += handled;
        if (handled === 0 && retries.length === 0) return { rounds, invocations };
        if (rounds >= maxRounds) throw new FaultError('RUNTIME_NOT_IDLE', `The local Lambda runtime was still busy after ${rounds} rounds (${invocations} invocations): a delivery loop?`);
      }
    },
    runScheduled,
    start({ pollIntervalMs = 250 } = {}) {
      if (loop !== undefined) return;
      stopping = false;
      loop = background(pollIntervalMs);
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
      // Lambda's queue would keep them; ours is this process's memory, so hand them back to SQS.
      const waiting = retries;
      retries = [];
      for (const r of waiting) {
        try {
          await options.queues.send(r.fn.queueUrl, JSON.stringify(r.event));
        } catch (error) {
          options.onError?.(error);
        }
      }
    },
    invocations: () => records,
    stats: () => ({ ...totals }),
  };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // Not JSON: the handler gets it as it came and rejects it, as Lambda would deliver it.
    return body;
  }
}

function envelopeIds(event: unknown): Pick<InvocationRecord<unknown>, 'eventId' | 'eventType' | 'correlationId'> {
  if (typeof event !== 'object' || event === null) return {};
  const detail = (event as { detail?: unknown }).detail;
  if (typeof detail !== 'object' || detail === null) return {};
  const { eventId, type, correlationId } = detail as Record<string, unknown>;
  return {
    ...(typeof eventId === 'string' ? { eventId } : {}),
    ...(typeof type === 'string' ? { eventType: type } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}

async function runBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}
