/**
 * `ops workflow …`: run the trading workflow locally, start one on AWS, and read workflows back.
 *
 * - run --local: in-memory bus and store, paper broker, synthetic market data (or the fixture CSVs with
 *   --market-data fixtures); prints the event timeline and the orders. The command learns the outcome
 *   from the terminal event (a bus subscription).
 * - start: creates the record and publishes WorkflowStarted on EventBridge, then returns the id.
 * - status / list: read the DynamoDB workflow table (the sandbox's works too).
 * - sweep: fails workflows RUNNING past the timeout and re-publishes lost terminal events.
 *
 * --as-of (run, start) defaults to today's date in New York; a date that is not an NYSE session means
 * the most recent session on or before it, and the output says so.
 */
import { explainingAccess } from '../../../aws/access-errors.ts';
import { createAwsClients } from '../../../aws/clients.ts';
import { EventBridgeBus, ensureEventBus } from '../../../aws/eventbridge-bus.ts';
import { ensurePaperBrokerTable } from '../../../aws/paper-broker-store.ts';
import { DynamoWorkflowStore, ensureWorkflowTable } from '../../../aws/workflow-store.ts';
import { clipText } from '../../../clip-text.ts';
import { UserError } from '../../../errors.ts';
import { dec, formatMoney } from '../../../trading/domain/money.ts';
import { runLocalWorkflow } from '../../wiring/local-workflow.ts';
import { createMarketData, MARKET_DATA_SOURCES, marketDataChoiceFromEnv, parseSeed, type MarketDataSourceName } from '../../../trading/adapters/market-data-source.ts';
import { brokersFromEnv } from '../../lambda/trading/runtime.ts';
import { currentSessionDate, describeSessionDate, sessionOnOrBefore, type SessionDate } from '../../../trading/domain/session-date.ts';
import { newCorrelationId, startWorkflow } from '../../../trading/domain/start-workflow.ts';
import { listWorkflows, workflowStatus } from '../../../trading/domain/status.ts';
import { retryLinks } from '../../../trading/domain/retry.ts';
import { workflowDlqGroup } from './workflow-dlq.ts';
import { eventBusFrom, workflowTableFrom } from './workflow-ops-settings.ts';
import { workflowAbortCommand, workflowReplayCommand, workflowReplayStatusCommand, workflowRetryCommand } from './workflow-ops.ts';
import { DEFAULT_STRATEGY } from '../../../trading/domain/strategy.ts';
import { DEFAULT_WORKFLOW_TIMEOUT_MS, sweepWorkflows } from '../../../trading/domain/sweeper.ts';
import { jsonLinesLogger, silentLogger } from '../../../trading/ports/workflow-logger.ts';
import { renderList, renderOrders, renderSkipped, renderStatus, renderTimeline } from '../workflow-render.ts';
import { WORKFLOW_STATES, WorkflowState } from '../../../trading/ports/workflow-store.ts';
import { awsSettingsFrom, withAwsOptions, type AwsOptionArgs } from '../aws-options.ts';
import { defineCommand, type OpsGroup } from '../command.ts';
import type { CliContext } from '../context.ts';
import { parseCountOption } from '../parse-instant.ts';
import type { Argv } from 'yargs';
import { dateOption, decimalOption, minTradeOption, parsePositions, riskLimitsFrom, strategyFrom, type StrategyArgs } from './workflow-options.ts';
import { awsTarget, busFailure } from './workflow-failures.ts';

interface RunArgs extends StrategyArgs {
  local: boolean;
  cash: string;
  position: string[];
  verbose: boolean;
  marketData: MarketDataSourceName;
  marketDataDir?: string;
  marketSeed?: string;
}

interface TableArgs extends AwsOptionArgs {
  table?: string;
}

