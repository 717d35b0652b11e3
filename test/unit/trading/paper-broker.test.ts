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
