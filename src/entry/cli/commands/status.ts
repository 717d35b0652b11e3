/**
 * `ops status serve` and `ops status export`: the status page (runs heatmap, findings with their
 * runbooks, repair history with undo commands, workflow timelines), live on 127.0.0.1 or as one
 * self-contained HTML file. Both draw from the same StatusDocument the server answers at /status.json.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { createAwsClients } from '../../../aws/clients.ts';
import { CHECK_DEFAULTS } from '../../../checks/run-check.ts';
import { UserError } from '../../../errors.ts';
import { nyse } from '../../../market/index.ts';
import { collectStatus, STATUS_DEFAULTS, type StatusOptions } from '../../../status/collect-status.ts';
import { renderStatusPage } from '../../../status/page-html.ts';
import type { StatusDocument } from '../../../status/status-document.ts';
import { openInBrowser } from '../../status/open-browser.ts';
import { startStatusServer } from '../../status/status-server.ts';
import { createStatusPorts } from '../../wiring/status-ports.ts';
import { awsSettingsFrom, ledgerTableOf, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand, type OpsGroup } from '../command.ts';
import type { CliContext } from '../context.ts';
import { parseAmountOption, parseCountOption, parseInstantOption } from '../parse-instant.ts';
import { DEFAULT_AUDIT_LOG } from './check-schedulers.ts';

interface SourceArgs extends AwsOptionArgs {
  ledgerTable?: string;
  auditLog: string;
  remediationTable?: string;
  workflowTable?: string;
  hours: number;
  bucketMinutes: number;
  maxRows: number;
  graceMinutes: number;
  marketCritical: string[];
  group?: string;
  at?: string;
}

export const DEFAULT_STATUS_PORT = 8787;
const DEFAULT_REFRESH_SECONDS = 30;

function withSourceOptions(y: Argv): Argv {
  return withAwsOptions(y)
    .option('ledger-table', { type: 'string', describe: 'DynamoDB table of the run ledger (default: RUN_LEDGER_TABLE, else ops-run-ledger)' })
    .option('audit-log', { type: 'string', default: DEFAULT_AUDIT_LOG, describe: 'Repair history from this audit log (what `ops check-schedulers --fix` writes)' })
    .option('remediation-table', { type: 'string', describe: "Repair history from the healthcheck's remediation table instead of --audit-log" })
    .option('workflow-table', { type: 'string', describe: 'DynamoDB workflow table for the workflow timelines (default: WORKFLOW_TABLE, else none)' })
    .option('hours', { type: 'number', default: STATUS_DEFAULTS.hours, describe: 'Hours of runs the heatmap covers (1-168)' })
    .option('bucket-minutes', { type: 'number', default: STATUS_DEFAULTS.bucketMinutes, describe: 'Minutes per heatmap column (1-1440)' })
    .option('max-rows', { type: 'number', default: STATUS_DEFAULTS.maxRows, describe: 'Schedules with missed runs drawn one by one; the rest fold into one row' })
    .option('grace-minutes', { type: 'number', default: CHECK_DEFAULTS.graceMinutes, describe: 'Minutes after a due fire (plus the flexible window) before it counts as missed' })
    .option('market-critical', { type: 'string', array: true, default: [] as string[], describe: 'Glob of market-critical schedule names (repeatable), as for check-schedulers' })
    .option('group', { type: 'string', describe: 'Only this schedule group' })
    .option('at', { type: 'string', describe: 'Show the status as of this ISO instant (default: now); for the sandbox clock' });
}

interface StatusRun {
  load: () => Promise<StatusDocument>;
}

function statusRun(args: SourceArgs, ctx: CliContext): StatusRun {
  const at = args.at !== undefined ? parseInstantOption('at', args.at) : undefined;
  const hours = parseAmountOption('hours', args.hours, { min: 1, max: 168, example: 6, unit: 'hours' });
  const bucketMinutes = parseCountOption('bucket-minutes', args.bucketMinutes, 1_440, 15);
  if ((hours * 60) / bucketMinutes > 2_000) throw new UserError('INVALID_OPTION', `--hours ${hours} in ${bucketMinutes}-minute columns is ${Math.ceil((hours * 60) / bucketMinutes)} columns; the page draws at most 2000.`, 'Use wider columns (--bucket-minutes) or fewer --hours.');
  const maxRows = parseCountOption('max-rows', args.maxRows, 10_000, 60);
  const graceMinutes = parseAmountOption('grace-minutes', args.graceMinutes, { min: 0, max: 24 * 60, example: 2, unit: 'minutes' });
  const workflowTable = args.workflowTable ?? nonEmpty(ctx.env.WORKFLOW_TABLE);
  const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
  const ports = createStatusPorts(clients, {
    ledgerTable: ledgerTableOf(args, ctx.env),
    auditLog: resolve(ctx.cwd, args.auditLog),
    ...(args.remediationTable !== undefined ? { remediationTable: args.remediationTable } : {}),
    ...(workflowTable !== undefined ? { workflowTable } : {}),
    concurrency: STATUS_DEFAULTS.concurrency,
    check: {
      region: clients.config.region,
      calendar: nyse,
      graceMinutes,
      marketCriticalPatterns: args.marketCritical,
      ...(args.group !== undefined ? { filter: { group: args.group } } : {}),
    },
  });
  const options = (now: Date): StatusOptions => ({ now, hours, bucketMinutes, graceMinutes, maxRows, calendar: nyse, concurrency: STATUS_DEFAULTS.concurrency, workflowLimit: STATUS_DEFAULTS.workflowLimit });
  return { load: () => collectStatus(ports, options(at ?? ctx.now())) };
}

interface ServeArgs extends SourceArgs {
  port: number;
  host: string;
  open: boolean;
  refresh: number;
}

export const statusServeCommand = defineCommand<ServeArgs>({
  command: 'serve',
  describe: 'Serve the status page on 127.0.0.1 and keep it current until Ctrl-C',
  builder: (y) =>
    withSourceOptions(y)
      .option('port', { type: 'number', default: DEFAULT_STATUS_PORT, describe: 'Port to listen on (0: a free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on; anything but loopback exposes AWS facts to the network' })
      .option('open', { type: 'boolean', default: false, describe: 'Open the page in the default browser' })
      .option('refresh', { type: 'number', default: DEFAULT_REFRESH_SECONDS, describe: 'Seconds between refreshes of the open page (2-3600); each refresh re-reads AWS at most once for all tabs' })
      .example('$0 status serve --open', 'The page for this account and region, in the browser')
      .example('$0 status serve --workflow-table ops-workflows --hours 12', 'With workflow timelines and 12 hours of runs'),
  run: async (args, ctx) => {
    const port = args.port === 0 ? 0 : parseCountOption('port', args.port, 65_535, 8787);
    const refreshSeconds = parseCountOption('refresh', args.refresh, 3_600, 30);
    if (refreshSeconds < 2) throw new UserError('INVALID_OPTION', '--refresh must be at least 2 seconds.', 'Pass --refresh 30, for example.');
    const run = statusRun(args, ctx);
    // The first collection happens before listening: bad credentials or a missing table are a usage
    // error now, not a page that says so later.
    const first = await run.load();
    if (first.report.blind) ctx.stderr(`warning: ${first.report.blind.reason} ${first.report.blind.hint}\n`);
    let prepared: StatusDocument | undefined = first;
    const server = await startStatusServer({
      host: args.host,
      port,
      refreshSeconds,
      load: () => {
        const doc = prepared;
        prepared = undefined;
        return doc ? Promise.resolve(doc) : run.load();
      },
      onError: (error) => ctx.stderr(`warning: ${error instanceof Error ? error.message : String(error)}\n`),
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError('PORT_IN_USE', `Port ${port} on ${args.host} is in use.`, 'Pass another --port, or --port 0 for a free one.', { cause: error });
      if (code === 'EADDRNOTAVAIL') throw new UserError('INVALID_OPTION', `${args.host} is not an address of this machine.`, 'Use --host 127.0.0.1.', { cause: error });
      throw error;
    });
    const exposed = !/^(127\.|::1$|localhost$)/.test(args.host);
    if (exposed) ctx.stderr(`warning: listening on ${args.host}: anyone who can reach this machine can read the page (schedule names, ARNs, findings).\n`);
    ctx.announce?.({
      json: { url: server.url, refreshSeconds, generatedAt: first.generatedAt, findings: first.report.findings.length },
      text: `Status page: ${server.url} (refreshes every ${refreshSeconds} s; Ctrl-C to stop)`,
    });
    if (args.open) {
      const opened = await openInBrowser(server.url, { platform: process.platform, env: ctx.env });
      if (!opened.ok) ctx.stderr(`warning: could not open a browser (${opened.reason}); open ${server.url} yourself.\n`);
    }
    const signal = await ctx.interrupted();
    await server.close();
    return { exitCode: 0, json: { url: server.url, stoppedBy: signal, collections: server.collections() }, text: `Status page stopped (${signal}) after ${server.collections()} collections.` };
  },
});

interface ExportArgs extends SourceArgs {
  out: string;
}

export const statusExportCommand = defineCommand<ExportArgs>({
  command: 'export',
  describe: 'Write the status page as one self-contained HTML file (no script, no external asset)',
  builder: (y) =>
    withSourceOptions(y)
      .option('out', { type: 'string', demandOption: true, describe: 'The HTML file to write (replaced atomically)' })
      .example('$0 status export --out report.html', 'A snapshot to attach or upload; opens with no network'),
  run: async (args, ctx) => {
    const out = resolve(ctx.cwd, args.out);
    if (!out.toLowerCase().endsWith('.html') && !out.toLowerCase().endsWith('.htm')) {
      throw new UserError('INVALID_OPTION', `--out ${args.out} is not an .html file.`, 'Name the file report.html, for example: browsers open it by its extension.');
    }
    const doc = await statusRun(args, ctx).load();
    // A blind check proves nothing; a page drawn from it would look calm. Nothing is written.
    if (doc.report.blind) throw new UserError('MONITOR_BLIND', `The check could not see, so no page was written: ${doc.report.blind.reason}`, doc.report.blind.hint);
    const html = renderStatusPage(doc);
    await mkdir(dirname(out), { recursive: true });
    // Written beside the target and renamed, so a reader never opens half a page.
    const partial = `${out}.${process.pid}.partial`;
    await writeFile(partial, html, 'utf8');
    await rename(partial, out);
    const bytes = Buffer.byteLength(html);
    const summary = doc.report.summary;
    return {
      exitCode: 0,
      json: { out, bytes, generatedAt: doc.generatedAt, schedules: summary.schedules, findings: summary.findings, repairs: doc.repairs.rows.length, workflows: doc.workflows?.timelines.length ?? null, errors: doc.errors },
      text: [
        `Wrote ${out} (${(bytes / 1024).toFixed(1)} KiB): ${summary.schedules} schedules, ${summary.findings.critical} critical / ${summary.findings.warning} warning findings, ${doc.repairs.rows.length} repairs${doc.workflows ? `, ${doc.workflows.timelines.length} workflows` : ''}.`,
        ...doc.errors.map((e) => `warning: ${e.section}: ${e.message}`),
      ].join('\n'),
    };
  },
});

export const statusGroup: OpsGroup = {
  command: 'status',
  describe: 'The status page: runs heatmap, findings with runbooks, repairs with undo commands, workflow timelines',
  subcommands: [statusServeCommand, statusExportCommand],
};

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