const strategyOptions = (y: Argv) =>
  y
    .option('strategy', { choices: ['momentum', 'fixed'] as const, default: 'momentum' as const, describe: 'Top-N momentum, or fixed weights (--weights)' })
    .option('top', { type: 'number', describe: `Momentum: how many symbols to hold (default ${DEFAULT_STRATEGY.kind === 'momentum' ? DEFAULT_STRATEGY.topN : 3})` })
    .option('lookback', { type: 'number', describe: `Momentum: trading days of return to rank on (default ${DEFAULT_STRATEGY.kind === 'momentum' ? DEFAULT_STRATEGY.lookbackDays : 63})` })
    .option('weights', { type: 'string', describe: 'Fixed weights, e.g. SPY=0.6,TLT=0.4 (must sum to 1)' })
    .option('min-trade', { type: 'string', default: '100', describe: 'Skip trades below this notional (≥ 0)' })
    .option('max-position-weight', { type: 'string', describe: 'Risk limit: fail the workflow if a target weight is above this (0 < w ≤ 1; default none)' })
    .option('max-order-notional', { type: 'string', describe: 'Risk limit: fail the workflow if a planned order is above this notional (> 0; default none)' })
    .option('max-turnover', { type: 'string', describe: 'Risk limit: fail the workflow if the orders total more than this × equity (> 0; default none)' })
    .option('as-of', { type: 'string', describe: 'Trading date whose closes to use (YYYY-MM-DD; default today in New York; a non-session date means the session before it)' })
    .option('correlation-id', { type: 'string', describe: 'Workflow id (default: generated)' });

const tableOption = (y: Argv) =>
  withAwsOptions(y).option('table', { type: 'string', describe: 'DynamoDB workflow table (default: WORKFLOW_TABLE)' });

export const workflowRunCommand = defineCommand<RunArgs>({
  command: 'run',
  describe: 'Run one trading workflow in this process (--local): in-memory bus, paper broker, synthetic market data',
  builder: (y) =>
    strategyOptions(y)
      .option('local', { type: 'boolean', default: false, describe: 'In-memory bus and store, paper broker, local market data (required)' })
      .option('market-data', { choices: MARKET_DATA_SOURCES, default: 'synthetic' as const, describe: 'synthetic: a seeded random walk with a close for every NYSE session 2000–2099; fixtures: the CSVs (2026-06-03..2026-11-20)' })
      .option('market-data-dir', { type: 'string', describe: 'With --market-data fixtures: the directory of <SYMBOL>.csv files (default fixtures/market-data)' })
      .option('market-seed', { type: 'string', describe: 'With --market-data synthetic: the global seed, 0 to 4294967295 (default 0)' })
      .option('cash', { type: 'string', default: '100000', describe: 'Paper account cash' })
      .option('position', { type: 'string', array: true, default: [] as string[], describe: 'A paper position SYMBOL=QUANTITY (repeatable)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Log every gate decision as JSON lines on stderr' })
      .example('$0 workflow run --local', "Momentum top 3 on today's synthetic closes with 100,000 paper cash")
      .example('$0 workflow run --local --market-data fixtures --as-of 2026-11-20', 'The same on the fixture CSVs')
      .example('$0 workflow run --local --cash 1000 --position SPY=150 --json', 'Most of the value in a position: it is sold down to fund the targets')
      .example('$0 workflow run --local --strategy fixed --weights SPY=0.6,TLT=0.4', 'Fixed weights'),
  run: async (args, ctx) => {
    if (!args.local) {
      throw new UserError('WORKFLOW_RUN_NEEDS_LOCAL', '`ops workflow run` runs in this process only, with --local.', 'Add --local, or use `ops workflow start` to start a workflow on the deployed bus.');
    }
    const cash = decimalOption('cash', args.cash);
    const positions = parsePositions(args.position);
    const strategy = strategyFrom(args);
    const riskLimits = riskLimitsFrom(args, strategy);
    const source = args.marketData;
    if (args.marketDataDir !== undefined && source !== 'fixtures') {
      throw new UserError('INVALID_OPTION', '--market-data-dir only applies to --market-data fixtures.', 'Add --market-data fixtures, or drop --market-data-dir.');
    }
    if (args.marketSeed !== undefined && source !== 'synthetic') {
      throw new UserError('INVALID_OPTION', '--market-seed only applies to --market-data synthetic.', 'Drop --market-seed, or use the synthetic market data.');
    }
    const marketData = createMarketData({
      source,
      ...(args.marketDataDir !== undefined ? { dir: args.marketDataDir } : {}),
      ...(args.marketSeed !== undefined ? { seed: parseSeed(args.marketSeed, '--market-seed') } : {}),
    });
    const result = await runLocalWorkflow({
      clock: { now: ctx.now },
      strategy,
      cash,
      positions,
      marketData,
      minTradeNotional: minTradeOption(args.minTrade),
      ...(riskLimits !== undefined ? { riskLimits } : {}),
      ...(args.asOf !== undefined ? { asOf: dateOption('as-of', args.asOf) } : {}),
      ...(args.correlationId !== undefined ? { correlationId: args.correlationId } : {}),
      logger: args.verbose ? jsonLinesLogger(ctx.stderr, ctx.now) : silentLogger,
    });
    const state = result.status.state;
    const skipped = result.status.plan?.skipped ?? [];
    const note = describeSessionDate(result.asOf);
    const text = [
      `Workflow ${result.correlationId} (local: in-memory bus, paper broker, ${source === 'fixtures' ? 'fixture' : 'synthetic'} closes as of ${result.status.asOf})`,
      ...(note !== undefined ? [note] : []),
      ...renderTimeline(result.timeline),
      '',
      `Orders (${result.status.orders.length}):`,
      ...renderOrders(result.status.orders),
      // Skipped trades are shown when there are any; planned orders match the executed ones above.
      ...(skipped.length > 0 ? ['', `Skipped (${skipped.length}):`, ...renderSkipped(skipped)] : []),
      '',
      result.terminal === undefined
        ? `${state}: the bus went idle without a terminal event (a bug: please report it)`
        : `${state}${result.status.failure ? ` at ${result.status.failure.step}: ${result.status.failure.reason}` : ''} · ${result.status.ordersExecuted} order(s) · value ${formatMoney(dec(result.status.valueTraded))}`,
      ...result.notifications.map((n) => `Notification: ${n.subject}`),
    ].join('\n');
    return {
      exitCode: state === WorkflowState.completed ? 0 : 1,
      json: {
        correlationId: result.correlationId,
        state,
        marketData: source,
        asOf: { ...result.asOf, ...(note !== undefined ? { note } : {}) },
        ...(result.status.failure ? { failure: result.status.failure } : {}),
        timeline: result.timeline,
        orders: result.status.orders,
        ...(result.status.plan !== undefined ? { plan: result.status.plan } : {}),
        status: result.status,
        notifications: result.notifications.map((n) => ({ subject: n.subject })),
      },
      text,
    };
  },
});

