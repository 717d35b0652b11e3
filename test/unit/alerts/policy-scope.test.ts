import { describe, expect, it } from 'vitest';
import { ALERT_POLICY_DEFAULTS, decideAlert, fingerprintOf, type AlertPolicyOptions, type AlertScope, type AlertState } from '../../../src/alerts/index.ts';
import { FindingCode, Severity } from '../../../src/checks/finding.ts';
import { EVENT_SOURCED_CODES } from '../../../src/checks/registry.ts';
import { clusterMissing, finding } from './fixtures.ts';

const T0 = new Date('2026-01-29T16:41:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const opts = (now: Date, scope?: AlertScope, marketOpen = true): AlertPolicyOptions => ({
  now,
  marketOpen,
  ...ALERT_POLICY_DEFAULTS,
  minSeverity: Severity.critical,
  eventCodes: EVENT_SOURCED_CODES,
  ...(scope ? { scope } : {}),
});
const only = (...ids: string[]): AlertScope => ({ kind: 'schedules', schedules: new Set(ids) });

const A = clusterMissing('ops-pipeline', 'classifier');
const B = clusterMissing('ops-pipeline', 'rss-ingest');
const FAILED = finding(FindingCode.INVOCATION_FAILED, { group: 'ops-pipeline', name: 'classifier' }, Severity.critical);

function after(previous: AlertState | undefined, findings: Parameters<typeof decideAlert>[1], options: AlertPolicyOptions) {
  return decideAlert(previous, findings, options);
}

describe('decideAlert with a scope: one email per fault, whichever run sees it first', () => {
  it('a change-driven run alerts; the 5-minute run that sees the same fault stays silent', () => {
    const scoped = after(undefined, [A], opts(minutes(0), only('ops-pipeline/classifier')));
    expect(scoped.send && scoped.kind).toBe('alert');
    const fleet = after(scoped.next, [A], opts(minutes(3)));
    expect(fleet.send).toBe(false);
    expect(fleet.changes).toEqual({ added: [], worsened: [], resolved: [] });
  });

  it('a scoped run neither resolves nor re-announces what it did not look at', () => {
    const fleet = after(undefined, [A, B], opts(minutes(0)));
    expect(fleet.send).toBe(true);
    const scoped = after(fleet.next, [], opts(minutes(1), only('ops-pipeline/classifier')));
    expect(scoped.send).toBe(false);
    expect(scoped.changes.resolved).toEqual([fingerprintOf(A)]);
    expect(Object.keys(scoped.next.failing)).toEqual([fingerprintOf(B)]);
  });

  it('ignores findings outside its scope (they are the fleet run’s to announce)', () => {
    const scoped = after(undefined, [A, B], opts(minutes(0), only('ops-pipeline/rss-ingest')));
    expect(scoped.changes.added).toEqual([fingerprintOf(B)]);
    expect(Object.keys(scoped.next.failing)).toEqual([fingerprintOf(B)]);
  });

  it('a scoped run that repairs the last announced fault sends the recovery', () => {
    const alert = after(undefined, [A], opts(minutes(0)));
    const scoped = after(alert.next, [], opts(minutes(1), only('ops-pipeline/classifier')));
    expect(scoped.send && scoped.kind).toBe('recovery');
  });

  it('reminders come only from the fleet run', () => {
    const alert = after(undefined, [A], opts(minutes(0)));
    const scoped = after(alert.next, [A], opts(minutes(180), only('ops-pipeline/classifier')));
    expect(scoped.send).toBe(false);
    const fleet = after(alert.next, [A], opts(minutes(180)));
    expect(fleet.send && fleet.kind).toBe('reminder');
  });
});

