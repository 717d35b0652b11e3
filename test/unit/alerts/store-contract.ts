/**
 * What every AlertStateStore must do (MemoryAlertStateStore, FileAlertStateStore, and
 * DynamoAlertStateStore on the sandbox). `fresh` returns an empty store; `twin`, when given, a second
 * handle on the same storage (another process or Lambda).
 */
import { describe, expect, it } from 'vitest';
import type { AlertState, AlertStateStore } from '../../../src/alerts/index.ts';

export const SAMPLE_STATE: AlertState = {
  version: 1,
  failing: {
    'TARGET_CLUSTER_NOT_FOUND schedule:arn:aws:scheduler:us-west-2:123456789012:schedule/ops-pipeline/classifier': {
      code: 'TARGET_CLUSTER_NOT_FOUND',
      severity: 'critical',
      since: '2026-01-29T16:41:00.000Z',
      schedule: 'ops-pipeline/classifier',
    },
    'TARGET_ERRORS group:ops-pipeline': { code: 'TARGET_ERRORS', severity: 'warning', since: '2026-01-29T16:46:00.000Z', group: 'ops-pipeline' },
    'CHECK_INCOMPLETE action:ecs:ListTasks': { code: 'CHECK_INCOMPLETE', severity: 'warning', since: '2026-01-29T16:46:00.000Z' },
  },
  lastSentAt: '2026-01-29T18:41:00.000Z',
  lastSentKind: 'reminder',
  lastReminderAt: '2026-01-29T18:41:00.000Z',
};

export const RECOVERED_STATE: AlertState = { version: 1, failing: {}, lastSentAt: '2026-01-29T23:03:00.000Z', lastSentKind: 'recovery' };

export function describeAlertStateStoreContract(name: string, fresh: () => Promise<AlertStateStore>, twin?: (store: AlertStateStore) => AlertStateStore): void {
  describe(`${name}: AlertStateStore contract`, () => {
    it('reads nothing from an empty store', async () => {
      const store = await fresh();
      expect(await store.read()).toBeUndefined();
    });

    it('writes without a token when empty, and reads back exactly what was written', async () => {
      const store = await fresh();
      expect(await store.write(SAMPLE_STATE, undefined)).toBe('written');
      const read = await store.read();
      expect(read?.state).toEqual(SAMPLE_STATE);
      expect(typeof read?.token).toBe('string');
    });

    it('refuses a write without a token once something is stored', async () => {
      const store = await fresh();
      await store.write(SAMPLE_STATE, undefined);
      expect(await store.write(RECOVERED_STATE, undefined)).toBe('conflict');
      expect((await store.read())?.state).toEqual(SAMPLE_STATE);
    });

    it('accepts the current token once: the same token again is a conflict', async () => {
      const store = await fresh();
      await store.write(SAMPLE_STATE, undefined);
      const first = await store.read();
      expect(await store.write(RECOVERED_STATE, first?.token)).toBe('written');
      const second = await store.read();
      expect(second?.state).toEqual(RECOVERED_STATE);
      expect(second?.token).not.toBe(first?.token);
      expect(await store.write(SAMPLE_STATE, first?.token)).toBe('conflict');
      expect((await store.read())?.state).toEqual(RECOVERED_STATE);
    });

    it('refuses a token when nothing is stored', async () => {
      const store = await fresh();
      expect(await store.write(SAMPLE_STATE, '1')).toBe('conflict');
      expect(await store.read()).toBeUndefined();
    });

    it('does not share objects with the caller', async () => {
      const store = await fresh();
      const mine = structuredClone(SAMPLE_STATE);
      await store.write(mine, undefined);
      mine.failing = {};
      const read = await store.read();
      expect(read?.state).toEqual(SAMPLE_STATE);
      if (read) read.state.lastSentKind = 'alert';
      expect((await store.read())?.state.lastSentKind).toBe('reminder');
    });

    if (twin !== undefined) {
      it('two handles on the same storage: of two writers with one token, exactly one wins', async () => {
        const store = await fresh();
        const other = twin(store);
        await store.write(SAMPLE_STATE, undefined);
        const token = (await other.read())?.token;
        const outcomes = await Promise.all([store.write(RECOVERED_STATE, token), other.write({ ...SAMPLE_STATE, lastSentKind: 'alert' }, token)]);
        expect([...outcomes].sort()).toEqual(['conflict', 'written']);
        const winner = outcomes[0] === 'written' ? RECOVERED_STATE : { ...SAMPLE_STATE, lastSentKind: 'alert' };
        expect((await store.read())?.state).toEqual(winner);
        expect((await other.read())?.state).toEqual(winner);
      });
    }
  });
}
