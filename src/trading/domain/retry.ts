/**
 * Retrying a failed workflow: a new attempt with its own correlation id, linked to the failed one.
 *
 * A finished workflow never changes state again (ports/workflow-store.ts), so a retry cannot reuse
 * the failed record. Attempt n of workflow `<id>` is `<id>.r<n>` (n = 2, 3, …): deterministic, so two
 * operators retrying at once create the same record once (`create` is idempotent per id), and the
 * attempts of an original are found by probing `<id>.r2`, `<id>.r3`, … without a scan or an index.
 * The attempt copies the failed attempt's parameters and carries `params.retry = { of, attempt,
 * previous }`. Its orders get new client order ids (they derive from the correlation id), and its
 * portfolio step plans from the account's positions as they are now, so whatever the failed attempt
 * did trade is accounted for, not traded again.
 *
 * Only a FAILED latest attempt gets a new one. A RUNNING latest attempt gets its WorkflowStarted
 * re-published (same event id: consumers skip it if they saw it), which heals a retry that crashed
 * between the record and the publish, exactly like `startWorkflow`; a COMPLETED one is left alone.
 */
import { clipText } from '../../clip-text.ts';
import { UserError } from '../../errors.ts';
import { correlationIdSchema, type WorkflowParams } from './events.ts';
import { startWorkflow, type StartDeps } from './start-workflow.ts';
import { WorkflowState, type WorkflowRecord, type WorkflowStore } from '../ports/workflow-store.ts';

/** A workflow is retried at most this many times (attempts 2 … MAX_ATTEMPTS). */
export const MAX_ATTEMPTS = 20;

export function attemptId(originalId: string, attempt: number): string {
  return `${originalId}.r${attempt}`;
}

/** The original workflow of any attempt (itself for an original). */
export function originalIdOf(record: WorkflowRecord): string {
  return record.params.retry?.of ?? record.correlationId;
}

export interface AttemptSummary {
  correlationId: string;
  attempt: number;
  state: WorkflowState;
}

/**
 * Every attempt of an original, in order, starting with the original (attempt 1). Stops at the first
 * id that does not exist. A record at `<id>.rN` that is not linked to `<id>` (someone started it by
 * hand) ends the chain: it is not an attempt, and it blocks the next one (retryWorkflow says so).
 */
export async function attemptsOf(store: WorkflowStore, original: WorkflowRecord): Promise<{ attempts: AttemptSummary[]; records: WorkflowRecord[]; blockedBy?: string }> {
  const attempts: AttemptSummary[] = [{ correlationId: original.correlationId, attempt: 1, state: original.state }];
  const records = [original];
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
    const id = attemptId(original.correlationId, attempt);
    if (!correlationIdSchema.safeParse(id).success) break;
    const record = await store.get(id);
    if (record === undefined) break;
    if (record.params.retry?.of !== original.correlationId) return { attempts, records, blockedBy: id };
    attempts.push({ correlationId: id, attempt, state: record.state });
    records.push(record);
  }
  return { attempts, records };
}

export const RetryAction = {
  /** A new attempt was created and its WorkflowStarted published. */
  created: 'created',
  /** The latest attempt is RUNNING: nothing new; its WorkflowStarted was re-published. */
  running: 'running',
  /** The latest attempt COMPLETED: nothing to retry. */
  completed: 'completed',
} as const;
export type RetryAction = (typeof RetryAction)[keyof typeof RetryAction];

export interface RetryResult {
  action: RetryAction;
  /** The workflow asked about, and the original it belongs to. */
  requested: string;
  original: string;
  /** The attempt that is current after this call: the new one, or the RUNNING/COMPLETED latest. */
  latest: AttemptSummary;
  /** Every attempt, original first, after this call. */
  attempts: AttemptSummary[];
}

export class WorkflowNotFoundError extends UserError {
  constructor(correlationId: string, where: string) {
    super('WORKFLOW_NOT_FOUND', `No workflow ${clipText(correlationId)} in ${where}.`, 'Check the id with `ops workflow list`, and the table and region.');
  }
}

/**
 * Retries `correlationId` (an original or any of its attempts). Throws UserError for an unknown id
 * (WORKFLOW_NOT_FOUND), an original that did not fail (WORKFLOW_NOT_FAILED) and an exhausted or
 * blocked chain (RETRY_LIMIT, RETRY_ID_TAKEN).
 */