describe('decideAlert with event-sourced findings (dead letters)', () => {
  it('a dead letter alerts once; a second one for the same schedule refreshes it silently', () => {
    const first = after(undefined, [FAILED], opts(minutes(0), { kind: 'events' }));
    expect(first.send && first.kind).toBe('alert');
    expect(first.next.failing[fingerprintOf(FAILED)]?.seenAt).toBe(minutes(0).toISOString());
    const second = after(first.next, [FAILED], opts(minutes(10), { kind: 'events' }));
    expect(second.send).toBe(false);
    expect(second.next.failing[fingerprintOf(FAILED)]?.seenAt).toBe(minutes(10).toISOString());
    expect(second.next.failing[fingerprintOf(FAILED)]?.since).toBe(minutes(0).toISOString());
  });

  it('an events run resolves nothing it already remembered', () => {
    const fleet = after(undefined, [A], opts(minutes(0)));
    const events = after(fleet.next, [FAILED], opts(minutes(1), { kind: 'events' }));
    expect(Object.keys(events.next.failing).sort()).toEqual([fingerprintOf(A), fingerprintOf(FAILED)].sort());
    expect(events.changes.resolved).toEqual([]);
  });

  it('the fleet run keeps a dead-letter finding for the hold, then resolves it (and recovers)', () => {
    const events = after(undefined, [FAILED], opts(minutes(0), { kind: 'events' }));
    const within = after(events.next, [], opts(minutes(59)));
    expect(within.send).toBe(false);
    expect(Object.keys(within.next.failing)).toEqual([fingerprintOf(FAILED)]);
    const past = after(within.next, [], opts(minutes(60)));
    expect(past.changes.resolved).toEqual([fingerprintOf(FAILED)]);
    expect(past.send && past.kind).toBe('recovery');
  });

  it('a change-driven run never resolves a dead-letter finding of a schedule it looked at', () => {
    const events = after(undefined, [FAILED], opts(minutes(0), { kind: 'events' }));
    const scoped = after(events.next, [], opts(minutes(1), only('ops-pipeline/classifier')));
    expect(Object.keys(scoped.next.failing)).toEqual([fingerprintOf(FAILED)]);
  });

  it('without the event codes, the fleet run would resolve it at once (the hold is what keeps it)', () => {
    const events = after(undefined, [FAILED], opts(minutes(0), { kind: 'events' }));
    const fleet = decideAlert(events.next, [], { ...opts(minutes(1)), eventCodes: new Set() });
    expect(fleet.changes.resolved).toEqual([fingerprintOf(FAILED)]);
  });
});

describe('decideAlert: a dead letter of an announced fault', () => {
  it('is remembered, not emailed again; a dead letter of a healthy-looking schedule is', () => {
    const fleet = after(undefined, [A], opts(minutes(0)));
    const sameSchedule = after(fleet.next, [FAILED], opts(minutes(1), { kind: 'events' }));
    expect(sameSchedule.send).toBe(false);
    expect(Object.keys(sameSchedule.next.failing).sort()).toEqual([fingerprintOf(A), fingerprintOf(FAILED)].sort());
    const other = finding(FindingCode.INVOCATION_FAILED, { group: 'ops-pipeline', name: 'rss-ingest' }, Severity.critical);
    const otherSchedule = after(sameSchedule.next, [other], opts(minutes(2), { kind: 'events' }));
    expect(otherSchedule.send && otherSchedule.kind).toBe('alert');
    expect(otherSchedule.changes.added).toEqual([fingerprintOf(other)]);
  });
});

describe('decideAlert: the consequence of a fault a change-driven run announced', () => {
  it('the fleet run that then sees the schedule’s missed runs stays silent', () => {
    const missed = finding(FindingCode.MISSED_RUNS, { group: 'ops-pipeline', name: 'classifier' }, Severity.critical);
    const scoped = after(undefined, [A], opts(minutes(0), only('ops-pipeline/classifier')));
    expect(scoped.send).toBe(true);
    const fleet = after(scoped.next, [A, missed], opts(minutes(4)));
    expect(fleet.send).toBe(false);
    expect(fleet.next.failing[fingerprintOf(missed)]?.code).toBe(FindingCode.MISSED_RUNS);
  });
});
