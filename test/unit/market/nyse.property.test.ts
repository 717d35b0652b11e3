import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nyse } from '../../../src/market/index.ts';

const MIN = new Date('2001-01-01T00:00:00Z');
const MAX = new Date('2098-12-31T23:59:59.999Z');

const anyInstant = fc.date({ min: MIN, max: MAX, noInvalidDate: true });

// Uniform instants rarely land on a boundary, where off-by-one bugs live, so half the samples are
// pushed onto a session's open or close, or one millisecond either side of it.
const boundaryInstant = fc
  .tuple(anyInstant, fc.constantFrom(-1, 0, 1), fc.boolean())
  .map(([instant, deltaMs, useOpen]) => {
    const session = nyse.sessionAt(instant);
    if (!session.open) return instant;
    return new Date((useOpen ? session.openAt : session.closeAt).getTime() + deltaMs);
  });

const instant = fc.oneof(anyInstant, boundaryInstant);
const RUNS = { numRuns: 1000 };

describe('NYSE calendar properties (2001–2098)', () => {
  it('previousClose(t) <= t < nextClose(t)', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(nyse.previousClose(t).getTime()).toBeLessThanOrEqual(t.getTime());
        expect(nyse.nextClose(t).getTime()).toBeGreaterThan(t.getTime());
      }),
      RUNS,
    );
  });

  it('nextOpen(t) > t and is the openAt of an open session', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const next = nyse.nextOpen(t);
        expect(next.getTime()).toBeGreaterThan(t.getTime());
        const session = nyse.sessionAt(next);
        expect(session.open).toBe(true);
        if (session.open) expect(session.openAt.getTime()).toBe(next.getTime());
        expect(nyse.isOpen(next)).toBe(true);
      }),
      RUNS,
    );
  });

  it('isOpen(t) iff sessionAt(t) is open and openAt <= t < closeAt', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const session = nyse.sessionAt(t);
        const expected = session.open && session.openAt.getTime() <= t.getTime() && t.getTime() < session.closeAt.getTime();
        expect(nyse.isOpen(t)).toBe(expected);
      }),
      RUNS,
    );
  });

  it('boundaries alternate: open now means the close comes before the next open, and vice versa', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const open = nyse.isOpen(t);
        const nextOpen = nyse.nextOpen(t).getTime();
        const nextClose = nyse.nextClose(t).getTime();
        if (open) expect(nextClose).toBeLessThan(nextOpen);
        else expect(nextOpen).toBeLessThan(nextClose);
        // Closes are exclusive ends: the market is shut at every close instant.
        expect(nyse.isOpen(nyse.nextClose(t))).toBe(false);
        expect(nyse.isOpen(nyse.previousClose(t))).toBe(false);
        // Just before a close it was open.
        expect(nyse.isOpen(new Date(nextClose - 1))).toBe(true);
      }),
      RUNS,
    );
  });

  it('status agrees with isOpen, nextOpen and nextClose', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const status = nyse.status(t);
        expect(status.open).toBe(nyse.isOpen(t));
        if (status.open) {
          expect(status.closesAt.getTime()).toBe(nyse.nextClose(t).getTime());
          expect(status.msUntilClose).toBe(status.closesAt.getTime() - t.getTime());
        } else {
          expect(status.opensAt.getTime()).toBe(nyse.nextOpen(t).getTime());
          expect(status.nextSession.openAt.getTime()).toBe(status.opensAt.getTime());
          expect(status.msUntilOpen).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('every open session lasts 6.5 hours, or 3.5 on an early close, whatever the DST state', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        const session = nyse.sessionAt(t);
        if (!session.open) return;
        const hours = (session.closeAt.getTime() - session.openAt.getTime()) / 3_600_000;
        expect(hours).toBe(session.earlyClose ? 3.5 : 6.5);
      }),
      RUNS,
    );
  });
});