export async function retryWorkflow(deps: StartDeps, correlationId: string, where = 'the workflow table'): Promise<RetryResult> {
  const requested = await deps.store.get(correlationId);
  if (requested === undefined) throw new WorkflowNotFoundError(correlationId, where);
  const originalId = originalIdOf(requested);
  const original = originalId === requested.correlationId ? requested : await deps.store.get(originalId);
  if (original === undefined) throw new WorkflowNotFoundError(originalId, `${where} (the original of attempt ${clipText(correlationId)})`);

  const chain = await attemptsOf(deps.store, original);
  const latestRecord = chain.records[chain.records.length - 1] as WorkflowRecord;
  const latest = chain.attempts[chain.attempts.length - 1] as AttemptSummary;
  const base = { requested: correlationId, original: originalId };
  if (chain.attempts.length === 1) {
    switch (original.state) {
      case WorkflowState.failed:
        break;
      case WorkflowState.running:
      case WorkflowState.completed:
        throw new UserError(
          'WORKFLOW_NOT_FAILED',
          `Workflow ${clipText(originalId)} is ${original.state}: only a FAILED workflow is retried.`,
          original.state === WorkflowState.running
            ? `Wait for it to finish (ops workflow status ${originalId}), or stop it with \`ops workflow abort ${originalId}\` and then retry.`
            : 'A COMPLETED workflow has nothing to retry; start a new one with `ops workflow start`.',
        );
    }
  }
  switch (latest.state) {
    case WorkflowState.running: {
      await startWorkflow(deps, { correlationId: latest.correlationId, params: latestRecord.params });
      return { ...base, action: RetryAction.running, latest, attempts: chain.attempts };
    }
    case WorkflowState.completed:
      return { ...base, action: RetryAction.completed, latest, attempts: chain.attempts };
    case WorkflowState.failed:
      break;
  }
  if (chain.blockedBy !== undefined) {
    throw new UserError(
      'RETRY_ID_TAKEN',
      `The next attempt's id ${clipText(chain.blockedBy)} is taken by a workflow that is not a retry of ${clipText(originalId)}.`,
      'Start the new attempt by hand with `ops workflow start --correlation-id <another id>` and the same options.',
    );
  }
  const attempt = latest.attempt + 1;
  const id = attemptId(originalId, attempt);
  if (attempt > MAX_ATTEMPTS || !correlationIdSchema.safeParse(id).success) {
    throw new UserError(
      'RETRY_LIMIT',
      attempt > MAX_ATTEMPTS
        ? `Workflow ${clipText(originalId)} was already tried ${MAX_ATTEMPTS} times.`
        : `The next attempt's id ${clipText(id)} would be longer than a correlation id may be (100 characters).`,
      'Find out why the attempts fail (ops workflow status), then start a new workflow with `ops workflow start`.',
    );
  }
  const params: WorkflowParams = { ...latestRecord.params, retry: { of: originalId, attempt, previous: latest.correlationId } };
  const started = await startWorkflow(deps, { correlationId: id, params });
  const created: AttemptSummary = { correlationId: id, attempt, state: started.state };
  return { ...base, action: RetryAction.created, latest: created, attempts: [...chain.attempts, created] };
}

/**
 * The attempts to show with a workflow's status (both directions of the retry link): every attempt of
 * its original, when there is more than one. For an original this costs one GetItem per attempt plus
 * one for the first id that does not exist (`<id>.r2` when it was never retried).
 */
export async function retryLinks(store: WorkflowStore, shown: { correlationId: string; state: WorkflowState; retryOf?: { of: string } }): Promise<AttemptSummary[] | undefined> {
  const originalId = shown.retryOf?.of ?? shown.correlationId;
  const attempts: AttemptSummary[] = [];
  if (originalId === shown.correlationId) attempts.push({ correlationId: originalId, attempt: 1, state: shown.state });
  else {
    const original = await store.get(originalId);
    if (original === undefined) return undefined;
    attempts.push({ correlationId: originalId, attempt: 1, state: original.state });
  }
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
    const id = attemptId(originalId, attempt);
    if (!correlationIdSchema.safeParse(id).success) break;
    const record = await store.get(id);
    if (record === undefined || record.params.retry?.of !== originalId) break;
    attempts.push({ correlationId: id, attempt, state: record.state });
  }
  return attempts.length > 1 ? attempts : undefined;
}
