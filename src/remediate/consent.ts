/**
 * Whether a run may write, decided once, before anything else happens. Pure: the CLI passes in its
 * flags and terminal state; no action ever asks again.
 *
 * - `--dry-run` never writes, even with `--yes`.
 * - `--yes` writes.
 * - Otherwise, with a person at a terminal (stdin and stderr are TTYs), ask them.
 * - Otherwise refuse: a pipe or a cron job cannot be asked, and silence must not mean yes.
 */
export const ApplyMode = { dryRun: 'dry-run', apply: 'apply', confirm: 'confirm', refuse: 'refuse' } as const;
export type ApplyMode = (typeof ApplyMode)[keyof typeof ApplyMode];

export interface ConsentFlags {
  dryRun: boolean;
  yes: boolean;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
}

export function decideMode(flags: ConsentFlags): ApplyMode {
  if (flags.dryRun) return ApplyMode.dryRun;
  if (flags.yes) return ApplyMode.apply;
  if (flags.stdinIsTTY && flags.stderrIsTTY) return ApplyMode.confirm;
  return ApplyMode.refuse;
}

export const REFUSAL_HINT = 'Read the plan above, then re-run with --yes to apply it, or with --dry-run to only show it.';

export function refusalMessage(command: string): string {
  return `Not applied: ${command} writes only with --yes or after a confirmation at a terminal, and stdin/stderr is not a terminal, so there is no one to ask.`;
}