interface StartArgs extends StrategyArgs, TableArgs {
  bus?: string;
  account: string;
}

export const workflowStartCommand = defineCommand<StartArgs>({
  command: 'start',
  describe: 'Start a workflow on the deployed bus: create the record, publish WorkflowStarted, print its id (does not wait)',
  builder: (y) =>
    strategyOptions(tableOption(y))
      .option('bus', { type: 'string', describe: 'EventBridge bus name (default: EVENT_BUS_NAME)' })
      .option('account', { type: 'string', default: 'main', describe: 'Broker account the workflow trades' }),
  run: async (args, ctx) => {
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: tableFrom(args, ctx) });
    const busName = busFrom(args.bus, ctx);
    const bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: busName });
    const asOf: SessionDate = args.asOf !== undefined ? sessionOnOrBefore(dateOption('as-of', args.asOf)) : currentSessionDate(ctx.now());
    const note = describeSessionDate(asOf);
    const strategy = strategyFrom(args);
    const riskLimits = riskLimitsFrom(args, strategy);
    const params = { accountId: args.account, asOf: asOf.session, strategy, minTradeNotional: minTradeOption(args.minTrade), ...(riskLimits !== undefined ? { riskLimits } : {}) };
    // Chosen here, not inside startWorkflow, so a publish that fails after the record exists can say which id to re-run.
    const correlationId = args.correlationId ?? newCorrelationId(ctx.now());
    const result = await explainingAccess(awsTarget(clients), () => startWorkflow({ store, bus, clock: { now: ctx.now } }, { params, correlationId })).catch((error: unknown) => {
      throw busFailure(error, busName, correlationId) ?? error;
    });
    const what = result.created ? 'started' : `already exists (${result.state})${result.published ? '; WorkflowStarted re-published' : ''}`;
    return {
      exitCode: 0,
      json: result,
      text: `${note !== undefined ? `${note}\n` : ''}${result.correlationId} ${what}\nFollow it with: ops workflow status ${result.correlationId}`,
    };
  },
});

interface StatusArgs extends TableArgs {
  correlationId: string;
}

