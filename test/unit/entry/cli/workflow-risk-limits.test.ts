/**
 * `ops workflow run|start --max-position-weight / --max-order-notional / --max-turnover`: a breach
 * fails the workflow at the portfolio step with its RISK_* code (exit 1, no order); a bad value is
 * refused before anything starts (exit 2, with a hint).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

interface RunDoc {
  state: string;
  failure?: { step: string; errorCode: string; reason: string };
  orders: unknown[];
  timeline: { type: string; detail: Record<string, unknown> }[];
}
interface ErrorDoc {
  ok: false;
  error: { kind: string; code: string; message: string; hint?: string };
}
const errorOf = (run: { json: () => unknown }) => (run.json() as ErrorDoc).error;

describe('workflow run --local with risk limits', () => {
  it('--max-position-weight 0.2 with the default momentum top 3: exit 1, FAILED at portfolio with RISK_MAX_POSITION_WEIGHT, no order', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-risk', '--max-position-weight', '0.2', '--json']);
    expect(run.exitCode).toBe(1);
    const doc = run.json() as RunDoc;
    expect(doc).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'RISK_MAX_POSITION_WEIGHT' }, orders: [] });
    expect(doc.failure?.reason).toMatch(/^[A-Z]+ target weight 0\.333333 exceeds the 0\.2 limit \(max position weight\); so do [A-Z]+ 0\.333333, [A-Z]+ 0\.333333; nothing was traded\.$/);
    expect(doc.timeline.map((e) => e.type)).toEqual(['WorkflowStarted', 'SignalGenerated', 'WorkflowFailed']);
    expect(doc.timeline[0]?.detail.riskLimits).toEqual({ maxPositionWeight: '0.2' });

    const text = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-risk', '--max-position-weight', '0.2']);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('FAILED at portfolio: ');
    expect(text.stdout).toContain('Notification: [ops] Workflow FAILED at portfolio: RISK_MAX_POSITION_WEIGHT (wf-risk)');
  });

  it.each([
    [['--max-order-notional', '30000'], 'RISK_MAX_ORDER_NOTIONAL'],
    [['--max-turnover', '0.5'], 'RISK_MAX_TURNOVER'],
  ])('%j: exit 1, FAILED with %s', async (flags, code) => {
    const run = await runCli(['workflow', 'run', '--local', ...flags, '--json']);
    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: code }, orders: [] });
  });

  it('limits the plan is within: exit 0, COMPLETED', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--max-position-weight', '0.5', '--max-order-notional', '50000', '--max-turnover', '1', '--json']);
    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({ state: 'COMPLETED' });
  });

  it('without limits the params carry none', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--json']);
    expect(run.exitCode).toBe(0);
    expect((run.json() as RunDoc).timeline[0]?.detail).not.toHaveProperty('riskLimits');
  });

  it.each([
    ['max-position-weight', '1.5', 'must be at most 1 (the whole portfolio)'],
    ['max-position-weight', '0', 'must be above 0'],
    ['max-order-notional', '-100', 'must be above 0'],
    ['max-order-notional', '1e5', 'is not a decimal number'],
    ['max-turnover', 'abc', 'is not a decimal number'],
    ['max-turnover', '', 'is not a decimal number'],
  ])('--%s "%s" is refused with exit 2 and a hint', async (option, value, problem) => {
    const run = await runCli(['workflow', 'run', '--local', `--${option}=${value}`, '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'INVALID_OPTION', message: `--${option} "${value}" ${problem}.`, hint: expect.stringContaining(`For example: --${option} `) as unknown });
  });

  it('fixed weights above --max-position-weight are refused up front (exit 2), not a FAILED workflow', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--strategy', 'fixed', '--weights', 'SPY=0.6,TLT=0.4', '--max-position-weight', '0.5', '--json']);
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({
      code: 'RISK_MAX_POSITION_WEIGHT',
      message: '--weights: SPY target weight 0.6 exceeds the 0.5 limit (max position weight).',
      hint: 'Lower that weight, or raise --max-position-weight.',
    });
  });
});

describe('workflow start with risk limits', () => {
  // Keys and a local endpoint, so that code which did not refuse could only reach 127.0.0.1.
  const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
  const start = ['workflow', 'start', '--region', 'us-east-1', '--table', 't', '--bus', 'b', '--endpoint', 'http://127.0.0.1:9'];

  it.each([
    ['--max-position-weight=2', '--max-position-weight "2" must be at most 1 (the whole portfolio).'],
    ['--max-order-notional=0', '--max-order-notional "0" must be above 0.'],
    ['--max-turnover=x', '--max-turnover "x" is not a decimal number.'],
  ])('refuses %s before it talks to AWS (exit 2)', async (flag, message) => {
    const run = await runCli([...start, flag, '--json'], { env });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).message).toBe(message);
  });
});
