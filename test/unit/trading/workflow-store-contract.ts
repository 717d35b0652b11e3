/**
 * Behaviour every WorkflowStore must have. Runs against MemoryWorkflowStore in unit tests and against
 * DynamoWorkflowStore on the sandbox's DynamoDB in e2e (test/e2e/workflow-dynamo-store.test.ts).
 * Every test uses its own correlation ids (and its own start-time window for listing), so a shared
 * table never shows one test another's records.
 */
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import { ClaimOutcome, WorkflowState, type ExecutedOrder, type OpenOrder, type TerminalOutcome, type WorkflowRecord, type WorkflowStore } from '../../../src/trading/ports/workflow-store.ts';

export const PARAMS: WorkflowParams = {
  accountId: 'main',
  asOf: '2026-11-20',
  strategy: { kind: 'momentum', universe: ['SPY', 'TLT', 'GLD'], lookbackDays: 20, topN: 2 },
  minTradeNotional: '100',
};

let counter = 0;
export function uniqueId(label: string): string {
  counter += 1;
  return `wf-${label}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function completedOutcome(record: Pick<WorkflowRecord, 'correlationId' | 'startedAt'>, at: Date, orders = 0): TerminalOutcome {
  return {
    state: WorkflowState.completed,
    event: makeEvent(
      EventType.workflowCompleted,
      { correlationId: record.correlationId, causationId: 'evt-cause', producer: 'execution', occurredAt: at },
      { ordersExecuted: orders, valueTraded: '0', startedAt: record.startedAt.toISOString(), durationMs: at.getTime() - record.startedAt.getTime() },
    ),
  };
}

export function failedOutcome(record: Pick<WorkflowRecord, 'correlationId' | 'startedAt'>, at: Date, step: 'strategy' | 'portfolio' | 'execution' = 'portfolio'): TerminalOutcome {
  const failure = { step, reason: 'Equity is -5', errorCode: 'NON_POSITIVE_EQUITY' };
  return {
    state: WorkflowState.failed,
    failure,
    event: makeEvent(
      EventType.workflowFailed,
      { correlationId: record.correlationId, causationId: 'evt-cause', producer: step, occurredAt: at },
      { ...failure, startedAt: record.startedAt.toISOString(), durationMs: at.getTime() - record.startedAt.getTime() },
    ),
  };
}

export function order(cid: string, index: number, at: Date, extra: Partial<ExecutedOrder> = {}): ExecutedOrder {
  return { clientOrderId: cid, brokerOrderId: `b-${cid}`, symbol: 'SPY', side: 'buy', quantity: '1.5', price: '600.01', notional: '900.015', orderIndex: index, executedAt: at, ...extra };
}

export function openOrder(cid: string, index: number, at: Date, extra: Partial<OpenOrder> = {}): OpenOrder {
  return {
    clientOrderId: cid,
    brokerOrderId: `b-${cid}`,
    symbol: 'SPY',
    side: 'buy',
    quantity: '1.5',
    price: '600.01',
    notional: '900.015',
    orderIndex: index,
    status: 'pending',
    filledQuantity: '0',
    causationId: 'evt-planned',
    placedAt: at,
    updatedAt: at,
    ...extra,
  };
}

const T0 = new Date('2026-11-23T15:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

export function describeWorkflowStoreContract(name: string, makeStore: () => WorkflowStore | Promise<WorkflowStore>): void {
  describe(name, () => {
    const fresh = async (label: string, startedAt = T0) => {
      const store = await makeStore();
      const correlationId = uniqueId(label);
      const { record } = await store.create({ correlationId, params: PARAMS, startedAt });
      return { store, correlationId, record };
    };

    it('creates a RUNNING record once per correlation id; later creates return the first', async () => {
      const store = await makeStore();
      const correlationId = uniqueId('create');
      const first = await store.create({ correlationId, params: PARAMS, startedAt: T0 });
      const second = await store.create({ correlationId, params: { ...PARAMS, accountId: 'other' }, startedAt: later(60_000) });
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.record).toMatchObject({ correlationId, state: 'RUNNING', params: PARAMS, startedAt: T0, orders: [], steps: {} });
      expect((await store.get(correlationId))?.params.accountId).toBe('main');
    });

    it('sets expiresAt from the start time and the TTL', async () => {
      const { record } = await fresh('ttl');
      expect(record.expiresAt.getTime()).toBe(T0.getTime() + 30 * 86_400_000);
    });

    it('returns undefined for an unknown workflow', async () => {
      const store = await makeStore();
      expect(await store.get(uniqueId('missing'))).toBeUndefined();
    });

    it('records step results and the plan size while RUNNING', async () => {
      const { store, correlationId } = await fresh('steps');
      expect(await store.recordStep(correlationId, 'strategy', { completedAt: later(10), summary: { strategy: 'momentum', targets: 2 } })).toBe(true);
      expect(await store.recordStep(correlationId, 'portfolio', { completedAt: later(20), summary: { equity: '1000.5', orders: 3, ok: true } }, { expectedOrders: 3 })).toBe(true);
      const record = await store.get(correlationId);
      expect(record?.steps).toEqual({
        strategy: { completedAt: later(10), summary: { strategy: 'momentum', targets: 2 } },
        portfolio: { completedAt: later(20), summary: { equity: '1000.5', orders: 3, ok: true } },
      });
      expect(record?.expectedOrders).toBe(3);
      expect(record?.updatedAt).toEqual(later(20));
    });

    it("stores the portfolio step's plan with its result, and a re-recorded plan replaces it (never two)", async () => {
      const { store, correlationId } = await fresh('plan');
      const plan = {
        orders: [
          { clientOrderId: 'ops-a', symbol: 'TLT', side: 'sell' as const, quantity: '3', price: '90.5', notional: '271.5', orderIndex: 0 },
          { clientOrderId: 'ops-b', symbol: 'SPY', side: 'buy' as const, quantity: '1.234567', price: '600.01', notional: '740.75', orderIndex: 1 },
        ],
        skipped: [{ symbol: 'GLD', side: 'buy' as const, notional: '42.1', reason: 'below the minimum trade size of 100' }],
      };
      expect(await store.recordStep(correlationId, 'portfolio', { completedAt: later(20), summary: { orders: 2 } }, { expectedOrders: 2, plan })).toBe(true);
      expect((await store.get(correlationId))?.plan).toEqual(plan);
      // A re-run (expired claim) records its plan again: it replaces the first, nothing is appended.
      expect(await store.recordStep(correlationId, 'portfolio', { completedAt: later(30), summary: { orders: 2 } }, { expectedOrders: 2, plan })).toBe(true);
      const record = await store.get(correlationId);
      expect(record?.plan).toEqual(plan);
      expect(record?.expectedOrders).toBe(2);
      // A step recorded without a plan leaves it alone; an empty plan round-trips.
      await store.recordStep(correlationId, 'execution', { completedAt: later(40), summary: {} });
      expect((await store.get(correlationId))?.plan).toEqual(plan);
      const other = await fresh('plan-empty');
      await other.store.recordStep(other.correlationId, 'portfolio', { completedAt: later(20), summary: {} }, { expectedOrders: 0, plan: { orders: [], skipped: [] } });
      expect((await other.store.get(other.correlationId))?.plan).toEqual({ orders: [], skipped: [] });
      expect((await fresh('plan-none')).record.plan).toBeUndefined();
    });

    it('counts executed orders by client order id: recording one twice adds nothing', async () => {
      const { store, correlationId } = await fresh('orders');
      await store.recordStep(correlationId, 'portfolio', { completedAt: later(1), summary: {} }, { expectedOrders: 2 });
      expect(await store.recordExecutedOrder(correlationId, order('ops-b', 1, later(5)))).toEqual({ accepted: true, executed: 1, open: 0, expected: 2, orders: [order('ops-b', 1, later(5))] });
      expect(await store.recordExecutedOrder(correlationId, order('ops-b', 1, later(6), { brokerOrderId: 'another' }))).toMatchObject({ accepted: true, executed: 1, open: 0, expected: 2 });
      const tally = await store.recordExecutedOrder(correlationId, order('ops-a', 0, later(7), { side: 'sell', symbol: 'TLT' }));
      // The tally carries the executed orders after the write, by plan position: no read needed to complete.
      expect(tally).toMatchObject({ accepted: true, executed: 2, open: 0, expected: 2 });
      expect(tally.orders.map((o) => [o.clientOrderId, o.brokerOrderId, o.executedAt])).toEqual([
        ['ops-a', 'b-ops-a', later(7)],
        ['ops-b', 'b-ops-b', later(5)],
      ]);
      const record = await store.get(correlationId);
      expect(record?.orders.map((o) => [o.clientOrderId, o.orderIndex, o.brokerOrderId])).toEqual([
        ['ops-a', 0, 'b-ops-a'],
        ['ops-b', 1, 'b-ops-b'],
      ]);
      expect(record?.orders[1]?.executedAt).toEqual(later(5));
    });

    it('records open orders by client order id, updates their progress, and drops them when they execute', async () => {
      const { store, correlationId } = await fresh('open');
      await store.recordStep(correlationId, 'portfolio', { completedAt: later(1), summary: {} }, { expectedOrders: 2 });
      expect((await store.get(correlationId))?.openOrders).toEqual([]);
      const first = await store.recordOpenOrder(correlationId, openOrder('ops-b', 1, later(5)));
      expect(first).toEqual({ accepted: true, executed: 0, open: 1, expected: 2, orders: [] });
      await store.recordOpenOrder(correlationId, openOrder('ops-a', 0, later(6), { side: 'sell', symbol: 'TLT' }));
      // A progress report replaces the entry (one per client order id) and keeps when it was placed.
      const progress = await store.recordOpenOrder(correlationId, openOrder('ops-b', 1, later(5), { status: 'partially_filled', filledQuantity: '0.5', averagePrice: '600.5', updatedAt: later(9) }));
      expect(progress).toMatchObject({ accepted: true, executed: 0, open: 2 });
      const record = await store.get(correlationId);
      expect(record?.openOrders).toEqual([
        openOrder('ops-a', 0, later(6), { side: 'sell', symbol: 'TLT' }),
        openOrder('ops-b', 1, later(5), { status: 'partially_filled', filledQuantity: '0.5', averagePrice: '600.5', updatedAt: later(9) }),
      ]);
      expect(record?.orders).toEqual([]);

      const executed = await store.recordExecutedOrder(correlationId, order('ops-b', 1, later(10)));
      expect(executed).toMatchObject({ accepted: true, executed: 1, open: 1, expected: 2 });
      // An order executed is never open again: a late progress report is a no-op.
      expect(await store.recordOpenOrder(correlationId, openOrder('ops-b', 1, later(5), { updatedAt: later(11) }))).toMatchObject({ accepted: true, executed: 1, open: 1 });
      const after = await store.get(correlationId);
      expect(after?.openOrders.map((o) => o.clientOrderId)).toEqual(['ops-a']);
      expect(after?.orders.map((o) => o.clientOrderId)).toEqual(['ops-b']);
    });

    it('takes no open order once the workflow finished', async () => {
      const { store, correlationId, record } = await fresh('open-finished');
      await store.finish(correlationId, failedOutcome(record, later(2)), later(2));
      expect(await store.recordOpenOrder(correlationId, openOrder('ops-late', 0, later(3)))).toMatchObject({ accepted: false, open: 0 });
      expect((await store.get(correlationId))?.openOrders).toEqual([]);
      expect(await store.recordOpenOrder(uniqueId('open-ghost'), openOrder('ops-ghost', 0, later(3)))).toMatchObject({ accepted: false, executed: 0, open: 0 });
    });

    it('moves RUNNING → COMPLETED once; the loser sees the winner and nothing changes afterwards', async () => {
      const { store, correlationId, record } = await fresh('finish');
      const won = await store.finish(correlationId, completedOutcome(record, later(100), 0), later(100));
      const lost = await store.finish(correlationId, failedOutcome(record, later(200)), later(200));
      expect(won.won).toBe(true);
      expect(won.record).toMatchObject({ state: 'COMPLETED', finishedAt: later(100) });
      expect(lost.won).toBe(false);
      expect(lost.record).toMatchObject({ state: 'COMPLETED', finishedAt: later(100) });
      expect(lost.record?.failure).toBeUndefined();
      expect(lost.record?.terminalEvent?.type).toBe('WorkflowCompleted');
      // A finished workflow takes no more results or orders.
      expect(await store.recordStep(correlationId, 'execution', { completedAt: later(300), summary: {} })).toBe(false);
      expect(await store.recordExecutedOrder(correlationId, order('ops-late', 0, later(300)))).toMatchObject({ accepted: false, executed: 0 });
      const final = await store.get(correlationId);
      expect(final?.steps.execution).toBeUndefined();
      expect(final?.orders).toEqual([]);
    });

    it('stores the failure (step, reason, code) and the WorkflowFailed event with the FAILED transition', async () => {
      const { store, correlationId, record } = await fresh('fail');
      const outcome = failedOutcome(record, later(50), 'execution');
      const result = await store.finish(correlationId, outcome, later(50));
      expect(result.won).toBe(true);
      const stored = await store.get(correlationId);
      expect(stored).toMatchObject({ state: 'FAILED', failure: { step: 'execution', reason: 'Equity is -5', errorCode: 'NON_POSITIVE_EQUITY' } });
      expect(stored?.terminalEvent).toEqual(outcome.event);
      expect(stored?.terminalPublishedAt).toBeUndefined();
    });

    it('lets exactly one of many concurrent terminal transitions win', async () => {
      const { store, correlationId, record } = await fresh('race');
      const attempts = Array.from({ length: 8 }, (_, i) =>
        store.finish(correlationId, i % 2 === 0 ? completedOutcome(record, later(i)) : failedOutcome(record, later(i)), later(i)),
      );
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r.won)).toHaveLength(1);
      const winnerIndex = results.findIndex((r) => r.won);
      const stored = await store.get(correlationId);
      expect(stored?.state).toBe(winnerIndex % 2 === 0 ? 'COMPLETED' : 'FAILED');
    });

    it('does not finish a workflow that does not exist', async () => {
      const store = await makeStore();
      const id = uniqueId('ghost');
      const result = await store.finish(id, completedOutcome({ correlationId: id, startedAt: T0 }, later(1)), later(1));
      expect(result).toEqual({ won: false, record: undefined });
    });

    it('marks the terminal event published once', async () => {
      const { store, correlationId, record } = await fresh('published');
      await store.markTerminalPublished(correlationId, later(1));
      expect((await store.get(correlationId))?.terminalPublishedAt).toBeUndefined();
      await store.finish(correlationId, completedOutcome(record, later(2)), later(2));
      await store.markTerminalPublished(correlationId, later(3));
      await store.markTerminalPublished(correlationId, later(9));
      expect((await store.get(correlationId))?.terminalPublishedAt).toEqual(later(3));
    });

    describe('event claims', () => {
      const key = (correlationId: string, consumer = 'portfolio', eventId = 'evt-1') => ({ consumer, eventId, correlationId });

      it('claims an event once; a second delivery within the lease is told it is held', async () => {
        const { store, correlationId } = await fresh('claim');
        const first = await store.claimDelivery(key(correlationId), later(0), 1_000);
        const second = await store.claimDelivery(key(correlationId), later(500), 1_000);
        expect(first).toMatchObject({ status: 'claimed', attempt: 1 });
        expect(second).toMatchObject({ status: 'held', leaseUntil: later(1_000) });
      });

      it('reports a completed claim as done, with its outcome, forever', async () => {
        const { store, correlationId } = await fresh('done');
        const first = await store.claimDelivery(key(correlationId), later(0), 1_000);
        if (first.status !== 'claimed') throw new Error('expected a claim');
        await store.completeClaim(first.claim, ClaimOutcome.failed, later(10));
        expect(await store.claimDelivery(key(correlationId), later(20), 1_000)).toMatchObject({ status: 'done', outcome: 'failed' });
        expect(await store.claimDelivery(key(correlationId), later(10_000_000), 1_000)).toMatchObject({ status: 'done', outcome: 'failed' });
      });

      it('lets a redelivery re-claim after the lease expired (the holder died), with a new token', async () => {
        const { store, correlationId } = await fresh('lease');
        const first = await store.claimDelivery(key(correlationId), later(0), 1_000);
        const again = await store.claimDelivery(key(correlationId), later(1_001), 1_000);
        expect(again).toMatchObject({ status: 'claimed', attempt: 2 });
        if (first.status !== 'claimed' || again.status !== 'claimed') throw new Error('expected claims');
        expect(again.claim.token).not.toBe(first.claim.token);
        // The dead holder's late completion does not count: the claim is the new holder's.
        await store.completeClaim(first.claim, ClaimOutcome.succeeded, later(1_002));
        expect(await store.claimDelivery(key(correlationId), later(1_500), 1_000)).toMatchObject({ status: 'held', leaseUntil: later(2_001) });
        await store.completeClaim(again.claim, ClaimOutcome.succeeded, later(1_600));
        expect(await store.claimDelivery(key(correlationId), later(1_700), 1_000)).toMatchObject({ status: 'done', outcome: 'succeeded' });
      });

      it('gives a released claim back at once, but only to the token holder', async () => {
        const { store, correlationId } = await fresh('release');
        const first = await store.claimDelivery(key(correlationId), later(0), 60_000);
        if (first.status !== 'claimed') throw new Error('expected a claim');
        await store.releaseClaim({ ...first.claim, token: 'not-mine' });
        expect((await store.claimDelivery(key(correlationId), later(1), 60_000)).status).toBe('held');
        await store.releaseClaim(first.claim);
        expect(await store.claimDelivery(key(correlationId), later(2), 60_000)).toMatchObject({ status: 'claimed' });
      });

      it('keeps claims per consumer and per event', async () => {
        const { store, correlationId } = await fresh('consumers');
        expect((await store.claimDelivery(key(correlationId, 'portfolio', 'evt-1'), later(0), 1_000)).status).toBe('claimed');
        expect((await store.claimDelivery(key(correlationId, 'notification', 'evt-1'), later(0), 1_000)).status).toBe('claimed');
        expect((await store.claimDelivery(key(correlationId, 'portfolio', 'evt-2'), later(0), 1_000)).status).toBe('claimed');
      });

      it('claims only in the required state, checked before the claim, and returns the record it claimed on', async () => {
        const { store, correlationId, record } = await fresh('required');
        const claimed = await store.claimDelivery(key(correlationId), later(0), 1_000, WorkflowState.running);
        expect(claimed).toMatchObject({ status: 'claimed', record: { correlationId, state: WorkflowState.running } });
        if (claimed.status !== 'claimed') throw new Error('expected a claim');
        expect(claimed.record.deliveries).toEqual([{ consumer: 'portfolio', eventId: 'evt-1', status: 'claimed' }]);
        await store.finish(correlationId, failedOutcome(record, later(1)), later(1));
        // A live claim does not hide the state: a finished workflow says so first.
        expect(await store.claimDelivery(key(correlationId), later(2), 1_000, WorkflowState.running)).toMatchObject({ status: 'state', record: { state: WorkflowState.failed } });
        expect(await store.claimDelivery(key(correlationId, 'notification', 'evt-f'), later(2), 1_000, WorkflowState.completed)).toMatchObject({ status: 'state' });
        expect((await store.get(correlationId))?.terminalPublishedAt).toBeUndefined();
        // Claiming the terminal event's delivery proves it was published.
        expect(await store.claimDelivery(key(correlationId, 'notification', 'evt-f'), later(3), 1_000, WorkflowState.failed)).toMatchObject({ status: 'claimed' });
        expect((await store.get(correlationId))?.terminalPublishedAt).toEqual(later(3));
        expect(await store.claimDelivery(key(uniqueId('nobody')), later(0), 1_000)).toEqual({ status: 'unknown' });
      });

      it('completes the claim in the step-result write and in the terminal write, with the outbox stored', async () => {
        const { store, correlationId, record } = await fresh('one-write');
        const strategy = await store.claimDelivery(key(correlationId, 'strategy', 'evt-s'), later(0), 1_000, WorkflowState.running);
        if (strategy.status !== 'claimed') throw new Error('expected a claim');
        const signal = makeEvent(EventType.signalGenerated, { correlationId, causationId: 'evt-s', producer: 'strategy', occurredAt: later(1) }, { strategy: 'fixed', asOf: '2026-11-20', targets: [{ symbol: 'SPY', weight: '1' }] });
        expect(await store.recordStep(correlationId, 'strategy', { completedAt: later(1), summary: {} }, { outbox: [signal], claim: strategy.claim })).toBe(true);
        const afterStep = await store.get(correlationId);
        expect(afterStep?.outbox).toEqual({ strategy: [signal] });
        expect(afterStep?.deliveries).toEqual([{ consumer: 'strategy', eventId: 'evt-s', status: 'done', outcome: 'succeeded' }]);
        const execution = await store.claimDelivery(key(correlationId, 'execution', 'evt-p'), later(2), 1_000, WorkflowState.running);
        if (execution.status !== 'claimed') throw new Error('expected a claim');
        const finished = await store.finish(correlationId, completedOutcome(record, later(3)), later(3), { result: { step: 'execution', result: { completedAt: later(3), summary: { ordersExecuted: 0 } } }, claim: execution.claim });
        expect(finished.won).toBe(true);
        expect(finished.record?.steps.execution).toEqual({ completedAt: later(3), summary: { ordersExecuted: 0 } });
        expect(finished.record?.deliveries).toContainEqual({ consumer: 'execution', eventId: 'evt-p', status: 'done', outcome: 'succeeded' });
      });

      it('grants exactly one of many concurrent claims', async () => {
        const { store, correlationId } = await fresh('claim-race');
        const results = await Promise.all(Array.from({ length: 6 }, () => store.claimDelivery(key(correlationId), later(0), 5_000)));
        expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'held')).toHaveLength(5);
      });
    });

    it('lists by state, newest first, within a start-time window and a limit', async () => {
      const store = await makeStore();
      // A window of its own (a random minute in 2031), so records of other tests never show up.
      const base = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 500_000) * 60_000;
      const at = (minutes: number) => new Date(base + minutes * 60_000);
      const ids = [uniqueId('list-a'), uniqueId('list-b'), uniqueId('list-c'), uniqueId('list-d')];
      const records = [];
      for (const [i, id] of ids.entries()) records.push((await store.create({ correlationId: id, params: PARAMS, startedAt: at(i) })).record);
      await store.finish(ids[1]!, completedOutcome(records[1]!, at(10)), at(10));
      await store.finish(ids[2]!, failedOutcome(records[2]!, at(11)), at(11));
      const window = { startedAfter: at(-1), startedBefore: at(5) };

      expect((await store.list({ ...window, state: WorkflowState.running })).map((r) => r.correlationId)).toEqual([ids[3], ids[0]]);
      expect((await store.list({ ...window, state: WorkflowState.completed })).map((r) => r.correlationId)).toEqual([ids[1]]);
      expect((await store.list({ ...window, state: WorkflowState.failed })).map((r) => r.failure?.errorCode)).toEqual(['NON_POSITIVE_EQUITY']);
      expect((await store.list(window)).map((r) => r.correlationId)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
      expect((await store.list({ ...window, limit: 2 })).map((r) => r.correlationId)).toEqual([ids[3], ids[2]]);
      expect((await store.list({ startedAfter: at(0), startedBefore: at(3), state: WorkflowState.running })).map((r) => r.correlationId)).toEqual([]);
      expect((await store.list({ startedAfter: at(0), startedBefore: at(4) })).map((r) => r.correlationId)).toEqual([ids[3], ids[2], ids[1]]);
    });
  });
}
