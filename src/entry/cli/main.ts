/**
 * The `ops` shell: parses arguments, runs one command, prints exactly one outcome and returns the
 * exit code. This is the only module that decides exit codes; bin/ops.mjs sets process.exitCode.
 */
import yargs, { type Argv } from 'yargs';
import type { OpsCommand, OpsGroup } from './command.ts';
import { commands } from './commands/index.ts';
import type { CliContext, CommandOutcome } from './context.ts';
import { ExitCode } from './context.ts';
import { processContext } from './process-context.ts';
import { describeError, usageError } from './render-error.ts';

class UsageFailure extends Error {}

export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const wantsJson = argv.includes('--json');
  let outcome: CommandOutcome | undefined;
  let helpText = '';
  // A long-running command (`ops sandbox up`) may print its document early; with --json that early
  // document is the one document, so nothing else goes to stdout afterwards.
  let announced = false;
  const shellCtx: CliContext = {
    ...ctx,
    announce: (early) => {
      announced = true;
      if (wantsJson) ctx.stdout(JSON.stringify(early.json, null, 2) + '\n');
      else if (early.text) ctx.stdout(early.text.endsWith('\n') ? early.text : early.text + '\n');
    },
  };

  const parser = yargs([...argv])
    .scriptName('ops')
    .usage('$0 <command> [options]\n\nKeeps the scheduled, event-driven trading system on AWS alive.')
    .option('json', { type: 'boolean', default: false, describe: 'Print exactly one JSON document on stdout' })
    .strict()
    .demandCommand(1, 'Name a command; `ops --help` lists them.')
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageFailure(message);
    });
  // At middleware time the parser holds the options of the command being run. getOptions() is public
  // yargs API that @types/yargs does not declare.
  const declared = parser as unknown as { getOptions(): { array: string[] } };
  parser.middleware((args) => rejectRepeated(args, declared.getOptions().array));

  for (const command of commands) register(parser, command, (result) => (outcome = result), shellCtx);

  try {
    await parser.parseAsync([...argv], {}, (_error: unknown, _parsed: unknown, output: string) => {
      helpText = output;
    });
  } catch (error) {
    const described = error instanceof UsageFailure ? usageError(error.message) : describeError(error);
    if (wantsJson && !announced) ctx.stdout(JSON.stringify(described.doc, null, 2) + '\n');
    else ctx.stderr(described.text + '\n');
    return described.exitCode;
  }

  if (outcome === undefined) {
    // --help (or a bare group) printed its usage text and ran nothing.
    if (helpText) ctx.stdout(helpText.endsWith('\n') ? helpText : helpText + '\n');
    return ExitCode.ok;
  }
  if (wantsJson) {
    if (!announced) ctx.stdout(JSON.stringify(outcome.json, null, 2) + '\n');
  } else if (outcome.text) ctx.stdout(outcome.text.endsWith('\n') ? outcome.text : outcome.text + '\n');
  return outcome.exitCode;
}

/**
 * yargs turns `--region a --region b` into an array, which every string option would then have to
 * expect; "last one wins" would silently drop one. Only options declared `array` may repeat.
 */
function rejectRepeated(args: Record<string, unknown>, arrays: readonly string[]): void {
  const repeatable = new Set(arrays.flatMap((name) => [name, name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]));
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === '$0' || repeatable.has(key) || !Array.isArray(value) || /[A-Z]/.test(key)) continue;
    throw new UsageFailure(`--${key} was given ${value.length} times; give it once.`);
  }
}

function register(parser: Argv, command: OpsCommand<never> | OpsGroup, setOutcome: (o: CommandOutcome) => void, ctx: CliContext): void {
  if ('subcommands' in command) {
    parser.command(
      command.command,
      command.describe,
      (group) => {
        for (const sub of command.subcommands) register(group, sub, setOutcome, ctx);
        return group.demandCommand(1, `Name a subcommand; \`ops ${String(command.command)} --help\` lists them.`);
      },
      () => undefined,
    );
    return;
  }
  parser.command(command.command, command.describe, command.builder, async (args) => {
    setOutcome(await command.run(args as never, ctx));
  });
}
