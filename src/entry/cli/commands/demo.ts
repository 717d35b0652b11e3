import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayIncident, type DemoMode, type DemoResult } from '../../demo/incident-replay.ts';
import { demoVerdict } from '../../demo/narration.ts';
import { runTradingPart, tradingVerdict, type TradingDemoResult } from '../../demo/trading-part.ts';
import { startAtomicMotoServer } from '../../../sandbox/trading/atomic-moto.ts';
import { resolveReplayDay } from '../../../sandbox/replay-day.ts';
import { SANDBOX_CREDENTIALS } from '../../../aws/clients.ts';
import { defineCommand } from '../command.ts';
import type { CliContext } from '../context.ts';

interface Args {
  part?: 'manual-fix' | 'auto-fix' | 'trading';
  day?: string;
}

export const demoCommand = defineCommand<Args>({
  command: 'demo',
  describe: 'Replay the 2026-01-29 incident on a local sandbox (detection, alert email, repair, recovery), then run the trading workflow through every step (needs no AWS account)',
  builder: (y) =>
    y
      .option('part', { choices: ['manual-fix', 'auto-fix', 'trading'] as const, describe: 'Run only one part (default: all three)' })
      .option('day', {
        type: 'string',
        describe: 'New York date to replay from 09:30, YYYY-MM-DD: a regular session, an early close, a holiday or a weekend day (default: the next regular NYSE session on or after today)',
      })
      .example('$0 demo', 'All three parts, on the next regular trading day')
      .example('$0 demo --part trading', 'Only the trading workflow: one completes, one fails at a risk limit')
      .example('$0 demo --day 2030-12-24 --part auto-fix', 'The self-healing part on an early-close Christmas Eve'),
  run: async (args, ctx) => {
    // Checked before moto starts: a bad --day is a usage error, not a failed demo.
    const day = resolveReplayDay(args.day, ctx.now());
    const started = Date.now();
    const workDir = await mkdtemp(join(tmpdir(), 'ops-demo-'));
    // The demo narrates on stdout as it goes; with --json the narration moves to stderr.
    const print = (text: string) => (args.json ? ctx.stderr : ctx.stdout)(text + '\n');
    // The trading part runs handlers concurrently: moto with DynamoDB's per-item atomicity.
    const server = await startAtomicMotoServer({ killOnSignals: true });
    const results: DemoResult[] = [];
    let trading: TradingDemoResult | undefined;
    try {
      print(`ops demo: a local AWS (moto) on ${server.endpoint}; the clock is virtual, so a trading morning takes seconds.`);
      print(`Replaying ${day.description}${args.day === undefined ? ' (the next regular session; pick another with --day YYYY-MM-DD)' : ''}.`);
      const modes: DemoMode[] = args.part === undefined ? ['manual-fix', 'auto-fix'] : args.part === 'trading' ? [] : [args.part];
      for (const mode of modes) {
        results.push(await replayIncident({ endpoint: server.endpoint, clockFile: server.clockFile, day }, mode, { ops: opsAgainst(server.endpoint, ctx), print, workDir }));
      }
      if (args.part === undefined || args.part === 'trading') trading = await runTradingPart({ endpoint: server.endpoint, day }, { ops: opsAgainst(server.endpoint, ctx), print });
    } finally {
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    print(`\nDone in ${seconds.toFixed(1)} s of wall time; the sandbox is stopped.`);
    // Each incident part must have seen the fault, repaired it, and then seen a task start; the trading part must have
    // completed one workflow and stopped the other at its failure. The last line says so, with the exit code.
    const verdict = results.length > 0 ? demoVerdict(results) : undefined;
    const tradingOk = trading?.ok ?? true;
    if (verdict === undefined) print(`ops demo: exit ${tradingOk ? 0 : 1}: ${trading ? tradingVerdict(trading) : 'no part ran'}.`);
    else if (trading === undefined) print(verdict.line);
    // With the trading part there are three: "both parts" of the incident verdict means the incident's two.
    else if (tradingOk) print(`ops demo: ${tradingVerdict(trading)}.\n${verdict.line.replace('both parts', 'both incident parts')}`);
    else print(`${verdict.line.replace(/^ops demo: exit \d: /, 'ops demo: ')}\nops demo: exit 1: ${tradingVerdict(trading)}.`);
    const exitCode = (verdict?.exitCode ?? 0) === 0 && (trading?.ok ?? true) ? 0 : 1;
    return {
      exitCode,
      json: { ok: exitCode === 0, day: day.date, dayKind: day.kind, seconds, parts: results, ...(trading !== undefined ? { trading } : {}) },
      text: '',
    };
  },
});

/** Runs `ops` in-process against the sandbox, as of a virtual instant, capturing its output. */
export function opsAgainst(endpoint: string, parent: CliContext) {
  return async (argv: string[], at: Date) => {
    // Loaded here, not at the top: main.ts registers this very command, so a static import is a cycle.
    const { main } = await import('../main.ts');
    let stdout = '';
    let stderr = '';
    const exitCode = await main(argv, {
      ...parent,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey },
      now: () => at,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      stdinIsTTY: false,
    });
    return { exitCode, stdout, stderr };
  };
}
