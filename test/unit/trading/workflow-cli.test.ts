/**
 * `ops workflow …` in-process, with the clock pinned: the local run's output is pinned too. The
 * harness's clock reads 2026-11-23T15:00Z unless a test pins another instant; the fixture CSVs end
 * 2026-11-20, so tests on them pin --as-of inside their range.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/entry/cli/workflow-render.ts';
import type { WorkflowView } from '../../../src/trading/domain/status.ts';
import { runCli } from '../../support/cli-harness.ts';

describe('ops workflow run --local', () => {
  it('prints the event timeline and the orders, and exits 0 when the workflow completed (fixture data)', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--market-data', 'fixtures', '--as-of', '2026-11-20', '--correlation-id', 'wf-cli', '--cash', '1000', '--position', 'SPY=150']);
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

  it('keeps the plan: a completed run shows the skipped trades, and its status the planned orders and the skipped ones', async () => {
    const args = ['workflow', 'run', '--local', '--market-data', 'fixtures', '--as-of', '2026-11-20', '--correlation-id', 'wf-plan', '--cash', '1000', '--position', 'SPY=150', '--min-trade', '40000'];
    const text = await runCli(args);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      [
        'Orders (1):',
        '  SIDE  SYMBOL   QUANTITY   PRICE   NOTIONAL  CLIENT ORDER ID',
        '  SELL  SPY     99.449982  606.04  60,270.67  ops-d1ade48f663c19e4770c54545763ffb1f710f6cf',
        '',
        'Skipped (2):',
        '  SIDE  SYMBOL   NOTIONAL  REASON',
        '  BUY   EFA     30,635.33  below the minimum trade size of 40000',
        '  BUY   QQQ     30,635.33  below the minimum trade size of 40000',
        '',
        'COMPLETED · 1 order(s) · value 60,270.67',
      ].join('\n'),
    );

    const run = await runCli([...args, '--json']);
    const doc = run.json() as { state: string; plan: WorkflowView['plan']; status: WorkflowView };
    expect(doc.state).toBe('COMPLETED');
    const sell = { clientOrderId: doc.status.orders[0]?.clientOrderId, symbol: 'SPY', side: 'sell', quantity: '99.449982', price: '606.04', notional: '60270.66709128', orderIndex: 0 };
    const skipped = (symbol: string) => ({ symbol, side: 'buy', notional: '30635.333333302698', reason: 'below the minimum trade size of 40000' });
    expect(doc.status.plan).toEqual({ orders: [sell], skipped: [skipped('EFA'), skipped('QQQ')] });
    expect(doc.plan).toEqual(doc.status.plan);

    const status = renderStatus(doc.status).split('\n');
    expect(status.slice(status.indexOf('  Planned (1):'))).toEqual([
      '  Planned (1):',
      '    SIDE  SYMBOL   QUANTITY  REF PRICE   NOTIONAL  CLIENT ORDER ID',
      `    SELL  SPY     99.449982     606.04  60,270.67  ${sell.clientOrderId}`,
      '  Skipped (2):',
      '    SIDE  SYMBOL   NOTIONAL  REASON',
      '    BUY   EFA     30,635.33  below the minimum trade size of 40000',
      '    BUY   QQQ     30,635.33  below the minimum trade size of 40000',
    ]);
  });

  it('prints one JSON document with the timeline, the orders and the failure, and exits 1 when it failed', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-cli-f', '--cash', '-5', '--json']);
    expect(run.exitCode).toBe(1);
    const doc = run.json() as { state: string; failure: unknown; timeline: { type: string }[]; orders: unknown[]; notifications: { subject: string }[] };
    expect(doc).toMatchObject({ state: 'FAILED', failure: { step: 'portfolio', errorCode: 'NON_POSITIVE_EQUITY' }, orders: [] });
    expect(doc.timeline.map((e) => e.type)).toEqual(['WorkflowStarted', 'SignalGenerated', 'WorkflowFailed']);
    expect(doc.notifications).toEqual([{ subject: '[ops] Workflow FAILED at portfolio: NON_POSITIVE_EQUITY (wf-cli-f)' }]);
  });

  it("defaults to synthetic closes as of today's session in New York, and completes", async () => {
    const run = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-today', '--json'], { now: () => new Date('2026-12-04T15:00:00Z') });
    expect(run.exitCode).toBe(0);
    const doc = run.json() as { state: string; marketData: string; asOf: unknown; status: { asOf: string }; orders: { price: string }[] };
    expect(doc).toMatchObject({ state: 'COMPLETED', marketData: 'synthetic', asOf: { requested: '2026-12-04', session: '2026-12-04' }, status: { asOf: '2026-12-04' } });
    expect(doc.asOf).not.toHaveProperty('note');
    expect(doc.orders.length).toBeGreaterThan(0);
    for (const order of doc.orders) expect(order.price).toMatch(/^\d+(\.\d{1,2})?$/);

    const text = await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-today'], { now: () => new Date('2026-12-04T15:00:00Z') });
    expect(text.stdout.split('\n')[0]).toBe('Workflow wf-today (local: in-memory bus, paper broker, synthetic closes as of 2026-12-04)');
    // Deterministic: the same day gives the same orders.
    expect(text.stdout).toBe((await runCli(['workflow', 'run', '--local', '--correlation-id', 'wf-today'], { now: () => new Date('2026-12-04T15:00:00Z') })).stdout);
  });

  it.each([
    ['2026-12-04', '2026-12-04', undefined],
    ['2027-03-14', '2027-03-12', 'weekend'],
    ['2027-11-07', '2027-11-05', 'weekend'],
    ['2028-02-29', '2028-02-29', undefined],
    ['2030-12-24', '2030-12-24', undefined],
    ['2031-06-07', '2031-06-06', 'weekend'],
    ['2027-11-25', '2027-11-24', 'Thanksgiving Day'],
  ])('--as-of %s completes as of the session %s, and says when it moved the date', async (requested, session, reason) => {
    const run = await runCli(['workflow', 'run', '--local', '--as-of', requested, '--correlation-id', 'wf-date']);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`Workflow wf-date (local: in-memory bus, paper broker, synthetic closes as of ${session})`);
    if (reason === undefined) expect(lines[1]).toMatch(/^ +\+0 ms {2}WorkflowStarted +account paper · as of /);
    else expect(lines[1]).toBe(`${requested} is not an NYSE session (${reason}); using the most recent session, ${session}.`);
    expect(run.stdout).toContain(`as of ${session} · momentum`);
    expect(run.stdout).toMatch(/\nCOMPLETED · \d+ order\(s\)/);
  });

  it('on a weekend clock, runs as of the Friday before and says so in the JSON', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--json'], { now: () => new Date('2031-06-07T12:00:00Z') });
    expect(run.exitCode).toBe(0);
    expect(run.json()).toMatchObject({
      state: 'COMPLETED',
      asOf: { requested: '2031-06-07', session: '2031-06-06', closedReason: 'weekend', note: '2031-06-07 is not an NYSE session (weekend); using the most recent session, 2031-06-06.' },
    });
  });

  it('fails with STALE_MARKET_DATA on the fixture data after it ends, and exits 1', async () => {
    const run = await runCli(['workflow', 'run', '--local', '--market-data', 'fixtures', '--json'], { now: () => new Date('2026-12-04T15:00:00Z') });
    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ state: 'FAILED', marketData: 'fixtures', failure: { step: 'strategy', errorCode: 'STALE_MARKET_DATA' } });
  });

  it('takes another synthetic market with --market-seed', async () => {
    const orders = async (extra: string[]) =>
      (await runCli(['workflow', 'run', '--local', '--as-of', '2026-12-04', '--correlation-id', 'wf-seed', '--json', ...extra])).json() as { orders: unknown[] };
    expect(await orders(['--market-seed', '7'])).toEqual(await orders(['--market-seed', '7']));
    expect((await orders(['--market-seed', '7'])).orders).not.toEqual((await orders([])).orders);
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
    [['workflow', 'run', '--local', '--as-of', '1999-12-31'], /covers 2000–2099 only/],
    [['workflow', 'run', '--local', '--market-data', 'live'], /Invalid values:[\s\S]*market-data/],
    [['workflow', 'run', '--local', '--market-data-dir', '/tmp'], /--market-data-dir only applies to --market-data fixtures/],
    [['workflow', 'run', '--local', '--market-data', 'fixtures', '--market-seed', '1'], /--market-seed only applies to --market-data synthetic/],
    [['workflow', 'run', '--local', '--market-seed', '-1'], /--market-seed "-1" is not an unsigned 32-bit integer/],
    [['workflow', 'list', '--region', 'us-west-2'], /No workflow table is configured/],
    [['workflow', 'start', '--region', 'us-west-2', '--table', 't'], /No event bus is configured/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('ops workflow start --as-of', () => {
  const doc = mockClient(DynamoDBDocumentClient);
  const events = mockClient(EventBridgeClient);
  const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', WORKFLOW_TABLE: 'ops-workflows', EVENT_BUS_NAME: 'ops-trading' };

  afterEach(() => {
    doc.reset();
    events.reset();
  });

  const startedAsOf = () => (doc.commandCalls(PutCommand)[0]!.args[0].input.Item as { params: { asOf: string } }).params.asOf;

  it.each([
    [['--as-of', '2027-03-14'], '2026-11-23T15:00:00Z', '2027-03-12', '2027-03-14 is not an NYSE session (weekend); using the most recent session, 2027-03-12.'],
    [['--as-of', '2026-11-20'], '2026-11-23T15:00:00Z', '2026-11-20', undefined],
    [[], '2031-06-07T12:00:00Z', '2031-06-06', '2031-06-07 is not an NYSE session (weekend); using the most recent session, 2031-06-06.'],
    [[], '2026-12-04T15:00:00Z', '2026-12-04', undefined],
  ])('%j at %s starts the workflow as of %s', async (extra, now, asOf, note) => {
    doc.on(PutCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
    const run = await runCli(['workflow', 'start', '--region', 'us-west-2', '--correlation-id', 'wf-start', ...extra], { env, now: () => new Date(now) });
    expect(run.exitCode).toBe(0);
    expect(startedAsOf()).toBe(asOf);
    const lines = run.stdout.split('\n');
    if (note === undefined) expect(lines[0]).toBe('wf-start started');
    else expect(lines.slice(0, 2)).toEqual([note, 'wf-start started']);
  });
});
