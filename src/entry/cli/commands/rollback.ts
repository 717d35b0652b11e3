/**
 * `ops rollback <backup file | audit entry id | --last>`: restores schedules from the backups
 * `ops check-schedulers --fix` wrote, with the same guard, consent gate and audit as the fix. One
 * difference: without --yes and without a terminal it is a dry run, not a refusal, because the bare
 * `ops rollback --last` is how the README says to look before undoing anything.
 *
 * `ops rollback --from-table <table> --last | --backup-id <id>` does the same from the healthcheck
 * Lambda's remediation table: its auto-fix backups and audit entries, read through the same adapters
 * that wrote them. The rollback records its own backups and audit entries in that table too, not in
 * ./.ops: the table is the one place every on-call engineer (and the next rollback, from any machine)
 * can see that the auto-fix was undone, by whom and from which backup, and it is what lets a second
 * rollback answer "already rolled back" instead of racing the first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { accessErrorFromFailure } from '../../../aws/access-errors.ts';
import { createIdentityPort } from '../../../aws/caller-identity.ts';
import { createAwsClients, type AwsClients } from '../../../aws/clients.ts';
import { grantToCallerHint } from '../../../aws/dynamo-errors.ts';
import { backupLocationEntry, createDynamoAuditLog, createDynamoBackupStore } from '../../../aws/remediation-store.ts';
import { createSchedulerWriter } from '../../../aws/scheduler-writer.ts';
import { clipText } from '../../../clip-text.ts';
import { UserError } from '../../../errors.ts';
import { DEFAULT_MAX_CHANGES } from '../../../remediate/apply.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { createFileBackupStore } from '../../../remediate/backup.ts';
import { newRunId } from '../../../remediate/identifiers.ts';
import { renderRollbackPreview, renderRollbackResults } from '../../../remediate/render.ts';
import { applyRollback, planRollback, previewRollback, PreviewAction, type RollbackPreview, type RollbackResult, type RollbackSelector } from '../../../remediate/rollback.ts';
import { fileRollbackSource, tableRollbackSource, type RollbackSource } from '../../../remediate/rollback-source.ts';
import { awsSettingsFrom, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import type { STSClient } from '@aws-sdk/client-sts';
import { roleSessionName } from '../../../aws/assumed-role.ts';
import { errorMessage } from '../../../aws-error.ts';
import { placedAuditLog, placedBackupStore } from '../../../org/placed-stores.ts';
import { splitByPlacement, type PlacedRollback } from '../../../org/rollback-placement.ts';
import { parseAccountIds } from '../../../org/targets.ts';
import type { SchedulerWriter } from '../../../remediate/ports.ts';
import { createOrgClients } from '../../wiring/org-clients.ts';
import type { CliContext } from '../context.ts';
import { operatorOf, withRoleOptions } from '../org-options.ts';
import { defineCommand } from '../command.ts';
import { parseCountOption } from '../parse-instant.ts';
import { obtainConsent, type DryRunReason } from '../write-consent.ts';
import { DEFAULT_AUDIT_LOG, DEFAULT_BACKUP_DIR } from './check-schedulers.ts';

const UNATTENDED_DRY_RUN = 'Dry run: nothing was written (no --yes, and no terminal to ask at). Restore with --yes.';

interface Args extends AwsOptionArgs {
  target?: string;
  account: string[];
  roleName: string;
  externalId?: string;
  last: boolean;
  fromTable?: string;
  backupId?: string;
  dryRun: boolean;
  yes: boolean;
  maxChanges: number;
  backupDir?: string;
  auditLog?: string;
}

interface RollbackDocument {
  ok: boolean;
  mode: 'dry-run' | 'applied' | 'declined' | 'refused' | 'nothing-to-do';
  /** With mode dry-run: `requested` (--dry-run) or `unattended` (no --yes and no terminal to ask at). */
  dryRunReason?: DryRunReason;
  selected: string;
  preview: { entryId: string; schedule: { group: string; name: string; arn: string }; backupFile: string; action: string; reason?: string; diff: unknown[] }[];
  refused?: { reason: string; hint: string };
  run?: { runId: string; who: string; whoUnknownReason?: string; auditLog: string; backupDir: string };
  results: RollbackResult[];
  /** With --from-table: the remediation table read and written. */
  fromTable?: string;
  /** What to know before restoring from this source (with --from-table: auto-fix repeats the fix). */
  notes?: string[];
}

