/**
 * The timeout sweeper: a function a schedule or the healthcheck calls, never a loop inside a request.
 *
 * 1. Every workflow still RUNNING longer than `timeoutMs` is failed with WORKFLOW_TIMEOUT at the step
 *    it was waiting on (conditional, like any transition: if a handler finishes it first, the sweeper
 *    loses and does nothing).
 * 2. Every finished workflow whose terminal event was stored but not marked published (the process
 *    died between the write and the publish) gets it re-published: the outbox relay.
 * 3. Every other RUNNING workflow gets the events its steps stored but no consumer claimed
 *    re-published (outbox-relay.ts), for the same reason.
 */
import { unclaimedEvents } from './outbox-relay.ts';
import { publishTerminal, failWorkflow, pendingStep, type TerminalDeps } from './terminal.ts';
import { WorkflowState, type WorkflowRecord } from '../ports/workflow-store.ts';

export const DEFAULT_WORKFLOW_TIMEOUT_MS = 15 * 60_000;
/** A terminal event unpublished for this long is presumed lost (publishing takes milliseconds). */
export const DEFAULT_REPUBLISH_AFTER_MS = 2 * 60_000;
/** How far back the relay looks for unpublished terminal events. */
export const DEFAULT_RELAY_LOOKBACK_MS = 24 * 60 * 60_000;

export interface SweepOptions {
  timeoutMs?: number;
  republishAfterMs?: number;
  relayLookbackMs?: number;
  /** At most this many workflows per state and run (default 500). */
  limit?: number;
}

export interface SweepReport {
  checkedRunning: number;
  timedOut: { correlationId: string; step: string; ageMs: number }[];
  /** Timed out, but a handler finished it first. */
  lostRaces: string[];
  republished: string[];
  /** Step events of RUNNING workflows that no consumer had claimed, re-published. */
  relayed: { correlationId: string; type: string; eventId: string }[];
}

export async function sweepWorkflows(deps: TerminalDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WORKFLOW_TIMEOUT_MS;
  const republishAfterMs = options.republishAfterMs ?? DEFAULT_REPUBLISH_AFTER_MS;
  const limit = options.limit ?? 500;
  const now = deps.clock.now();
  const report: SweepReport = { checkedRunning: 0, timedOut: [], lostRaces: [], republished: [], relayed: [] };

  const running = await deps.store.list({ state: WorkflowState.running, startedBefore: new Date(now.getTime() - Math.min(timeoutMs, republishAfterMs)), limit });
  const stale = running.filter((record) => record.startedAt.getTime() < now.getTime() - timeoutMs);
  report.checkedRunning = stale.length;
  for (const record of stale) {
    const step = pendingStep(record);
    const ageMs = now.getTime() - record.startedAt.getTime();
    const failure = {
      step,
      reason: `timed out: still RUNNING ${Math.round(ageMs / 60_000)} min after start (limit ${Math.round(timeoutMs / 60_000)} min), waiting on ${step}`,
      errorCode: 'WORKFLOW_TIMEOUT',
    };
    const result = await failWorkflow(deps, record, failure, record.correlationId, 'sweeper');
    if (result.won) report.timedOut.push({ correlationId: record.correlationId, step, ageMs });
    else report.lostRaces.push(record.correlationId);
  }

  for (const record of running.filter((r) => !stale.includes(r))) {
    const events = unclaimedEvents(record, now, republishAfterMs);
    if (events.length === 0) continue;
    await deps.bus.publish(events);
    report.relayed.push(...events.map((e) => ({ correlationId: record.correlationId, type: e.type, eventId: e.eventId })));
  }

  const since = new Date(now.getTime() - (options.relayLookbackMs ?? DEFAULT_RELAY_LOOKBACK_MS));
  for (const state of [WorkflowState.completed, WorkflowState.failed] as const) {
    const finished = await deps.store.list({ state, startedAfter: since, limit });
    for (const record of finished.filter((r) => needsRelay(r, now, republishAfterMs))) {
      if (record.terminalEvent === undefined) continue;
      if (await publishTerminal(deps, record.correlationId, record.terminalEvent)) report.republished.push(record.correlationId);
    }
  }
  if (report.timedOut.length > 0 || report.republished.length > 0 || report.relayed.length > 0) {
    deps.logger.warn(`sweeper: ${report.timedOut.length} workflow(s) timed out, ${report.republished.length} terminal event(s) re-published, ${report.relayed.length} step event(s) relayed`, { ...report });
  }
  return report;
}

function needsRelay(record: WorkflowRecord, now: Date, republishAfterMs: number): boolean {
  return (
    record.terminalEvent !== undefined &&
    record.terminalPublishedAt === undefined &&
    record.finishedAt !== undefined &&
    now.getTime() - record.finishedAt.getTime() >= republishAfterMs
  );
}
