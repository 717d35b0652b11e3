/**
 * `ops sandbox up | down | status`: a local AWS (moto on 127.0.0.1) seeded with a scenario, for
 * running every other command without an AWS account.
 */
import { DynamoRunLedger } from '../../../aws/run-ledger-store.ts';
import { UserError } from '../../../errors.ts';
import {
  createFirer,
  createVirtualClock,
  motoAnswers,
  readSandboxState,
  removeSandboxState,
  sandboxStatePath,
  startFiringLoop,
  startSandbox,
  stopRecordedSandbox,
  writeSandboxState,
  type AdvanceSummary,
  type Sandbox,
  type SandboxState,
} from '../../../sandbox/index.ts';
import { isOurProcess, MOTO_PROCESS_PATTERN, OPS_PROCESS_PATTERN } from '../../../sandbox/stop-recorded.ts';
import { defineCommand, type OpsGroup } from '../command.ts';
import type { CliContext } from '../context.ts';
import { parseCountOption } from '../parse-instant.ts';
import { resolveReplayDay, type ReplayDay } from '../../../sandbox/replay-day.ts';
import { ATOMIC_MOTO_PYTHON } from '../../../sandbox/trading/atomic-moto.ts';
import { SandboxChangeNames } from '../../../sandbox/aws/change-api.ts';
import type { ChangeDetector } from '../../../sandbox/change-events.ts';
import { sandboxReadyDocument } from '../../sandbox/sandbox-ready.ts';
import { changeLines, createSandboxChangeDetector, ensureSandboxChangeResources } from '../../sandbox/sandbox-up-changes.ts';
import { startSandboxTrading, type RunningTrading } from '../../sandbox/sandbox-up-trading.ts';
import { orgCheckCommand, orgScenarioFromArgs, seedSandboxOrg, type SeededSandboxOrg } from '../../sandbox/sandbox-up-org.ts';
import { ORG_DEFAULT_REGIONS, ORG_DEFAULTS } from '../../../sandbox/org-scenario.ts';
import { dirname } from 'node:path';

const DEFAULT_SCENARIO = 'incident-2026-01-29';

interface UpArgs {
  port?: number;
  scenario: string;
  fire: boolean;
  tick: number;
  day?: string;
  trading: boolean;
  orgAccounts?: number;
  orgRegions?: string;
}

