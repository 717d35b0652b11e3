/**
 * The sweeper Lambda's handler over injected dependencies: sweep (time out stuck workflows, relay
 * lost terminal events), then measure what still runs, for the TradingWorkflowStuckRunning alarm.
 *
 * The RUNNING workflows are listed after the sweep and aged from the instant before it, so an age
 * above the timeout is a workflow the sweep saw and could not fail (see metric-contract.ts). The
 * store lists newest first: when the listing is cut at `runningLimit`, the newest workflow older
 * than the timeout is fetched too, so the alarm's verdict stays exact and the age is a lower bound.
 */
import { DEFAULT_WORKFLOW_TIMEOUT_MS, sweepWorkflows, type SweepReport } from '../../../trading/domain/sweeper.ts';
import { sweepMetrics } from '../../../trading/domain/workflow-metrics.ts';
import { WorkflowState } from '../../../trading/ports/workflow-store.ts';
import type { TradingMetricsSink } from './trading-metrics.ts';

export const DEFAULT_RUNNING_LIMIT = 1_000;

export interface SweepHandlerOptions {
  timeoutMs: number;
  metrics?: TradingMetricsSink;
  runningLimit?: number;
}

/** WORKFLOW_TIMEOUT_MINUTES (default 15); anything but a positive number means the default. */
export function workflowTimeoutMs(env: NodeJS.ProcessEnv): number {
  const minutes = Number(env.WORKFLOW_TIMEOUT_MINUTES ?? DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000);
  return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_WORKFLOW_TIMEOUT_MS;
}

/** Whatever the domain sweeper needs (the store, the bus, the clock, the logger, and more as it grows). */
export type SweepDeps = Parameters<typeof sweepWorkflows>[0];

export function createSweepHandler(deps: SweepDeps, options: SweepHandlerOptions): () => Promise<SweepReport> {
  const limit = options.runningLimit ?? DEFAULT_RUNNING_LIMIT;
  return async () => {
    const measuredAt = deps.clock.now();
    const report = await sweepWorkflows(deps, { timeoutMs: options.timeoutMs });
    if (options.metrics === undefined) return report;
    try {
      let running = await deps.store.list({ state: WorkflowState.running, limit });
      if (running.length >= limit) {
        const stale = await deps.store.list({ state: WorkflowState.running, startedBefore: new Date(measuredAt.getTime() - options.timeoutMs), limit: 1 });
        running = [...running, ...stale];
      }
      options.metrics(sweepMetrics({ report, running, measuredAt }));
    } catch (error) {
      // No datapoint this run: two in a row and TradingWorkflowStuckRunning fires (missing = breaching).
      deps.logger.warn('sweeper: could not measure the RUNNING workflows; no metrics this run', { error: error instanceof Error ? error.message : String(error) });
    }
    return report;
  };
}
