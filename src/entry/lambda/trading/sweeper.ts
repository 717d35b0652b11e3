/**
 * The sweeper Lambda, for a schedule (every few minutes): fails workflows RUNNING past
 * WORKFLOW_TIMEOUT_MINUTES (default 15), re-publishes terminal events that were never published, and
 * reports RunningWorkflows and OldestRunningAge (sweep-handler.ts).
 */
import { createLambdaRuntime } from './runtime.ts';
import { createSweepHandler, workflowTimeoutMs } from './sweep-handler.ts';
import { lambdaTradingMetrics } from './trading-metrics.ts';

const runtime = createLambdaRuntime(process.env, 'sweeper');

export const handler = createSweepHandler(runtime.deps, { timeoutMs: workflowTimeoutMs(process.env), metrics: lambdaTradingMetrics(process.env) });
