/**
 * Risk limits (src/trading/domain/risk-limits.ts): each limit refused above it, passed at it and under
 * it; the planner applies them; the portfolio step fails the workflow with the RISK_* code and no order
 * is ever placed; the limits travel in the workflow params.
 */
import { describe, expect, it } from 'vitest';
import { EventType, workflowParamsSchema, type PlannedOrder, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { dec, type Dec } from '../../../src/trading/domain/money.ts';
import { MemoryNotifier } from '../../../src/trading/ports/notifier.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';
import { planRebalance, type RebalanceInput } from '../../../src/trading/domain/rebalance.ts';
import { checkPlannedOrders, checkTargetWeights, DEFAULT_RISK_LIMITS, riskLimitProblem, riskLimitsSchema, type RiskLimits } from '../../../src/trading/domain/risk-limits.ts';
import { startWorkflow } from '../../../src/trading/domain/start-workflow.ts';
import { InvalidEventError, StepError } from '../../../src/trading/domain/trading-errors.ts';
import { deliverAll, fixtureMarketData, RecordingBus, tickingClock } from './delivery-harness.ts';

function refusal(fn: () => unknown): StepError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StepError) return error;
    throw error;
  }
  throw new Error('expected a StepError');
}

const weights = (record: Record<string, string>): [string, Dec][] => Object.entries(record).map(([s, w]) => [s, dec(w)]);
const order = (side: 'buy' | 'sell', quantity: string, symbol: string, price: string): PlannedOrder => ({
  symbol,
  side,
  quantity,
  price,
  notional: dec(quantity).times(price).toFixed(),
});

describe('risk limit values', () => {
  it.each([
    ['maxPositionWeight', '0.5', undefined],
    ['maxPositionWeight', '1', undefined],
    ['maxPositionWeight', '1.01', 'must be at most 1 (the whole portfolio)'],
    ['maxPositionWeight', '0', 'must be above 0'],
    ['maxOrderNotional', '25000.50', undefined],
    ['maxOrderNotional', '-1', 'must be above 0'],
    ['maxOrderNotional', '1e4', 'is not a decimal number'],
    ['maxTurnover', '2.5', undefined],
    ['maxTurnover', '', 'is not a decimal number'],
  ] as const)('%s "%s" → %s', (name, value, problem) => {
    expect(riskLimitProblem(name, value)).toBe(problem);
  });

  it('the schema takes decimal strings only, each limit optional; the default is no limit', () => {
    expect(riskLimitsSchema.parse({})).toEqual({});
    expect(riskLimitsSchema.parse({ maxPositionWeight: '0.5', maxTurnover: '1' })).toEqual({ maxPositionWeight: '0.5', maxTurnover: '1' });
    expect(riskLimitsSchema.safeParse({ maxOrderNotional: 25000 }).success).toBe(false);
    expect(riskLimitsSchema.safeParse({ maxPositionWeight: '2' }).success).toBe(false);
    expect(DEFAULT_RISK_LIMITS).toEqual({});
  });

  it('params without riskLimits (records written before limits existed) stay valid', () => {
    const params = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
    expect(workflowParamsSchema.parse(params)).toEqual(params);
    expect(workflowParamsSchema.parse({ ...params, riskLimits: { maxTurnover: '1' } }).riskLimits).toEqual({ maxTurnover: '1' });
  });
});

describe('max position weight', () => {
  const limits: RiskLimits = { maxPositionWeight: '0.5' };

  it('refuses a target weight above the limit, naming the symbol, the weight and the limit', () => {
    const error = refusal(() => checkTargetWeights(weights({ SPY: '0.8', TLT: '0.2' }), limits));
    expect(error.code).toBe('RISK_MAX_POSITION_WEIGHT');
    expect(error.message).toBe('SPY target weight 0.8 exceeds the 0.5 limit (max position weight); nothing was traded.');
  });

  it('names every symbol above the limit', () => {
    const error = refusal(() => checkTargetWeights(weights({ TLT: '0.3', SPY: '0.35', QQQ: '0.35' }), { maxPositionWeight: '0.3' }));
    expect(error.message).toBe('QQQ target weight 0.35 exceeds the 0.3 limit (max position weight); so does SPY 0.35; nothing was traded.');
  });

  it('a breach by less than the displayed precision still reads as above the limit', () => {
    const error = refusal(() => checkTargetWeights(weights({ SPY: '0.5000000001', TLT: '0.4999999999' }), limits));
    expect(error.message).toContain('SPY target weight 0.5000000001 exceeds the 0.5 limit');
  });

  it.each([
    ['exactly at the limit', { SPY: '0.5', TLT: '0.5' }],
    ['under the limit', { SPY: '0.4', TLT: '0.3', QQQ: '0.3' }],
  ])('passes %s', (_name, targets) => {
    expect(() => checkTargetWeights(weights(targets), limits)).not.toThrow();
  });

  it('does nothing without a limit', () => {
    expect(() => checkTargetWeights(weights({ SPY: '1' }), undefined)).not.toThrow();
    expect(() => checkTargetWeights(weights({ SPY: '1' }), {})).not.toThrow();
  });
});

