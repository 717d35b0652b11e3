/** `ops workflow …` in-process, with the clock pinned: the local run's output is pinned too. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-harness.ts';

describe('ops workflow run --local', () => {
  it('prints the event timeline and the orders, and exits 0 when the workflow completed', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-cli', '--cash', '1000', '--position', 'SPY=150']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'Workflow wf-cli (local: in-memory bus, paper broker, fixture closes as of 2026-11-20)',
        '      +0 ms  WorkflowStarted    account paper · as of 2026-11-20 · momentum',
        '      +0 ms  SignalGenerated    momentum top 3 over 63d: EFA 0.3333, QQQ 0.3333, SPY 0.3333',
        '      +0 ms  RebalancePlanned   equity 91,906.00 · 3 order(s): 1 sell, 2 buy · 0 skipped',
        '      +0 ms  TradeExecuted      SELL 99.449982 SPY @ 606.04 = 60,270.67 (1/3)',
        '      +0 ms  TradeExecuted      BUY 325.319457 EFA @ 94.17 = 30,635.33 (2/3)',
        '      +0 ms  TradeExecuted      BUY 46.653975 QQQ @ 656.65 = 30,635.33 (3/3)',
        '      +0 ms  WorkflowCompleted  3 order(s) · 121,541.33 traded · 0 ms',
        '',
        'Orders (3):',
        '  SIDE  SYMBOL    QUANTITY   PRICE   NOTIONAL  CLIENT ORDER ID',
        '  SELL  SPY      99.449982  606.04  60,270.67  ops-14a5fe157e0d7a715c3fb43b792a8a1e8c6baa18',
        '  BUY   EFA     325.319457   94.17  30,635.33  ops-12647af901ab9937afc7cd2605d51d62f22e50f4',
        '  BUY   QQQ      46.653975  656.65  30,635.33  ops-9050fc2925c87ec0e3710793e25af36acf35f0bc',
        '',
        'COMPLETED · 3 order(s) · value 121,541.33',
        'Notification: [ops] Workflow COMPLETED: 3 order(s), 121,541.33 traded (wf-cli)',
        '',
      ].join('\n'),
    );
  });

  it('prints one JSON document with the timeline, the orders and the failure, and exits 1 when it failed', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-cli-f', '--cash', '-5', '--json']);
    expect(run.exitCode).toBe(1);
    const doc = run.json() as { state: string; failure: unknown; timeline: { type: string }[]; orders: unknown[]; notifications: { subject: string }[] };
    expect(doc).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'NON_POSITIVE_EQUITY' }, orders: [] });
    expect(doc.timeline.map((e) => e.type)).toEqual(['WorkflowStarted', 'SignalGenerated', 'WorkflowFailed']);
    expect(doc.notifications).toEqual([{ subject: '[ops] Workflow FAILED at portfolio: NON_POSITIVE_EQUITY (wf-cli-f)' }]);
  });

  it('runs fixed weights, whole shares for non-fractionable assets', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--strategy', 'fixed', '--weights', 'SPY=0.6,TLT=0.4', '--json']);
    expect(run.exitCode).toBe(0);
    const orders = (run.json() as { orders: { symbol: string; quantity: string }[] }).orders;
    expect(orders.map((o) => o.symbol)).toEqual(['SPY', 'TLT']);
    expect(orders.find((o) => o.symbol === 'TLT')?.quantity).toMatch(/^\d+$/);
  });

  it('logs gate decisions as JSON lines on stderr with --verbose', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--verbose', '--cash', '-5']);
    const lines = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(lines.map((l) => l.message)).toContain('portfolio failed for workflow ' + /Workflow (\S+)/.exec(run.stdout)![1] + ': Equity is -5 (cash -5 + positions 0); nothing can be planned.');
  });

  it.each([
    [['workflow', 'run'], /runs in this process only, with --local/],
    [['workflow', 'run', '--local', '--weights', 'SPY=1'], /--weights only applies to --strategy fixed/],
    [['workflow', 'run', '--local', '--strategy', 'fixed'], /needs --weights/],
    [['workflow', 'run', '--local', '--position', 'SPY'], /--position "SPY" is not SYMBOL=NUMBER/],
    [['workflow', 'run', '--local', '--cash', '1e5'], /--cash "1e5" is not a decimal number/],
    [['workflow', 'run', '--local', '--as-of', '20-11-2026'], /--as-of "20-11-2026" is not a YYYY-MM-DD date/],
    [['workflow', 'list', '--region', 'us-west-2'], /No workflow table is configured/],
    [['workflow', 'start', '--region', 'us-west-2', '--table', 't'], /No event bus is configured/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
