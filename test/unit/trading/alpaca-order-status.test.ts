import { describe, expect, it } from 'vitest';
import { rejectReasonOf } from '../../../src/trading/adapters/alpaca/broker.ts';
import { retryAfterMs } from '../../../src/trading/adapters/alpaca/client.ts';
import { ALPACA_ORDER_STATUSES, isTerminal, lifecycleOf, OrderLifecycle, type AlpacaOrderStatus } from '../../../src/trading/adapters/alpaca/order-status.ts';
import { dec } from '../../../src/trading/domain/money.ts';

/** Every status Alpaca documents → lifecycle with nothing filled, and with something filled. */
const EXPECTED: Record<AlpacaOrderStatus, [OrderLifecycle, OrderLifecycle]> = {
  new: ['pending', 'partially_filled'],
  accepted: ['pending', 'partially_filled'],
  pending_new: ['pending', 'partially_filled'],
  accepted_for_bidding: ['pending', 'partially_filled'],
  held: ['pending', 'partially_filled'],
  stopped: ['pending', 'partially_filled'],
  suspended: ['pending', 'partially_filled'],
  pending_cancel: ['pending', 'partially_filled'],
  pending_replace: ['pending', 'partially_filled'],
  done_for_day: ['pending', 'partially_filled'],
  calculated: ['pending', 'partially_filled'],
  partially_filled: ['partially_filled', 'partially_filled'],
  filled: ['filled', 'filled'],
  canceled: ['canceled', 'canceled'],
  replaced: ['canceled', 'canceled'],
  expired: ['expired', 'expired'],
  rejected: ['rejected', 'rejected'],
};

describe('Alpaca order status mapping', () => {
  it('covers the 17 documented statuses', () => {
    expect([...ALPACA_ORDER_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(ALPACA_ORDER_STATUSES).toHaveLength(17);
  });

  it.each(Object.entries(EXPECTED))('%s → %j (nothing filled, something filled)', (status, [none, some]) => {
    expect(lifecycleOf(status as AlpacaOrderStatus, dec(0))).toBe(none);
    expect(lifecycleOf(status as AlpacaOrderStatus, dec('0.5'))).toBe(some);
  });

  it('knows which lifecycles are final', () => {
    expect(Object.values(OrderLifecycle).filter(isTerminal)).toEqual(['filled', 'canceled', 'expired', 'rejected']);
  });

  it.each([
    [403, 'insufficient buying power', 'INSUFFICIENT_BUYING_POWER'],
    [403, 'insufficient qty available for order (requested: 5, available: 1)', 'INSUFFICIENT_POSITION'],
    [422, 'asset GLD is not fractionable', 'FRACTIONAL_NOT_SUPPORTED'],
    [422, 'asset "XYZ" not found', 'UNKNOWN_SYMBOL'],
    [422, 'qty must be > 0', 'INVALID_QUANTITY'],
    [422, 'time_in_force is invalid', 'INVALID_ORDER'],
    [403, 'trading is suspended for this account', 'ORDER_FORBIDDEN'],
  ])('reads %i "%s" as %s', (status, message, reason) => {
    expect(rejectReasonOf(status, message)).toBe(reason);
  });

  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Wed, 21 Oct 2026 07:28:00 GMT', undefined],
    ['-1', undefined],
    [null, undefined],
  ])('reads Retry-After %j as %j ms', (header, ms) => {
    expect(retryAfterMs(header)).toBe(ms);
  });
});
