/**
 * What a trading Lambda builds once per container (module scope): SDK clients, the DynamoDB store,
 * the EventBridge bus, the SNS notifier, the market data and the brokers, all from the environment
 * the stack sets (infra/components/trading.ts): WORKFLOW_TABLE, EVENT_BUS_NAME, NOTIFICATION_TOPIC_ARN.
 *
 * Market data: MARKET_DATA_SOURCE = synthetic (default: a close for every NYSE session, so the stack
 * works on any day; MARKET_DATA_SEED picks another market) or fixtures (the CSVs in MARKET_DATA_DIR,
 * which end 2026-11-20: later workflows fail with STALE_MARKET_DATA). See market-data-source.ts.
 *
 * Brokers: BROKER = paper (default) or alpaca.
 *
 * Alpaca (src/trading/adapters/alpaca/): the workflow account ALPACA_ACCOUNT (default "main") trades
 * on the Alpaca account whose key pair is in the Secrets Manager secret ALPACA_SECRET_ID (JSON
 * `{"keyId","secretKey"}`) or in the SSM SecureString parameters ALPACA_KEYS_PARAMETER_PREFIX/key-id
 * and /secret-key (src/aws/broker-credentials.ts); ALPACA_BASE_URL defaults to the paper endpoint.
 * The keys are read on the broker's first call and kept for the container's life (a failed read is
 * retried on the next call); they are never logged. Orders fill asynchronously: the sweeper
 * reconciles them with the same broker.
 *
 * Paper: PAPER_ACCOUNTS, default "main,tiny", each seeded with PAPER_CASH, default 100000;
 * PAPER_LIQUIDITY (e.g. "SPY=10,TLT=5") caps what one order fills per symbol, the rest canceled. With PAPER_BROKER_TABLE (the stack sets it on the portfolio and
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
import { readAlpacaCredentials, type BrokerKeysSource } from '../../../aws/broker-credentials.ts';
import { UserError } from '../../../errors.ts';
import { AlpacaBroker } from '../../../trading/adapters/alpaca/broker.ts';
import { AlpacaClient, ALPACA_PAPER_TRADING_URL } from '../../../trading/adapters/alpaca/client.ts';
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
    brokers: brokersFromEnv(env, marketData, clock, clients),
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

export const BROKER_KINDS = ['paper', 'alpaca'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** BROKER (paper | alpaca, default paper) → the broker directory. */
export function brokersFromEnv(env: NodeJS.ProcessEnv, marketData: MarketDataSource, clock: Clock, clients?: Pick<AwsClients, 'dynamodb' | 'secretsManager' | 'ssm'>): (accountId: string) => Broker {
  const kind = env.BROKER || 'paper';
  switch (kind) {
    case 'paper':
      return paperBrokers(env, marketData, clock, clients);
    case 'alpaca':
      if (clients === undefined) throw new UserError('ALPACA_NO_CLIENT', 'BROKER=alpaca needs AWS clients to read the keys.', 'Pass the runtime\'s AWS clients to brokersFromEnv.');
      return alpacaBrokers(env, clients);
    default:
      throw new UserError('INVALID_BROKER', `BROKER "${kind}" is not one of ${BROKER_KINDS.join(', ')}.`, 'Unset it (paper) or set BROKER=alpaca with ALPACA_SECRET_ID (stack config `broker`).');
  }
}

/** Where the Alpaca keys are: ALPACA_SECRET_ID or ALPACA_KEYS_PARAMETER_PREFIX, exactly one. */
export function alpacaKeysSource(env: NodeJS.ProcessEnv): BrokerKeysSource {
  const secretId = env.ALPACA_SECRET_ID ?? '';
  const prefix = env.ALPACA_KEYS_PARAMETER_PREFIX ?? '';
  if (secretId !== '' && prefix !== '') throw new UserError('ALPACA_KEYS_AMBIGUOUS', 'Both ALPACA_SECRET_ID and ALPACA_KEYS_PARAMETER_PREFIX are set.', 'Keep one: the Secrets Manager secret or the SSM parameter prefix.');
  if (secretId !== '') return { kind: 'secret', secretId };
  if (prefix !== '') return { kind: 'parameters', prefix };
  throw new UserError('ALPACA_KEYS_UNCONFIGURED', 'BROKER=alpaca but neither ALPACA_SECRET_ID nor ALPACA_KEYS_PARAMETER_PREFIX is set.', 'Set `pulumi config set broker alpaca` (the stack creates the secret and sets ALPACA_SECRET_ID), then put the keys into the secret.');
}

