import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  ALERT_POLICY_DEFAULTS,
  decideAlert,
  MemoryAlertStateStore,
  runAlertPolicy,
  type AlertPolicyOptions,
  type AlertState,
  type AlertStateStore,
  type SendDecision,
} from '../../../src/alerts/index.ts';
import { FindingCode, Severity, severityRank, type Finding } from '../../../src/checks/finding.ts';
import { clusterMissing, finding } from './fixtures.ts';

const T0 = Date.parse('2026-01-29T16:41:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const opts = (now: Date, marketOpen = true): AlertPolicyOptions => ({ now, marketOpen, ...ALERT_POLICY_DEFAULTS });
const A = clusterMissing('ops-pipeline', 'classifier');
const B = clusterMissing('ops-pipeline', 'rss-ingest');

/** Counts calls and lets a test run code between the steps of the protocol. */
class SpyStore implements AlertStateStore {
  reads = 0;
  writes: { state: AlertState; token: string | undefined; outcome: 'written' | 'conflict' }[] = [];
  constructor(
    readonly inner: AlertStateStore = new MemoryAlertStateStore(),
    readonly hooks: { beforeRead?: (n: number) => Promise<void>; writeOverride?: (n: number) => 'conflict' | Error | undefined } = {},
  ) {}
  async read() {
    this.reads++;
    await this.hooks.beforeRead?.(this.reads);
    return this.inner.read();
  }
  async write(state: AlertState, token: string | undefined) {
    const override = this.hooks.writeOverride?.(this.writes.length + 1);
    if (override instanceof Error) throw override;
    const outcome = override ?? (await this.inner.write(state, token));
    this.writes.push({ state, token, outcome });
    return outcome;
  }
}

function recorder(fail: (n: number) => boolean = () => false) {
  const sent: SendDecision[] = [];
  let calls = 0;
  const send = vi.fn(async (decision: SendDecision) => {
    calls++;
    if (fail(calls)) throw new Error(`SNS Publish failed (call ${calls})`);
    sent.push(decision);
  });
  return { sent, send };
}

describe('runAlertPolicy', () => {
  it('writes the new state before sending, then sends once', async () => {
    const store = new MemoryAlertStateStore();
    let storedWhenSending: AlertState | undefined;
    const result = await runAlertPolicy(store, [A], opts(at(0)), async () => {
      storedWhenSending = (await store.read())?.state;
    });
    expect(result).toMatchObject({ sent: true, decision: { send: true, kind: 'alert' } });
    expect(result.conflict).toBeUndefined();
    expect(storedWhenSending).toEqual(result.decision.next);
    expect(storedWhenSending?.lastSentKind).toBe('alert');
  });

  it('the same findings on the next run: no email and no write', async () => {
    const store = new SpyStore();
    const { sent, send } = recorder();
    await runAlertPolicy(store, [A], opts(at(0)), send);
    const second = await runAlertPolicy(store, [A], opts(at(5)), send);
    expect(second.sent).toBe(false);
    expect(sent.map((d) => d.kind)).toEqual(['alert']);
    expect(store.writes).toHaveLength(1);
  });

  it('remembers a silent partial resolution, so the failure coming back alerts again', async () => {
    const store = new SpyStore();
    const { sent, send } = recorder();
    await runAlertPolicy(store, [A, B], opts(at(0)), send);
    const partial = await runAlertPolicy(store, [A], opts(at(5)), send);
    expect(partial).toMatchObject({ sent: false, decision: { send: false, changes: { resolved: [expect.stringContaining('rss-ingest')] } } });
    expect(store.writes).toHaveLength(2);
    await runAlertPolicy(store, [A, B], opts(at(10)), send);
    expect(sent.map((d) => [d.kind, d.changes.added.length])).toEqual([
      ['alert', 2],
      ['alert', 1],
    ]);
  });

  it('two concurrent runs that saw the same change: exactly one sends, the other re-decides and stays quiet', async () => {
    const inner = new MemoryAlertStateStore();
    // Both runs must have read before either writes: hold the first two reads until both arrived.
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let arrived = 0;
    const hooks = {
      beforeRead: async (n: number) => {
        if (n > 1) return;
        arrived++;
        if (arrived === 2) release();
        await bothRead;
      },
    };
    const one = new SpyStore(inner, hooks);
    const two = new SpyStore(inner, hooks);
    const { sent, send } = recorder();
    const results = await Promise.all([runAlertPolicy(one, [A], opts(at(0)), send), runAlertPolicy(two, [A], opts(at(0)), send)]);
    expect(sent).toHaveLength(1);
    expect(results.map((r) => r.sent).sort()).toEqual([false, true]);
    const loser = results.find((r) => !r.sent);
    expect(loser).toMatchObject({ conflict: true, decision: { send: false } });
    expect(one.reads + two.reads).toBe(3);
  });

  it('gives up quietly after a second conflict, without sending', async () => {
    const store = new SpyStore(new MemoryAlertStateStore(), { writeOverride: () => 'conflict' });
    const { send } = recorder();
    const result = await runAlertPolicy(store, [A], opts(at(0)), send);
    expect(result).toMatchObject({ sent: false, conflict: true, decision: { send: true, kind: 'alert' } });
    expect(send).not.toHaveBeenCalled();
    expect(store.reads).toBe(2);
    expect(store.writes).toHaveLength(2);
  });

  it('a failed send is returned, never thrown, the state is put back, and the next run retries the same email', async () => {
    const store = new SpyStore();
    const { sent, send } = recorder((n) => n === 1);
    const first = await runAlertPolicy(store, [A], opts(at(0)), send);
    expect(first.sent).toBe(false);
    expect((first.sendError as Error).message).toBe('SNS Publish failed (call 1)');
    expect(first.restoreError).toBeUndefined();
    expect((await store.inner.read())?.state).toEqual({ version: 1, failing: {} });

    const retry = await runAlertPolicy(store, [A], opts(at(5)), send);
    expect(retry).toMatchObject({ sent: true, decision: { kind: 'alert', changes: { added: [expect.stringContaining('classifier')] } } });
    expect(sent).toHaveLength(1);
  });

  it('failed reminders and recoveries are retried on the next run too', async () => {
    const store = new MemoryAlertStateStore();
    const { sent, send } = recorder((n) => n === 2 || n === 4);
    await runAlertPolicy(store, [A], opts(at(0)), send); // alert ok (call 1)
    expect((await runAlertPolicy(store, [A], opts(at(120)), send)).sendError).toBeDefined(); // reminder fails (call 2)
    await runAlertPolicy(store, [A], opts(at(125)), send); // reminder retried (call 3)
    expect((await runAlertPolicy(store, [], opts(at(130)), send)).sendError).toBeDefined(); // recovery fails (call 4)
    await runAlertPolicy(store, [], opts(at(135)), send); // recovery retried (call 5)
    await runAlertPolicy(store, [], opts(at(140)), send); // nothing
    expect(sent.map((d) => [d.kind, d.next.lastSentAt])).toEqual([
      ['alert', at(0).toISOString()],
      ['reminder', at(125).toISOString()],
      ['recovery', at(135).toISOString()],
    ]);
  });

  it('reports when the state could not be put back after a failed send (that email is lost), still without throwing', async () => {
    const store = new SpyStore(new MemoryAlertStateStore(), { writeOverride: (n) => (n === 2 ? new Error('DynamoDB unavailable') : undefined) });
    const { send } = recorder(() => true);
    const result = await runAlertPolicy(store, [A], opts(at(0)), send);
    expect(result.sent).toBe(false);
    expect((result.restoreError as Error).message).toBe('DynamoDB unavailable');
    expect((await store.inner.read())?.state.lastSentKind).toBe('alert');
  });

  it('leaves the state alone after a failed send when another run has written since', async () => {
    const inner = new MemoryAlertStateStore();
    const store = new SpyStore(inner);
    const result = await runAlertPolicy(store, [A], opts(at(0)), async () => {
      const current = await inner.read();
      await inner.write({ version: 1, failing: {}, lastSentKind: 'recovery', lastSentAt: at(0).toISOString() }, current?.token);
      throw new Error('SNS down');
    });
    expect(result.restoreError).toBeInstanceOf(Error);
    expect((await inner.read())?.state.lastSentKind).toBe('recovery');
  });

  it('lets store failures propagate: they are infrastructure faults, not send failures', async () => {
    const broken: AlertStateStore = { read: () => Promise.reject(new Error('table missing')), write: () => Promise.resolve('written') };
    await expect(runAlertPolicy(broken, [A], opts(at(0)), async () => undefined)).rejects.toThrow('table missing');
  });
});

// ── properties: one email per change ──────────────────────────────────────────────────────────────

const POOL = [
  clusterMissing('ops-pipeline', 'classifier'),
  clusterMissing('ops-pipeline', 'rss-ingest'),
  finding(FindingCode.MISSED_RUNS, { group: 'ops-pipeline-market', name: 'ops-pipeline-dispatcher' }),
  finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline' }),
];
type Level = 'none' | Severity;
const level = fc.constantFrom<Level>('none', 'none', Severity.info, Severity.warning, Severity.critical);
const step = fc.record({
  levels: fc.tuple(level, level, level, level),
  gapMinutes: fc.constantFrom(5, 5, 5, 30, 60, 119, 120, 125, 600),
  marketOpen: fc.boolean(),
  sendFails: fc.boolean(),
});
const steps = fc.array(step, { minLength: 1, maxLength: 40 });

function findingsOf(levels: readonly Level[]): Finding[] {
  return levels.flatMap((l, i) => (l === 'none' ? [] : [{ ...POOL[i]!, severity: l }]));
}

/**
 * The expected emails, from the rules in words, over indices rather than fingerprints: an email when an
 * index starts failing or gets worse; a recovery when everything stops failing; a reminder when a
 * critical persists, the market is open and 2 h (less a minute of slack) passed since the last email.
 * A failed send changes nothing, so the next run computes the same email again.
 */
function expectedEmails(sequence: { levels: readonly Level[]; gapMinutes: number; marketOpen: boolean; sendFails: boolean }[], withFailures: boolean) {
  let failing = new Map<number, number>(); // index → severity rank (warning and above)
  let lastSent: number | undefined;
  let now = T0;
  const attempts: string[] = [];
  for (const s of sequence) {
    now += s.gapMinutes * 60_000;
    const current = new Map<number, number>();
    s.levels.forEach((l, i) => {
      if (l === Severity.warning || l === Severity.critical) current.set(i, severityRank(l));
    });
    let kind = 'none';
    if ([...current].some(([i, rank]) => rank > (failing.get(i) ?? 0))) kind = 'alert';
    else if (current.size === 0 && failing.size > 0) kind = 'recovery';
    else if ([...current.values()].includes(3) && s.marketOpen && lastSent !== undefined && now - lastSent >= 2 * 3_600_000 - 60_000) kind = 'reminder';
    attempts.push(kind);
    if (kind !== 'none' && withFailures && s.sendFails) continue; // state put back: nothing remembered
    failing = current;
    if (kind !== 'none') lastSent = now;
  }
  return attempts;
}

describe('property: exactly one email per change, reminder and recovery', () => {
  it('decideAlert chained over random runs emails exactly when the model says', () => {
    fc.assert(
      fc.property(steps, (sequence) => {
        let state: AlertState | undefined;
        let now = T0;
        const kinds: string[] = [];
        for (const s of sequence) {
          now += s.gapMinutes * 60_000;
          const decision = decideAlert(state, findingsOf(s.levels), opts(new Date(now), s.marketOpen));
          kinds.push(decision.send ? decision.kind : 'none');
          state = decision.next;
        }
        const expected = expectedEmails(sequence, false);
        expect(kinds).toEqual(expected);
        const count = (k: string) => expected.filter((e) => e === k).length;
        expect(kinds.filter((k) => k !== 'none')).toHaveLength(count('alert') + count('reminder') + count('recovery'));
      }),
      { numRuns: 500 },
    );
  });

  it('runAlertPolicy on a store sends what the model says, and a failed send is retried on the next run', async () => {
    await fc.assert(
      fc.asyncProperty(steps, fc.boolean(), async (sequence, withFailures) => {
        const store = new MemoryAlertStateStore();
        let now = T0;
        const attempts: string[] = [];
        const delivered: string[] = [];
        for (const s of sequence) {
          now += s.gapMinutes * 60_000;
          const result = await runAlertPolicy(store, findingsOf(s.levels), opts(new Date(now), s.marketOpen), async (decision) => {
            if (withFailures && s.sendFails) throw new Error('SNS down');
            delivered.push(decision.kind);
          });
          attempts.push(result.decision.send ? result.decision.kind : 'none');
          expect(result.sent).toBe(result.decision.send && !(withFailures && s.sendFails));
          expect(result.conflict).toBeUndefined();
        }
        const expected = expectedEmails(sequence, withFailures);
        expect(attempts).toEqual(expected);
        expect(delivered).toEqual(expected.filter((k, i) => k !== 'none' && !(withFailures && sequence[i]!.sendFails)));
      }),
      { numRuns: 300 },
    );
  });
});
