import { describe, expect, it, vi } from 'vitest';
import type { WorkflowParams } from '../../../src/trading/domain/events.ts';
import { dispatchConfigFromEnv, opsTaskMain, runDispatcher, type StartWiring } from '../../../src/entry/task/trading-task.ts';
import { MemoryLogger } from '../../../src/trading/ports/workflow-logger.ts';
import { nyse } from '../../../src/market/index.ts';

const OPEN = new Date('2026-11-23T15:00:00Z'); // Monday 10:00 New York
const CLOSED = new Date('2026-11-26T15:00:00Z'); // Thanksgiving

function io(now: Date, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  return { io: { env, now: () => now, stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) }, out: () => stdout, err: () => stderr };
}

describe('ops-task dispatcher', () => {
  it('starts the day\'s workflow for its account while the NYSE session is open', async () => {
    const start = vi.fn(async (correlationId: string, _params: WorkflowParams) => ({ correlationId, created: true, state: 'RUNNING' as const, published: true }));
    const wiring: StartWiring = () => start;
    const run = io(OPEN, { ACCOUNT: 'tiny', MIN_TRADE_NOTIONAL: '25' });
    expect(await opsTaskMain(['dispatcher'], run.io, wiring)).toBe(0);
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.calls[0]?.[0]).toBe('wf-tiny-2026-11-23');
    expect(start.mock.calls[0]?.[1]).toMatchObject({ accountId: 'tiny', asOf: '2026-11-23', minTradeNotional: '25', strategy: { kind: 'momentum', topN: 3 } });
    expect(JSON.parse(run.out())).toMatchObject({ level: 'info', message: 'started workflow wf-tiny-2026-11-23' });
  });

  it('logs and exits 0 without touching AWS when the market is closed', async () => {
    const wiring = vi.fn<StartWiring>();
    const run = io(CLOSED);
    expect(await opsTaskMain(['dispatcher'], run.io, wiring)).toBe(0);
    expect(wiring).not.toHaveBeenCalled();
    expect(JSON.parse(run.out())).toMatchObject({ message: 'market closed (Thanksgiving Day); no workflow started', accountId: 'main', opensAt: '2026-11-27T14:30:00.000Z' });
  });

  it('reports an existing workflow of the day without starting another', async () => {
    const logger = new MemoryLogger();
    const start = vi.fn(async (correlationId: string) => ({ correlationId, created: false, state: 'COMPLETED' as const, published: false }));
    const outcome = await runDispatcher({ now: () => OPEN, calendar: nyse, start, logger }, dispatchConfigFromEnv({}));
    expect(outcome).toEqual({ started: true, correlationId: 'wf-main-2026-11-23', created: false, state: 'COMPLETED' });
    expect(logger.lines[0]?.message).toBe('workflow wf-main-2026-11-23 already exists (COMPLETED)');
  });

  it.each([
    [['nope'], 2, /usage: ops-task dispatcher/],
    [['dispatcher', 'extra'], 2, /usage/],
  ])('refuses %j with exit %i', async (argv, code, message) => {
    const run = io(OPEN);
    expect(await opsTaskMain(argv, run.io, () => vi.fn())).toBe(code);
    expect(run.err()).toMatch(message);
  });

  it.each([
    [{ STRATEGY: '{not json' }, 'INVALID_STRATEGY'],
    [{ STRATEGY: '{"kind":"fixed","weights":[]}' }, 'INVALID_STRATEGY'],
    [{ ACCOUNT: 'a b' }, 'INVALID_ACCOUNT'],
    [{ MIN_TRADE_NOTIONAL: '-1' }, 'INVALID_MIN_TRADE'],
    [{ MAX_POSITION_WEIGHT: '1.5' }, 'INVALID_RISK_LIMIT'],
    [{ MAX_ORDER_NOTIONAL: '-1' }, 'INVALID_RISK_LIMIT'],
    [{ MAX_TURNOVER: 'lots' }, 'INVALID_RISK_LIMIT'],
  ])('exits 2 on bad configuration %j', async (env, code) => {
    const run = io(OPEN, env);
    expect(await opsTaskMain(['dispatcher'], run.io, () => vi.fn())).toBe(2);
    expect(JSON.parse(run.out())).toMatchObject({ level: 'error', code });
  });

  it('exits 2 when the market is open but the table and bus are not configured, 3 on a fault', async () => {
    const missing = io(OPEN);
    expect(await opsTaskMain(['dispatcher'], missing.io)).toBe(2);
    expect(JSON.parse(missing.out())).toMatchObject({ code: 'MISSING_ENVIRONMENT' });
    const fault = io(OPEN);
    expect(await opsTaskMain(['dispatcher'], fault.io, () => () => Promise.reject(new Error('socket hang up')))).toBe(3);
  });

  it('puts the risk limits from the environment into the workflow params; unset or empty means no limit', async () => {
    const start = vi.fn(async (correlationId: string, _params: WorkflowParams) => ({ correlationId, created: true, state: 'RUNNING' as const, published: true }));
    const run = io(OPEN, { MAX_POSITION_WEIGHT: '0.4', MAX_ORDER_NOTIONAL: '25000', MAX_TURNOVER: '' });
    expect(await opsTaskMain(['dispatcher'], run.io, () => start)).toBe(0);
    expect(start.mock.calls[0]?.[1].riskLimits).toEqual({ maxPositionWeight: '0.4', maxOrderNotional: '25000' });
    expect(dispatchConfigFromEnv({})).not.toHaveProperty('riskLimits');
    const none = vi.fn(async (correlationId: string, _params: WorkflowParams) => ({ correlationId, created: true, state: 'RUNNING' as const, published: true }));
    expect(await opsTaskMain(['dispatcher'], io(OPEN).io, () => none)).toBe(0);
    expect(none.mock.calls[0]?.[1]).not.toHaveProperty('riskLimits');
  });

  it('names the variable and the problem on a bad risk limit', () => {
    expect(() => dispatchConfigFromEnv({ MAX_TURNOVER: '0' })).toThrow('MAX_TURNOVER "0" must be above 0.');
  });

  it('accepts a fixed-weights strategy from the environment', () => {
    expect(dispatchConfigFromEnv({ STRATEGY: '{"kind":"fixed","weights":[{"symbol":"SPY","weight":"1"}]}' }).strategy).toEqual({ kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] });
  });
});