describe('max order notional', () => {
  const limits: RiskLimits = { maxOrderNotional: '6000' };

  it('refuses an order above the limit, naming the order and the limit', () => {
    const orders = [order('sell', '10', 'TLT', '90'), order('buy', '10.5', 'SPY', '600')];
    const error = refusal(() => checkPlannedOrders(orders, dec('10000'), limits));
    expect(error.code).toBe('RISK_MAX_ORDER_NOTIONAL');
    expect(error.message).toBe('BUY 10.5 SPY @ 600 = 6300 exceeds the 6000 limit (max order notional); nothing was traded.');
  });

  it.each([
    ['exactly at the limit', '10'],
    ['under the limit', '9.999999'],
  ])('passes an order %s', (_name, quantity) => {
    expect(() => checkPlannedOrders([order('buy', quantity, 'SPY', '600')], dec('10000'), limits)).not.toThrow();
  });
});

describe('max turnover', () => {
  const limits: RiskLimits = { maxTurnover: '1' };
  // equity 10,000: a sell of 4,000 and buys of 6,000 + x
  const plan = (lastBuy: string) => [order('sell', '40', 'TLT', '100'), order('buy', '10', 'SPY', '400'), order('buy', lastBuy, 'QQQ', '100')];

  it('refuses a plan whose order notionals sum to more than the limit × equity', () => {
    const error = refusal(() => checkPlannedOrders(plan('20.01'), dec('10000'), limits));
    expect(error.code).toBe('RISK_MAX_TURNOVER');
    expect(error.message).toBe('The plan trades 10001 on equity 10000: turnover 1.0001 exceeds the 1 limit (max turnover); nothing was traded.');
  });

  it.each([
    ['exactly at the limit', '20'],
    ['under the limit', '19.99'],
  ])('passes a plan %s', (_name, lastBuy) => {
    expect(() => checkPlannedOrders(plan(lastBuy), dec('10000'), limits)).not.toThrow();
  });

  it('an empty plan has no turnover', () => {
    expect(() => checkPlannedOrders([], dec('10000'), { maxTurnover: '0.000001' })).not.toThrow();
  });
});

describe('planRebalance with risk limits', () => {
  const base: RebalanceInput = {
    cash: dec('10000'),
    positions: new Map([['TLT', dec('100')]]),
    prices: new Map([
      ['SPY', dec('600')],
      ['TLT', dec('100')],
    ]),
    targets: [
      { symbol: 'SPY', weight: dec('0.6') },
      { symbol: 'TLT', weight: dec('0.4') },
    ],
    fractionable: () => true,
    minTradeNotional: dec('0'),
  };
  // equity 20,000: sell 20 TLT (2,000), buy 20 SPY (12,000): turnover 14,000 / 20,000 = 0.7

  it('plans as before when the plan is within every limit (or there are none)', () => {
    const unlimited = planRebalance(base);
    expect(unlimited.orders.map((o) => `${o.side} ${o.quantity} ${o.symbol} = ${o.notional}`)).toEqual(['sell 20 TLT = 2000', 'buy 20 SPY = 12000']);
    expect(planRebalance({ ...base, riskLimits: { maxPositionWeight: '0.6', maxOrderNotional: '12000', maxTurnover: '0.7' } })).toEqual(unlimited);
  });

  it.each([
    [{ maxPositionWeight: '0.59' }, 'RISK_MAX_POSITION_WEIGHT'],
    [{ maxOrderNotional: '11999.99' }, 'RISK_MAX_ORDER_NOTIONAL'],
    [{ maxTurnover: '0.69' }, 'RISK_MAX_TURNOVER'],
  ])('refuses the whole plan on %j (%s), never clips it', (riskLimits, code) => {
    expect(refusal(() => planRebalance({ ...base, riskLimits })).code).toBe(code);
  });
});

