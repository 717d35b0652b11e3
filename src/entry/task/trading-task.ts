/**
 * The ECS task entry `ops-task dispatcher` (bin/ops-task.mjs): EventBridge Scheduler starts it every
 * minute of the trading day; it starts the day's workflow for its account while the NYSE session is
 * open and otherwise logs why not and exits 0 (a closed market is not an error).
 *
 * One workflow per account and session: the correlation id is `wf-<account>-<session date>`, so the
 * minutes after the first start find the workflow already there and do nothing more than re-publish
 * WorkflowStarted while it is still RUNNING (consumers recognise its deterministic id). A start that
 * crashed between creating the record and publishing is healed by the next minute's run.
 *
 * Configuration (environment): ACCOUNT (default "main"), STRATEGY (JSON strategy spec, default
 * momentum top 3), MIN_TRADE_NOTIONAL (default 100), the risk limits MAX_POSITION_WEIGHT,
 * MAX_ORDER_NOTIONAL and MAX_TURNOVER (decimal strings; unset or empty: no limit; see
 * src/trading/domain/risk-limits.ts), WORKFLOW_TABLE and EVENT_BUS_NAME.
 */
import { createAwsClients } from '../../aws/clients.ts';
import { EventBridgeBus } from '../../aws/eventbridge-bus.ts';
import { DynamoWorkflowStore } from '../../aws/workflow-store.ts';
import { isOpsError, UserError } from '../../errors.ts';
import { nyse, type MarketCalendar } from '../../market/index.ts';
import { strategySpecSchema, type StrategySpec, type WorkflowParams } from '../../trading/domain/events.ts';
import { startWorkflow, type StartResult } from '../../trading/domain/start-workflow.ts';
import { RISK_LIMIT_NAMES, RISK_LIMITS, riskLimitProblem, type RiskLimits } from '../../trading/domain/risk-limits.ts';
import { DEFAULT_STRATEGY } from '../../trading/domain/strategy.ts';
import { zodIssues } from '../../trading/domain/trading-errors.ts';
import { jsonLinesLogger, type WorkflowLogger } from '../../trading/ports/workflow-logger.ts';

export interface DispatchConfig {
  accountId: string;
  strategy: StrategySpec;
  minTradeNotional: string;
  /** Absent: no limits (the params then carry none). */
  riskLimits?: RiskLimits;
}

export interface DispatchDeps {
  now: () => Date;
  calendar: Pick<MarketCalendar, 'isOpen' | 'status' | 'sessionAt'>;
  start: (correlationId: string, params: WorkflowParams) => Promise<StartResult>;
  logger: WorkflowLogger;
}

export type DispatchOutcome =
  | { started: false; reason: string; opensAt?: string }
  | { started: true; correlationId: string; created: boolean; state: string };

export async function runDispatcher(deps: DispatchDeps, config: DispatchConfig): Promise<DispatchOutcome> {
  const now = deps.now();
  if (!deps.calendar.isOpen(now)) {
    const status = deps.calendar.status(now);
    const reason = status.open ? 'open' : status.reason;
    const opensAt = status.open ? undefined : status.opensAt.toISOString();
    deps.logger.info(`market closed (${reason}); no workflow started`, { accountId: config.accountId, at: now.toISOString(), ...(opensAt ? { opensAt } : {}) });
    return { started: false, reason, ...(opensAt ? { opensAt } : {}) };
  }
  const asOf = deps.calendar.sessionAt(now).date;
  const correlationId = dispatchCorrelationId(config.accountId, asOf);
  const result = await deps.start(correlationId, {
    accountId: config.accountId,
    asOf,
    strategy: config.strategy,
    minTradeNotional: config.minTradeNotional,
    ...(config.riskLimits !== undefined ? { riskLimits: config.riskLimits } : {}),
  });
  deps.logger.info(result.created ? `started workflow ${correlationId}` : `workflow ${correlationId} already exists (${result.state})`, { ...result });
  return { started: true, correlationId, created: result.created, state: result.state };
}

export function dispatchCorrelationId(accountId: string, sessionDate: string): string {
  return `wf-${accountId}-${sessionDate}`;
}

