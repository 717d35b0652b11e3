/**
 * `ops rollback <backup file | audit entry id | --last>`: restores schedules from the backups
 * `ops check-schedulers --fix` wrote, with the same guard, consent gate and audit as the fix. One
 * difference: without --yes and without a terminal it is a dry run, not a refusal, because the bare
 * `ops rollback --last` is how the README says to look before undoing anything.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { accessErrorFromFailure } from '../../../aws/access-errors.ts';
import { createIdentityPort } from '../../../aws/caller-identity.ts';
import { createAwsClients } from '../../../aws/clients.ts';
import { createSchedulerWriter } from '../../../aws/scheduler-writer.ts';
import { UserError } from '../../../errors.ts';
import { DEFAULT_MAX_CHANGES } from '../../../remediate/apply.ts';
import { createFileAuditLog } from '../../../remediate/audit-log.ts';
import { createFileBackupStore } from '../../../remediate/backup.ts';
import { newRunId } from '../../../remediate/identifiers.ts';
import { renderRollbackPreview, renderRollbackResults } from '../../../remediate/render.ts';
import { applyRollback, planRollback, previewRollback, PreviewAction, type RollbackPreview, type RollbackResult, type RollbackSelector } from '../../../remediate/rollback.ts';
import { awsSettingsFrom, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand } from '../command.ts';
import { parseCountOption } from '../parse-instant.ts';
import { obtainConsent, type DryRunReason } from '../write-consent.ts';
import { DEFAULT_AUDIT_LOG, DEFAULT_BACKUP_DIR } from './check-schedulers.ts';

const UNATTENDED_DRY_RUN = 'Dry run: nothing was written (no --yes, and no terminal to ask at). Restore with --yes.';

interface Args extends AwsOptionArgs {
  target?: string;
  last: boolean;
  dryRun: boolean;
  yes: boolean;
  maxChanges: number;
  backupDir: string;
  auditLog: string;
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
}

export const rollbackCommand = defineCommand<Args>({
  command: 'rollback [target]',
  describe: 'Undo `check-schedulers --fix`: restore schedules exactly from their backups (dry run unless --yes or confirmed)',
  builder: (y) =>
    withAwsOptions(y)
      .positional('target', { type: 'string', describe: 'A backup file, or an audit entry id (entryId in the audit log)' })
      .option('last', { type: 'boolean', default: false, describe: 'Every change of the most recent fix run' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Only show what would be restored; never writes, even with --yes' })
      .option('yes', { type: 'boolean', default: false, describe: 'Restore without asking (required when not at a terminal)' })
      .option('max-changes', { type: 'number', default: DEFAULT_MAX_CHANGES, describe: 'Refuse, before the first write, to restore more schedules than this' })
      .option('backup-dir', { type: 'string', default: DEFAULT_BACKUP_DIR, describe: 'Where the current definition is saved before it is overwritten' })
      .option('audit-log', { type: 'string', default: DEFAULT_AUDIT_LOG, describe: 'The audit log of the fix (and where this rollback is recorded)' })
      .example('$0 rollback --last', 'Show what undoing the last fix run would restore')
      .example('$0 rollback --last --yes', 'Undo the last fix run')
      .example('$0 rollback .ops/backups/20260129T230100123Z-ops-pipeline-ops-pipeline-dispatcher.json --yes', 'Restore one backup'),
  run: async (args, ctx) => {
    const selector = selectorFrom(args, ctx.cwd);
    const maxChanges = parseCountOption('max-changes', args.maxChanges, 10_000);
    const auditLog = createFileAuditLog(resolve(ctx.cwd, args.auditLog));
    const backupDir = resolve(ctx.cwd, args.backupDir);
    const backups = createFileBackupStore(backupDir);
    const plan = await planRollback(selector, { audit: auditLog, backups });

    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const writer = createSchedulerWriter(clients.scheduler);
    const previews = await previewRollback(plan, writer, { refuse: (failure) => accessErrorFromFailure(failure, 'the Scheduler API') });
    const previewText = renderRollbackPreview(plan.selected, previews);
    const document = (mode: RollbackDocument['mode'], extra: Partial<RollbackDocument> = {}): RollbackDocument => ({
      ok: false,
      mode,
      selected: plan.selected,
      preview: previews.map(previewJson),
      results: [],
      ...extra,
    });
    const toRestore = previews.filter((p) => p.action === PreviewAction.restore).length;
    const blocked = previews.some((p) => p.action === PreviewAction.skip || p.action === PreviewAction.unreadable);
    if (toRestore === 0) {
      return { exitCode: blocked ? 1 : 0, json: document('nothing-to-do', { ok: !blocked }), text: `${previewText}\nNothing to restore.` };
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
      writes: plan.items.filter((item) => item.alreadyRolledBackBy === undefined).length,
      maxChanges,
      what: 'rollback',
      question: `Restore ${toRestore} schedule(s) from their backups? The current definitions are backed up to ${backupDir} first.`,
      declined: 'Not restored: declined. Nothing was written.',
    });
    if (!consent.granted) return consent.outcome;
    const prefix = consent.prefix;

    const who = await createIdentityPort(clients.sts).whoAmI();
    const runId = newRunId('rollback', ctx.now());
    const progress = ctx.stderrIsTTY ? (message: string) => ctx.stderr(`… ${message}\n`) : undefined;
    const results = await applyRollback(plan, { writer, backups, audit: auditLog }, { runId, who, now: ctx.now, maxChanges, ...(progress ? { progress } : {}) });
    const failed = results.some((r) => r.status === 'failed' || r.status === 'skipped');
    const whoDoc = who.known ? { who: who.arn } : { who: 'unknown', whoUnknownReason: who.reason };
    return {
      exitCode: failed ? 1 : 0,
      json: document('applied', { ok: !failed, run: { runId, ...whoDoc, auditLog: auditLog.path, backupDir }, results }),
      text: `${prefix}${renderRollbackResults(results, { runId, auditLog: auditLog.path })}`,
    };
  },
});

function selectorFrom(args: Args, cwd: string): RollbackSelector {
  if (args.last && args.target !== undefined) {
    throw new UserError('ROLLBACK_TARGET', 'Pass either a backup file / audit entry id or --last, not both.', 'For example: ops rollback --last');
  }
  if (args.last) return { kind: 'last' };
  if (args.target === undefined || args.target.trim() === '') {
    throw new UserError('ROLLBACK_TARGET', 'Say what to roll back.', 'Pass a backup file, an audit entry id, or --last (every change of the most recent fix run).');
  }
  const path = resolve(cwd, args.target);
  // A path that exists, or anything that looks like a file name, is a backup; the rest is an entry id.
  if (existsSync(path) || args.target.endsWith('.json')) return { kind: 'backup', path };
  return { kind: 'entry', entryId: args.target };
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