describe('the portfolio step', () => {
  const ASOF = '2026-11-20';
  const PARAMS: WorkflowParams = { accountId: 'main', asOf: ASOF, strategy: { kind: 'momentum', universe: ['AAPL', 'EFA', 'GLD', 'IWM', 'NVDA', 'QQQ', 'SPY', 'TLT'], topN: 3, lookbackDays: 63 }, minTradeNotional: '100' };

  async function run(riskLimits: RiskLimits, seed: number) {
    const marketData = await fixtureMarketData();
    const quotes = new Map([...(await marketData.history(marketData.symbols, ASOF, 1))].map(([s, bars]) => [s, bars.at(-1)!.close]));
    const broker = new PaperBroker({ cash: '100000', quote: (s) => quotes.get(s) });
    const bus = new RecordingBus();
    const store = new MemoryWorkflowStore();
    const clock = tickingClock();
    const notifier = new MemoryNotifier();
    const { correlationId } = await startWorkflow({ store, bus, clock }, { params: { ...PARAMS, riskLimits }, correlationId: `wf-risk-${seed}` });
    await deliverAll(bus, { store, bus, clock, marketData, brokers: { main: broker }, notifier }, { seed });
    return { record: await store.get(correlationId), bus, broker, notifier };
  }

  // Momentum top 3 from 100,000 cash: three buys of about 33,333 each, turnover just under 1.
  it.each([
    [{ maxPositionWeight: '0.2' }, 'RISK_MAX_POSITION_WEIGHT', /target weight 0\.333333 exceeds the 0\.2 limit \(max position weight\)/],
    [{ maxOrderNotional: '30000' }, 'RISK_MAX_ORDER_NOTIONAL', /^BUY .* exceeds the 30000 limit \(max order notional\); so do BUY .*, BUY .*; nothing was traded\.$/],
    [{ maxTurnover: '0.5' }, 'RISK_MAX_TURNOVER', /^The plan trades 9\d{4}\.\d+ on equity 100000: turnover 1 exceeds the 0\.5 limit \(max turnover\)/],
  ])('fails the workflow at the portfolio step on %j with %s, and places no order', async (riskLimits, code, reason) => {
    const { record, bus, broker, notifier } = await run(riskLimits, 7);
    expect(record?.state).toBe('FAILED');
    expect(record?.failure).toMatchObject({ step: 'portfolio', errorCode: code });
    expect(record?.failure?.reason).toMatch(reason);
    expect(record?.params.riskLimits).toEqual(riskLimits);
    const started = bus.ofType(EventType.workflowStarted)[0];
    expect(started?.type === EventType.workflowStarted ? started.detail.riskLimits : undefined).toEqual(riskLimits);
    expect(bus.ofType(EventType.rebalancePlanned)).toHaveLength(0);
    expect(bus.ofType(EventType.tradeExecuted)).toHaveLength(0);
    expect(bus.ofType(EventType.workflowFailed)).toHaveLength(1);
    expect(broker.placeOrderCalls).toEqual([]);
    expect(notifier.sent[0]?.subject).toContain(`FAILED at portfolio: ${code}`);
  });

  it('completes when the plan is within every limit', async () => {
    const { record, broker } = await run({ maxPositionWeight: '0.34', maxOrderNotional: '33334', maxTurnover: '1' }, 8);
    expect(record?.state).toBe('COMPLETED');
    expect(broker.placeOrderCalls).toHaveLength(3);
  });

  it('refuses to start a workflow whose limits are not valid', async () => {
    const store = new MemoryWorkflowStore();
    const bus = new RecordingBus();
    await expect(startWorkflow({ store, bus, clock: tickingClock() }, { params: { ...PARAMS, riskLimits: { maxPositionWeight: '1.5' } } })).rejects.toBeInstanceOf(InvalidEventError);
    expect(bus.published).toHaveLength(0);
  });
});
