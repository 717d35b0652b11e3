/**
 * Counts AWS calls per operation (`Scheduler.ListSchedules: 3`), so benches and tests can hold the
 * adapters to their batching and de-duplication promises.
 *
 * It is SDK middleware, so it sees exactly what the client sends:
 * - `initialize` step: runs once per `client.send`, before the retry loop → logical calls.
 * - `deserialize` step: sits inside the retry middleware (finalizeRequest), so it runs once per HTTP
 *   attempt → attempts, which show throttling.
 * aws-sdk-client-mock replaces `send` itself, so a mocked client never reaches its middleware; count
 * mocked calls with the mock's `commandCalls` instead.
 */

/** The part of an SDK v3 client the counter needs; every generated client satisfies it. */
export interface MiddlewareClient {
  middlewareStack: {
    add(middleware: CountingMiddleware, options: { step: 'initialize'; name: string; override?: boolean }): void;
    add(middleware: CountingMiddleware, options: { step: 'deserialize'; name: string; override?: boolean }): void;
    remove(name: string): boolean;
  };
}

type CountingMiddleware = (next: (args: never) => Promise<unknown>, context: CallContext) => (args: never) => Promise<unknown>;

interface CallContext {
  clientName?: string;
  commandName?: string;
}

export interface CallCounter {
  /** Starts counting the client's calls; returns a function that stops it. */
  attach(client: MiddlewareClient): () => void;
  /** Logical calls (one per `send`, whatever the retries) by `Service.Operation`. */
  counts(): Record<string, number>;
  /** HTTP attempts (first try + retries) by `Service.Operation`. */
  attempts(): Record<string, number>;
  /** All logical calls. */
  total(): number;
  reset(): void;
}

let nextCounterId = 0;

/** `SchedulerClient` + `ListSchedulesCommand` → `Scheduler.ListSchedules`. */
export function operationKey(context: CallContext): string {
  const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
  const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
  return `${service}.${operation}`;
}

export function createCallCounter(): CallCounter {
  // Unique middleware names per counter: two counters may watch one client, and the stack rejects
  // duplicate names.
  const id = nextCounterId++;
  const calls = new Map<string, number>();
  const tries = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  const counting = (map: Map<string, number>): CountingMiddleware =>
    (next, context) =>
      (args) => {
        bump(map, operationKey(context));
        return next(args);
      };

  return {
    attach(client) {
      const callsName = `opsCallCounter${id}Calls`;
      const attemptsName = `opsCallCounter${id}Attempts`;
      client.middlewareStack.add(counting(calls), { step: 'initialize', name: callsName, override: true });
      client.middlewareStack.add(counting(tries), { step: 'deserialize', name: attemptsName, override: true });
      return () => {
        client.middlewareStack.remove(callsName);
        client.middlewareStack.remove(attemptsName);
      };
    },
    counts: () => Object.fromEntries(calls),
    attempts: () => Object.fromEntries(tries),
    total: () => [...calls.values()].reduce((sum, n) => sum + n, 0),
    reset() {
      calls.clear();
      tries.clear();
    },
  };
}
