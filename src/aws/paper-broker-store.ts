/**
 * A durable paper broker: the `Broker` port (src/trading/ports/broker.ts) over a DynamoDB table, so
 * every step Lambda (portfolio, execution) and every cold start sees one account. It fills and refuses
 * like the in-memory PaperBroker (the rules are src/trading/domain/paper-fill.ts), at the quote the
 * caller supplies.
 *
 * One table (`<prefix>-paper-broker`, string `pk` + `sk`), items grouped per account under
 * `pk = "ACCOUNT#<accountId>"`:
 *
 * | sk                         | what                   | attributes                                                        |
 * |----------------------------|------------------------|-------------------------------------------------------------------|
 * | `ACCOUNT`                  | the account            | accountId, cash (N), seededCash (N), seededAt, updatedAt          |
 * | `POSITION#<symbol>`        | one holding            | symbol, quantity (N, 0 once sold out), updatedAt                  |
 * | `ORDER#<clientOrderId>`    | one order: filled,     | brokerOrderId, clientOrderId, symbol, side, quantity (N, ordered), |
 * |                            | canceled after a       | status, filledQuantity (N), fillPrice (N)?, rejectReason?,        |
 * |                            | partial fill, rejected | rejectMessage?, placedAt                                          |
 * | `FILL#<clientOrderId>#0001`| one fill of the order  | brokerOrderId, symbol, side, quantity (N), price (N), notional    |
 * |                            |                        | (N), filledAt                                                     |
 *
 * Guarantees, each from a DynamoDB condition rather than from this process:
 * - Seeding: the account item is put once with `attribute_not_exists(pk)` (cash from the caller, in
 *   the Lambdas PAPER_CASH); an existing account is never overwritten, whatever PAPER_CASH says now.
 * - A client order id trades at most once: a fill is one TransactWriteItems of the order (put, if
 *   absent), the fill, the cash change and the position change. A second placeOrder with the same id,
 *   from any instance, fails the order's condition → DuplicateClientOrderIdError; orderByClientId
 *   reads the first.
 * - No negative cash, no short: the cash update of a buy carries `cash >= :notional`, the position
 *   update of a sell `quantity >= :quantity`; either failing cancels the whole transaction, and the
 *   order is then stored as rejected (INSUFFICIENT_BUYING_POWER / INSUFFICIENT_POSITION) with its
 *   message, by a put that is itself conditional on the id being unused.
 * - Refusals that need no account (quantity, fractional, quote) are stored the same way.
 *
 * Amounts are DynamoDB numbers changed with `ADD` and a signed delta: exact decimal arithmetic on
 * DynamoDB (38 digits; amounts here have at most 34), and on moto too, whose `SET a = a - :x` computes
 * in binary floating point (moto 5.2) while its ADD uses Python decimals.
 *
 * Partial fills: with a `liquidity` limit for a symbol, an order fills at most that quantity and the
 * remainder is canceled at once (like an immediate-or-cancel order): the order is stored `canceled`
 * with its filledQuantity and rejectReason INSUFFICIENT_LIQUIDITY, in the same transaction as the
 * partial fill. Nothing here runs between deliveries to fill later, so the durable broker never
 * leaves an order open. Buying power and the holding are checked for the whole order, as a broker
 * does at submission. Without limits (the default) every accepted order fills in full (one FILL item).
 *
 * Reads: orderByClientId is one strongly consistent GetItem; account() a consistent GetItem of the
 * account and a consistent Query of its positions, two reads, so a fill landing between them can show
 * the new cash with the old holding (what an engineer sees on a real broker's REST API too). The
 * portfolio step plans on it; the execution step's conditions keep the account sound regardless.
 */
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { errorName } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';
import { dec, Dec, toDecimalString } from '../trading/domain/money.ts';
import { INSUFFICIENT_LIQUIDITY, insufficientBuyingPower, insufficientPosition, priceOrder, type PaperMarket, type PaperRejection } from '../trading/domain/paper-fill.ts';
import {
  DuplicateClientOrderIdError,
  ORDER_STATUSES,
  OrderRejectedError,
  OrderStatus,
  type AssetInfo,
  type Broker,
  type BrokerAccount,
  type BrokerOrder,
  type OrderRequest,
} from '../trading/ports/broker.ts';
import { callDynamo, dynamoErrorMapper, grantToCallerHint, isConditionalCheckFailed } from './dynamo-errors.ts';
import { ensureDynamoTable, PK_SK_TABLE_SCHEMA, type EnsureTableOptions } from './dynamo-table.ts';

/** Spread into CreateTable; infra builds the table from it too. */
export const PAPER_BROKER_TABLE_SCHEMA = PK_SK_TABLE_SCHEMA;