export function dispatchConfigFromEnv(env: NodeJS.ProcessEnv): DispatchConfig {
  const accountId = env.ACCOUNT || 'main';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(accountId)) {
    throw new UserError('INVALID_ACCOUNT', `ACCOUNT "${accountId}" is not a valid account id.`, 'Use letters, digits, ".", "_" and "-" (at most 64).');
  }
  let strategy = DEFAULT_STRATEGY;
  if (env.STRATEGY) {
    let json: unknown;
    try {
      json = JSON.parse(env.STRATEGY);
    } catch (cause) {
      throw new UserError('INVALID_STRATEGY', 'STRATEGY is not JSON.', 'Set it to a strategy spec, e.g. {"kind":"fixed","weights":[{"symbol":"SPY","weight":"1"}]}.', { cause });
    }
    const parsed = strategySpecSchema.safeParse(json);
    if (!parsed.success) throw new UserError('INVALID_STRATEGY', `STRATEGY is not a valid strategy spec: ${zodIssues(parsed.error).join('; ')}.`, 'See strategySpecSchema in src/trading/domain/events.ts.');
    strategy = parsed.data;
  }
  const minTradeNotional = env.MIN_TRADE_NOTIONAL || '100';
  if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(minTradeNotional)) {
    throw new UserError('INVALID_MIN_TRADE', `MIN_TRADE_NOTIONAL "${minTradeNotional}" is not a non-negative decimal.`, 'Set it to e.g. 100.');
  }
  const riskLimits: RiskLimits = {};
  for (const name of RISK_LIMIT_NAMES) {
    const { env: variable, example } = RISK_LIMITS[name];
    const value = env[variable];
    if (!value) continue;
    const problem = riskLimitProblem(name, value);
    if (problem !== undefined) throw new UserError('INVALID_RISK_LIMIT', `${variable} "${value}" ${problem}.`, `Set it to e.g. ${example}, or leave it unset for no limit.`);
    riskLimits[name] = value;
  }
  return { accountId, strategy, minTradeNotional, ...(Object.keys(riskLimits).length > 0 ? { riskLimits } : {}) };
}

export interface TaskIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

/** Builds the AWS-backed start function; tests hand in their own. */
export type StartWiring = (env: NodeJS.ProcessEnv, now: () => Date) => DispatchDeps['start'];

export const awsStartWiring: StartWiring = (env, now) => {
  const table = env.WORKFLOW_TABLE;
  const busName = env.EVENT_BUS_NAME;
  if (!table || !busName) {
    throw new UserError('MISSING_ENVIRONMENT', 'The dispatcher needs WORKFLOW_TABLE and EVENT_BUS_NAME.', 'Run it through the stack (infra), which sets both.');
  }
  const clients = createAwsClients({}, env);
  const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: table });
  const bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: busName });
  return (correlationId, params) => startWorkflow({ store, bus, clock: { now } }, { correlationId, params });
};

export const TASKS = ['dispatcher'] as const;

/** `ops-task <task>`: returns the exit code (0 done or market closed, 2 usage/config, 3 fault). */
export async function opsTaskMain(argv: readonly string[], io: TaskIo, wiring: StartWiring = awsStartWiring, calendar: DispatchDeps['calendar'] = nyse): Promise<number> {
  const logger = jsonLinesLogger(io.stdout, io.now);
  const task = argv[0];
  if (task !== 'dispatcher' || argv.length > 1) {
    io.stderr(`usage: ops-task dispatcher\n  known tasks: ${TASKS.join(', ')}\n`);
    return 2;
  }
  try {
    const config = dispatchConfigFromEnv(io.env);
    let start: DispatchDeps['start'] | undefined;
    // Wire AWS only when the market is open: a closed-market run needs no table, bus or credentials.
    const lazyStart: DispatchDeps['start'] = (id, params) => (start ??= wiring(io.env, io.now))(id, params);
    await runDispatcher({ now: io.now, calendar, start: lazyStart, logger }, config);
    return 0;
  } catch (error) {
    const user = isOpsError(error) && error.kind === 'user';
    logger.error(error instanceof Error ? error.message : String(error), {
      code: isOpsError(error) ? error.code : 'UNEXPECTED',
      ...(user && 'hint' in error ? { hint: (error as UserError).hint } : {}),
    });
    return user ? 2 : 3;
  }
}
