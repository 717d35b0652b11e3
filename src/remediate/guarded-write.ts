/**
 * One guarded write of one schedule, shared by the fix and by rollback:
 *
 * 1. GetSchedule, fresh. If it already is what would be written, stop (`unchanged`). Otherwise the
 *    caller's guard compares it with what it planned on (LastModificationDate): Scheduler has no
 *    version check, so this is the only protection against overwriting a concurrent edit. A mismatch
 *    skips the schedule.
 * 2. Back up the complete definition (backup.ts), then append a `pending` audit entry. If either fails,
 *    nothing is written: an unrecorded write could not be undone.
 * 3. UpdateSchedule with the full request built through the allow-list (schedule-document.ts) and a
 *    deterministic ClientToken.
 *
 *    StartDate: AWS may reject a StartDate in the past on update ("cannot be earlier than 5 minutes
 *    ago"). We send it unchanged first. If AWS rejects it, then for cron() and at() expressions, where
 *    a past StartDate gates no future fire time, the write is retried once without StartDate and the
 *    result says `startDateDropped: true`. For rate(), StartDate anchors every fire time, so dropping
 *    it would shift the schedule: that write fails as "needs a decision" and nothing changes.
 * 4. GetSchedule again and compare it with what was sent; server-set fields (Arn, CreationDate,
 *    LastModificationDate) are not part of the comparison.
 * 5. Append the `result` audit entry.
 *
 * Failures are returned as data; this function throws only on bugs.
 */
import { isAccessDenied } from '../aws-error.ts';
import type { LookupFailure, ScheduleRef } from '../checks/model.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import type { BackupStore } from './backup.ts';
import { ResultStatus, type WriteResult } from './change.ts';
import { clientTokenFor, TokenVariant } from './identifiers.ts';
import type { CallerIdentity, SchedulerWriter } from './ports.ts';
import { expressionKind, fieldDiff, projectWritable, withoutStartDate, type Projection, type RawSchedule, type ScheduleUpdate } from './schedule-document.ts';

export const WriteAction = { getSchedule: 'scheduler:GetSchedule', updateSchedule: 'scheduler:UpdateSchedule', passRole: 'iam:PassRole' } as const;

export interface GuardedWriteRequest {
  action: 'fix' | 'rollback';
  entryId: string;
  schedule: ScheduleRef;
  /** What the ClientToken is derived from: the change id, or the rolled-back entry and its state. */
  tokenKey: string;
  changeId?: string;
  rollsBack?: string;
  /** undefined to go ahead; otherwise why the fresh definition is not the one planned on. */
  guard(fresh: RawSchedule): string | undefined;
  /** The full UpdateSchedule request to send, built from the fresh definition. */
  intend(fresh: RawSchedule): Projection;
}

export interface GuardedWriteDeps {
  writer: SchedulerWriter;
  backups: BackupStore;
  audit: AuditLog;
  runId: string;
  who: CallerIdentity;
  now: () => Date;
}