export const paperBrokerError = dynamoErrorMapper({
  table: 'paper-broker table',
  codes: { missing: 'PAPER_BROKER_TABLE_MISSING', denied: 'PAPER_BROKER_ACCESS_DENIED', failed: 'PAPER_BROKER_FAILED', throttled: 'PAPER_BROKER_THROTTLED' },
  hints: {
    missing: 'Set PAPER_BROKER_TABLE to the stack\'s paper-broker table (infra/components/trading.ts creates it); on the sandbox, `ops workflow setup --broker-table <name>` creates it.',
    // IAM has no TransactWriteItems action: a transaction is authorised as its Put and Update parts.
    denied: (operation) => (operation === 'TransactWriteItems' ? 'Grant dynamodb:PutItem and dynamodb:UpdateItem on the table (a transaction needs both) to the role or user in use.' : grantToCallerHint(operation)),
  },
});

export function ensurePaperBrokerTable(client: DynamoDBClient, tableName: string, options: EnsureTableOptions = {}): Promise<{ created: boolean; ttlUpdated: boolean }> {
  return ensureDynamoTable(
    client,
    tableName,
    {
      schema: PAPER_BROKER_TABLE_SCHEMA,
      error: paperBrokerError,
      notActiveCode: 'PAPER_BROKER_TABLE_NOT_ACTIVE',
      mismatch: {
        code: 'PAPER_BROKER_TABLE_MISMATCH',
        message: (name) => `DynamoDB table "${name}" exists but is not a paper-broker table (pk/sk string keys).`,
        hint: 'Point PAPER_BROKER_TABLE at another table name, or delete the table so it can be recreated.',
      },
    },
    options,
  );
}

export interface DynamoPaperBrokerOptions {
  client: DynamoDBClient;
  tableName: string;
  accountId: string;
  /** The cash an account starts with, written only when the account does not exist yet. */
  seedCash: Dec | string;
  quote: (symbol: string) => Dec | undefined;
  nonFractionable?: Iterable<string>;
  /** Prefix of broker order ids (default `paper-<accountId>`). */
  idPrefix?: string;
  now?: () => Date;
  /** Most quantity per symbol one order fills; the rest is canceled (default: unlimited). */
  liquidity?: Record<string, Dec | string>;
  /** Attempts when DynamoDB cancels a transaction for a conflicting one in flight (default 5). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Positions of the items in the fill transaction: CancellationReasons come back in this order. */
const TX = { order: 0, fill: 1, account: 2, position: 3 } as const;
const ACCOUNT_SK = 'ACCOUNT';

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: Dec): AttributeValue => ({ N: toDecimalString(value) });

export class DynamoPaperBroker implements Broker {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly accountId: string;
  private readonly seedCash: Dec;
  private readonly market: PaperMarket;
  private readonly idPrefix: string;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly liquidity: ReadonlyMap<string, Dec>;
  private seeding: Promise<void> | undefined;

  constructor(options: DynamoPaperBrokerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.accountId = options.accountId;
    this.seedCash = dec(options.seedCash);
    this.market = { quote: options.quote, nonFractionable: new Set(options.nonFractionable ?? []) };
    this.idPrefix = options.idPrefix ?? `paper-${options.accountId}`;
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.liquidity = parseLiquidity(options.liquidity);
  }

