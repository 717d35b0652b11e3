/**
 * The demo's trading part: the trading stack on the demo's moto and the local Lambda runtime (moto
 * cannot run Lambda code), two workflows started with the real `ops workflow start`, one that
 * completes and one that a risk limit fails at the portfolio step, both read back from the DynamoDB
 * workflow store with `ops workflow status`. The runtime's records show what the gate did: after the
 * failure no later step ran for that workflow, and the notification step ran once for each.
 *
 * Any calendar day works: the synthetic market data has a close for every session, the workflows run
 * as of the demo day's session, and the handlers' clock is on that day, so the paper broker fills at
 * the closes the plan priced.
 */
import { resetSandbox } from '../../sandbox/moto-server.ts';
import type { ReplayDay } from '../../sandbox/replay-day.ts';
import { createSandboxClients } from '../../sandbox/sandbox.ts';
import { SandboxTradingNames } from '../../sandbox/trading/names.ts';
import { dec, formatMoney } from '../../trading/domain/money.ts';
import type { WorkflowView } from '../../trading/domain/status.ts';
import { formatClock } from '../../time-format.ts';
import { createSandboxTrading, outcomesByStep } from '../sandbox/trading-chain.ts';
import type { OpsRun } from './incident-replay.ts';

/** 15:45 New York on the demo day: the session's closes are what the paper broker fills at. */
const STARTED_AFTER_OPEN_MS = (6 * 60 + 15) * 60_000;
/** Tiny on purpose: every planned order of a 100,000 account is above it. */
export const DEMO_MAX_ORDER_NOTIONAL = '1000';
const STEPS = ['strategy', 'portfolio', 'execution'] as const;

export interface TradingDemoIO {
  /** Runs `ops <argv>` against the sandbox as of the virtual instant `at`. */
  ops: (argv: string[], at: Date) => Promise<OpsRun>;
  print: (text: string) => void;
  /** The wall clock, only to let the handlers' clock run on from the demo instant. */
  wallNow?: () => number;
}

export interface TradingDemoWorkflow {
  correlationId: string;
  accountId: string;
  state: string;
  failure?: { step: string; errorCode: string; reason: string };
  stepsDone: string[];
  ordersExecuted: number;
  expectedOrders?: number;
  valueTraded: string;
  /** Handler runs for this workflow, per step and outcome (handled, failed, skipped, threw). */
  runs: Record<string, Record<string, number>>;
}

export interface TradingDemoResult {
  mode: 'trading';
  day: string;
  completed: TradingDemoWorkflow;
  failed: TradingDemoWorkflow;
  /** The one workflow COMPLETED with every planned order, the other FAILED at portfolio with no later step run. */
  ok: boolean;
}