export const sandboxUpCommand = defineCommand<UpArgs>({
  command: 'up',
  describe: 'Start moto on 127.0.0.1, seed a scenario, print the environment to use it, and run until Ctrl-C',
  builder: (y) =>
    y
      .option('port', { type: 'number', describe: 'Port for moto (default: a free port)' })
      .option('scenario', {
        type: 'string',
        default: DEFAULT_SCENARIO,
        describe:
          'Scenario name in scenarios/ (incident-2026-01-29, healthy, mixed), a path to a scenario .yaml, "none" for an empty sandbox, ' +
          'or "org": a generated AWS Organization (--org-accounts member accounts × --org-regions, each pair with a few schedules and ' +
          'some planted faults; one account lacks the access role ops-org-access), checked with `ops check-schedulers --org`',
      })
      .option('org-accounts', { type: 'number', describe: `With --scenario org: member accounts to create (default ${ORG_DEFAULTS.accounts})` })
      .option('org-regions', { type: 'string', describe: `With --scenario org: comma-separated regions to seed in each account (default ${ORG_DEFAULT_REGIONS.join(',')})` })
      .option('fire', {
        type: 'boolean',
        default: false,
        describe:
          'Fire schedules in real time: from the moment the sandbox is ready, every --tick seconds the firer advances to the wall ' +
          'clock and invokes what is due (ECS RunTask, Lambda existence check, SQS/SNS), writing the run ledger and AWS/Scheduler ' +
          'metrics. Each tick that invokes something prints one line on stderr (`<time> fired N (K ok, T tasks, errors: CODE×n)`); ' +
          'a tick with nothing due prints nothing. Before it fires, each tick also looks for writes (schedules, clusters, task ' +
          'definitions) and puts CloudTrail-shaped events on the default bus, which a rule delivers to the queue ' +
          `${SandboxChangeNames.queue} (one line each: \`<time> change: UpdateSchedule group/name → event on the default bus\`). ` +
          'Without --fire schedules never fire (moto stores them but does not fire them).',
      })
      .option('tick', { type: 'number', default: 15, describe: 'Seconds between firer ticks with --fire (1-3600)' })
      .option('day', {
        type: 'string',
        describe:
          'Run on this New York date (YYYY-MM-DD) instead of today: the scenario moves to it (its replay start wall time, ' +
          'StartDate/EndDate and at() dates shift by whole days) and moto\'s clock starts there, running at real speed, so --fire ' +
          'fires what that day would fire. Default: the wall clock.',
      })
      .option('trading', {
        type: 'boolean',
        default: false,
        describe:
          'Also create the trading stack (bus ops-trading, its rules, queues, tables, archive) and run the step Lambdas locally: moto ' +
          'cannot run Lambda code, so a runtime in this process consumes the rules\' deliveries and invokes the handlers. ' +
          '`ops workflow start` in another shell then runs through every step. Handler logs go to .ops/sandbox-trading.log.',
      })
      .example('$0 sandbox up', 'The 2026-01-29 incident, on a free port')
      .example('$0 sandbox up --scenario none --trading', 'An empty sandbox running the trading workflow (then `ops workflow start`)')
      .example('$0 sandbox up --scenario healthy --fire', 'A healthy system whose schedules run in real time')
      .example('$0 sandbox up --scenario healthy --fire --day 2030-12-24', 'The same on an early-close Christmas Eve, from its 09:30 open')
      .example('$0 sandbox up --scenario org --org-accounts 5', 'An organization of 5 accounts × 3 regions (then `ops check-schedulers --org --regions …`)')
      .example('$0 sandbox up --port 5000 --json', 'One JSON document with the endpoint once ready; runs until `ops sandbox down`')
      .epilog(
        'stdout gets the environment as shell lines (`export AWS_ENDPOINT_URL=...`) as soon as the sandbox is ready; ' +
          'with --json, exactly one JSON document, printed once ready (the command then keeps running). ' +
          'State is kept in .ops/sandbox.json for `ops sandbox down` and `ops sandbox status`.',
      ),
  run: async (args, ctx) => {
    const tick = parseCountOption('tick', args.tick, 3_600);
    const day: ReplayDay | undefined = args.day === undefined ? undefined : resolveReplayDay(args.day, ctx.now());
    const org = orgScenarioFromArgs(args);
    const statePath = sandboxStatePath(ctx.cwd);
    const previous = await readSandboxState(statePath);
    if (previous !== undefined && (isOurProcess(previous.pids.ops, OPS_PROCESS_PATTERN) || isOurProcess(previous.pids.moto, MOTO_PROCESS_PATTERN))) {
      throw new UserError('SANDBOX_RUNNING', `A sandbox is already running at ${previous.endpoint} (ops pid ${previous.pids.ops}).`, 'Use it, or stop it with `ops sandbox down`.');
    }
    const progress = ctx.stderrIsTTY ? (line: string) => ctx.stderr(`${line}\n`) : () => undefined;

    // Listen for Ctrl-C before starting anything, so an interrupt during start-up still cleans up.
    let interruptedBy: string | undefined;
    const interrupted = ctx.interrupted().then((signal) => (interruptedBy = signal));
    progress('starting moto…');
    const scenario = args.scenario === 'none' || org !== undefined ? undefined : args.scenario;
    const sandbox = await startSandbox({
      ...(args.port !== undefined ? { port: parseCountOption('port', args.port, 65_535, 5000) } : {}),
      ...(scenario !== undefined ? { scenario } : {}),
      cwd: ctx.cwd,
      env: ctx.env,
      log: progress,
      ...(day ? { day } : {}),
      // The local Lambda runtime runs handlers concurrently: DynamoDB's per-item atomicity is needed.
      ...(args.trading ? { python: ATOMIC_MOTO_PYTHON } : {}),
    });
    let trading: RunningTrading | undefined;
    try {
      if (interruptedBy !== undefined) return stoppedOutcome(sandbox, interruptedBy, false);
      if (args.trading) {
        progress('creating the trading stack and starting the local Lambda runtime…');
        trading = await startSandboxTrading(sandbox, { stateDir: dirname(statePath), stderr: ctx.stderr });
      }
      let orgSeeded: SeededSandboxOrg | undefined;
      if (org !== undefined) {
        progress(`creating the organization: ${org.accounts.length} accounts × ${org.regions.length} regions…`);
        orgSeeded = await seedSandboxOrg(sandbox, org, { stateDir: dirname(statePath), now: ctx.now, log: progress });
      }
      progress('creating the change rule, its queue and the definition-cache table…');
      const changes = await ensureSandboxChangeResources(sandbox);
      const state: SandboxState = {
        version: 1,
        pids: { ops: process.pid, moto: sandbox.server.pid },
        port: sandbox.server.port,
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        scenario: org?.name ?? sandbox.scenario?.name ?? null,
        schedules: orgSeeded?.seed.schedules ?? sandbox.seed?.schedules.length ?? 0,
        firing: args.fire,
        startedAt: ctx.now().toISOString(),
        changeQueueUrl: changes.queueUrl,
        definitionCacheTable: changes.definitionCacheTable,
        ...(orgSeeded ? { org: orgSeeded.state } : {}),
      };
      await writeSandboxState(statePath, state);
      try {
        // The sandbox's clock: the wall clock, or the --day clock that moto runs on.
        const now = day !== undefined ? () => sandbox.now() : ctx.now;
        // The detector's baseline before the ready document: any write made once it is printed is a change.
        const detector = args.fire ? await baselineDetector(sandbox, ctx, now) : undefined;
        const ready = sandboxReadyDocument({
          sandbox: orgSeeded ? { ...sandbox, timings: { ...sandbox.timings, seedMs: orgSeeded.seedMs } } : sandbox,
          state,
          statePath,
          tick,
          ...(day ? { day } : {}),
          ...(trading ? { trading } : {}),
          changes,
          ...(orgSeeded ? { orgSeed: orgSeeded.seed } : {}),
        });
        if (ctx.announce) ctx.announce(ready);
        else ctx.stderr(`${ready.text}\n`);
        const loop = detector ? startLoop(sandbox, ctx, tick, now, detector) : undefined;
        const signal = await interrupted;
        await loop?.stop();
        return stoppedOutcome(sandbox, signal, true);
      } finally {
        await removeSandboxState(statePath);
      }
    } finally {
      await trading?.stop();
      await sandbox.stop();
    }
  },
});

