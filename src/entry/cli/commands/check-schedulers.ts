import { resolve } from 'node:path';
import { createClusterDirectory } from '../../../aws/cluster-directory.ts';
import { createAwsClients, type AwsClients } from '../../../aws/clients.ts';
import { countedClients, createCheckPorts } from '../../wiring/check-ports.ts';
import { remediationPorts, runEvidenceSource } from '../../wiring/fix-ports.ts';
import { createCallCounter, type MiddlewareClient } from '../../../aws/call-counter.ts';
import { blindnessError } from '../../../checks/blindness.ts';
import { CHECK_DEFAULTS, runCheck, type CheckResult } from '../../../checks/run-check.ts';
import { renderReport, type CheckReport } from '../../../checks/report.ts';
import { Severity } from '../../../checks/finding.ts';
import { UserError } from '../../../errors.ts';
import { nyse } from '../../../market/index.ts';
import { awsSettingsFrom, DEFINITION_CACHE_TABLE_DESCRIPTION, definitionTableOf, ledgerTableOf, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { DEFAULT_MAX_CHANGES } from '../../../remediate/change-limit.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { createFileBackupStore } from '../../../remediate/backup.ts';
import type { ChangeResult, RemediationPlan } from '../../../remediate/change.ts';
import { fixExitCode } from '../../../remediate/outcome.ts';
import { parseMappings } from '../../../remediate/plan.ts';
import { renderChangeResults, renderPlan } from '../../../remediate/render.ts';
import { applyFix, planFix, type FixRun } from '../../../remediate/run-fix.ts';
import { defineCommand, type GlobalOptions } from '../command.ts';
import type { CliContext, CommandOutcome } from '../context.ts';
import { formatClock, formatWallTime } from '../../../time-format.ts';
import { assertOrgOptions, isOrgRun, withOrgOptions, type OrgOptionArgs } from '../org-options.ts';
import { runOrgCheck } from './check-org.ts';
import { parseAmountOption, parseCountOption, parseInstantOption } from '../parse-instant.ts';
import { fixConsent } from '../write-consent.ts';

export { DEFAULT_LEDGER_TABLE } from '../aws-options.ts';
import { DEFAULT_LEDGER_TABLE } from '../aws-options.ts';

interface Args extends AwsOptionArgs, OrgOptionArgs {
  group?: string;
  namePrefix?: string;
  state?: 'ENABLED' | 'DISABLED';
  failOn: Severity;
  concurrency: number;
  marketCritical: string[];
  ledgerTable?: string;
  ledger: boolean;
  definitionCacheTable?: string;
  graceMinutes: number;
  metricsWindow: number;
  at?: string;
  fix: boolean;
  dryRun: boolean;
  yes: boolean;
  cluster?: string;
  map: string[];
  maxChanges: number;
  backupDir: string;
  auditLog: string;
  waitForRun?: string;
}

export const DEFAULT_BACKUP_DIR = '.ops/backups';
export const DEFAULT_AUDIT_LOG = '.ops/audit.jsonl';
/** --wait-for-run without a value. */
export const DEFAULT_WAIT_MINUTES = 10;
const WAIT_POLL_MS = 15_000;

export const checkSchedulersCommand = defineCommand<Args>({
  command: 'check-schedulers',
  describe: 'Find every schedule that points at nothing, is switched off or expired, or has not run when it should have',
  builder: (y) =>
    withOrgOptions(withAwsOptions(y))
      .option('group', { type: 'string', describe: 'Only this schedule group' })
      .option('name-prefix', { type: 'string', describe: 'Only schedules whose name starts with this' })
      .option('state', { choices: ['ENABLED', 'DISABLED'] as const, describe: 'Only schedules in this state' })
      .option('fail-on', { choices: Object.values(Severity), default: CHECK_DEFAULTS.failOn, describe: 'Exit 1 when a finding is at or above this severity' })
      .option('market-critical', { type: 'string', array: true, default: [] as string[], describe: 'Glob of schedule names that are market-critical (repeatable); groups tagged ops:market-critical=true always are' })
      .option('ledger-table', { type: 'string', describe: `DynamoDB table of the run ledger (run evidence; default: RUN_LEDGER_TABLE, else ${DEFAULT_LEDGER_TABLE})` })
      .option('ledger', { type: 'boolean', default: true, describe: 'Read run evidence from the ledger; --no-ledger reads ECS task listings only' })
      .option('definition-cache-table', { type: 'string', describe: DEFINITION_CACHE_TABLE_DESCRIPTION })
      .option('concurrency', { type: 'number', default: CHECK_DEFAULTS.concurrency, describe: 'Per-item AWS calls in flight at once' })
      .option('grace-minutes', { type: 'number', default: CHECK_DEFAULTS.graceMinutes, describe: 'Minutes after a due fire time (plus the flexible window) before a run counts as missed' })
      .option('metrics-window', { type: 'number', default: CHECK_DEFAULTS.metricsWindowMinutes, describe: 'Minutes of AWS/Scheduler group metrics to sum' })
      .option('at', { type: 'string', describe: 'Evaluate as of this ISO instant (default: now); for replays on the sandbox clock' })
      .option('fix', { type: 'boolean', default: false, group: 'Fix:', describe: 'Plan the repair of TARGET_CLUSTER_NOT_FOUND (Target.Arn only) and apply it with --yes or after confirmation' })
      .option('dry-run', { type: 'boolean', default: false, group: 'Fix:', describe: 'Only show the plan; never writes, even with --yes' })
      .option('yes', { type: 'boolean', default: false, group: 'Fix:', describe: 'Apply the plan without asking (required when not at a terminal)' })
      .option('cluster', { type: 'string', group: 'Fix:', describe: 'Point every broken schedule no --map entry covers at this cluster (name or ARN; must be ACTIVE)' })
      .option('map', { type: 'string', array: true, default: [] as string[], group: 'Fix:', describe: 'Repeatable <from>=<to> (cluster names or ARNs); other schedules go to --cluster, or are matched automatically' })
      .option('max-changes', { type: 'number', default: DEFAULT_MAX_CHANGES, group: 'Fix:', describe: 'Refuse, before the first write, a plan with more changes than this' })
      .option('backup-dir', { type: 'string', default: DEFAULT_BACKUP_DIR, group: 'Fix:', describe: 'Where the full definition of each schedule is saved before it is written' })
      .option('audit-log', { type: 'string', default: DEFAULT_AUDIT_LOG, group: 'Fix:', describe: 'Append-only JSON-lines record of every change' })
      .option('wait-for-run', { type: 'string', group: 'Fix:', describe: `After fixing, wait until each fixed schedule has started a task (minutes; default ${DEFAULT_WAIT_MINUTES})` })
      .example('$0 check-schedulers', 'Check every schedule in every group')
      .example('$0 check-schedulers --group ops-pipeline --json', 'One group, as one JSON document')
      .example('$0 check-schedulers --fix --dry-run', 'Show what --fix would change, write nothing')
      .example('$0 check-schedulers --fix --map ops-pipeline=ops-pipeline-cluster --yes', 'Repair with an explicit mapping, without asking')
      .example('$0 check-schedulers --org --regions us-east-1,eu-west-1', 'Every account of the Organization in two regions, through the ops-org-access role'),
  run: async (args, ctx) => {
    assertFixOptions(args);
    assertOrgOptions(args);
    const fix = args.fix ? fixSettings(args) : undefined;
    const now = args.at !== undefined ? parseInstantOption('at', args.at) : ctx.now();
    const concurrency = parseCountOption('concurrency', args.concurrency, 256);
    const graceMinutes = parseAmountOption('grace-minutes', args.graceMinutes, { min: 0, max: 24 * 60, example: 2, unit: 'minutes' });
    const metricsWindowMinutes = parseCountOption('metrics-window', args.metricsWindow, 24 * 60);
    if (isOrgRun(args)) {
      if (fix?.waitMinutes !== undefined) {
        throw new UserError('ORG_TARGETS', '--wait-for-run is not supported across accounts.', 'Fix across accounts without it, then check one account with --wait-for-run, or run `ops check-schedulers --org …` again after the next fire.');
      }
      const orgFix = fix !== undefined ? { mappings: fix.mappings, maxChanges: fix.maxChanges, backupDir: fix.backupDir, auditLog: fix.auditLog } : undefined;
      return runOrgCheck(args, ctx, { now, concurrency, graceMinutes, metricsWindowMinutes, ...(orgFix ? { fix: orgFix } : {}) });
    }
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const counter = createCallCounter();
    for (const client of countedClients(clients)) counter.attach(client as unknown as MiddlewareClient);
    const progress = ctx.stderrIsTTY ? (message: string) => ctx.stderr(`… ${message}\n`) : undefined;

    const definitionTable = definitionTableOf(args, ctx.env);
    const definitionCache = definitionTable !== undefined ? { definitionTable, clock: ctx.now, warn: (message: string) => ctx.stderr(`warning: ${message}\n`) } : {};
    const check = await runCheck(createCheckPorts(clients, { concurrency, ...(args.ledger ? { ledgerTable: ledgerTableOf(args, ctx.env) } : {}), ...definitionCache }), {
      filter: { ...(args.group ? { group: args.group } : {}), ...(args.namePrefix ? { namePrefix: args.namePrefix } : {}), ...(args.state ? { state: args.state } : {}) },
      now,
      region: clients.config.region,
      concurrency,
      metricsWindowMinutes,
      calendar: nyse,
      graceMinutes,
      marketCriticalPatterns: args.marketCritical,
      failOn: args.failOn,
      calls: () => counter.counts(),
      ...(progress ? { progress } : {}),
    });
    // A check that saw nothing exits 2 or 3 with the reason, never 0 or 1 over an empty report.
    if (check.blind) throw blindnessError(check.blind);
    const { report } = check;
    const text = renderReport(report, {
      colour: ctx.stdoutIsTTY,
      formatClock: (iso) => formatClock(new Date(iso), nyse.timezone),
      formatWhen: (iso) => formatWallTime(new Date(iso), nyse.timezone),
    });
    if (fix !== undefined) return runFix(check, text, fix, args, clients, ctx, progress);
    return { exitCode: report.ok ? 0 : 1, json: report, text };
  },
});

interface FixSettings {
  mappings: ReturnType<typeof parseMappings>;
  maxChanges: number;
  backupDir: string;
  auditLog: string;
  waitMinutes?: number;
}

function fixSettings(args: Args): FixSettings {
  const wait = args.waitForRun === undefined ? undefined : parseWaitMinutes(args.waitForRun);
  return {
    mappings: parseMappings(args.map),
    maxChanges: parseCountOption('max-changes', args.maxChanges, 10_000),
    backupDir: args.backupDir,
    auditLog: args.auditLog,
    ...(wait !== undefined ? { waitMinutes: wait } : {}),
  };
}

/** The --fix document: the check report, the plan, and what was done. */
interface FixDocument {
  ok: boolean;
  mode: 'dry-run' | 'applied' | 'declined' | 'refused' | 'nothing-to-do';
  report: CheckReport;
  plan: RemediationPlan;
  maxChanges: number;
  refused?: { reason: string; hint: string };
  run?: { runId: string; who: string; whoUnknownReason?: string; auditLog: string; backupDir: string };
  results: ChangeResult[];
}

async function runFix(
  check: CheckResult,
  reportText: string,
  fix: FixSettings,
  args: Args & GlobalOptions,
  clients: AwsClients,
  ctx: CliContext,
  progress: ((message: string) => void) | undefined,
): Promise<CommandOutcome> {
  const plan = await planFix(check, createClusterDirectory(clients.ecs), { ...(args.cluster !== undefined ? { cluster: args.cluster } : {}), mappings: fix.mappings });
  const planText = renderPlan(plan, { maxChanges: fix.maxChanges });
  const document = (mode: FixDocument['mode'], extra: Partial<FixDocument> = {}): FixDocument => ({
    ok: false,
    mode,
    report: check.report,
    plan,
    maxChanges: fix.maxChanges,
    results: [],
    ...extra,
  });
  const dryRunExit = check.report.ok && plan.decisions.length === 0 ? 0 : 1;

  if (plan.changes.length === 0) {
    const doc = document('nothing-to-do', { ok: dryRunExit === 0 });
    return { exitCode: dryRunExit, json: doc, text: `${reportText}\n\n${planText}\nNothing to apply.` };
  }

  const backupDir = resolve(ctx.cwd, fix.backupDir);
  const auditLog = createFileAuditLog(resolve(ctx.cwd, fix.auditLog));
  const consent = await fixConsent({
    args,
    ctx,
    reportText,
    planText,
    document,
    dryRunExit,
    writes: plan.changes.length,
    maxChanges: fix.maxChanges,
    question: `Apply ${plan.changes.length} change(s) to Target.Arn? A backup of each schedule goes to ${backupDir}.`,
  });
  if (!consent.granted) return consent.outcome;
  const prefix = consent.prefix;

  const waitMinutes = fix.waitMinutes;
  const runs = waitMinutes !== undefined ? await runEvidenceSource(clients, args.ledger ? ledgerTableOf(args, ctx.env) : undefined) : undefined;
  const fixRun: FixRun = await applyFix(
    plan,
    check.snapshot,
    remediationPorts(clients, { backups: createFileBackupStore(backupDir), audit: auditLog }, runs),
    {
      now: ctx.now,
      maxChanges: fix.maxChanges,
      ...(waitMinutes !== undefined ? { wait: { timeoutMs: waitMinutes * 60_000, pollMs: WAIT_POLL_MS, sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, ms)) } } : {}),
      ...(progress ? { progress } : {}),
    },
  );
  const exitCode = fixExitCode({ findings: check.findings, failOn: args.failOn, plan, results: fixRun.results });
  const who = fixRun.who.known ? { who: fixRun.who.arn } : { who: 'unknown', whoUnknownReason: fixRun.who.reason };
  const doc = document('applied', { ok: exitCode === 0, run: { runId: fixRun.runId, ...who, auditLog: auditLog.path, backupDir }, results: fixRun.results });
  const resultsText = renderChangeResults(fixRun.results, { runId: fixRun.runId, auditLog: auditLog.path });
  const verifyHint = exitCode === 0 ? '\nVerify: ops check-schedulers (the next run of each fixed schedule clears MISSED_RUNS).' : '';
  return { exitCode, json: doc, text: `${prefix}${resultsText}${verifyHint}` };
}

