/**
 * The status page the healthcheck publishes (the RenderStatusPage port of src/healthcheck/status-page.ts):
 * the same page `ops status export` writes, drawn from the run's own check (no second check), the run
 * ledger's history and the remediation table. The Lambda ships no runbooks, so findings name their
 * runbook by path, and it has no workflow table. Imported lazily, with the publisher: a healthcheck
 * without STATUS_BUCKET loads none of it.
 */
import { auditLogTable } from '../../aws/remediation-store.ts';
import type { RenderStatusPage } from '../../healthcheck/status-page.ts';
import { nyse } from '../../market/index.ts';
import type { AuditLog } from '../../remediate/audit-log.ts';
import { collectStatus, STATUS_DEFAULTS, type StatusPorts } from '../../status/collect-status.ts';
import { renderStatusPage } from '../../status/page-html.ts';
import type { RepairSource } from '../../status/repairs.ts';

export interface HealthcheckPageSources {
  /** Run history; undefined when the healthcheck runs without a ledger. */
  ledger?: StatusPorts['ledger'];
  /** The auto-fix's audit log (the remediation table); undefined when auto-fix has none. */
  audit?: AuditLog;
}

export function healthcheckStatusPageRenderer(sources: HealthcheckPageSources): RenderStatusPage {
  return async ({ check, now, graceMinutes }) => {
    const table = sources.audit ? auditLogTable(sources.audit.path) : undefined;
    const source: RepairSource = table !== undefined ? { kind: 'table', table } : { kind: 'file', auditLog: sources.audit?.path ?? '(no remediation table: AUTO_FIX is off)' };
    const audit = sources.audit;
    const doc = await collectStatus(
      {
        check: () => Promise.resolve(check),
        ...(sources.ledger ? { ledger: sources.ledger } : {}),
        audit: { source, readAll: () => (audit ? audit.readAll() : Promise.resolve([])) },
      },
      { now, hours: STATUS_DEFAULTS.hours, bucketMinutes: STATUS_DEFAULTS.bucketMinutes, graceMinutes, maxRows: STATUS_DEFAULTS.maxRows, calendar: nyse, concurrency: STATUS_DEFAULTS.concurrency, workflowLimit: STATUS_DEFAULTS.workflowLimit },
    );
    return renderStatusPage(doc);
  };
}