async function baselineDetector(sandbox: Sandbox, ctx: CliContext, now: () => Date): Promise<ChangeDetector> {
  const detector = createSandboxChangeDetector(sandbox, now);
  try {
    await detector.tick();
  } catch (error) {
    // The detector keeps no state from a failed look: its first tick that succeeds is the baseline.
    ctx.stderr(`change detector baseline failed: ${error instanceof Error ? error.message : String(error)}; the next tick takes it\n`);
  }
  return detector;
}

function startLoop(sandbox: Sandbox, ctx: CliContext, tick: number, now: () => Date, detector: ChangeDetector) {
  const clock = createVirtualClock(now());
  const ledger = new DynamoRunLedger({ client: sandbox.clients.dynamodb, tableName: sandbox.scenario?.runLedgerTable ?? 'ops-run-ledger' });
  const firer = createFirer({
    clients: sandbox.clients,
    clock,
    ledger,
    account: sandbox.seed?.account ?? '123456789012',
    region: sandbox.region,
    log: (message, data) => ctx.stderr(`firer: ${message} ${data ? JSON.stringify(data) : ''}\n`),
  });
  return startFiringLoop({
    firer,
    changes: detector,
    intervalMs: tick * 1_000,
    now,
    onTick: (summary) => {
      if (summary.invocations > 0) ctx.stderr(`${tickLine(summary)}\n`);
    },
    onError: (error) => ctx.stderr(`firer tick failed: ${error instanceof Error ? error.message : String(error)}\n`),
    onChanges: (changes) => {
      for (const line of changeLines(changes)) ctx.stderr(`${line}\n`);
    },
    onChangeError: (error) => ctx.stderr(`change detector tick failed: ${error instanceof Error ? error.message : String(error)}\n`),
  });
}

function tickLine(s: AdvanceSummary): string {
  const errors = Object.entries(s.errorsByCode)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  return `${s.to.toISOString()} fired ${s.invocations} (${s.succeeded} ok, ${s.tasksStarted} tasks${errors ? `, errors: ${errors}` : ''})`;
}

