import { describe, expect, it } from 'vitest';
import { dec, type Dec } from '../../../src/trading/domain/money.ts';
import { planRebalance, type RebalanceInput } from '../../../src/trading/domain/rebalance.ts';
import { StepError } from '../../../src/trading/domain/trading-errors.ts';

const WHOLE_SHARES = new Set(['BRK.A', 'GLD']);

function input(spec: {
  cash: string;
  positions?: Record<string, string>;
  prices: Record<string, string>;
  targets: Record<string, string>;
  min?: string;
}): RebalanceInput {
  const map = (record: Record<string, string>) => new Map<string, Dec>(Object.entries(record).map(([k, v]) => [k, dec(v)]));
  return {
    cash: dec(spec.cash),
    positions: map(spec.positions ?? {}),
    prices: map(spec.prices),
    targets: Object.entries(spec.targets).map(([symbol, weight]) => ({ symbol, weight: dec(weight) })),
    fractionable: (symbol) => !WHOLE_SHARES.has(symbol),
    minTradeNotional: dec(spec.min ?? '0'),
  };
}

/** `SIDE QTY SYMBOL @ PRICE`: the plan in one line per order, in placement order. */
function orders(plan: ReturnType<typeof planRebalance>): string[] {
  return plan.orders.map((o) => `${o.side} ${o.quantity} ${o.symbol} @ ${o.price} = ${o.notional}`);
}

