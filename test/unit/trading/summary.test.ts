import { describe, expect, it } from 'vitest';
import type { WorkflowParams } from '../../../src/trading/domain/events.ts';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { formatDurationMs, renderWorkflowSummary, SUBJECT_LIMIT } from '../../../src/trading/domain/summary.ts';
import { completedOutcome, failedOutcome, order } from './workflow-store-contract.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'momentum', universe: ['SPY'], lookbackDays: 63, topN: 1 }, minTradeNotional: '100' };
const T0 = new Date('2026-11-23T15:00:00Z');

describe('the outcome email', () => {
  it('summarises a completed workflow: orders, value traded, duration', async () => {
    const store = new MemoryWorkflowStore();
    const { record } = await store.create({ correlationId: 'wf-ok', params: PARAMS, startedAt: T0 });
    await store.recordExecutedOrder('wf-ok', order('ops-1', 0, T0, { side: 'sell', symbol: 'TLT', quantity: '300', price: '78.77', notional: '23631' }));
    await store.recordExecutedOrder('wf-ok', order('ops-2', 1, T0, { quantity: '10', price: '606.04', notional: '6060.4' }));
    const outcome = completedOutcome(record, new Date(T0.getTime() + 1_850), 2);
    const mail = renderWorkflowSummary({ ...outcome.event, detail: { ...outcome.event.detail, valueTraded: '29691.4' } } as typeof outcome.event, await store.get('wf-ok'));
    expect(mail.subject).toBe('[ops] Workflow COMPLETED: 2 order(s), 29,691.40 traded (wf-ok)');
    expect(mail.body).toContain('Account main · as of 2026-11-20 · momentum top 1 over 63d');
    expect(mail.body).toContain('took 1.9 s');
    expect(mail.body).toContain('SELL 300 TLT @ 78.77 = 23,631.00  (ops-1)');
    expect(mail.body).toContain('BUY  10 SPY @ 606.04 = 6,060.40  (ops-2)');
    expect(mail.attributes).toEqual({ outcome: 'COMPLETED', correlationId: 'wf-ok' });
  });

  it('names the failed step, the reason and the code, and the orders that stand', async () => {
    const store = new MemoryWorkflowStore();
    const { record } = await store.create({ correlationId: 'wf-bad', params: PARAMS, startedAt: T0 });
    await store.recordExecutedOrder('wf-bad', order('ops-1', 0, T0));
    const outcome = failedOutcome(record, new Date(T0.getTime() + 65_000), 'execution');
    const mail = renderWorkflowSummary(outcome.event, await store.get('wf-bad'));
    expect(mail.subject).toBe('[ops] Workflow FAILED at execution: NON_POSITIVE_EQUITY (wf-bad)');
    expect(mail.body).toContain('Reason: Equity is -5');
    expect(mail.body).toContain('failed after 1 min 05 s');
    expect(mail.body).toContain('Orders executed before the failure: 1 · value 900.02 (they stand; review the account)');
    expect(mail.attributes).toMatchObject({ outcome: 'FAILED', step: 'execution', errorCode: 'NON_POSITIVE_EQUITY' });
    const none = renderWorkflowSummary(outcome.event, undefined);
    expect(none.body).toContain('No orders were executed.');
  });

  it('keeps the subject within the SNS limit', () => {
    const id = `wf-${'x'.repeat(95)}`;
    const outcome = failedOutcome({ correlationId: id, startedAt: T0 }, T0);
    const subject = renderWorkflowSummary(outcome.event, undefined).subject;
    expect(subject.length).toBe(SUBJECT_LIMIT);
    expect(subject.endsWith('…')).toBe(true);
  });

  it.each([
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 min 05 s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});