export async function runTradingPart(sandbox: { endpoint: string; day: ReplayDay }, io: TradingDemoIO): Promise<TradingDemoResult> {
  const { endpoint, day } = sandbox;
  const wallNow = io.wallNow ?? Date.now;
  await resetSandbox(endpoint);
  const clients = createSandboxClients(endpoint);
  const at = new Date(day.open.getTime() + STARTED_AFTER_OPEN_MS);
  const t0 = wallNow();
  const clock = { now: () => new Date(at.getTime() + (wallNow() - t0)) };
  const et = (instant: Date) => `${formatClock(instant, 'America/New_York')} ET`;

  io.print('\n━━ Part 3: the trading workflow, through every step ━━');
  const { runtime, topology } = await createSandboxTrading({ clients, endpoint, region: clients.config.region, clock });
  const rules = topology.routes.flatMap((r) => r.consumes.map((type) => `${type} → ${r.consumer}`));
  io.print(`The stack on moto: bus ${topology.eventBus}, ${rules.length} rules (${rules.join(', ')}), tables ${topology.workflowTable} and ${topology.paperBrokerTable}.`);
  io.print('moto cannot run Lambda code, so each rule delivers to a queue and a local runtime invokes the step Lambdas\' handlers with the event EventBridge would send.');

  const table = ['--table', SandboxTradingNames.workflowTable];
  const start = async (id: string, account: string, extra: string[], why: string) => {
    const shown = ['workflow', 'start', '--account', account, '--as-of', day.date, '--correlation-id', id, ...extra];
    io.print(`${et(at)} ops ${shown.join(' ')}   # ${why}`);
    const run = await io.ops([...shown, ...table, '--bus', SandboxTradingNames.eventBus, '--json'], at);
    if (run.exitCode !== 0) throw new Error(`ops workflow start exited ${run.exitCode}: ${run.stdout}${run.stderr}`);
  };
  const okId = `wf-demo-${day.date}-rebalance`;
  const riskId = `wf-demo-${day.date}-risk-limit`;
  await start(okId, 'main', [], 'momentum top 3 on a 100,000 paper account');
  await start(riskId, 'tiny', ['--max-order-notional', DEMO_MAX_ORDER_NOTIONAL], `the same, with a risk limit of ${DEMO_MAX_ORDER_NOTIONAL} per order`);

  const drained = await runtime.drainUntilIdle();
  io.print(`The runtime handled every delivery: ${drained.invocations} invocation(s) in ${drained.rounds} round(s); ${describeRuns(outcomesByStep(runtime.invocations()))}.`);

  const readBack = async (id: string): Promise<TradingDemoWorkflow> => {
    const run = await io.ops(['workflow', 'status', id, ...table, '--json'], clock.now());
    const view = JSON.parse(run.stdout) as WorkflowView;
    return {
      correlationId: id,
      accountId: view.accountId,
      state: view.state,
      ...(view.failure ? { failure: view.failure } : {}),
      stepsDone: STEPS.filter((s) => view.steps[s] !== undefined),
      ordersExecuted: view.ordersExecuted,
      valueTraded: view.valueTraded,
      ...(view.expectedOrders !== undefined ? { expectedOrders: view.expectedOrders } : {}),
      runs: outcomesByStep(runtime.invocations(), id),
    };
  };
  const completed = await readBack(okId);
  const failed = await readBack(riskId);

  io.print('Read back from the DynamoDB workflow table (ops workflow status):');
  io.print(`  ${okId}  ${completed.state} · ${STEPS.map((s) => `${s} ${completed.stepsDone.includes(s) ? 'done' : 'not done'}`).join(' · ')}`);
  io.print(`    ${completed.ordersExecuted} of ${completed.expectedOrders ?? '?'} planned orders filled by the paper broker · value ${formatMoney(dec(completed.valueTraded))}`);
  io.print(`  ${riskId}  ${failed.state}${failed.failure ? ` at ${failed.failure.step}: ${failed.failure.errorCode}` : ''}`);
  if (failed.failure) io.print(`    ${failed.failure.reason}`);
  const laterRuns = laterStepRuns(failed);
  io.print(
    `    the gate stopped the rest: ${laterRuns === 0 ? 'no later step ran for it (execution: 0 runs, 0 orders)' : `${laterRuns} later step run(s)!`}; ` +
      `notification ran ${times(failed.runs.notification?.handled ?? 0)} for WorkflowFailed`,
  );

  const ok =
    completed.state === 'COMPLETED' &&
    completed.stepsDone.length === STEPS.length &&
    completed.ordersExecuted === completed.expectedOrders &&
    failed.state === 'FAILED' &&
    failed.failure?.step === 'portfolio' &&
    laterRuns === 0 &&
    failed.ordersExecuted === 0 &&
    failed.runs.notification?.handled === 1 &&
    completed.runs.notification?.handled === 1;
  return { mode: 'trading', day: day.date, completed, failed, ok };
}

/** Handler runs (handled or failed) of the steps after the one that failed the workflow. */
export function laterStepRuns(workflow: Pick<TradingDemoWorkflow, 'failure' | 'runs'>): number {
  const at = STEPS.indexOf((workflow.failure?.step ?? 'execution') as (typeof STEPS)[number]);
  return STEPS.slice(at + 1).reduce((sum, step) => sum + (workflow.runs[step]?.handled ?? 0) + (workflow.runs[step]?.failed ?? 0), 0);
}

/** `strategy 2 handled · portfolio 1 handled, 1 failed · …`, in step order. */
function describeRuns(runs: Record<string, Record<string, number>>): string {
  const order: string[] = [...STEPS, 'notification'];
  return Object.entries(runs)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([step, outcomes]) => `${step} ${Object.entries(outcomes).map(([outcome, n]) => `${n} ${outcome}`).join(', ')}`)
    .join(' · ');
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** The demo's closing line for this part. */
export function tradingVerdict(result: TradingDemoResult): string {
  return result.ok
    ? `the trading part completed one workflow through every step and failed the other at portfolio (${result.failed.failure?.errorCode ?? '?'}) with no later step run`
    : `the trading part did not show one COMPLETED workflow and one FAILED at portfolio with no later step run`;
}
