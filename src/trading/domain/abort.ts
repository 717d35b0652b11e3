/**
 * Aborting a RUNNING workflow by hand: FAILED with WORKFLOW_ABORTED at the step it is waiting on,
 * through the same conditional transition and outbox publish the sweeper uses (terminal.ts). The gate
 * then skips every later delivery of the workflow, and the notification step reports the failure
 * once. A finished workflow is never touched: the transition is conditional on RUNNING, so an abort
 * racing a handler that completes the workflow loses and changes nothing.
 */
import { clipText } from '../../clip-text.ts';
import type { Step } from './events.ts';
import { failWorkflow, pendingStep, type TerminalDeps } from './terminal.ts';
import { WorkflowState } from '../ports/workflow-store.ts';

export const WORKFLOW_ABORTED = 'WORKFLOW_ABORTED';
export const ABORT_PRODUCER = 'operator';

export const AbortOutcome = {
  /** This call moved the workflow RUNNING → FAILED. */
  aborted: 'aborted',
  /** It had been aborted before (FAILED with WORKFLOW_ABORTED): nothing changed. */
  alreadyAborted: 'already-aborted',
  /** It had finished otherwise (COMPLETED, or FAILED for another reason), maybe a moment ago. */
  finished: 'finished',
  notFound: 'not-found',
} as const;
export type AbortOutcome = (typeof AbortOutcome)[keyof typeof AbortOutcome];

export interface AbortResult {
  correlationId: string;
  outcome: AbortOutcome;
  /** The state after the call (absent when the workflow does not exist). */
  state?: WorkflowState;
  /** With `aborted`: the step it was waiting on, and whether WorkflowFailed reached the bus. */
  step?: Step;
  published?: boolean;
  errorCode?: string;
  reason?: string;
}

export async function abortWorkflow(deps: TerminalDeps, correlationId: string, why?: string): Promise<AbortResult> {
  const record = await deps.store.get(correlationId);
  if (record === undefined) return { correlationId, outcome: AbortOutcome.notFound };
  if (record.state !== WorkflowState.running) return settled(correlationId, record.state, record.failure);
  const step = pendingStep(record);
  const reason = `aborted by an operator while waiting on ${step}${why !== undefined && why.trim() !== '' ? `: ${clipText(why.trim(), 300)}` : ''}`;
  const result = await failWorkflow(deps, record, { step, reason, errorCode: WORKFLOW_ABORTED }, correlationId, ABORT_PRODUCER);
  if (!result.won) {
    // A handler (or the sweeper) finished it between our read and our write.
    const after = result.record;
    return after === undefined ? { correlationId, outcome: AbortOutcome.notFound } : settled(correlationId, after.state, after.failure);
  }
  return { correlationId, outcome: AbortOutcome.aborted, state: WorkflowState.failed, step, published: result.published, errorCode: WORKFLOW_ABORTED, reason };
}

function settled(correlationId: string, state: WorkflowState, failure: { step: Step; errorCode: string; reason: string } | undefined): AbortResult {
  const aborted = failure?.errorCode === WORKFLOW_ABORTED;
  return {
    correlationId,
    outcome: aborted ? AbortOutcome.alreadyAborted : AbortOutcome.finished,
    state,
    ...(failure !== undefined ? { step: failure.step, errorCode: failure.errorCode, reason: failure.reason } : {}),
  };
}