export const workflowStatusCommand = defineCommand<StatusArgs>({
  command: 'status <correlationId>',
  describe: 'One workflow from the store: state, steps, orders, failure (exit 1 when FAILED)',
  builder: (y) => tableOption(y).positional('correlationId', { type: 'string', demandOption: true, describe: 'The workflow id' }),
  run: async (args, ctx) => {
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const table = tableFrom(args, ctx);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: table });
    const view = await explainingAccess(awsTarget(clients), () => workflowStatus(store, args.correlationId, ctx.now()));
    if (view === undefined) {
      throw new UserError('WORKFLOW_NOT_FOUND', `No workflow ${clipText(args.correlationId)} in table "${clipText(table)}".`, 'Check the id with `ops workflow list`, and the table and region.');
    }
    // Retry links both ways: an attempt names its original; an original lists its attempts (`<id>.r2`, …).
    const attempts = await explainingAccess(awsTarget(clients), () => retryLinks(store, view));
    if (attempts !== undefined) view.attempts = attempts;
    return { exitCode: view.state === WorkflowState.failed ? 1 : 0, json: view, text: renderStatus(view) };
  },
});

interface ListArgs extends TableArgs {
  state?: WorkflowState;
  limit: number;
}

export const workflowListCommand = defineCommand<ListArgs>({
  command: 'list',
  describe: 'Recent workflows, newest first, with counts by state, durations and failure reasons',
  builder: (y) =>
    tableOption(y)
      .option('state', { choices: WORKFLOW_STATES, describe: 'Only workflows in this state' })
      .option('limit', { type: 'number', default: 50, describe: 'At most this many workflows' }),
  run: async (args, ctx) => {
    const limit = parseCountOption('limit', args.limit, 1_000);
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: tableFrom(args, ctx) });
    const query = { ...(args.state !== undefined ? { state: args.state } : {}), limit };
    const { workflows, metrics } = await explainingAccess(awsTarget(clients), () => listWorkflows(store, query, ctx.now()));
    return { exitCode: 0, json: { workflows, metrics }, text: renderList(workflows, metrics) };
  },
});

interface SweepArgs extends TableArgs {
  bus?: string;
  timeoutMinutes: number;
  brokerTable?: string;
}

export const workflowSweepCommand = defineCommand<SweepArgs>({
  command: 'sweep',
  describe: 'Fail workflows RUNNING longer than the timeout; re-publish terminal events that were never published',
  builder: (y) =>
    tableOption(y)
      .option('bus', { type: 'string', describe: 'EventBridge bus name (default: EVENT_BUS_NAME)' })
      .option('timeout-minutes', { type: 'number', default: DEFAULT_WORKFLOW_TIMEOUT_MS / 60_000, describe: 'A RUNNING workflow older than this is failed (WORKFLOW_TIMEOUT)' })
      .option('broker-table', {
        type: 'string',
        describe: 'Durable paper-broker table whose open orders to reconcile (default: PAPER_BROKER_TABLE; with BROKER=alpaca the Alpaca account is asked instead; neither: orders are not reconciled)',
      }),
  run: async (args, ctx) => {
    const minutes = parseCountOption('timeout-minutes', args.timeoutMinutes, 7 * 24 * 60);
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const clock = { now: ctx.now };
    // Only a broker that outlives this process can answer for open orders: a throwaway in-memory
    // paper account would know none of them and fail every workflow that waits for a fill.
    const brokerTable = args.brokerTable ?? ctx.env.PAPER_BROKER_TABLE ?? '';
    const alpaca = ctx.env.BROKER === 'alpaca';
    const brokerEnv = { ...ctx.env, PAPER_BROKER_TABLE: brokerTable };
    const brokers = brokerTable !== '' || alpaca ? brokersFromEnv(brokerEnv, createMarketData(marketDataChoiceFromEnv(ctx.env)), clock, clients) : undefined;
    const deps = {
      store: new DynamoWorkflowStore({ client: clients.dynamodb, tableName: tableFrom(args, ctx) }),
      bus: new EventBridgeBus({ client: clients.eventbridge, eventBusName: busFrom(args.bus, ctx) }),
      clock,
      logger: silentLogger,
      ...(brokers !== undefined ? { brokers } : {}),
    };
    const report = await explainingAccess(awsTarget(clients), () => sweepWorkflows(deps, { timeoutMs: minutes * 60_000 }));
    const lines = [
      `${report.checkedRunning} workflow(s) RUNNING longer than ${minutes} min`,
      ...report.timedOut.map((t) => `  FAILED (timeout at ${t.step}): ${t.correlationId}`),
      ...report.lostRaces.map((id) => `  finished meanwhile: ${id}`),
      `${report.republished.length} terminal event(s) re-published${report.republished.length > 0 ? `: ${report.republished.join(', ')}` : ''}`,
      ...(report.relayed.length > 0 ? [`${report.relayed.length} unclaimed step event(s) re-published: ${report.relayed.map((r) => `${r.correlationId} ${r.type}`).join(', ')}`] : []),
      ...(brokers === undefined
        ? ['open orders not reconciled (no broker: pass --broker-table or export PAPER_BROKER_TABLE, or BROKER=alpaca)']
        : [
            `${report.reconciled?.length ?? 0} open order(s) reconciled, ${report.completed?.length ?? 0} workflow(s) completed, ${report.failedOrders?.length ?? 0} failed by their orders`,
            ...(report.waitingForFills ?? []).map((id) => `  waiting for fills: ${id}`),
            ...(report.reconcileErrors ?? []).map((e) => `  could not reconcile ${e.correlationId}: ${e.error}`),
          ]),
    ];
    return { exitCode: report.timedOut.length > 0 ? 1 : 0, json: report, text: lines.join('\n') };
  },
});

