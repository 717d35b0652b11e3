/** The demo's last lines: one per part that ran, then the exit code and what it stands for. */
import { describe, expect, it } from 'vitest';
import { closingLines } from '../../../../src/entry/cli/commands/demo.ts';
import type { BadWriteResult } from '../../../../src/entry/demo/bad-write-part.ts';
import type { DemoResult } from '../../../../src/entry/demo/incident-replay.ts';
import type { TradingDemoResult } from '../../../../src/entry/demo/trading-part.ts';

const at = (m: number) => new Date(Date.UTC(2026, 10, 23, 14, 30 + m));
const incident = (mode: 'manual-fix' | 'auto-fix', repaired = true): DemoResult => ({
  mode,
  day: '2026-11-23',
  timeline: { firstMissedRun: at(0), detection: at(5), alert: at(5), ...(repaired ? { repair: at(10), firstTaskStarted: at(11) } : {}) },
  emails: [],
  healthchecks: [{ at: at(5), exitCode: 1, unhealthy: 12, alert: '[CRITICAL] alert email sent' }],
});
const badWrite = (mode: BadWriteResult['mode'], ok: boolean): BadWriteResult => ({
  mode,
  day: '2026-11-23',
  schedules: 12,
  timeline: { write: at(7) },
  missedRuns: 0,
  emails: [],
  changeRuns: 1,
  fleetRuns: 1,
  ok,
  verdict: ok ? 'kept its promise' : 'broke its promise',
});
const trading = (ok: boolean) => ({ ok, failed: { failure: { errorCode: 'RISK_LIMIT' } } }) as unknown as TradingDemoResult;

describe('closingLines', () => {
  it('every part kept its promise → one line each, then exit 0', () => {
    const { exitCode, lines } = closingLines([incident('manual-fix'), incident('auto-fix')], [badWrite('auto-fix', true), badWrite('alert-only', true)], trading(true));
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ops demo: incident: both incident parts detected the fault/);
    expect(lines[1]).toBe('ops demo: bad write (auto-fix): kept its promise.');
    expect(lines[3]).toMatch(/^ops demo: trading: the trading part completed one workflow/);
    expect(lines.at(-1)).toBe('ops demo: exit 0: every part did what it promised.');
  });

  it('one broken promise → exit 1 naming it, the other parts still reported', () => {
    const { exitCode, lines } = closingLines([incident('auto-fix', false)], [badWrite('alert-only', false)], undefined);
    expect(exitCode).toBe(1);
    expect(lines.at(-1)).toBe('ops demo: exit 1: the incident replay, the bad write (alert-only) did not do what it promised.');
  });

  it('nothing ran → exit 1', () => {
    expect(closingLines([], [], undefined)).toEqual({ exitCode: 1, lines: ['ops demo: exit 1: no part ran.'] });
  });
});
