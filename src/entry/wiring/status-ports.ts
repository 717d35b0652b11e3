/**
 * The status page's ports over AWS: the check through the same ports as `ops check-schedulers`, run
 * history from the same ledger table, repairs from the audit log `--fix` writes or the healthcheck's
 * remediation table, workflows from the workflow table. Runbooks are read from this package's
 * runbooks/ folder.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AwsClients } from '../../aws/clients.ts';
import { createDynamoAuditLog } from '../../aws/remediation-store.ts';
import { DynamoRunLedger } from '../../aws/run-ledger-store.ts';
import { DynamoWorkflowStore } from '../../aws/workflow-store.ts';
import { runCheck, type CheckOptions } from '../../checks/run-check.ts';
import { createFileAuditLog } from '../../remediate/audit-log.ts';
import type { StatusPorts } from '../../status/collect-status.ts';
import { renderRunbookHtml } from '../../status/runbook-html.ts';
import { createCheckPorts } from './check-ports.ts';

export interface StatusWiring {
  ledgerTable?: string;
  /** The healthcheck's remediation table; without it, the audit log file. */
  remediationTable?: string;
  auditLog: string;
  workflowTable?: string;
  concurrency: number;
  check: Omit<CheckOptions, 'now'>;
}

const PACKAGE_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export function createStatusPorts(clients: AwsClients, wiring: StatusWiring): StatusPorts {
  const ledger = wiring.ledgerTable !== undefined ? new DynamoRunLedger({ client: clients.dynamodb, tableName: wiring.ledgerTable }) : undefined;
  const checkPorts = createCheckPorts(clients, { concurrency: wiring.concurrency, ...(wiring.ledgerTable !== undefined ? { ledgerTable: wiring.ledgerTable } : {}) });
  const audit =
    wiring.remediationTable !== undefined
      ? { source: { kind: 'table' as const, table: wiring.remediationTable }, log: createDynamoAuditLog({ client: clients.dynamodb, tableName: wiring.remediationTable }) }
      : { source: { kind: 'file' as const, auditLog: wiring.auditLog }, log: createFileAuditLog(wiring.auditLog) };
  const workflows = wiring.workflowTable !== undefined ? { table: wiring.workflowTable, store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: wiring.workflowTable }) } : undefined;
  return {
    check: (now) => runCheck(checkPorts, { ...wiring.check, now }),
    ...(ledger ? { ledger: { runsSince: (key, since) => ledger.runsSince(key, since), coverage: () => ledger.coverage() } } : {}),
    audit: { source: audit.source, readAll: () => audit.log.readAll() },
    ...(workflows ? { workflows: { table: workflows.table, list: (query) => workflows.store.list(query) } } : {}),
    runbook: readRunbook,
  };
}

/** Only paths under runbooks/: a finding names its runbook, and nothing else of the disk is served. */
export async function readRunbook(path: string): Promise<string | undefined> {
  if (!/^runbooks\/[A-Za-z0-9_/-]+\.md$/.test(path) || path.includes('..')) return undefined;
  try {
    return renderRunbookHtml(await readFile(resolve(PACKAGE_ROOT, path), 'utf8'));
  } catch {
    return undefined;
  }
}
