/**
 * The remediation ports over AWS, wired once for `ops check-schedulers --fix`, `ops healthcheck
 * --auto-fix` and the healthcheck Lambda: they differ only in where backups and audit entries go
 * (files in ./.ops for a person, the remediation table for the Lambda) and whether a run is waited for.
 */
import { createIdentityPort } from '../../aws/caller-identity.ts';
import type { AwsClients } from '../../aws/clients.ts';
import { createEcsReader } from '../../aws/ecs-reader.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import { createSchedulerWriter } from '../../aws/scheduler-writer.ts';
import type { AuditLog } from '../../remediate/audit-log.ts';
import type { BackupStore } from '../../remediate/backup.ts';
import type { FixPorts } from '../../remediate/run-fix.ts';
import { anyRunSource, ecsRunSource, ledgerRunSource, type RunEvidenceSource } from '../../remediate/wait-for-run.ts';

export function remediationPorts(clients: AwsClients, store: { backups: BackupStore; audit: AuditLog }, runs?: RunEvidenceSource): FixPorts {
  return {
    writer: createSchedulerWriter(clients.scheduler),
    backups: store.backups,
    audit: store.audit,
    targets: createEcsReader(clients.ecs),
    identity: createIdentityPort(clients.sts),
    ...(runs ? { runs } : {}),
  };
}

/** ECS task listings, and the run ledger too when its table exists (`ledgerTable` undefined: ECS only). */
export async function runEvidenceSource(clients: AwsClients, ledgerTable: string | undefined): Promise<RunEvidenceSource> {
  const ecs = ecsRunSource(createEcsReader(clients.ecs));
  if (ledgerTable === undefined) return ecs;
  const ledger = new DynamoRunLedger({ client: clients.dynamodb, tableName: ledgerTable });
  try {
    await ledger.coverage();
  } catch {
    // No table (or no access): ECS alone still shows tasks for about an hour.
    return ecs;
  }
  return anyRunSource([ledgerRunSource(ledger), ecs]);
}
