import { describe, expect, it } from 'vitest';
import { MemoryWorkflowStore } from '../../../src/trading/adapters/memory-workflow-store.ts';
import { describeWorkflowStoreContract, PARAMS } from './workflow-store-contract.ts';

describeWorkflowStoreContract('MemoryWorkflowStore', () => new MemoryWorkflowStore());

describe('MemoryWorkflowStore specifics', () => {
  it('hands out copies: mutating a returned record changes nothing stored', async () => {
    const store = new MemoryWorkflowStore();
    const { record } = await store.create({ correlationId: 'wf-copy', params: PARAMS, startedAt: new Date('2026-11-23T15:00:00Z') });
    record.state = 'FAILED';
    record.params.accountId = 'mutated';
    expect(await store.get('wf-copy')).toMatchObject({ state: 'RUNNING', params: { accountId: 'main' } });
  });

  it('purges records past their TTL, with their claims', async () => {
    const store = new MemoryWorkflowStore({ ttlDays: 1 });
    const start = new Date('2026-11-23T15:00:00Z');
    await store.create({ correlationId: 'wf-old', params: PARAMS, startedAt: start });
    await store.claimDelivery({ consumer: 'strategy', eventId: 'evt-1', correlationId: 'wf-old' }, start, 1_000);
    expect(store.purgeExpired(new Date(start.getTime() + 86_400_000 - 1))).toBe(0);
    expect(store.purgeExpired(new Date(start.getTime() + 86_400_000))).toBe(1);
    expect(await store.get('wf-old')).toBeUndefined();
    expect(await store.claimDelivery({ consumer: 'strategy', eventId: 'evt-1', correlationId: 'wf-old' }, start, 1_000)).toEqual({ status: 'unknown' });
  });
});
