/**
 * What a trading Lambda builds once per container (module scope): SDK clients, the DynamoDB store,
 * the EventBridge bus, the SNS notifier, the market data and the brokers, all from the environment
 * the stack sets (infra/components/trading.ts): WORKFLOW_TABLE, EVENT_BUS_NAME, NOTIFICATION_TOPIC_ARN.
 *
 * Market data: MARKET_DATA_SOURCE = synthetic (default: a close for every NYSE session, so the stack
 * works on any day; MARKET_DATA_SEED picks another market) or fixtures (the CSVs in MARKET_DATA_DIR,
 * which end 2026-11-20: later workflows fail with STALE_MARKET_DATA). See market-data-source.ts.
 *
 * Brokers: only the paper broker exists today (PAPER_ACCOUNTS, default "main,tiny", each seeded with
 * PAPER_CASH, default 100000). With PAPER_BROKER_TABLE (the stack sets it on the portfolio and
 * execution Lambdas) each account lives in that DynamoDB table (src/aws/paper-broker-store.ts): every
 * Lambda and every cold start sees the same cash, positions and orders, and PAPER_CASH only seeds an
 * account that does not exist yet. Without it the account lives in the Lambda instance's memory, a
 * stand-in for tests and demos, not a record of trades. A real broker adapter plugs in here through
 * the Broker port. The paper broker fills at the close of today's session in New York (the most
 * recent one on a closed day), reloaded when the date changes, so a container that lives past
 * midnight does not fill at yesterday's prices.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, type AwsClients } from '../../../aws/clients.ts';
import { EventBridgeBus } from '../../../aws/eventbridge-bus.ts';
import { DynamoPaperBroker } from '../../../aws/paper-broker-store.ts';
import { createSnsNotifier } from '../../../aws/sns-notifier.ts';
import { DynamoWorkflowStore } from '../../../aws/workflow-store.ts';
import { UserError } from '../../../errors.ts';
import type { Broker } from '../../../trading/ports/broker.ts';
import { brokerDirectory } from '../../../trading/domain/broker-directory.ts';
import { quotesAsOf } from '../../wiring/local-workflow.ts';
import type { MarketDataSource } from '../../../trading/ports/market-data.ts';
import { createMarketData, marketDataChoiceFromEnv } from '../../../trading/adapters/market-data-source.ts';
import type { Notifier } from '../../../trading/ports/notifier.ts';
import { PaperBroker } from '../../../trading/adapters/paper-broker.ts';
import type { Dec } from '../../../trading/domain/money.ts';
import { currentSessionDate } from '../../../trading/domain/session-date.ts';
import type { Clock } from '../../../trading/domain/step-handler.ts';
import type { WorkflowDeps } from '../../../trading/domain/workflow-app.ts';
import { powertoolsWorkflowLogger } from './powertools-logger.ts';

export const TRADING_SERVICE = 'ops-trading';

export interface LambdaRuntime {
  clients: AwsClients;
  logger: Logger;
  deps: WorkflowDeps;
  /** The same source as deps.marketData, with its symbol list. */
  marketData: MarketDataSource;
}

export function createLambdaRuntime(env: NodeJS.ProcessEnv, step: string): LambdaRuntime {
  const logger = new Logger({ serviceName: TRADING_SERVICE, persistentKeys: { step } });
  const clients = createAwsClients({}, env);
  const store = new DynamoWorkflowStore({ client: clients.dynamodb, tableName: required(env, 'WORKFLOW_TABLE') });
  const bus = new EventBridgeBus({ client: clients.eventbridge, eventBusName: required(env, 'EVENT_BUS_NAME') });
  const marketData = createMarketData(marketDataChoiceFromEnv(env));
  // The composition root: the one place a trading Lambda reads the wall clock.
  const clock: Clock = { now: () => new Date() };
  let notifier: Notifier | undefined;
  const deps: WorkflowDeps = {
    store,
    bus,
    clock,
    logger: powertoolsWorkflowLogger(logger),
    marketData,
    brokers: paperBrokers(env, marketData, clock, clients),
    // Only the notification Lambda needs the topic; the others must not fail for its absence.
    notifier: {
      notify: async (message) => {
        notifier ??= emailNotifier(createSnsNotifier(clients.sns, required(env, 'NOTIFICATION_TOPIC_ARN')));
        await notifier.notify(message);
      },
    },
  };
  return { clients, logger, deps, marketData };
}

/** The alert email sender (src/aws/sns-notifier.ts) behind the workflow's Notifier port. */
export function emailNotifier(sender: { publish(message: { subject: string; body: string }): Promise<unknown> }): Notifier {
  return { notify: async (n) => void (await sender.publish({ subject: n.subject, body: n.body })) };
}

/** The paper accounts: in PAPER_BROKER_TABLE when it is set (needs `clients`), else in memory. */
export function paperBrokers(env: NodeJS.ProcessEnv, marketData: MarketDataSource, clock: Clock, clients?: Pick<AwsClients, 'dynamodb'>) {
  const accounts = (env.PAPER_ACCOUNTS ?? 'main,tiny').split(',').map((a) => a.trim()).filter((a) => a !== '');
  let quotes: Map<string, Dec> = new Map();
  let quotedSession: string | undefined;
  const cash = env.PAPER_CASH ?? '100000';
  const table = env.PAPER_BROKER_TABLE ?? '';
  const brokers = new Map<string, Broker>();
  for (const account of accounts) {
    const quote = (symbol: string) => quotes.get(symbol);
    const idPrefix = `paper-${account}`;
    if (table === '') {
      brokers.set(account, new PaperBroker({ cash, quote, idPrefix }));
      continue;
    }
    if (clients === undefined) throw new UserError('PAPER_BROKER_NO_CLIENT', `PAPER_BROKER_TABLE is set (${table}) but no DynamoDB client was given.`, 'Pass the runtime\'s AWS clients to paperBrokers.');
    brokers.set(account, new DynamoPaperBroker({ client: clients.dynamodb, tableName: table, accountId: account, seedCash: cash, quote, idPrefix, now: () => clock.now() }));
  }
  const directory = brokerDirectory(brokers);
  return (accountId: string): Broker => {
    const broker = directory(accountId);
    // Quotes are the closes of today's session (the latest on or before it), loaded on first use and
    // again when the session date moves on (the paper market has no feed).
    return {
      account: () => broker.account(),
      assets: (symbols) => broker.assets(symbols),
      orderByClientId: (id) => broker.orderByClientId(id),
      placeOrder: async (request) => {
        const session = currentSessionDate(clock.now()).session;
        if (session !== quotedSession) {
          quotes = await quotesAsOf(marketData, await marketData.symbols(), session);
          quotedSession = session;
        }
        return broker.placeOrder(request);
      },
    };
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UserError('MISSING_ENVIRONMENT', `The trading Lambda needs ${name} in its environment.`, 'Deploy through the stack (infra/components/trading.ts), which sets it.');
  }
  return value;
}
