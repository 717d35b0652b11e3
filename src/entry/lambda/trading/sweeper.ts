/**
 * The sweeper Lambda, for a schedule (every few minutes): fails workflows RUNNING past
 * WORKFLOW_TIMEOUT_MINUTES (default 15) and re-publishes terminal events that were never published.
 */
import { DEFAULT_WORKFLOW_TIMEOUT_MS, sweepWorkflows, type SweepReport } from '../../../trading/domain/sweeper.ts';
import { createLambdaRuntime } from './runtime.ts';

const runtime = createLambdaRuntime(process.env, 'sweeper');
const minutes = Number(process.env.WORKFLOW_TIMEOUT_MINUTES ?? DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000);

export const handler = async (): Promise<SweepReport> =>
  sweepWorkflows(runtime.deps, { timeoutMs: (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000) * 60_000 });
