/**
 * runHealthcheck's dependencies on AWS, from one set of clients: the Lambda, `ops healthcheck` and the
 * e2e tests wire them here, so all three run the same adapters. Where state lives (alert state,
 * backups, audit) differs by shell and is handed in.
 */
import { createCallCounter, type CallCounter, type MiddlewareClient } from '../../aws/call-counter.ts';
import { countedClients, createCheckPorts } from './check-ports.ts';
import type { AwsClients } from '../../aws/clients.ts';
import { createClusterDirectory } from '../../aws/cluster-directory.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import type { ScheduleDefinitionCache } from '../../aws/scheduler-reader.ts';
import { remediationPorts } from './fix-ports.ts';
import { createSnsNotifier } from '../../aws/sns-notifier.ts';
import type { AlertStateStore } from '../../alerts/index.ts';
import type { AuditLog } from '../../remediate/audit-log.ts';
import type { BackupStore } from '../../remediate/backup.ts';
import type { HealthLog, MetricSink } from '../../healthcheck/ports.ts';
import type { HealthcheckDeps } from '../../healthcheck/run-healthcheck.ts';
import type { StatusPageConfig } from '../../healthcheck/config.ts';
import type { RenderStatusPage, StatusPagePublisher } from '../../healthcheck/status-page.ts';
import type { ClientConfig } from '../../aws/client-config.ts';

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
  /** Publish each run's status page to S3 and link it from the emails; absent: off. */
  statusPage?: StatusPageConfig;
  /** Wall clock for the status page link's signature; default the system clock. */
  clock?: () => Date;
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
    ...(wiring.statusPage ? { statusPage: { render: lazyStatusPageRender(clients, wiring), publisher: lazyStatusPagePublisher(clients.config, wiring.statusPage, wiring.clock ?? (() => new Date())) } } : {}),
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

/** The page renderer, imported on the first render, like the publisher below. */
function lazyStatusPageRender(clients: AwsClients, wiring: HealthcheckWiring): RenderStatusPage {
  const { ledgerTable } = wiring;
  const ledger = ledgerTable !== undefined ? new DynamoRunLedger({ client: clients.dynamodb, tableName: ledgerTable }) : undefined;
  return async (input) => {
    const { healthcheckStatusPageRenderer } = await import('./status-page-render.ts');
    const render = healthcheckStatusPageRenderer({
      ...(ledger ? { ledger: { runsSince: (key, since) => ledger.runsSince(key, since), coverage: () => ledger.coverage() } } : {}),
      ...(wiring.remediation ? { audit: wiring.remediation.audit } : {}),
    });
    return render(input);
  };
}

/**
 * The S3 publisher, imported on the first publish: code splitting keeps the S3 client and the
 * presigner out of the bundle a cold start loads, so a healthcheck without STATUS_BUCKET loads none
 * of it. Its S3 calls are not counted: a presign would count as a GetObject that never happens.
 */
export function lazyStatusPagePublisher(config: ClientConfig, settings: StatusPageConfig, clock: () => Date): StatusPagePublisher {
  let loading: Promise<StatusPagePublisher> | undefined;
  const load = async () => {
    const { createStatusPagePublisher, createStatusPageS3Client } = await import('../../aws/status-page-publisher.ts');
    return createStatusPagePublisher({
      s3: createStatusPageS3Client(config),
      bucket: settings.bucket,
      prefix: settings.prefix,
      expiresInSeconds: Math.round(settings.linkHours * 3600),
      ...(settings.kmsKeyId !== undefined ? { kmsKeyId: settings.kmsKeyId } : {}),
      clock,
    });
  };
  return {
    async publish(html, now) {
      loading ??= load().catch((error: unknown) => {
        // A failed load is retried by the next run rather than remembered.
        loading = undefined;
        throw error;
      });
      return (await loading).publish(html, now);
    },
  };
}

/** A call counter on every client the healthcheck uses. */
export function countCalls(clients: AwsClients): CallCounter {
  const counter = createCallCounter();
  for (const client of [...countedClients(clients), clients.sns, clients.sts]) counter.attach(client as unknown as MiddlewareClient);
  return counter;
}