function stoppedOutcome(sandbox: Sandbox, signal: string, wasReady: boolean) {
  return {
    exitCode: 0 as const,
    json: { ok: true, status: 'stopped', endpoint: sandbox.endpoint, signal, wasReady },
    text: `# sandbox on ${sandbox.endpoint} stopped (${signal})`,
  };
}

export const sandboxDownCommand = defineCommand<Record<string, never>>({
  command: 'down',
  describe: 'Stop the sandbox started by `ops sandbox up` in this directory',
  builder: (y) => y.example('$0 sandbox down', 'Stop it and wait until moto is gone'),
  run: async (_args, ctx) => {
    const statePath = sandboxStatePath(ctx.cwd);
    const state = await readSandboxState(statePath);
    if (state === undefined) {
      return { exitCode: 0, json: { ok: true, running: false, stopped: false }, text: 'No sandbox is running (no .ops/sandbox.json here).' };
    }
    const result = await stopRecordedSandbox(state);
    await removeSandboxState(statePath);
    if (!result.stopped) {
      throw new UserError(
        'SANDBOX_STOP_FAILED',
        `The sandbox processes (ops ${state.pids.ops}, moto ${state.pids.moto}) did not exit.`,
        `Check with \`ps -p ${state.pids.ops},${state.pids.moto}\` and stop them by pid.`,
      );
    }
    const wasRunning = result.opsWasRunning || result.motoWasRunning;
    return {
      exitCode: 0,
      json: { ok: true, running: false, stopped: wasRunning, endpoint: state.endpoint, pids: state.pids, forced: result.forced },
      text: wasRunning
        ? `Stopped the sandbox on ${state.endpoint} (ops pid ${state.pids.ops}, moto pid ${state.pids.moto})${result.forced ? ' — it had to be killed' : ''}.`
        : `No sandbox was running; removed the stale ${statePath}.`,
    };
  },
});

export const sandboxStatusCommand = defineCommand<Record<string, never>>({
  command: 'status',
  describe: 'Is a sandbox running here? Its endpoint, scenario, and whether moto answers',
  builder: (y) => y.example('$0 sandbox status --json', 'As one JSON document'),
  run: async (_args, ctx) => {
    const state = await readSandboxState(sandboxStatePath(ctx.cwd));
    if (state === undefined) {
      return { exitCode: 0, json: { running: false }, text: 'No sandbox is running here (start one with `ops sandbox up`).' };
    }
    const opsAlive = isOurProcess(state.pids.ops, OPS_PROCESS_PATTERN);
    const motoAlive = isOurProcess(state.pids.moto, MOTO_PROCESS_PATTERN);
    const answers = motoAlive && (await motoAnswers(state.endpoint));
    const running = motoAlive && answers;
    const json = {
      running,
      endpoint: state.endpoint,
      region: state.region,
      scenario: state.scenario,
      schedules: state.schedules,
      firing: state.firing,
      startedAt: state.startedAt,
      changeQueueUrl: state.changeQueueUrl ?? null,
      definitionCacheTable: state.definitionCacheTable ?? null,
      org: state.org ?? null,
      pids: state.pids,
      alive: { ops: opsAlive, moto: motoAlive },
      motoAnswers: answers,
    };
    const text = running
      ? `Sandbox running on ${state.endpoint} · scenario ${state.scenario ?? 'none'} (${state.schedules} schedules) · region ${state.region} · moto answers · since ${state.startedAt}` +
        (state.org
          ? `\nOrganization ${state.org.organizationId}: ${state.org.accounts} member accounts × ${state.org.regions.length} regions · accounts file ${state.org.accountsFile} · check it: ${orgCheckCommand(state.org)}`
          : '')
      : `Sandbox state found but not healthy: ops ${opsAlive ? 'alive' : 'gone'}, moto ${motoAlive ? 'alive' : 'gone'}, ${answers ? 'answers' : 'does not answer'}. Run \`ops sandbox down\` to clean up.`;
    return { exitCode: running ? 0 : 1, json, text };
  },
});

export const sandboxGroup: OpsGroup = {
  command: 'sandbox',
  describe: 'A local AWS sandbox (moto on 127.0.0.1) seeded with a scenario',
  subcommands: [sandboxUpCommand, sandboxDownCommand, sandboxStatusCommand],
};
