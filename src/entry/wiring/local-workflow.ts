/**
 * One workflow run entirely in this process: in-memory bus and store, a paper broker quoting the
 * market data's closes, and the market data (synthetic by default, so it works on any day; the
 * fixture CSVs when asked). `ops workflow run --local` uses it. The run starts the workflow like the
 * dispatcher does and then awaits its terminal event through a bus subscription; it never polls.
 *
 * "As of": the date asked for, default today in New York (from the injected clock); a date that is
 * not an NYSE session means the most recent session on or before it (session-date.ts).
 */
import { brokerDirectory } from '../../trading/domain/broker-directory.ts';
import type { StrategySpec, TerminalEvent, WorkflowEvent } from '../../trading/domain/events.ts';
import type { RiskLimits } from '../../trading/domain/risk-limits.ts';
import type { MarketData, MarketDataSource } from '../../trading/ports/market-data.ts';
import { createMarketData } from '../../trading/adapters/market-data-source.ts';
import type { MarketCalendar } from '../../market/index.ts';
import { currentSessionDate, sessionOnOrBefore, type SessionDate } from '../../trading/domain/session-date.ts';
import { InMemoryEventBus, type BusStats, type InMemoryBusOptions } from '../../trading/adapters/memory-bus.ts';
import { MemoryWorkflowStore } from '../../trading/adapters/memory-workflow-store.ts';
import type { Dec } from '../../trading/domain/money.ts';
import { MemoryNotifier, type Notification } from '../../trading/ports/notifier.ts';
import { PaperBroker } from '../../trading/adapters/paper-broker.ts';
import { startWorkflow } from '../../trading/domain/start-workflow.ts';
import { workflowView, type WorkflowView } from '../../trading/domain/status.ts';
import type { Clock } from '../../trading/domain/step-handler.ts';
import { DEFAULT_STRATEGY } from '../../trading/domain/strategy.ts';
import { watchTerminalEvents } from '../../trading/adapters/terminal-watcher.ts';
import { UserError } from '../../errors.ts';
import { silentLogger, type WorkflowLogger } from '../../trading/ports/workflow-logger.ts';
import { subscribeWorkflow } from '../../trading/domain/workflow-app.ts';
import type { WorkflowStore } from '../../trading/ports/workflow-store.ts';

export const LOCAL_ACCOUNT = 'paper';
/** Whole-share assets in the local paper account, so runs show both rounding rules. */
export const LOCAL_NON_FRACTIONABLE = ['GLD', 'TLT'] as const;

export interface LocalRunOptions {
  clock: Clock;
  /** YYYY-MM-DD; default today's date in New York at clock.now(). A non-session date means the session before it. */
  asOf?: string;
  strategy?: StrategySpec;
  cash?: string;
  positions?: Record<string, string>;
  nonFractionable?: readonly string[];
  minTradeNotional?: string;
  /** The workflow's risk limits (risk-limits.ts); default none. */
  riskLimits?: RiskLimits;
  correlationId?: string;
  /** Default: SyntheticMarketData with its default seed and universe. */
  marketData?: MarketDataSource;
  /** Decides which dates are sessions (default NYSE). */
  calendar?: Pick<MarketCalendar, 'session' | 'sessionAt'>;
  store?: WorkflowStore;
  logger?: WorkflowLogger;
  bus?: InMemoryBusOptions;
}

export interface LocalRunResult {
  correlationId: string;
  /** The date asked for and the session the workflow ran as of. */
  asOf: SessionDate;
  terminal: TerminalEvent | undefined;
  status: WorkflowView;
  timeline: WorkflowEvent[];
  notifications: Notification[];
  stats: BusStats;
}

export async function runLocalWorkflow(options: LocalRunOptions): Promise<LocalRunResult> {
  const marketData = options.marketData ?? createMarketData();
  const sessionDate =
    options.asOf !== undefined
      ? sessionOnOrBefore(options.asOf, options.calendar)
      : currentSessionDate(options.clock.now(), options.calendar);
  const asOf = sessionDate.session;
  const strategy = options.strategy ?? DEFAULT_STRATEGY;
  const quotes = await quotesAsOf(marketData, await marketData.symbols(), asOf);
  const broker = new PaperBroker({
    cash: options.cash ?? '100000',
    positions: options.positions ?? {},
    quote: (symbol) => quotes.get(symbol),
    nonFractionable: options.nonFractionable ?? LOCAL_NON_FRACTIONABLE,
  });
  const store = options.store ?? new MemoryWorkflowStore();
  const bus = new InMemoryEventBus(options.bus);
  const notifier = new MemoryNotifier();
  const logger = options.logger ?? silentLogger;
  const brokers = brokerDirectory({ [LOCAL_ACCOUNT]: broker });
  subscribeWorkflow(bus, () => ({ store, bus, clock: options.clock, logger, marketData, brokers, notifier }));
  const watcher = watchTerminalEvents(bus);
  try {
    const { correlationId } = await startWorkflow(
      { store, bus, clock: options.clock },
      {
        params: { accountId: LOCAL_ACCOUNT, asOf, strategy, minTradeNotional: options.minTradeNotional ?? '100', ...(options.riskLimits !== undefined ? { riskLimits: options.riskLimits } : {}) },
        ...(options.correlationId !== undefined ? { correlationId: options.correlationId } : {}),
      },
    );
    const terminal = await watcher.waitOrIdle(correlationId);
    // The notification is delivered alongside the watcher; let the bus finish before reading it.
    await bus.idle();
    const record = await store.get(correlationId);
    if (record === undefined) throw new UserError('WORKFLOW_NOT_FOUND', `Workflow ${correlationId} vanished from the store.`, 'This is a bug; please report it.');
    return {
      correlationId,
      asOf: sessionDate,
      terminal,
      status: workflowView(record, options.clock.now()),
      timeline: bus.history({ correlationId }),
      notifications: notifier.sent,
      stats: bus.stats(),
    };
  } finally {
    watcher.stop();
  }
}

/** The last close on or before `asOf` per symbol: what the paper broker fills at. */
export async function quotesAsOf(marketData: MarketData, symbols: readonly string[], asOf: string): Promise<Map<string, Dec>> {
  const history = await marketData.history(symbols, asOf, 1);
  const quotes = new Map<string, Dec>();
  for (const [symbol, bars] of history) {
    const last = bars.at(-1);
    if (last !== undefined) quotes.set(symbol, last.close);
  }
  return quotes;
}