function parseWaitMinutes(value: string): number {
  if (value.trim() === '' || value === 'true') return DEFAULT_WAIT_MINUTES;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 180) {
    throw new UserError('INVALID_NUMBER', `--wait-for-run must be a number of minutes from 1 to 180, got "${value}".`, `Pass --wait-for-run 10, or --wait-for-run alone for ${DEFAULT_WAIT_MINUTES} minutes.`);
  }
  return minutes;
}

/** Fix-only options without --fix are a usage error rather than silently ignored. */
export function assertFixOptions(args: Pick<Args, 'fix' | 'dryRun' | 'yes' | 'cluster' | 'waitForRun' | 'map'>): void {
  if (args.fix) return;
  const given = [
    args.dryRun ? '--dry-run' : undefined,
    args.yes ? '--yes' : undefined,
    args.cluster !== undefined ? '--cluster' : undefined,
    args.map.length > 0 ? '--map' : undefined,
    args.waitForRun !== undefined ? '--wait-for-run' : undefined,
  ].filter((flag) => flag !== undefined);
  if (given.length > 0) {
    throw new UserError('FIX_OPTION_WITHOUT_FIX', `${given.join(', ')} only apply with --fix.`, 'Add --fix, e.g. `ops check-schedulers --fix --dry-run`.');
  }
}