export async function guardedWrite(request: GuardedWriteRequest, deps: GuardedWriteDeps): Promise<WriteResult> {
  const { schedule, entryId } = request;
  const base = { entryId, schedule, written: false, startDateDropped: false };
  const auditBase = (): Omit<AuditEntry, 'phase' | 'before' | 'after' | 'lastModificationDate'> => ({
    entryId,
    runId: deps.runId,
    at: deps.now().toISOString(),
    who: deps.who.known ? deps.who.arn : 'unknown',
    ...(deps.who.known ? {} : { whoUnknownReason: deps.who.reason }),
    action: request.action,
    schedule,
    ...(request.changeId !== undefined ? { changeId: request.changeId } : {}),
    ...(request.rollsBack !== undefined ? { rollsBack: request.rollsBack } : {}),
  });
  /** Records a result that ends the write; an audit failure is added to the reason, never thrown. */
  const finish = async (result: WriteResult, targets: { before: string; after: string }): Promise<WriteResult> => {
    try {
      await deps.audit.append({
        ...auditBase(),
        phase: 'result',
        before: { targetArn: targets.before },
        after: { targetArn: targets.after },
        ...(result.backupFile !== undefined ? { backupFile: result.backupFile } : {}),
        lastModificationDate: result.lastModificationDate,
        ...(result.clientToken !== undefined ? { clientToken: result.clientToken } : {}),
        result: result.status,
        written: result.written,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        startDateDropped: result.startDateDropped,
      });
      return result;
    } catch (error) {
      const note = `the audit result entry could not be written to ${deps.audit.path}: ${(error as Error).message}`;
      return { ...result, status: ResultStatus.failed, reason: result.reason ? `${result.reason}; ${note}` : note };
    }
  };

  const read = await deps.writer.getScheduleRaw(schedule);
  if (read.status !== 'found') {
    const failed: WriteResult =
      read.status === 'missing'
        ? { ...base, status: ResultStatus.failed, reason: `the schedule no longer exists (${read.reason})`, lastModificationDate: {} }
        : { ...base, status: ResultStatus.failed, ...describeFailure(read.failure), lastModificationDate: {} };
    return finish(failed, { before: '', after: '' });
  }
  const fresh = read.value;
  const before = fresh.LastModificationDate?.toISOString();
  const lmd = { ...(before !== undefined ? { before } : {}) };
  const currentTarget = fresh.Target?.Arn ?? '';

  const intended = request.intend(fresh);
  // Already what we would write (a rollback of a write that never happened): nothing to do, and no
  // reason to call whoever put it there a concurrent editor.
  const asRead = projectWritable(fresh, schedule);
  if (intended.ok && asRead.ok && fieldDiff(asRead.update, intended.update).length === 0) {
    return finish({ ...base, status: ResultStatus.unchanged, reason: 'the schedule already is what this would write', lastModificationDate: lmd }, { before: currentTarget, after: currentTarget });
  }

  const concurrent = request.guard(fresh);
  if (concurrent !== undefined) {
    return finish({ ...base, status: ResultStatus.skipped, reason: `concurrent edit: ${concurrent}`, lastModificationDate: lmd }, { before: currentTarget, after: currentTarget });
  }
  if (!intended.ok) {
    return finish(
      { ...base, status: ResultStatus.failed, needsDecision: true, reason: `needs a decision: ${intended.problems.join('; ')}`, lastModificationDate: lmd },
      { before: currentTarget, after: currentTarget },
    );
  }
  const update = intended.update;
  const targets = { before: currentTarget, after: update.Target.Arn };

  let backupFile: string;
  try {
    backupFile = await deps.backups.write({
      format: 'ops-schedule-backup/1',
      takenAt: deps.now().toISOString(),
      runId: deps.runId,
      entryId,
      action: request.action,
      schedule,
      definition: fresh,
      intended: update,
    });
  } catch (error) {
    return finish({ ...base, status: ResultStatus.failed, reason: `not written: the backup could not be saved: ${(error as Error).message}`, lastModificationDate: lmd }, targets);
  }

  let token = clientTokenFor(request.action, request.tokenKey, TokenVariant.asRead);
  try {
    await deps.audit.append({ ...auditBase(), phase: 'pending', before: { targetArn: targets.before }, after: { targetArn: targets.after }, backupFile, lastModificationDate: lmd, clientToken: token });
  } catch (error) {
    // No audit record, no write: the audit log is how a half-finished run is found and undone.
    return { ...base, status: ResultStatus.failed, reason: `not written: the audit log ${deps.audit.path} could not be appended: ${(error as Error).message}`, backupFile, lastModificationDate: lmd };
  }

  let sent: ScheduleUpdate = update;
  let outcome = await deps.writer.updateSchedule(sent, token);
  let startDateDropped = false;
  if (!outcome.ok && isStartDateRejection(outcome.failure) && sent.StartDate !== undefined) {
    const kind = expressionKind(sent.ScheduleExpression);
    if (kind === 'rate' || kind === 'unknown') {
      return finish(
        {
          ...base,
          status: ResultStatus.failed,
          needsDecision: true,
          errorName: outcome.failure.errorName,
          reason:
            `needs a decision: AWS rejected the schedule's StartDate ${sent.StartDate.toISOString()} (${outcome.failure.message}); ` +
            `${kind === 'rate' ? 'for a rate() expression StartDate anchors every fire time' : 'ops cannot tell whether this expression depends on StartDate'}, so ops will not drop or move it. Nothing was changed.`,
          backupFile,
          lastModificationDate: lmd,
          clientToken: token,
        },
        targets,
      );
    }
    sent = withoutStartDate(update);
    token = clientTokenFor(request.action, request.tokenKey, TokenVariant.withoutStartDate);
    startDateDropped = true;
    outcome = await deps.writer.updateSchedule(sent, token);
  }
  if (!outcome.ok) {
    return finish({ ...base, status: ResultStatus.failed, ...describeFailure(outcome.failure), backupFile, startDateDropped: false, lastModificationDate: lmd, clientToken: token }, targets);
  }

  const written = { ...base, written: true, backupFile, startDateDropped, clientToken: token };
  const after = await deps.writer.getScheduleRaw(schedule);
  if (after.status !== 'found') {
    const why = after.status === 'missing' ? after.reason : `${after.failure.action} failed: ${after.failure.errorName}: ${after.failure.message}`;
    return finish({ ...written, status: ResultStatus.failed, reason: `written, but could not be verified: ${why}`, lastModificationDate: lmd, verification: { definition: 'unknown', differences: [] } }, targets);
  }
  const afterIso = after.value.LastModificationDate?.toISOString();
  const lmdAfter = { ...lmd, ...(afterIso !== undefined ? { after: afterIso } : {}) };
  const readBack = projectWritable(after.value, schedule);
  const differences = readBack.ok ? fieldDiff(sent, readBack.update).map((d) => d.path) : readBack.problems;
  if (differences.length > 0) {
    return finish(
      {
        ...written,
        status: ResultStatus.failed,
        reason: `written, but GetSchedule now differs from what was sent in: ${differences.join(', ')}; the backup ${backupFile} holds the previous definition`,
        lastModificationDate: lmdAfter,
        verification: { definition: 'mismatch', differences },
      },
      targets,
    );
  }
  return finish({ ...written, status: ResultStatus.ok, lastModificationDate: lmdAfter, verification: { definition: 'match', differences: [] } }, targets);
}

function isStartDateRejection(failure: LookupFailure): boolean {
  return failure.errorName === 'ValidationException' && /StartDate/i.test(failure.message);
}

const PASS_ROLE = /iam:PassRole/i;

/** The failure in words, with the IAM actions the caller lacks when AWS denied the call. */
export function describeFailure(failure: LookupFailure): Pick<WriteResult, 'reason' | 'errorName' | 'iamActions'> {
  // A failure is the SDK error as data: its name and message are what isAccessDenied reads.
  if (!isAccessDenied({ name: failure.errorName, message: failure.message })) return { errorName: failure.errorName, reason: `${failure.action} failed: ${failure.errorName}: ${failure.message}` };
  // Scheduler checks iam:PassRole on the schedule's execution role as part of UpdateSchedule and
  // answers AccessDenied naming it: the caller may update schedules but not hand them that role.
  const iamActions = PASS_ROLE.test(failure.message) ? [failure.action, WriteAction.passRole] : [failure.action];
  return { errorName: failure.errorName, iamActions, reason: `access denied (needs ${iamActions.join(' and ')}): ${failure.message}` };
}
