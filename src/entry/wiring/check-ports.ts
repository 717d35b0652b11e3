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

export interface CheckPortOptions {
  /** GetSchedule calls in flight at once; default CHECK_DEFAULTS.concurrency, like runCheck's. */
  concurrency?: number;
  /** DynamoDB table of the run ledger; undefined to read evidence from ECS only. */
  ledgerTable?: string;
  /** Reuse schedule definitions whose LastModificationDate has not moved (see scheduler-reader). */
  definitionCache?: ScheduleDefinitionCache;
}

export function createCheckPorts(clients: AwsClients, options: CheckPortOptions): CheckPorts {
  const ports: CheckPorts = {
    scheduler: createSchedulerReader(clients.scheduler, {
      concurrency: options.concurrency ?? CHECK_DEFAULTS.concurrency,
      ...(options.definitionCache ? { definitionCache: options.definitionCache } : {}),
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
