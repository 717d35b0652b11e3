import { describe, expect, it } from 'vitest';
import {
  ALERT_POLICY_DEFAULTS,
  decideAlert,
  fingerprintOf,
  type AlertDecision,
  type AlertPolicyOptions,
  type AlertState,
} from '../../../src/alerts/index.ts';
import { FindingCode, Severity, type Finding } from '../../../src/checks/finding.ts';
import { UserError } from '../../../src/errors.ts';
import { nyse } from '../../../src/market/index.ts';
import { checkIncomplete, clusterMissing, finding, missedRuns } from './fixtures.ts';

const T0 = new Date('2026-01-29T16:41:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const opts = (now: Date, marketOpen = true, extra: Partial<AlertPolicyOptions> = {}): AlertPolicyOptions => ({ now, marketOpen, ...ALERT_POLICY_DEFAULTS, ...extra });

const A = clusterMissing('ops-pipeline', 'classifier');
const B = clusterMissing('ops-pipeline', 'rss-ingest');
const W = missedRuns('ops-pipeline-market', 'ops-pipeline-dispatcher', Severity.warning);
const Wc = missedRuns('ops-pipeline-market', 'ops-pipeline-dispatcher', Severity.critical);
const INFO = finding(FindingCode.NO_DEAD_LETTER_QUEUE, { group: 'ops-pipeline', name: 'classifier' }, Severity.info);
const fp = fingerprintOf;

/** The state a run leaves behind after an alert for `findings` at `at`. */
function alerted(findings: Finding[], at: Date, extra: Partial<AlertState> = {}): AlertState {
  const decision = decideAlert(undefined, findings, opts(at));
  expect(decision.send && decision.kind).toBe('alert');
  return { ...decision.next, ...extra };
}

function kindOf(decision: AlertDecision): string {
  return decision.send ? decision.kind : 'none';
}

describe('decideAlert: when to email', () => {
  const cases: { name: string; previous: () => AlertState | undefined; findings: Finding[]; options: AlertPolicyOptions; kind: string; changes: { added: string[]; worsened: string[]; resolved: string[] }; reason: RegExp }[] = [
    {
      name: 'healthy, nothing remembered → nothing',
      previous: () => undefined,
      findings: [],
      options: opts(T0),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /^no findings at or above warning$/,
    },
    {
      name: 'a first critical finding → alert',
      previous: () => undefined,
      findings: [A],
      options: opts(T0),
      kind: 'alert',
      changes: { added: [fp(A)], worsened: [], resolved: [] },
      reason: /1 new/,
    },
    {
      name: 'info findings never alert (default minSeverity warning)',
      previous: () => undefined,
      findings: [INFO],
      options: opts(T0),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /no findings at or above warning/,
    },
    {
      name: 'a warning is below minSeverity critical',
      previous: () => undefined,
      findings: [W],
      options: opts(T0, true, { minSeverity: Severity.critical }),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /at or above critical/,
    },
    {
      name: 'the same failing set on the next run → nothing',
      previous: () => alerted([A, B], T0),
      findings: [A, B],
      options: opts(minutes(5)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /failing set unchanged \(2 finding\(s\) at or above warning\)/,
    },
    {
      name: 'a new failure while another persists → one alert for the new one',
      previous: () => alerted([A], T0),
      findings: [A, B],
      options: opts(minutes(5)),
      kind: 'alert',
      changes: { added: [fp(B)], worsened: [], resolved: [] },
      reason: /1 new\); 2 finding/,
    },
    {
      name: 'warning → critical on a known fingerprint → alert (worsened)',
      previous: () => alerted([W], T0),
      findings: [Wc],
      options: opts(minutes(5)),
      kind: 'alert',
      changes: { added: [], worsened: [fp(Wc)], resolved: [] },
      reason: /1 worsened/,
    },
    {
      name: 'critical → warning → no email',
      previous: () => alerted([Wc], T0),
      findings: [W],
      options: opts(minutes(5)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /1 improved in severity: no email/,
    },
    {
      name: 'one of two resolves → no email, and the reason says so',
      previous: () => alerted([A, B], T0),
      findings: [A],
      options: opts(minutes(5)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [fp(B)] },
      reason: /1 resolved while 1 still failing: no email for a partial resolution/,
    },
    {
      name: 'everything resolves after an alert → recovery',
      previous: () => alerted([A, B], T0),
      findings: [INFO],
      options: opts(minutes(5)),
      kind: 'recovery',
      changes: { added: [], worsened: [], resolved: [fp(A), fp(B)].sort() },
      reason: /all 2 failing finding\(s\) resolved/,
    },
    {
      name: 'still healthy after a recovery → nothing',
      previous: () => ({ version: 1, failing: {}, lastSentAt: T0.toISOString(), lastSentKind: 'recovery' }),
      findings: [],
      options: opts(minutes(5)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /no findings/,
    },
    {
      name: 'a failing set that was never emailed clears → no recovery email',
      previous: () => ({ version: 1, failing: { [fp(A)]: { code: A.code, severity: 'critical', since: T0.toISOString() } } }),
      findings: [],
      options: opts(minutes(5)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [fp(A)] },
      reason: /no alert had been sent for them: no recovery email/,
    },
    {
      name: 'a failing set that was never emailed persists → alert now',
      previous: () => ({ version: 1, failing: { [fp(A)]: { code: A.code, severity: 'critical', since: T0.toISOString() } }, lastSentKind: 'recovery', lastSentAt: T0.toISOString() }),
      findings: [A],
      options: opts(minutes(5)),
      kind: 'alert',
      changes: { added: [fp(A)], worsened: [], resolved: [] },
      reason: /1 new/,
    },
    {
      name: 'one replaced by another at the same time → alert with both changes',
      previous: () => alerted([A], T0),
      findings: [B],
      options: opts(minutes(5)),
      kind: 'alert',
      changes: { added: [fp(B)], worsened: [], resolved: [fp(A)] },
      reason: /1 new, 1 resolved/,
    },
    {
      name: 'critical persists 2 h after the alert, market open → reminder',
      previous: () => alerted([A], T0),
      findings: [A],
      options: opts(minutes(120)),
      kind: 'reminder',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /1 critical finding\(s\) persist 2 h after the last email \(2026-01-29T16:41:00.000Z\) and the market is open/,
    },
    {
      name: 'critical persists 1 h 55 m after the alert → not yet',
      previous: () => alerted([A], T0),
      findings: [A],
      options: opts(minutes(115)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /next reminder due at 2026-01-29T18:41:00.000Z if the market is open/,
    },
    {
      name: 'a run up to a minute early still reminds (Lambda start jitter)',
      previous: () => alerted([A], T0),
      findings: [A],
      options: opts(new Date(minutes(120).getTime() - 59_000)),
      kind: 'reminder',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /persist/,
    },
    {
      name: 'critical persists 5 h, market closed → no reminder',
      previous: () => alerted([A], T0),
      findings: [A],
      options: opts(minutes(300), false),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /the market is closed: no reminder/,
    },
    {
      name: 'only warnings persist 5 h, market open → no reminder',
      previous: () => alerted([W], T0),
      findings: [W],
      options: opts(minutes(300)),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /no critical findings: no reminders/,
    },
    {
      name: 'a partial resolution does not stop a due reminder',
      previous: () => alerted([A, B], T0),
      findings: [A],
      options: opts(minutes(121)),
      kind: 'reminder',
      changes: { added: [], worsened: [], resolved: [fp(B)] },
      reason: /1 resolved while 1 still failing.*persist/,
    },
    {
      name: 'reminderHours is honoured (3 h: not at 2 h)',
      previous: () => alerted([A], T0),
      findings: [A],
      options: opts(minutes(150), true, { reminderHours: 3 }),
      kind: 'none',
      changes: { added: [], worsened: [], resolved: [] },
      reason: /due at 2026-01-29T19:41:00.000Z/,
    },
  ];

  it.each(cases)('$name', ({ previous, findings, options, kind, changes, reason }) => {
    const decision = decideAlert(previous(), findings, options);
    expect(kindOf(decision)).toBe(kind);
    expect(decision.changes).toEqual(changes);
    expect(decision.reason).toMatch(reason);
  });
});

describe('decideAlert: what it remembers', () => {
  it('records each failing fingerprint with code, severity, since and where', () => {
    const group = finding(FindingCode.TARGET_ERRORS, { group: 'ops-pipeline' }, Severity.warning);
    const decision = decideAlert(undefined, [A, group, checkIncomplete('ecs:ListTasks'), INFO], opts(T0));
    expect(decision.next).toEqual({
      version: 1,
      failing: {
        [fp(A)]: { code: 'TARGET_CLUSTER_NOT_FOUND', severity: 'critical', since: T0.toISOString(), schedule: 'ops-pipeline/classifier' },
        [fp(group)]: { code: 'TARGET_ERRORS', severity: 'warning', since: T0.toISOString(), group: 'ops-pipeline' },
        'CHECK_INCOMPLETE action:ecs:ListTasks': { code: 'CHECK_INCOMPLETE', severity: 'warning', since: T0.toISOString() },
      },
      lastSentAt: T0.toISOString(),
      lastSentKind: 'alert',
    });
  });

  it('keeps `since` from the first run that saw a fingerprint', () => {
    const first = alerted([A], T0);
    const later = decideAlert(first, [A, B], opts(minutes(30)));
    expect(later.next.failing[fp(A)]?.since).toBe(T0.toISOString());
    expect(later.next.failing[fp(B)]?.since).toBe(minutes(30).toISOString());
  });

  it('counts duplicate findings of one fingerprint once, at the worst severity', () => {
    const decision = decideAlert(undefined, [W, Wc, W], opts(T0));
    expect(Object.keys(decision.next.failing)).toEqual([fp(W)]);
    expect(decision.next.failing[fp(W)]?.severity).toBe('critical');
  });

  it('a reminder records lastReminderAt and restarts the clock; a recovery closes the episode', () => {
    const reminder = decideAlert(alerted([A], T0), [A], opts(minutes(120)));
    expect(reminder.next).toMatchObject({ lastSentAt: minutes(120).toISOString(), lastSentKind: 'reminder', lastReminderAt: minutes(120).toISOString() });
    const recovery = decideAlert(reminder.next, [], opts(minutes(125)));
    expect(recovery.next).toEqual({ version: 1, failing: {}, lastSentAt: minutes(125).toISOString(), lastSentKind: 'recovery' });
  });

  it('a silent improvement is remembered, so worsening again alerts again', () => {
    const improved = decideAlert(alerted([Wc], T0), [W], opts(minutes(5)));
    expect(improved.send).toBe(false);
    expect(improved.next.failing[fp(W)]?.severity).toBe('warning');
    expect(kindOf(decideAlert(improved.next, [Wc], opts(minutes(10))))).toBe('alert');
  });

  it('reminders count from the last email, including a newer alert', () => {
    const second = decideAlert(alerted([A], T0), [A, B], opts(minutes(60)));
    expect(kindOf(second)).toBe('alert');
    expect(kindOf(decideAlert(second.next, [A, B], opts(minutes(125))))).toBe('none');
    expect(kindOf(decideAlert(second.next, [A, B], opts(minutes(180))))).toBe('reminder');
  });

  it('is pure: the previous state and the findings are not modified', () => {
    const previous = alerted([A, B], T0);
    const snapshot = JSON.stringify(previous);
    const findings = [A, Wc];
    decideAlert(previous, findings, opts(minutes(200)));
    expect(JSON.stringify(previous)).toBe(snapshot);
    expect(findings).toEqual([A, Wc]);
  });

  it.each([
    ['reminderHours 0', { reminderHours: 0 }],
    ['reminderHours NaN', { reminderHours: Number.NaN }],
    ['an invalid now', { now: new Date(Number.NaN) }],
    ['an unknown minSeverity', { minSeverity: 'fatal' as Severity }],
  ])('rejects %s with a UserError', (_name, extra) => {
    expect(() => decideAlert(undefined, [A], opts(T0, true, extra))).toThrow(UserError);
  });
});

describe('a simulated trading day: 288 runs every 5 minutes, Monday 2026-11-23 (open 14:30Z–21:00Z)', () => {
  const dayStart = Date.parse('2026-11-23T00:00:00Z');
  const runs = Array.from({ length: 288 }, (_, i) => new Date(dayStart + i * 5 * 60_000));
  const failure = [clusterMissing('ops-pipeline', 'classifier'), missedRuns('ops-pipeline-market', 'ops-pipeline-dispatcher', Severity.critical)];

  function simulate(instants: Date[], findingsAt: (t: Date) => Finding[], start?: AlertState) {
    let state = start;
    const emails: { at: string; kind: string }[] = [];
    for (const now of instants) {
      const decision = decideAlert(state, findingsAt(now), opts(now, nyse.isOpen(now)));
      if (decision.send) emails.push({ at: now.toISOString(), kind: decision.kind });
      state = decision.next;
    }
    return { emails, state };
  }

  it('the market calendar agrees with the premise (open 14:30Z, closed from 21:00Z)', () => {
    expect(runs.filter((t) => nyse.isOpen(t)).map((t) => t.toISOString())).toHaveLength(78);
    expect(nyse.isOpen(new Date('2026-11-23T14:25:00Z'))).toBe(false);
    expect(nyse.isOpen(new Date('2026-11-23T14:30:00Z'))).toBe(true);
    expect(nyse.isOpen(new Date('2026-11-23T20:55:00Z'))).toBe(true);
    expect(nyse.isOpen(new Date('2026-11-23T21:00:00Z'))).toBe(false);
  });

  it('a persistent critical failure: one alert at the first run, reminders every 2 h during market hours only, then one recovery', () => {
    const day = simulate(runs, () => failure);
    expect(day.emails).toEqual([
      { at: '2026-11-23T00:00:00.000Z', kind: 'alert' },
      // 14:30Z is the open (09:30 ET): the first reminder of the day, 14.5 h after the alert.
      { at: '2026-11-23T14:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T16:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T18:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T20:30:00.000Z', kind: 'reminder' },
      // 22:30Z would be 2 h after 20:30Z, but the market closed at 21:00Z.
    ]);

    // The next night it is fixed: exactly one recovery, then silence.
    const night = Array.from({ length: 12 }, (_, i) => new Date(Date.parse('2026-11-24T00:00:00Z') + i * 5 * 60_000));
    const after = simulate(night, (t) => (t.getTime() < Date.parse('2026-11-24T00:20:00Z') ? failure : []), day.state);
    expect(after.emails).toEqual([{ at: '2026-11-24T00:20:00.000Z', kind: 'recovery' }]);
    expect(after.state).toEqual({ version: 1, failing: {}, lastSentAt: '2026-11-24T00:20:00.000Z', lastSentKind: 'recovery' });
  });

  it('a second failure while the first persists → exactly one more email; its consequence → none; a worsening → one; the same set → none', () => {
    const extra = clusterMissing('ops-pipeline', 'rss-ingest');
    const warningThenCritical = (t: Date) => missedRuns('ops-pipeline', 'rss-ingest', t.getTime() >= Date.parse('2026-11-23T06:00:00Z') ? Severity.critical : Severity.warning);
    const day = simulate(runs, (t) => [
      ...failure,
      ...(t.getTime() >= Date.parse('2026-11-23T03:00:00Z') ? [extra] : []),
      ...(t.getTime() >= Date.parse('2026-11-23T05:00:00Z') ? [warningThenCritical(t)] : []),
    ]);
    expect(day.emails).toEqual([
      { at: '2026-11-23T00:00:00.000Z', kind: 'alert' },
      { at: '2026-11-23T03:00:00.000Z', kind: 'alert' }, // new fingerprint
      // 05:00: missed runs of rss-ingest, whose missing cluster was emailed at 03:00: remembered, no email.
      { at: '2026-11-23T06:00:00.000Z', kind: 'alert' }, // its missed runs: warning → critical
      { at: '2026-11-23T14:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T16:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T18:30:00.000Z', kind: 'reminder' },
      { at: '2026-11-23T20:30:00.000Z', kind: 'reminder' },
    ]);
  });

  it('only warnings all day → one alert, no reminders', () => {
    const day = simulate(runs, () => [missedRuns('ops-pipeline', 'classifier', Severity.warning)]);
    expect(day.emails).toEqual([{ at: '2026-11-23T00:00:00.000Z', kind: 'alert' }]);
  });
});
