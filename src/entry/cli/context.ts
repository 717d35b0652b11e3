/**
 * Everything a command may touch of the outside world, injected so the CLI can be tested
 * in-process with pinned output: streams, environment, TTY flags and the clock.
 */
export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Asks a yes/no question on the terminal; only called when stdin and stderr are TTYs. */
  confirm: (question: string) => Promise<boolean>;
  /** Resolves when the user interrupts (Ctrl-C / SIGTERM); long-running commands await it. */
  interrupted: () => Promise<string>;
  cwd: string;
  /**
   * Prints a document now, before `run` returns, for commands that keep running once ready
   * (`ops sandbox up` prints its endpoint, then waits for Ctrl-C). The shell provides it; with
   * --json the announced document is the only one printed. Optional so hand-built test contexts
   * need not supply it.
   */
  announce?: (early: Pick<CommandOutcome, 'json' | 'text'>) => void;
}

/** What a command hands back; the shell prints it and turns it into the exit code. */
export interface CommandOutcome {
  /**
   * 0 healthy / done, 1 findings or failed items. Usage and fault codes usually come from thrown
   * errors; a command returns 2 or 3 itself only when its document must still be printed (a blind
   * healthcheck has published its metrics and alert, and says so).
   */
  exitCode: ExitCode;
  /** The single JSON document printed with --json. */
  json: unknown;
  /** The human rendering printed without --json (a trailing newline is added when missing). */
  text: string;
}

export const ExitCode = { ok: 0, findings: 1, usage: 2, fault: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
