/**
 * The status page while `ops demo` runs: one server on 127.0.0.1 that follows the demo. Each `ops`
 * command the demo runs moves the page's instant to that command's virtual time, and the page reads
 * the repair history from that command's `--audit-log`, so what the narration says and what the page
 * shows are the same moment. The trading part adds the workflow table.
 */
import { createSandboxClients } from '../../sandbox/sandbox.ts';
import { nyse } from '../../market/index.ts';
import { collectStatus, STATUS_DEFAULTS } from '../../status/collect-status.ts';
import { CHECK_DEFAULTS } from '../../checks/run-check.ts';
import { startStatusServer, type RunningStatusServer } from '../status/status-server.ts';
import { createStatusPorts } from '../wiring/status-ports.ts';
import { DEFAULT_LEDGER_TABLE } from '../cli/aws-options.ts';
import type { OpsRun } from './incident-replay.ts';

export interface DemoStatus {
  url: string;
  /** Wraps the demo's `ops` runner so the page follows each command's instant and audit log. */
  follow: (ops: (argv: string[], at: Date) => Promise<OpsRun>) => (argv: string[], at: Date) => Promise<OpsRun>;
  showWorkflows: (table: string | undefined) => void;
  close: () => Promise<void>;
}

export async function startDemoStatus(options: { endpoint: string; region: string; auditLog: string; start: Date }): Promise<DemoStatus> {
  let at = options.start;
  let auditLog = options.auditLog;
  let workflowTable: string | undefined;
  const server: RunningStatusServer = await startStatusServer({
    host: '127.0.0.1',
    port: 0,
    refreshSeconds: 3,
    load: () => {
      const clients = createSandboxClients(options.endpoint, options.region);
      const ports = createStatusPorts(clients, {
        ledgerTable: DEFAULT_LEDGER_TABLE,
        auditLog,
        ...(workflowTable !== undefined ? { workflowTable } : {}),
        concurrency: STATUS_DEFAULTS.concurrency,
        check: { region: options.region, calendar: nyse, graceMinutes: CHECK_DEFAULTS.graceMinutes, marketCriticalPatterns: [] },
      });
      return collectStatus(ports, { now: at, hours: 2, bucketMinutes: 5, graceMinutes: CHECK_DEFAULTS.graceMinutes, maxRows: STATUS_DEFAULTS.maxRows, calendar: nyse, concurrency: STATUS_DEFAULTS.concurrency, workflowLimit: STATUS_DEFAULTS.workflowLimit });
    },
  });
  return {
    url: server.url,
    follow: (ops) => async (argv, when) => {
      at = when;
      const flag = argv.indexOf('--audit-log');
      const named = flag >= 0 ? argv[flag + 1] : undefined;
      if (named !== undefined) auditLog = named;
      return ops(argv, when);
    },
    showWorkflows: (table) => {
      workflowTable = table;
    },
    close: () => server.close(),
  };
}
