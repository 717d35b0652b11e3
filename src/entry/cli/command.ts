import type { Argv } from 'yargs';
import type { CliContext, CommandOutcome } from './context.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  json: boolean;
}

/**
 * A CLI command: yargs wiring plus a run function over library code. `run` never prints to stdout
 * itself (the shell prints the outcome once); progress and logs go to ctx.stderr.
 */
export interface OpsCommand<A = Record<string, unknown>> {
  command: string | readonly string[];
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: A & GlobalOptions, ctx: CliContext) => Promise<CommandOutcome>;
}

/** A command that only groups subcommands (`ops schedule explain`, `ops sandbox up`). */
export interface OpsGroup {
  command: string;
  describe: string;
  subcommands: readonly (OpsCommand<never> | OpsGroup)[];
}

export function defineCommand<A>(command: OpsCommand<A>): OpsCommand<never> {
  // Erase the argument type: yargs hands every command an untyped argv, and each run() declares its own.
  return command;
}
