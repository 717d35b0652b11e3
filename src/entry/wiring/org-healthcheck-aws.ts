/**
 * runOrgHealthcheck's dependencies on AWS: the Lambda (org mode) and `ops healthcheck --org` wire them
 * here. Everything central stays central: the alert state (one item per stream), the alert topic, the
 * remediation table (every pair's backups and audit entries, stamped with their account and region)
 * and the schedule-definition cache table (keyed by schedule ARN, which names the account and
 * region). What a pair reads and writes goes through clients in its account and region
 * (org-clients.ts: one AssumeRole per account, refreshed near expiry).
 */
import type { AlertStateStore } from '../../alerts/index.ts';
import { createClusterDirectory } from '../../aws/cluster-directory.ts';
import { enabledRegions } from '../../aws/regions-reader.ts';
import { createScheduleDefinitionCache, layeredDefinitionCache } from '../../aws/schedule-definition-cache.ts';
import type { ScheduleDefinitionCache } from '../../aws/scheduler-reader.ts';
import { createDynamoDefinitionCache } from '../../aws/schedule-definition-store.ts';
import { createSnsNotifier } from '../../aws/sns-notifier.ts';
import type { OrgHealthcheckDeps, PairHealthcheckDeps } from '../../healthcheck/org-healthcheck.ts';
import type { HealthLog, MetricSink } from '../../healthcheck/ports.ts';
import { placedAuditLog, placedBackupStore, type AccountRegion } from '../../org/placed-stores.ts';
import type { OrgPair } from '../../org/targets.ts';
import type { AuditLog } from '../../remediate/audit-log.ts';
import type { BackupStore } from '../../remediate/backup.ts';
import { createCheckPorts } from './check-ports.ts';
import { remediationPorts } from './fix-ports.ts';
import { organizationLookups, type OrgClients } from './org-clients.ts';

export interface OrgHealthcheckWiring {
  org: OrgClients;
  metrics: MetricSink;
  log: HealthLog;
  alertStore: (key: string) => AlertStateStore;
  /** Absent: nothing is published (the CLI without --notify). */
  topicArn?: string;
  /** GetSchedule calls in flight per pair. */
  concurrency?: number;
  /** The run-ledger table, by the same name in every member account (memberOf.runLedgerTable); absent: ECS evidence only. */
  ledgerTable?: string;
  /** Per pair, held across invocations by the Lambda (definitionCaches()). */
  definitionCaches?: (pair: OrgPair) => ScheduleDefinitionCache;
  /**
   * Where a pair's auto-fix keeps its backups and audit entries, stamped with its account and region
   * (placed-stores.ts): the Lambda's remediation table, the CLI's files. Absent: no auto-fix ports.
   */
  remediation?: (place: AccountRegion) => { backups: BackupStore; audit: AuditLog };
  home?: OrgHealthcheckDeps['home'];
  calls?: () => Record<string, number>;
  remainingMs?: () => number;
}

export function createOrgHealthcheckDeps(wiring: OrgHealthcheckWiring): OrgHealthcheckDeps {
  const { org } = wiring;
  const centralRegion = org.central.config.region;
  return {
    lookups: organizationLookups(org, 'list the accounts instead (ORG_ACCOUNTS, --accounts)'),
    entry: {
      enter: async (account) => void (await org.forAccount(account.id, account.role, centralRegion)),
      enabledRegions: async (account) => enabledRegions((await org.forAccount(account.id, account.role, centralRegion)).ec2),
    },
    pair: async (pair): Promise<PairHealthcheckDeps> => {
      const clients = await org.forPair(pair);
      const place = { account: pair.account.id, region: pair.region };
      const definitionCache = wiring.definitionCaches?.(pair);
      return {
        check: createCheckPorts(clients, {
          ...(wiring.concurrency !== undefined ? { concurrency: wiring.concurrency } : {}),
          ...(wiring.ledgerTable !== undefined ? { ledgerTable: wiring.ledgerTable } : {}),
          ...(definitionCache ? { definitionCache } : {}),
        }),
        fix: {
          clusters: createClusterDirectory(clients.ecs),
          ...(wiring.remediation ? { ports: remediationPorts(clients, wiring.remediation(place)) } : {}),
        },
      };
    },
    ...(wiring.home ? { home: wiring.home } : {}),
    alertStore: wiring.alertStore,
    ...(wiring.topicArn !== undefined ? { notifier: createSnsNotifier(org.central.sns, wiring.topicArn) } : {}),
    metrics: wiring.metrics,
    log: wiring.log,
    ...(wiring.calls ? { calls: wiring.calls } : {}),
    ...(wiring.remainingMs ? { remainingMs: wiring.remainingMs } : {}),
  };
}

/** One DynamoDB remediation table for every pair: each item stamped with the pair's account and region. */
export function placedRemediation(central: { backups: BackupStore; audit: AuditLog }): (place: AccountRegion) => { backups: BackupStore; audit: AuditLog } {
  return (place) => ({ backups: placedBackupStore(central.backups, place), audit: placedAuditLog(central.audit, place) });
}

/**
 * One schedule-definition cache per pair, kept for as long as the returned function is (the Lambda's
 * module scope): the in-memory tier is keyed by group/name, which repeats across accounts and regions,
 * so pairs never share one; behind each, the central DynamoDB table (keyed by ARN) when there is one.
 */
export function definitionCaches(central: { dynamodb: Parameters<typeof createDynamoDefinitionCache>[0]['client'] }, options: { table?: string; clock: () => Date; warn: (message: string) => void }): (pair: OrgPair) => ScheduleDefinitionCache {
  const caches = new Map<string, ScheduleDefinitionCache>();
  return (pair) => {
    const key = `${pair.account.id}|${pair.region}`;
    let cache = caches.get(key);
    if (cache === undefined) {
      const memory = createScheduleDefinitionCache();
      cache =
        options.table === undefined
          ? memory
          : layeredDefinitionCache(memory, createDynamoDefinitionCache({ client: central.dynamodb, tableName: options.table, clock: options.clock, warn: (message) => options.warn(`${pair.account.id} ${pair.region}: ${message}`) }));
      caches.set(key, cache);
    }
    return cache;
  };
}
