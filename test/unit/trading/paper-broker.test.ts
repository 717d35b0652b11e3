import { describe, expect, it } from 'vitest';
import { DuplicateClientOrderIdError, OrderRejectedError } from '../../../src/trading/ports/broker.ts';
import { clientOrderId } from '../../../src/trading/domain/client-order-id.ts';
import { dec } from '../../../src/trading/domain/money.ts';
import { PaperBroker } from '../../../src/trading/adapters/paper-broker.ts';

const quotes = new Map([
  ['SPY', dec('600')],
  ['GLD', dec('300')],
]);
const broker = (cash = '10000', positions: Record<string, string> = {}) => new PaperBroker({ cash, positions, quote: (s) => quotes.get(s), nonFractionable: ['GLD'] });
const order = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', quantity: string) => ({ clientOrderId, symbol, side, quantity: dec(quantity), referencePrice: dec('1') });

describe('PaperBroker', () => {
  it('fills at its quote (not the reference price), moving cash and positions', async () => {
    const b = broker('10000', { GLD: '2' });
    const filled = await b.placeOrder(order('c1', 'SPY', 'buy', '1.5'));
    expect(filled).toMatchObject({ status: 'filled', brokerOrderId: 'paper-000001', clientOrderId: 'c1' });
    expect(filled.fillPrice?.toFixed()).toBe('600');
    await b.placeOrder(order('c2', 'GLD', 'sell', '2'));
    const account = await b.account();
    expect(account.cash.toFixed()).toBe('9700');
    expect([...account.positions].map(([s, q]) => `${s}=${q.toFixed()}`)).toEqual(['SPY=1.5']);
    expect((await b.assets(['SPY', 'GLD'])).get('GLD')?.fractionable).toBe(false);
  });

  it('refuses a reused client order id, and finds the original by it', async () => {
    const b = broker();
    await b.placeOrder(order('same', 'SPY', 'buy', '1'));
    await expect(b.placeOrder(order('same', 'SPY', 'buy', '1'))).rejects.toBeInstanceOf(DuplicateClientOrderIdError);
    expect((await b.orderByClientId('same'))?.status).toBe('filled');
    expect(await b.orderByClientId('other')).toBeUndefined();
    expect((await b.account()).cash.toFixed()).toBe('9400');
  });

  it.each([
    ['a buy above buying power', order('r1', 'SPY', 'buy', '17'), 'INSUFFICIENT_BUYING_POWER'],
    ['a sell above the holding', order('r2', 'SPY', 'sell', '1'), 'INSUFFICIENT_POSITION'],
    ['a fractional quantity of a whole-share asset', order('r3', 'GLD', 'buy', '0.5'), 'FRACTIONAL_NOT_SUPPORTED'],
    ['a symbol without a quote', order('r4', 'XYZ', 'buy', '1'), 'NO_QUOTE'],
    ['a zero quantity', order('r5', 'SPY', 'buy', '0'), 'INVALID_QUANTITY'],
  ])('rejects %s and remembers the rejection', async (_name, request, reason) => {
    const b = broker();
    const error = await b.placeOrder(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrderRejectedError);
    expect((error as OrderRejectedError).reason).toBe(reason);
    expect((await b.orderByClientId(request.clientOrderId))?.status).toBe('rejected');
    expect((await b.account()).cash.toFixed()).toBe('10000');
  });
});

describe('clientOrderId', () => {
  it('is deterministic per workflow, symbol and side, and distinct otherwise', () => {
    const id = clientOrderId('wf-1', 'SPY', 'buy');
    expect(id).toMatch(/^ops-[0-9a-f]{40}$/);
    expect(clientOrderId('wf-1', 'SPY', 'buy')).toBe(id);
    expect(new Set([id, clientOrderId('wf-1', 'SPY', 'sell'), clientOrderId('wf-2', 'SPY', 'buy'), clientOrderId('wf-1', 'SPYX', 'buy')]).size).toBe(4);
  });
});

describe('PaperBroker partial fills', () => {
  it('deferred fills: pending at placement, one liquidity-capped round per advanceMarket, average price across rounds', async () => {
    let spy = dec('600');
    const b = new PaperBroker({ cash: '10000', quote: (s) => (s === 'SPY' ? spy : undefined), fills: 'deferred', liquidity: { SPY: '2' } });
    const placed = await b.placeOrder(order('d1', 'SPY', 'buy', '5'));
    expect([placed.status, placed.filledQuantity.toFixed(), placed.fillPrice]).toEqual(['pending', '0', undefined]);
    b.advanceMarket();
    spy = dec('603');
    b.advanceMarket();
    const partial = await b.orderByClientId('d1');
    expect([partial?.status, partial?.filledQuantity.toFixed(), partial?.fillPrice?.toFixed()]).toEqual(['partially_filled', '4', '601.5']);
    b.advanceMarket();
    const filled = await b.orderByClientId('d1');
    expect([filled?.status, filled?.filledQuantity.toFixed(), filled?.fillPrice?.toFixed()]).toEqual(['filled', '5', '601.8']);
    // 2×600 + 2×603 + 1×603 = 3009 spent, in rounds.
    expect((await b.account()).cash.toFixed()).toBe('6991');
    b.advanceMarket();
    expect((await b.orderByClientId('d1'))?.filledQuantity.toFixed()).toBe('5');
  });

  it('immediate fills with a liquidity limit cancel the remainder at once (INSUFFICIENT_LIQUIDITY)', async () => {
    const b = new PaperBroker({ cash: '10000', quote: (s) => quotes.get(s), liquidity: { SPY: '1.5' } });
    const placed = await b.placeOrder(order('i1', 'SPY', 'buy', '4'));
    expect([placed.status, placed.filledQuantity.toFixed(), placed.rejectReason]).toEqual(['canceled', '1.5', 'INSUFFICIENT_LIQUIDITY']);
    expect((await b.account()).positions.get('SPY')?.toFixed()).toBe('1.5');
  });

  it('endOrder ends an open order where it stands; an unknown or final one is refused', async () => {
    const b = new PaperBroker({ cash: '10000', quote: (s) => quotes.get(s), fills: 'deferred' });
    await b.placeOrder(order('e1', 'SPY', 'buy', '1'));
    b.endOrder('e1', 'expired');
    expect(await b.orderByClientId('e1')).toMatchObject({ status: 'expired', brokerStatus: 'expired' });
    expect(() => b.endOrder('e1', 'canceled')).toThrow(/no open paper order e1/);
    expect(() => new PaperBroker({ cash: '1', quote: () => undefined, liquidity: { SPY: '0' } })).toThrow(RangeError);
  });
});