/**
 * The Alpaca account behind ALPACA_ACCOUNT. The client is built on first use, after the keys were
 * read; the promise is kept (per container, since the runtime lives at module scope) unless it failed.
 */
export function alpacaBrokers(env: NodeJS.ProcessEnv, clients: Pick<AwsClients, 'secretsManager' | 'ssm'>, options: { sleep?: (ms: number) => Promise<void>; fetch?: typeof fetch } = {}): (accountId: string) => Broker {
  const source = alpacaKeysSource(env);
  const account = env.ALPACA_ACCOUNT || 'main';
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let loading: Promise<AlpacaBroker> | undefined;
  const load = (): Promise<AlpacaBroker> => {
    loading ??= (async () => {
      const credentials = await readAlpacaCredentials(source, { secretsManager: clients.secretsManager, ssm: clients.ssm });
      const client = new AlpacaClient({
        credentials,
        tradingBaseUrl: env.ALPACA_BASE_URL || ALPACA_PAPER_TRADING_URL,
        ...(env.ALPACA_DATA_URL ? { dataBaseUrl: env.ALPACA_DATA_URL } : {}),
        sleep,
        ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      });
      return new AlpacaBroker(client);
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const broker: Broker = {
    account: async () => (await load()).account(),
    assets: async (symbols) => (await load()).assets(symbols),
    placeOrder: async (request) => (await load()).placeOrder(request),
    orderByClientId: async (id) => (await load()).orderByClientId(id),
  };
  return brokerDirectory({ [account]: broker });
}

/** The paper accounts: in PAPER_BROKER_TABLE when it is set (needs `clients`), else in memory. */
export function paperBrokers(env: NodeJS.ProcessEnv, marketData: MarketDataSource, clock: Clock, clients?: Pick<AwsClients, 'dynamodb'>) {
  const accounts = (env.PAPER_ACCOUNTS ?? 'main,tiny').split(',').map((a) => a.trim()).filter((a) => a !== '');
  let quotes: Map<string, Dec> = new Map();
  let quotedSession: string | undefined;
  const cash = env.PAPER_CASH ?? '100000';
  const table = env.PAPER_BROKER_TABLE ?? '';
  const liquidity = parseLiquidityList(env.PAPER_LIQUIDITY);
  const brokers = new Map<string, Broker>();
  for (const account of accounts) {
    const quote = (symbol: string) => quotes.get(symbol);
    const idPrefix = `paper-${account}`;
    if (table === '') {
      brokers.set(account, new PaperBroker({ cash, quote, idPrefix, liquidity }));
      continue;
    }
    if (clients === undefined) throw new UserError('PAPER_BROKER_NO_CLIENT', `PAPER_BROKER_TABLE is set (${table}) but no DynamoDB client was given.`, 'Pass the runtime\'s AWS clients to paperBrokers.');
    brokers.set(account, new DynamoPaperBroker({ client: clients.dynamodb, tableName: table, accountId: account, seedCash: cash, quote, idPrefix, liquidity, now: () => clock.now() }));
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

/** PAPER_LIQUIDITY "SPY=10,TLT=5" → { SPY: '10', TLT: '5' } (the brokers check the numbers). */
export function parseLiquidityList(value: string | undefined): Record<string, string> {
  const limits: Record<string, string> = {};
  for (const part of (value ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [symbol, limit, ...rest] = part.split('=').map((p) => p.trim());
    if (!symbol || !limit || rest.length > 0) {
      throw new UserError('INVALID_PAPER_LIQUIDITY', `PAPER_LIQUIDITY entry "${part}" is not SYMBOL=QUANTITY.`, 'Write it like PAPER_LIQUIDITY=SPY=10,TLT=5, or unset it (orders fill in full).');
    }
    limits[symbol] = limit;
  }
  return limits;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UserError('MISSING_ENVIRONMENT', `The trading Lambda needs ${name} in its environment.`, 'Deploy through the stack (infra/components/trading.ts), which sets it.');
  }
  return value;
}