export const rollbackCommand = defineCommand<Args>({
  command: 'rollback [target]',
  describe: 'Undo `check-schedulers --fix` or the healthcheck\'s auto-fix: restore schedules exactly from their backups (dry run unless --yes or confirmed)',
  builder: (y) =>
    withRoleOptions(withAwsOptions(y))
      .positional('target', { type: 'string', describe: 'A backup file, or an audit entry id (entryId in the audit log)' })
      .option('last', { type: 'boolean', default: false, describe: 'Every change of the most recent fix run' })
      .option('from-table', { type: 'string', describe: 'Restore what the healthcheck\'s auto-fix changed: its DynamoDB remediation table (the Lambda\'s REMEDIATION_TABLE); with --last or --backup-id' })
      .option('backup-id', { type: 'string', describe: 'With --from-table: one backup, by its audit entry id or its dynamodb:// location from the [AUTO-FIXED] email' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Only show what would be restored; never writes, even with --yes' })
      .option('yes', { type: 'boolean', default: false, describe: 'Restore without asking (required when not at a terminal)' })
      .option('max-changes', { type: 'number', default: DEFAULT_MAX_CHANGES, describe: 'Refuse, before the first write, to restore more schedules than this' })
      .option('backup-dir', { type: 'string', defaultDescription: DEFAULT_BACKUP_DIR, describe: 'Where the current definition is saved before it is overwritten (not with --from-table: the table)' })
      .option('audit-log', { type: 'string', defaultDescription: DEFAULT_AUDIT_LOG, describe: 'The audit log of the fix, and where this rollback is recorded (not with --from-table: the table)' })
      .option('account', { type: 'string', array: true, default: [] as string[], describe: 'An org-wide fix: restore only what it changed in these accounts (repeatable); each schedule is restored in its own account and region through --role-name' })
      .example('$0 rollback --last', 'Show what undoing the last fix run would restore')
      .example('$0 rollback --last --yes', 'Undo the last fix run')
      .example('$0 rollback --last --account 111111111111 --yes', 'Undo the last org-wide fix in one account only')
      .example('$0 rollback .ops/backups/20260129T230100123Z-ops-pipeline-ops-pipeline-dispatcher.json --yes', 'Restore one backup')
      .example('$0 rollback --from-table ops-pipeline-remediation --last', 'Show what undoing the healthcheck\'s last auto-fix would restore'),
  run: async (args, ctx) => {
    const selection = selectionFrom(args, ctx.cwd);
    const maxChanges = parseCountOption('max-changes', args.maxChanges, 10_000);
    // Built on first use: a usage error or an empty audit log is reported before AWS settings are read.
    let built: AwsClients | undefined;
    const clients = () => (built ??= createAwsClients(awsSettingsFrom(args), ctx.env));
    const source = selection.table !== undefined ? tableSource(selection.table, clients()) : fileSource(args, ctx.cwd);
    const plan = await planRollback(selection.selector, source);
    const accounts = parseAccountIds('--account', args.account);
    const parts = await placedParts(splitByPlacement(plan, accounts), clients, args, ctx);
    const previews: RollbackPreview[] = [];
    for (const part of parts) previews.push(...(await previewRollback(part.plan, part.writer, { refuse: (failure) => accessErrorFromFailure(failure, 'the Scheduler API') })));
    const previewText = [renderRollbackPreview(plan.selected, previews), ...source.notes.map((note) => `Note: ${note}`)].join('\n');
    const document = (mode: RollbackDocument['mode'], extra: Partial<RollbackDocument> = {}): RollbackDocument => ({
      ok: false,
      mode,
      selected: plan.selected,
      preview: previews.map(previewJson),
      results: [],
      ...(selection.table !== undefined ? { fromTable: selection.table } : {}),
      ...(source.notes.length > 0 ? { notes: source.notes } : {}),
      ...extra,
    });
    const toRestore = previews.filter((p) => p.action === PreviewAction.restore).length;
    const blocked = previews.some((p) => p.action === PreviewAction.skip || p.action === PreviewAction.unreadable);
    if (toRestore === 0) {
      return { exitCode: blocked ? 1 : 0, json: document('nothing-to-do', { ok: !blocked }), text: `${renderRollbackPreview(plan.selected, previews)}\nNothing to restore.` };
    }

    const consent = await obtainConsent({
      args,
      ctx,
      command: 'ops rollback',
      preview: previewText,
      stderrPreview: previewText,
      document,
      unattended: 'dry-run',
      dryRun: (reason) => ({
        exitCode: blocked ? 1 : 0,
        json: document('dry-run', { ok: !blocked, dryRunReason: reason }),
        text: `${previewText}\n${reason === 'unattended' ? UNATTENDED_DRY_RUN : 'Dry run: nothing was written. Restore with --yes.'}`,
      }),
      writes: parts.reduce((sum, part) => sum + part.plan.items.filter((item) => item.alreadyRolledBackBy === undefined).length, 0),
      maxChanges,
      what: 'rollback',
      question: `Restore ${toRestore} schedule(s) from their backups? The current definitions are backed up ${source.backupsAtWords} first.`,
      declined: 'Not restored: declined. Nothing was written.',
    });
    if (!consent.granted) return consent.outcome;
    const prefix = consent.prefix;

    const who = await createIdentityPort(clients().sts).whoAmI();
    const runId = newRunId('rollback', ctx.now());
    const progress = ctx.stderrIsTTY ? (message: string) => ctx.stderr(`… ${message}\n`) : undefined;
    const results: RollbackResult[] = [];
    let firstEntry = 1;
    for (const part of parts) {
      const { place } = part;
      const ports = place === undefined
        ? { writer: part.writer, backups: source.backups, audit: source.audit }
        : { writer: part.writer, backups: placedBackupStore(source.backups, place), audit: placedAuditLog(source.audit, place) };
      // In another account the audit names the assumed role's session, which carries the operator's name.
      const writer = place === undefined ? who : await createIdentityPort(part.sts).whoAmI();
      results.push(...(await applyRollback(part.plan, ports, { runId, who: writer, now: ctx.now, maxChanges, firstEntry, ...(progress ? { progress } : {}) })));
      firstEntry += part.plan.items.filter((item) => item.alreadyRolledBackBy === undefined).length;
    }
    const failed = results.some((r) => r.status === 'failed' || r.status === 'skipped');
    const whoDoc = who.known ? { who: who.arn } : { who: 'unknown', whoUnknownReason: who.reason };
    return {
      exitCode: failed ? 1 : 0,
      json: document('applied', { ok: !failed, run: { runId, ...whoDoc, auditLog: source.audit.path, backupDir: source.backupsAt }, results }),
      text: `${prefix}${renderRollbackResults(results, { runId, auditLog: source.audit.path })}`,
    };
  },
});

interface WritablePart extends PlacedRollback {
  writer: SchedulerWriter;
  sts: STSClient;
}

/** Each part's writer: the caller's own clients, or the assumed role in the account and region the backup names. */
async function placedParts(parts: PlacedRollback[], clients: () => AwsClients, args: Args, ctx: CliContext): Promise<WritablePart[]> {
  if (parts.every((part) => part.place === undefined)) return parts.map((part) => ({ ...part, writer: createSchedulerWriter(clients().scheduler), sts: clients().sts }));
  const org = createOrgClients(clients(), {
    aws: awsSettingsFrom(args),
    env: ctx.env,
    clock: ctx.now,
    sessionName: roleSessionName('ops', operatorOf(ctx.env)),
    ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
  });
  const out: WritablePart[] = [];
  for (const part of parts) {
    if (part.place === undefined) {
      out.push({ ...part, writer: createSchedulerWriter(clients().scheduler), sts: clients().sts });
      continue;
    }
    let placed: AwsClients;
    try {
      placed = await org.forAccount(part.place.account, args.roleName, part.place.region);
    } catch (cause) {
      throw new UserError(
        'ROLLBACK_ACCOUNT_UNREACHABLE',
        `Cannot enter account ${part.place.account} (${part.place.region}) to restore ${part.plan.items.length} schedule(s): ${errorMessage(cause)}`,
        `Nothing was written. Check the member role (--role-name ${args.roleName}${args.externalId !== undefined ? ', --external-id' : ''}), or leave that account out with --account <other ids>.`,
        { cause },
      );
    }
    out.push({ ...part, writer: createSchedulerWriter(placed.scheduler), sts: placed.sts });
  }
  return out;
}

function fileSource(args: Args, cwd: string): RollbackSource {
  const backupDir = resolve(cwd, args.backupDir ?? DEFAULT_BACKUP_DIR);
  return fileRollbackSource(createFileAuditLog(resolve(cwd, args.auditLog ?? DEFAULT_AUDIT_LOG)), createFileBackupStore(backupDir), backupDir);
}

/** The engineer, not the Lambda, reads and writes the table here: the hints say what that person can do. */
function tableSource(tableName: string, clients: AwsClients): RollbackSource {
  const store = {
    client: clients.dynamodb,
    tableName,
    hints: {
      missing: `Pass --from-table the healthcheck's remediation table, named <prefix>-remediation (ops-pipeline-remediation with the default prefix), in the stack's region (--region). The Lambda's REMEDIATION_TABLE names it: aws lambda get-function-configuration --function-name "$(pulumi stack output healthcheckFunctionName)" --query Environment.Variables.REMEDIATION_TABLE --output text`,
      denied: (operation: string) => `${grantToCallerHint(operation)} A rollback from the table needs dynamodb:Query, dynamodb:GetItem and dynamodb:PutItem on it.`,
    },
  };
  return tableRollbackSource(tableName, createDynamoAuditLog(store), createDynamoBackupStore(store));
}

/** What to restore, and from where: the files of `--fix` (no table) or the healthcheck's table. */
interface Selection {
  selector: RollbackSelector;
  table?: string;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

function selectionFrom(args: Args, cwd: string): Selection {
  if (args.fromTable !== undefined) return tableSelectionFrom(args, args.fromTable, cwd);
  if (args.backupId !== undefined) {
    const table = backupLocationEntry(args.backupId)?.tableName;
    throw new UserError(
      'ROLLBACK_TARGET',
      '--backup-id picks a backup in the healthcheck\'s remediation table; say which table with --from-table.',
      `For example: ops rollback --from-table ${table ?? '<remediation table>'} --backup-id ${shellWord(args.backupId)}`,
    );
  }
  if (args.last && args.target !== undefined) {
    throw new UserError('ROLLBACK_TARGET', 'Pass either a backup file / audit entry id or --last, not both.', 'For example: ops rollback --last');
  }
  if (args.last) return { selector: { kind: 'last' } };
  if (args.target === undefined || args.target.trim() === '') {
    throw new UserError('ROLLBACK_TARGET', 'Say what to roll back.', 'Pass a backup file, an audit entry id, or --last (every change of the most recent fix run); for the healthcheck\'s auto-fix, --from-table <table> --last.');
  }
  const location = backupLocationEntry(args.target);
  if (location !== undefined) {
    throw new UserError(
      'ROLLBACK_TARGET',
      `${clipText(args.target)} is a backup in DynamoDB table ${location.tableName}, not a file.`,
      `Restore it from the table: ops rollback --from-table ${location.tableName} --backup-id ${shellWord(args.target)}`,
    );
  }
  const path = resolve(cwd, args.target);
  // A path that exists, or anything that looks like a file name, is a backup; the rest is an entry id.
  if (looksLikeFile(path, args.target)) return { selector: { kind: 'backup', path } };
  return { selector: { kind: 'entry', entryId: args.target } };
}

function tableSelectionFrom(args: Args, fromTable: string, cwd: string): Selection {
  const table = fromTable.trim();
  if (!TABLE_NAME.test(table)) {
    const path = table.includes('/') || table.endsWith('.json');
    throw new UserError(
      'ROLLBACK_TARGET',
      `--from-table "${clipText(fromTable)}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -).`,
      path
        ? 'To restore from a backup file, pass the file without --from-table: ops rollback <file> --yes.'
        : 'Pass the healthcheck\'s remediation table, e.g. --from-table ops-pipeline-remediation (the Lambda\'s REMEDIATION_TABLE).',
    );
  }
  if (args.auditLog !== undefined || args.backupDir !== undefined) {
    throw new UserError(
      'ROLLBACK_TARGET',
      `--${args.auditLog !== undefined ? 'audit-log' : 'backup-dir'} is for the files of \`ops check-schedulers --fix\`; with --from-table the rollback reads and records in table ${table}.`,
      'Drop --audit-log / --backup-dir, or drop --from-table to restore from files.',
    );
  }
  if (args.target !== undefined) {
    const file = looksLikeFile(resolve(cwd, args.target), args.target);
    throw new UserError(
      'ROLLBACK_TARGET',
      file
        ? `--from-table restores from DynamoDB table ${table}, but ${clipText(args.target)} is a backup file.`
        : `With --from-table, name the backup with --backup-id, not as an argument (${clipText(args.target)}).`,
      file ? `Restore from the file without --from-table: ops rollback ${shellWord(args.target)} --yes` : `For example: ops rollback --from-table ${table} --backup-id ${shellWord(args.target)}`,
    );
  }
  if (args.last && args.backupId !== undefined) {
    throw new UserError('ROLLBACK_TARGET', 'Pass either --last or --backup-id, not both.', `For example: ops rollback --from-table ${table} --last`);
  }
  if (args.last) return { table, selector: { kind: 'last' } };
  const id = args.backupId?.trim() ?? '';
  if (id === '') {
    throw new UserError(
      'ROLLBACK_TARGET',
      `Say what to roll back from table ${table}.`,
      `Pass --last (every change of the healthcheck's last auto-fix run) or --backup-id <entry id | dynamodb:// location from the [AUTO-FIXED] email>, e.g. ops rollback --from-table ${table} --last`,
    );
  }
  if (!id.startsWith('dynamodb://')) return { table, selector: { kind: 'entry', entryId: id } };
  const location = backupLocationEntry(id);
  if (location === undefined) {
    throw new UserError('ROLLBACK_TARGET', `--backup-id ${clipText(id)} is not a backup location.`, `A location as the [AUTO-FIXED] email prints it: dynamodb://${table}/BACKUP%23<group>%2F<name>/<sk>; or pass the audit entry id.`);
  }
  if (location.tableName !== table) {
    throw new UserError('ROLLBACK_TARGET', `--backup-id names a backup in table ${location.tableName}, not in --from-table ${table}.`, `For example: ops rollback --from-table ${location.tableName} --backup-id ${shellWord(id)}`);
  }
  // The backup's audit entry says what the write left behind, which the concurrency guard needs.
  return { table, selector: { kind: 'entry', entryId: location.entryId } };
}

function looksLikeFile(path: string, target: string): boolean {
  return existsSync(path) || target.endsWith('.json');
}

/**
 * As a shell word for a command the hint suggests: an id, name or location (at most a few hundred
 * characters of a safe alphabet) whole, so the command can be pasted; anything else clipped and quoted.
 */
function shellWord(value: string): string {
  if (value.length <= 512 && /^[A-Za-z0-9_.:/%=+@-]+$/.test(value)) return value;
  return `'${clipText(value).replace(/'/g, `'\\''`)}'`;
}

function previewJson(p: RollbackPreview): RollbackDocument['preview'][number] {
  return {
    entryId: p.item.sourceEntryId,
    schedule: p.item.schedule,
    backupFile: p.item.backupFile,
    action: p.action,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    diff: p.diff,
  };
}
