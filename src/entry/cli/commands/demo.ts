import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayIncident, type DemoMode, type DemoResult } from '../../demo/incident-replay.ts';
import { demoVerdict } from '../../demo/narration.ts';
import { runTradingPart, tradingVerdict, type TradingDemoResult } from '../../demo/trading-part.ts';
import { replayBadWrite, type BadWriteMode, type BadWriteResult } from '../../demo/bad-write-part.ts';
import { startAtomicMotoServer } from '../../../sandbox/trading/atomic-moto.ts';
import { resolveReplayDay } from '../../../sandbox/replay-day.ts';
import { SANDBOX_CREDENTIALS } from '../../../aws/clients.ts';
import { defineCommand } from '../command.ts';
import { startDemoStatus, type DemoStatus } from '../../demo/demo-status.ts';
import { SandboxTradingNames } from '../../../sandbox/trading/names.ts';
import type { CliContext } from '../context.ts';

interface Args {
  part?: 'manual-fix' | 'auto-fix' | 'bad-write' | 'trading';
  day?: string;
}

export const demoCommand = defineCommand<Args>({
  command: 'demo',
  describe:
    'Replay the 2026-01-29 incident on a local sandbox (detection, alert email, repair, recovery), catch a bad deploy at the write (change-driven checks), then run the trading workflow through every step (needs no AWS account)',
  builder: (y) =>
    y
      .option('part', { choices: ['manual-fix', 'auto-fix', 'bad-write', 'trading'] as const, describe: 'Run only one part (default: all four)' })
      .option('day', {
        type: 'string',
        describe: 'New York date to replay from 09:30, YYYY-MM-DD: a regular session, an early close, a holiday or a weekend day (default: the next regular NYSE session on or after today)',
      })
      .example('$0 demo', 'All four parts, on the next regular trading day')
      .example('$0 demo --part bad-write', 'A deploy writes a missing cluster into 12 schedules: repaired before the next fire; then the same without auto-fix')
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
    const badWrites: BadWriteResult[] = [];
    let status: DemoStatus | undefined;
    try {
      print(`ops demo: a local AWS (moto) on ${server.endpoint}; the clock is virtual, so a trading morning takes seconds.`);
      status = await startDemoStatus({ endpoint: server.endpoint, region: DEMO_REGION, auditLog: join(workDir, 'manual-fix-audit.jsonl'), start: day.open });
      print(`Status page, live while the demo runs: ${status.url} (runs heatmap, findings, repairs, workflows on the demo's clock).`);
      print(`Replaying ${day.description}${args.day === undefined ? ' (the next regular session; pick another with --day YYYY-MM-DD)' : ''}.`);
      const modes: DemoMode[] = args.part === undefined ? ['manual-fix', 'auto-fix'] : args.part === 'manual-fix' || args.part === 'auto-fix' ? [args.part] : [];
      const ops = status.follow(opsAgainst(server.endpoint, ctx));
      for (const mode of modes) {
        results.push(await replayIncident({ endpoint: server.endpoint, clockFile: server.clockFile, day }, mode, { ops, print, workDir }));
      }
      if (args.part === undefined || args.part === 'bad-write') {
        for (const mode of ['auto-fix', 'alert-only'] as BadWriteMode[]) {
          badWrites.push(await replayBadWrite({ endpoint: server.endpoint, clockFile: server.clockFile, day }, mode, { print, workDir, random: Math.random }));
        }
      }
      if (args.part === undefined || args.part === 'trading') {
        status.showWorkflows(SandboxTradingNames.workflowTable);
        trading = await runTradingPart({ endpoint: server.endpoint, day }, { ops, print });
      }
    } finally {
      await status?.close();
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    print(`\nDone in ${seconds.toFixed(1)} s of wall time; the sandbox is stopped.`);
    // Each part says whether it kept its promise; the last line carries the exit code.
    const verdict = closingLines(results, badWrites, trading);
    print(verdict.lines.join('\n'));
    const exitCode = verdict.exitCode;
    return {
      exitCode,
      json: { ok: exitCode === 0, day: day.date, dayKind: day.kind, seconds, parts: results, badWrites, ...(trading !== undefined ? { trading } : {}) },
      text: '',
    };
  },
});

/**
 * One line per part that ran, then `ops demo: exit N: …`: the incident parts must each have seen the
 * fault, repaired it and then seen a task start; the bad-write parts must have kept their promise
 * (repaired before the next fire, or emailed before it, once); the trading part must have completed
 * one workflow and stopped the other at its failure.
 */
export function closingLines(incident: readonly DemoResult[], badWrites: readonly BadWriteResult[], trading: TradingDemoResult | undefined): { exitCode: 0 | 1; lines: string[] } {
  const lines: string[] = [];
  const failed: string[] = [];
  if (incident.length > 0) {
    const verdict = demoVerdict(incident);
    lines.push(verdict.line.replace(/^ops demo: exit \d: /, 'ops demo: incident: ').replace('both parts', 'both incident parts'));
    if (verdict.exitCode !== 0) failed.push('the incident replay');
  }
  for (const b of badWrites) {
    lines.push(`ops demo: bad write (${b.mode}): ${b.verdict}.`);
    if (!b.ok) failed.push(`the bad write (${b.mode})`);
  }
  if (trading !== undefined) {
    lines.push(`ops demo: trading: ${tradingVerdict(trading)}.`);
    if (!trading.ok) failed.push('the trading workflow');
  }
  if (lines.length === 0) return { exitCode: 1, lines: ['ops demo: exit 1: no part ran.'] };
  lines.push(failed.length === 0 ? `ops demo: exit 0: every part did what it promised.` : `ops demo: exit 1: ${failed.join(', ')} did not do what it promised.`);
  return { exitCode: failed.length === 0 ? 0 : 1, lines };
}

/** The region every demo scenario is seeded in. */
const DEMO_REGION = 'us-west-2';

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
      env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: DEMO_REGION, AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey },
      now: () => at,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      stdinIsTTY: false,
    });
    return { exitCode, stdout, stderr };
  };
}