interface SetupArgs extends TableArgs {
  bus?: string;
  brokerTable?: string;
}

export const workflowSetupCommand = defineCommand<SetupArgs>({
  command: 'setup',
  describe: 'Create the workflow table and event bus (and the paper-broker table, when named) on the sandbox if missing (on AWS the stack creates them)',
  builder: (y) =>
    tableOption(y)
      .option('bus', { type: 'string', describe: 'EventBridge bus name (default: EVENT_BUS_NAME)' })
      .option('broker-table', { type: 'string', describe: 'Durable paper-broker table to create too (default: PAPER_BROKER_TABLE; none: skipped)' }),
  run: async (args, ctx) => {
    const endpoint = args.endpoint ?? ctx.env.AWS_ENDPOINT_URL;
    if (endpoint === undefined || !/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(endpoint)) {
      throw new UserError('NOT_A_SANDBOX', '`ops workflow setup` only creates resources on a local sandbox.', 'Point --endpoint (or AWS_ENDPOINT_URL) at the sandbox; on AWS, `pulumi up` creates the table and bus.');
    }
    const clients = createAwsClients(awsSettingsFrom(args), ctx.env);
    const table = tableFrom(args, ctx);
    const busName = busFrom(args.bus, ctx);
    const tableResult = await explainingAccess(awsTarget(clients), () => ensureWorkflowTable(clients.dynamodb, table));
    const busResult = await explainingAccess(awsTarget(clients), () => ensureEventBus(clients.eventbridge, busName));
    const brokerTable = args.brokerTable ?? ctx.env.PAPER_BROKER_TABLE ?? '';
    const brokerResult = brokerTable === '' ? undefined : await explainingAccess(awsTarget(clients), () => ensurePaperBrokerTable(clients.dynamodb, brokerTable));
    const json = {
      table,
      tableCreated: tableResult.created,
      bus: busName,
      busCreated: busResult.created,
      ...(brokerResult === undefined ? {} : { brokerTable, brokerTableCreated: brokerResult.created }),
    };
    const lines = [`table ${table}: ${tableResult.created ? 'created' : 'exists'}`, `bus ${busName}: ${busResult.created ? 'created' : 'exists'}`];
    if (brokerResult !== undefined) lines.push(`paper-broker table ${brokerTable}: ${brokerResult.created ? 'created' : 'exists'}`);
    return { exitCode: 0, json, text: lines.join('\n') };
  },
});

export const workflowGroup: OpsGroup = {
  command: 'workflow',
  describe: 'The trading workflow: run it locally, start it on AWS, see its status',
  subcommands: [
    workflowRunCommand,
    workflowStartCommand,
    workflowStatusCommand,
    workflowListCommand,
    workflowSweepCommand,
    workflowSetupCommand,
    workflowRetryCommand,
    workflowAbortCommand,
    workflowDlqGroup,
    workflowReplayCommand,
    workflowReplayStatusCommand,
  ],
};

function tableFrom(args: TableArgs, ctx: CliContext): string {
  return workflowTableFrom(args.table, ctx);
}

const busFrom = eventBusFrom;