  async account(): Promise<BrokerAccount> {
    await this.seeded();
    const item = await this.call('GetItem', () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(ACCOUNT_SK), ConsistentRead: true })));
    const cash = numberOf(item.Item?.cash);
    if (cash === undefined) throw new FaultError('PAPER_ACCOUNT_MISSING', `Paper account "${this.accountId}" has no cash item in table "${this.tableName}" after seeding.`);
    const positions = new Map<string, Dec>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.call('Query', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :position)',
            ExpressionAttributeValues: { ':pk': s(this.pk()), ':position': s('POSITION#') },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const position of page.Items ?? []) {
        const quantity = numberOf(position.quantity);
        const symbol = position.symbol?.S;
        if (symbol !== undefined && quantity !== undefined && !quantity.isZero()) positions.set(symbol, quantity);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { cash, positions };
  }

  async assets(symbols: readonly string[]): Promise<Map<string, AssetInfo>> {
    return new Map(symbols.map((symbol) => [symbol, { symbol, fractionable: !this.market.nonFractionable.has(symbol) }]));
  }

  async placeOrder(request: OrderRequest): Promise<BrokerOrder> {
    await this.seeded();
    const priced = priceOrder(request, this.market);
    if (!priced.ok) return this.reject(request, priced);
    const { price, notional } = priced;
    const limit = this.liquidity.get(request.symbol);
    const filledQuantity = limit === undefined ? request.quantity : Dec.min(request.quantity, limit);
    const partial = filledQuantity.lt(request.quantity);
    const order: BrokerOrder = {
      ...this.baseOrder(request),
      status: partial ? OrderStatus.canceled : OrderStatus.filled,
      filledQuantity,
      fillPrice: price,
      ...(partial ? { rejectReason: INSUFFICIENT_LIQUIDITY } : {}),
    };
    for (let attempt = 1; ; attempt++) {
      let reasons: readonly { Code?: string; Item?: Record<string, AttributeValue> }[];
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: this.fillTransaction(request, order, price, notional), ClientRequestToken: randomUUID() }));
        return order;
      } catch (error) {
        const cancelled = cancellationReasons(error);
        if (cancelled === undefined) throw paperBrokerError('TransactWriteItems', this.tableName, error);
        reasons = cancelled;
      }
      const code = (index: number) => reasons[index]?.Code;
      if (code(TX.order) === 'ConditionalCheckFailed') throw new DuplicateClientOrderIdError(request.clientOrderId);
      if (request.side === 'buy' && code(TX.account) === 'ConditionalCheckFailed') {
        return this.reject(request, insufficientBuyingPower(request, price, notional, numberOf(reasons[TX.account]?.Item?.cash)));
      }
      if (request.side === 'sell' && code(TX.position) === 'ConditionalCheckFailed') {
        return this.reject(request, insufficientPosition(request, numberOf(reasons[TX.position]?.Item?.quantity) ?? new Dec(0)));
      }
      // Another transaction on one of these items was in flight: DynamoDB asks us to try again.
      if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < this.maxAttempts) {
        await this.sleep(25 * 2 ** (attempt - 1) * (1 + Math.random()));
        continue;
      }
      throw new FaultError(
        'PAPER_BROKER_TRANSACTION_CANCELLED',
        `DynamoDB cancelled the fill of ${request.clientOrderId} on paper-broker table "${this.tableName}" after ${attempt} attempt(s): ${reasons.map((r) => r.Code ?? 'None').join(', ')}.`,
      );
    }
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(`ORDER#${clientOrderId}`), ConsistentRead: true })),
    );
    return Item === undefined ? undefined : orderFrom(Item);
  }

  /** Puts the account once; a concurrent or earlier seed (condition failed) is the same answer. */
  private seeded(): Promise<void> {
    this.seeding ??= (async () => {
      const at = this.now().toISOString();
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...this.key(ACCOUNT_SK), accountId: s(this.accountId), cash: n(this.seedCash), seededCash: n(this.seedCash), seededAt: s(at), updatedAt: s(at) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw paperBrokerError('PutItem', this.tableName, error);
      }
    })().catch((error: unknown) => {
      this.seeding = undefined;
      throw error;
    });
    return this.seeding;
  }

  /** `notional` is the whole order's, which the account must cover; the deltas are the fill's. */
  private fillTransaction(request: OrderRequest, order: BrokerOrder, price: Dec, notional: Dec): TransactWriteItem[] {
    const at = s(this.now().toISOString());
    const buy = request.side === 'buy';
    const filled = order.filledQuantity;
    const filledNotional = filled.times(price);
    const items: TransactWriteItem[] = [];
    items[TX.order] = {
      Put: { TableName: this.tableName, Item: { ...this.orderItem(order), placedAt: at }, ConditionExpression: 'attribute_not_exists(pk)' },
    };
    items[TX.fill] = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...this.key(`FILL#${request.clientOrderId}#0001`),
          brokerOrderId: s(order.brokerOrderId),
          clientOrderId: s(request.clientOrderId),
          symbol: s(request.symbol),
          side: s(request.side),
          quantity: n(filled),
          price: n(price),
          notional: n(filledNotional),
          filledAt: at,
        },
      },
    };
    items[TX.account] = {
      Update: {
        TableName: this.tableName,
        Key: this.key(ACCOUNT_SK),
        UpdateExpression: 'SET updatedAt = :at ADD cash :delta',
        ConditionExpression: buy ? 'cash >= :notional' : 'attribute_exists(cash)',
        ExpressionAttributeValues: { ':at': at, ':delta': n(buy ? filledNotional.negated() : filledNotional), ...(buy ? { ':notional': n(notional) } : {}) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    items[TX.position] = {
      Update: {
        TableName: this.tableName,
        Key: this.key(`POSITION#${request.symbol}`),
        UpdateExpression: 'SET symbol = :symbol, updatedAt = :at ADD quantity :delta',
        ...(buy ? {} : { ConditionExpression: 'quantity >= :quantity' }),
        ExpressionAttributeValues: {
          ':symbol': s(request.symbol),
          ':at': at,
          ':delta': n(buy ? filled : filled.negated()),
          ...(buy ? {} : { ':quantity': n(request.quantity) }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    return items;
  }

  /** Stores the refusal (unless the id was used meanwhile: then that order stands) and throws it. */
  private async reject(request: OrderRequest, rejection: PaperRejection): Promise<never> {
    const order: BrokerOrder = { ...this.baseOrder(request), status: OrderStatus.rejected, rejectReason: rejection.reason };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...this.orderItem(order), rejectMessage: s(rejection.message), placedAt: s(this.now().toISOString()) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new DuplicateClientOrderIdError(request.clientOrderId);
      throw paperBrokerError('PutItem', this.tableName, error);
    }
    throw new OrderRejectedError(request.clientOrderId, rejection.reason, rejection.message);
  }

  private orderItem(order: BrokerOrder): Record<string, AttributeValue> {
    return {
      ...this.key(`ORDER#${order.clientOrderId}`),
      brokerOrderId: s(order.brokerOrderId),
      clientOrderId: s(order.clientOrderId),
      symbol: s(order.symbol),
      side: s(order.side),
      quantity: n(order.quantity),
      status: s(order.status),
      filledQuantity: n(order.filledQuantity),
      ...(order.fillPrice !== undefined ? { fillPrice: n(order.fillPrice) } : {}),
      ...(order.rejectReason !== undefined ? { rejectReason: s(order.rejectReason) } : {}),
    };
  }

  private baseOrder(request: OrderRequest): Omit<BrokerOrder, 'status'> {
    return {
      brokerOrderId: `${this.idPrefix}-${randomUUID()}`,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      filledQuantity: new Dec(0),
    };
  }

  private pk(): string {
    return `ACCOUNT#${this.accountId}`;
  }

  private key(sk: string): Record<string, AttributeValue> {
    return { pk: s(this.pk()), sk: s(sk) };
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callDynamo(operation, this.tableName, paperBrokerError, run, { mapConditionalCheckFailed: true });
  }
}

function numberOf(value: AttributeValue | undefined): Dec | undefined {
  return value?.N === undefined ? undefined : dec(value.N);
}

function cancellationReasons(error: unknown): { Code?: string; Item?: Record<string, AttributeValue> }[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) ? (reasons as { Code?: string; Item?: Record<string, AttributeValue> }[]) : [];
}

function orderFrom(item: Record<string, AttributeValue>): BrokerOrder {
  const text = (name: string) => item[name]?.S;
  const brokerOrderId = text('brokerOrderId');
  const clientOrderId = text('clientOrderId');
  const symbol = text('symbol');
  const side = text('side');
  const status = text('status');
  const quantity = numberOf(item.quantity);
  if (brokerOrderId === undefined || clientOrderId === undefined || symbol === undefined || quantity === undefined || (side !== 'buy' && side !== 'sell') || !isOrderStatus(status)) {
    throw new FaultError('PAPER_ORDER_UNREADABLE', `Paper order item ${text('sk') ?? '(no sk)'} is missing fields or has unknown values.`);
  }
  const fillPrice = numberOf(item.fillPrice);
  const rejectReason = text('rejectReason');
  // Items written before partial fills existed have no filledQuantity: a filled one filled in full.
  const filledQuantity = numberOf(item.filledQuantity) ?? (status === OrderStatus.filled ? quantity : new Dec(0));
  return { brokerOrderId, clientOrderId, symbol, side, quantity, status, filledQuantity, ...(fillPrice !== undefined ? { fillPrice } : {}), ...(rejectReason !== undefined ? { rejectReason } : {}) };
}

function isOrderStatus(value: string | undefined): value is OrderStatus {
  return (ORDER_STATUSES as readonly (string | undefined)[]).includes(value);
}

/** `{ SPY: '10' }` → positive limits; anything else is a configuration error. */
export function parseLiquidity(liquidity: Record<string, Dec | string> | undefined): ReadonlyMap<string, Dec> {
  const limits = new Map<string, Dec>();
  for (const [symbol, raw] of Object.entries(liquidity ?? {})) {
    let limit: Dec | undefined;
    try {
      limit = dec(raw);
    } catch {
      limit = undefined;
    }
    if (limit === undefined || !limit.isFinite() || !limit.gt(0)) {
      throw new UserError('INVALID_PAPER_LIQUIDITY', `The paper liquidity of ${symbol} must be a positive number, got "${String(raw)}".`, 'Give a positive quantity per symbol, e.g. PAPER_LIQUIDITY=SPY=10,TLT=5.');
    }
    limits.set(symbol, limit);
  }
  return limits;
}
