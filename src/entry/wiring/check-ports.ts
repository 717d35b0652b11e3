/**
 * Wires the read adapters into the ports the check needs, from one set of clients. The run ledger is
 * read through the same DynamoDB adapter the ledger handler writes with.
 */
import type { CheckPorts, LedgerPort } from '../../checks/ports.ts';
import { CHECK_DEFAULTS } from '../../checks/run-check.ts';
import type { AwsClients } from '../../aws/clients.ts';
import { createEcsReader } from '../../aws/ecs-reader.ts';
import { createIamReader } from '../../aws/iam-reader.ts';
import { createLambdaReader } from '../../aws/lambda-reader.ts';
import { createQueueReader } from '../../aws/queue-reader.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import { createSchedulerMetricsReader } from '../../aws/scheduler-metrics-reader.ts';
import { createSchedulerReader, type ScheduleDefinitionCache } from '../../aws/scheduler-reader.ts';
import { createScheduleDefinitionCache, layeredDefinitionCache } from '../../aws/schedule-definition-cache.ts';
import { createDynamoDefinitionCache } from '../../aws/schedule-definition-store.ts';

export interface CheckPortOptions {
  /** GetSchedule calls in flight at once; default CHECK_DEFAULTS.concurrency, like runCheck's. */
  concurrency?: number;
  /** DynamoDB table of the run ledger; undefined to read evidence from ECS only. */
  ledgerTable?: string;
  /** Reuse schedule definitions whose LastModificationDate has not moved (see scheduler-reader). */
  definitionCache?: ScheduleDefinitionCache;
  /**
   * DynamoDB table of schedule definitions shared between processes, behind `definitionCache` (or a
   * fresh in-memory one); undefined for none.
   */
  definitionTable?: string;
  /** Where a definition-cache fault is reported (the check goes on with GetSchedule). */
  warn?: (message: string) => void;
  /** The clock the definition table's TTL counts from; default the wall clock. */
  clock?: () => Date;
}

export function createCheckPorts(clients: AwsClients, options: CheckPortOptions): CheckPorts {
  const definitionCache = definitionCacheOf(clients, options);
  const ports: CheckPorts = {
    scheduler: createSchedulerReader(clients.scheduler, {
      concurrency: options.concurrency ?? CHECK_DEFAULTS.concurrency,
      ...(definitionCache ? { definitionCache } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    }),
    ecs: createEcsReader(clients.ecs),
    iam: createIamReader(clients.iam),
    lambda: createLambdaReader(clients.lambda),
    queues: createQueueReader(clients.sqs),
    metrics: createSchedulerMetricsReader(clients.cloudwatch),
  };
  if (options.ledgerTable !== undefined) ports.ledger = ledgerPort(new DynamoRunLedger({ client: clients.dynamodb, tableName: options.ledgerTable }));
  return ports;
}

/** The process's own cache in front of the shared table, when there is a table. */
function definitionCacheOf(clients: AwsClients, options: CheckPortOptions): ScheduleDefinitionCache | undefined {
  if (options.definitionTable === undefined) return options.definitionCache;
  const table = createDynamoDefinitionCache({
    client: clients.dynamodb,
    tableName: options.definitionTable,
    clock: options.clock ?? (() => new Date()),
    ...(options.warn ? { warn: options.warn } : {}),
  });
  return layeredDefinitionCache(options.definitionCache ?? createScheduleDefinitionCache(), table);
}

export function ledgerPort(ledger: DynamoRunLedger | { lastRuns: LedgerPort['lastRuns']; coverage: () => Promise<Date | undefined> }): LedgerPort {
  return {
    lastRuns: async (keys) => ledger.lastRuns(keys),
    coversSince: async () => ledger.coverage(),
  };
}

/** The clients whose calls are counted for the report's `calls` figures. */
export function countedClients(clients: AwsClients): { middlewareStack: unknown }[] {
  return [clients.scheduler, clients.ecs, clients.iam, clients.lambda, clients.sqs, clients.cloudwatch, clients.dynamodb];
}
