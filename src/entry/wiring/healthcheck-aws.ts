/**
 * runHealthcheck's dependencies on AWS, from one set of clients: the Lambda, `ops healthcheck` and the
 * e2e tests wire them here, so all three run the same adapters. Where state lives (alert state,
 * backups, audit) differs by shell and is handed in.
 */
import { createCallCounter, type CallCounter, type MiddlewareClient } from '../../aws/call-counter.ts';
import { countedClients, createCheckPorts } from './check-ports.ts';
import type { AwsClients } from '../../aws/clients.ts';
import { createClusterDirectory } from '../../aws/cluster-directory.ts';
import type { ScheduleDefinitionCache } from '../../aws/scheduler-reader.ts';
import { remediationPorts } from './fix-ports.ts';
import { createSnsNotifier } from '../../aws/sns-notifier.ts';
import type { AlertStateStore } from '../../alerts/index.ts';
import type { AuditLog } from '../../remediate/audit-log.ts';
import type { BackupStore } from '../../remediate/backup.ts';
import type { HealthLog, MetricSink } from '../../healthcheck/ports.ts';
import type { HealthcheckDeps } from '../../healthcheck/run-healthcheck.ts';

export interface HealthcheckWiring {
  metrics: MetricSink;
  log: HealthLog;
  concurrency?: number;
  /** Run-ledger table; absent to read run evidence from ECS only. */
  ledgerTable?: string;
  /** Held across invocations by the Lambda so warm runs skip GetSchedule for unchanged schedules. */
  definitionCache?: ScheduleDefinitionCache;
  /** DynamoDB schedule-definition cache behind it, so cold starts skip them too; absent for none. */
  definitionTable?: string;
  /** Counts this client set's AWS calls into the report (reset it per run). */
  counter?: CallCounter;
  alerts?: { store: AlertStateStore; topicArn?: string };
  remediation?: { backups: BackupStore; audit: AuditLog };
}

export function createHealthcheckDeps(clients: AwsClients, wiring: HealthcheckWiring): HealthcheckDeps {
  const { counter } = wiring;
  return {
    check: createCheckPorts(clients, {
      ...(wiring.concurrency !== undefined ? { concurrency: wiring.concurrency } : {}),
      ...(wiring.ledgerTable !== undefined ? { ledgerTable: wiring.ledgerTable } : {}),
      ...(wiring.definitionCache ? { definitionCache: wiring.definitionCache } : {}),
      ...(wiring.definitionTable !== undefined ? { definitionTable: wiring.definitionTable, warn: (message: string) => wiring.log.warn(message, { stage: 'definition-cache' }) } : {}),
    }),
    ...(counter ? { calls: () => counter.counts() } : {}),
    metrics: wiring.metrics,
    log: wiring.log,
    ...(wiring.alerts
      ? { alerts: { store: wiring.alerts.store, ...(wiring.alerts.topicArn !== undefined ? { notifier: createSnsNotifier(clients.sns, wiring.alerts.topicArn) } : {}) } }
      : {}),
    fix: {
      clusters: createClusterDirectory(clients.ecs),
      ...(wiring.remediation
        ? {
            ports: remediationPorts(clients, wiring.remediation),
          }
        : {}),
    },
  };
}

/** A call counter on every client the healthcheck uses. */
export function countCalls(clients: AwsClients): CallCounter {
  const counter = createCallCounter();
  for (const client of [...countedClients(clients), clients.sns, clients.sts]) counter.attach(client as unknown as MiddlewareClient);
  return counter;
}