describe('planRebalance', () => {
  const cases: { name: string; in: Parameters<typeof input>[0]; equity: string; orders: string[]; skipped?: string[] }[] = [
    {
      name: 'all cash into two targets, fractional shares to 1e-6',
      in: { cash: '10000', prices: { SPY: '600', TLT: '90' }, targets: { SPY: '0.6', TLT: '0.4' } },
      equity: '10000',
      orders: ['buy 10 SPY @ 600 = 6000', 'buy 44.444444 TLT @ 90 = 3999.99996'],
    },
    {
      name: 'most of the value sits in a position that is kept: equity counts it, and it is trimmed to fund the rest',
      in: { cash: '1000', positions: { AAPL: '400' }, prices: { AAPL: '225', QQQ: '500' }, targets: { AAPL: '0.5', QQQ: '0.5' } },
      // equity = 1,000 + 400 × 225 = 91,000; each target 45,500
      equity: '91000',
      orders: ['sell 197.777778 AAPL @ 225 = 44500.00005', 'buy 91 QQQ @ 500 = 45500'],
    },
    {
      name: 'a kept position already on target is left alone; only the rest is traded',
      in: { cash: '50000', positions: { SPY: '100' }, prices: { SPY: '500', TLT: '100' }, targets: { SPY: '0.5', TLT: '0.5' } },
      equity: '100000',
      orders: ['buy 500 TLT @ 100 = 50000'],
    },
    {
      name: 'a position with weight 0 is sold completely, before any buy',
      in: { cash: '0', positions: { IWM: '10.5', SPY: '1' }, prices: { IWM: '200', SPY: '600', EFA: '90' }, targets: { SPY: '0.2', EFA: '0.8' } },
      equity: '2700',
      orders: ['sell 10.5 IWM @ 200 = 2100', 'sell 0.1 SPY @ 600 = 60', 'buy 24 EFA @ 90 = 2160'],
      skipped: [],
    },
    {
      name: 'non-fractionable assets trade whole shares: buys round down, sells round up',
      in: { cash: '10000', positions: { GLD: '10' }, prices: { GLD: '300', SPY: '600' }, targets: { GLD: '0.1', SPY: '0.9' } },
      // equity 13,000: GLD target 1,300 = 4.33 shares → sell 5.67 → 6 whole shares
      equity: '13000',
      orders: ['sell 6 GLD @ 300 = 1800', 'buy 19.5 SPY @ 600 = 11700'],
    },
    {
      name: 'less than one whole share is skipped with a reason',
      in: { cash: '500', prices: { 'BRK.A': '700000' }, targets: { 'BRK.A': '1' } },
      equity: '500',
      orders: [],
      skipped: ['buy BRK.A 500: less than one whole share'],
    },
    {
      name: 'trades below the minimum notional are skipped, the others placed',
      in: { cash: '10000', positions: { SPY: '10' }, prices: { SPY: '600', TLT: '100' }, targets: { SPY: '0.376', TLT: '0.624' }, min: '100' },
      // equity 16,000: SPY target 6,016 (+16, below 100), TLT 9,984
      equity: '16000',
      orders: ['buy 99.84 TLT @ 100 = 9984'],
      skipped: ['buy SPY 16: below the minimum trade size of 100'],
    },
    {
      name: 'weights summing to 1 + 0.0001 never plan more than the account can pay',
      in: { cash: '1000', prices: { A: '10', B: '10' }, targets: { A: '0.50005', B: '0.50005' } },
      equity: '1000',
      orders: ['buy 50.005 A @ 10 = 500.05', 'buy 49.995 B @ 10 = 499.95'],
    },
    {
      name: 'negative cash is fine while equity is positive: positions fund it',
      in: { cash: '-500', positions: { SPY: '10' }, prices: { SPY: '600' }, targets: { SPY: '1' } },
      equity: '5500',
      orders: ['sell 0.833334 SPY @ 600 = 500.0004'],
    },
  ];

  it.each(cases)('$name', (c) => {
    const plan = planRebalance(input(c.in));
    expect(plan.equity.toFixed()).toBe(c.equity);
    expect(orders(plan)).toEqual(c.orders);
    if (c.skipped !== undefined) expect(plan.skipped.map((s) => `${s.side} ${s.symbol} ${dec(s.notional).toDecimalPlaces(2).toFixed()}: ${s.reason}`)).toEqual(c.skipped);
  });

  it('never spends more than cash plus sell proceeds, and never sells more than it holds', () => {
    const plan = planRebalance(input({ cash: '3.21', positions: { A: '7.123456', B: '3' }, prices: { A: '13.37', B: '99.99', C: '0.77' }, targets: { A: '0.1', C: '0.9' } }));
    const sells = plan.orders.filter((o) => o.side === 'sell').reduce((t, o) => t.plus(o.notional), dec(0));
    const buys = plan.orders.filter((o) => o.side === 'buy').reduce((t, o) => t.plus(o.notional), dec(0));
    expect(buys.lte(sells.plus('3.21'))).toBe(true);
    expect(plan.orders.find((o) => o.symbol === 'B')?.quantity).toBe('3');
    expect(plan.orders.map((o) => o.side)).toEqual(['sell', 'sell', 'buy']);
  });

  const refusals: { name: string; in: Parameters<typeof input>[0]; code: string; message: RegExp }[] = [
    { name: 'equity of zero', in: { cash: '0', prices: { SPY: '600' }, targets: { SPY: '1' } }, code: 'NON_POSITIVE_EQUITY', message: /Equity is 0/ },
    { name: 'negative equity', in: { cash: '-7920.51', positions: { SPY: '1' }, prices: { SPY: '600' }, targets: { SPY: '1' } }, code: 'NON_POSITIVE_EQUITY', message: /Equity is -7320.51/ },
    { name: 'a held position without a price', in: { cash: '1000', positions: { XYZ: '5' }, prices: { SPY: '600' }, targets: { SPY: '1' } }, code: 'POSITION_WITHOUT_PRICE', message: /XYZ is held but has no price/ },
    { name: 'a target without a price', in: { cash: '1000', prices: { SPY: '600' }, targets: { SPY: '0.5', QQQ: '0.5' } }, code: 'TARGET_WITHOUT_PRICE', message: /QQQ/ },
    { name: 'weights summing to 0.9998', in: { cash: '1000', prices: { A: '1', B: '1' }, targets: { A: '0.5', B: '0.4998' } }, code: 'WEIGHTS_NOT_NORMALIZED', message: /sum to 0.9998/ },
    { name: 'weights summing to 1.00011', in: { cash: '1000', prices: { A: '1', B: '1' }, targets: { A: '0.5', B: '0.50011' } }, code: 'WEIGHTS_NOT_NORMALIZED', message: /1.00011/ },
    { name: 'a negative weight', in: { cash: '1000', prices: { A: '1', B: '1' }, targets: { A: '1.5', B: '-0.5' } }, code: 'INVALID_WEIGHTS', message: /negative/ },
    { name: 'a non-positive price', in: { cash: '1000', prices: { A: '0' }, targets: { A: '1' } }, code: 'INVALID_PRICE', message: /A has a non-positive price/ },
    { name: 'a short position', in: { cash: '1000', positions: { A: '-3' }, prices: { A: '5' }, targets: { A: '1' } }, code: 'SHORT_POSITION', message: /short/ },
  ];

  it.each(refusals)('refuses $name ($code)', (r) => {
    let caught: unknown;
    try {
      planRebalance(input(r.in));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StepError);
    expect((caught as StepError).code).toBe(r.code);
    expect((caught as StepError).message).toMatch(r.message);
  });

  it('accepts weights within the tolerance (0.99995)', () => {
    expect(planRebalance(input({ cash: '1000', prices: { A: '1', B: '1' }, targets: { A: '0.5', B: '0.49995' } })).orders).toHaveLength(2);
  });
});
