/**
 * `ops workflow start | status | list | sweep` against the sandbox's DynamoDB and EventBridge, in
 * process, with the clock pinned. No handlers run here: the workflow stays RUNNING until the sweeper
 * times it out, which is what `sweep` is for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox } from '../../src/sandbox/moto-server.ts';
import { sandboxEnvironment } from '../../src/sandbox/sandbox.ts';
import { runCli } from '../support/cli-harness.ts';
import { motoEndpoint } from './sandbox-harness.ts';

const TABLE = 'ops-workflows-cli';
const BUS = 'ops-trading-cli';
const T0 = new Date('2026-11-23T15:00:00Z');
let env: Record<string, string>;

beforeAll(async () => {
  await resetSandbox(motoEndpoint());
  env = { ...sandboxEnvironment(motoEndpoint(), 'us-west-2'), WORKFLOW_TABLE: TABLE, EVENT_BUS_NAME: BUS };
  const setup = await runCli(['workflow', 'setup', '--json'], { env });
  expect(setup.json()).toEqual({ table: TABLE, tableCreated: true, bus: BUS, busCreated: true });
});

const at = (minutes: number) => () => new Date(T0.getTime() + minutes * 60_000);

describe('ops workflow on the sandbox', () => {
  it('starts a workflow (returns at once), shows it RUNNING, lists it, times it out, and shows the failure', async () => {
    const start = await runCli(['workflow', 'start', '--correlation-id', 'wf-cli-e2e', '--as-of', '2026-11-20', '--account', 'tiny', '--json'], { env, now: at(0) });
    expect(start.exitCode).toBe(0);
    expect(start.json()).toEqual({ correlationId: 'wf-cli-e2e', created: true, state: 'RUNNING', published: true });

    const again = await runCli(['workflow', 'start', '--correlation-id', 'wf-cli-e2e', '--as-of', '2026-11-20'], { env, now: at(1) });
    expect(again.stdout).toContain('wf-cli-e2e already exists (RUNNING); WorkflowStarted re-published');

    const status = await runCli(['workflow', 'status', 'wf-cli-e2e'], { env, now: at(2) });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('wf-cli-e2e  RUNNING');
    expect(status.stdout).toContain('account tiny · as of 2026-11-20 · momentum top 3 over 63d');
    expect(status.stdout).toContain('running for 2 min 00 s');

    const list = await runCli(['workflow', 'list', '--state', 'RUNNING', '--json'], { env, now: at(2) });
    expect(list.exitCode).toBe(0);
    const listed = list.json() as { workflows: { correlationId: string }[]; metrics: { byState: Record<string, number>; oldestRunningAgeMs: number } };
    expect(listed.workflows.map((w) => w.correlationId)).toEqual(['wf-cli-e2e']);
    expect(listed.metrics).toMatchObject({ byState: { RUNNING: 1 }, oldestRunningAgeMs: 120_000 });

    const early = await runCli(['workflow', 'sweep', '--timeout-minutes', '15'], { env, now: at(10) });
    expect(early.exitCode).toBe(0);
    expect(early.stdout).toContain('0 workflow(s) RUNNING longer than 15 min');
    // Nothing consumes events on this bare bus: the unclaimed WorkflowStarted is relayed.
    expect(early.stdout).toContain('1 unclaimed step event(s) re-published: wf-cli-e2e WorkflowStarted');

    const sweep = await runCli(['workflow', 'sweep', '--timeout-minutes', '15', '--json'], { env, now: at(16) });
    expect(sweep.exitCode).toBe(1);
    expect(sweep.json()).toMatchObject({ timedOut: [{ correlationId: 'wf-cli-e2e', step: 'strategy' }], republished: [] });

    const failed = await runCli(['workflow', 'status', 'wf-cli-e2e', '--json'], { env, now: at(20) });
    expect(failed.exitCode).toBe(1);
    // Handed to the bus, but no notification consumer claimed it: not yet known to be delivered.
    expect(failed.json()).toMatchObject({ state: 'FAILED', failure: { step: 'strategy', errorCode: 'WORKFLOW_TIMEOUT' }, durationMs: 16 * 60_000, terminalPublished: false });
    const relay = await runCli(['workflow', 'sweep', '--json'], { env, now: at(20) });
    expect(relay.json()).toMatchObject({ timedOut: [], republished: ['wf-cli-e2e'] });
    expect((await runCli(['workflow', 'status', 'wf-cli-e2e', '--json'], { env, now: at(21) })).json()).toMatchObject({ terminalPublished: true });

    const all = await runCli(['workflow', 'list'], { env, now: at(20) });
    expect(all.stdout).toContain('1 workflow(s): 0 running, 0 completed, 1 failed');
    expect(all.stdout).toContain('failures at strategy: WORKFLOW_TIMEOUT × 1');
  });

  it('creates nothing outside a sandbox, and is idempotent on it', async () => {
    const again = await runCli(['workflow', 'setup'], { env });
    expect(again.stdout).toBe(`table ${TABLE}: exists\nbus ${BUS}: exists\n`);
    const broker = await runCli(['workflow', 'setup', '--broker-table', 'ops-paper-broker-cli', '--json'], { env });
    expect(broker.json()).toEqual({ table: TABLE, tableCreated: false, bus: BUS, busCreated: false, brokerTable: 'ops-paper-broker-cli', brokerTableCreated: true });
    const brokerAgain = await runCli(['workflow', 'setup'], { env: { ...env, PAPER_BROKER_TABLE: 'ops-paper-broker-cli' } });
    expect(brokerAgain.stdout).toBe(`table ${TABLE}: exists\nbus ${BUS}: exists\npaper-broker table ops-paper-broker-cli: exists\n`);
    // The sweep reconciles open orders only with a broker that outlives it: the durable paper table here.
    const without = await runCli(['workflow', 'sweep'], { env });
    expect(without.stdout).toContain('open orders not reconciled (no broker');
    const withBroker = await runCli(['workflow', 'sweep'], { env: { ...env, PAPER_BROKER_TABLE: 'ops-paper-broker-cli' } });
    expect(withBroker.stdout).toContain('0 open order(s) reconciled, 0 workflow(s) completed, 0 failed by their orders');
    const aws = await runCli(['workflow', 'setup', '--region', 'us-west-2', '--table', 't', '--bus', 'b'], { env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    expect(aws.exitCode).toBe(2);
    expect(aws.stderr).toContain('only creates resources on a local sandbox');
  });

  it('says which workflow it could not find (exit 2), and which table is missing', async () => {
    const missing = await runCli(['workflow', 'status', 'wf-nope'], { env, now: at(0) });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`No workflow wf-nope in table "${TABLE}"`);
    const noTable = await runCli(['workflow', 'list', '--table', 'no-such-table', '--json'], { env, now: at(0) });
    expect(noTable.exitCode).toBe(2);
    expect(noTable.json()).toMatchObject({ error: { code: 'WORKFLOW_TABLE_MISSING' } });
  });
});
