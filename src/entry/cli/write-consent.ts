/**
 * The one gate every writing command passes before its first write: dry-run, refusal without a
 * terminal, the --max-changes guard, and the question at a terminal. `--fix` and `rollback` share it
 * so the rules cannot drift apart.
 */
import { changeLimitRefusal } from '../../remediate/change-limit.ts';
import { ApplyMode, decideMode, REFUSAL_HINT, refusalMessage } from '../../remediate/consent.ts';
import { UserError } from '../../errors.ts';
import type { CliContext, CommandOutcome } from './context.ts';

export interface ConsentRequest<D> {
  args: { dryRun: boolean; yes: boolean; json: boolean };
  ctx: CliContext;
  /** How the refusal names the command, e.g. `ops rollback`. */
  command: string;
  /** Everything the person should read before writes: shown before a question or a refusal. */
  preview: string;
  /** What goes to stderr before the question when stdout must keep its one JSON document. */
  stderrPreview: string;
  document: (mode: 'refused' | 'declined', extra?: { refused: { reason: string; hint: string } }) => D;
  /** `requested`: --dry-run; `unattended`: no --yes and no terminal, with `unattended: 'dry-run'`. */
  dryRun: (reason: DryRunReason) => CommandOutcome;
  /**
   * Without --yes and without a terminal: refuse with exit 2 (the default, for `--fix`, where asking
   * to write and not writing must not look like success), or show the plan as a dry run (`rollback`,
   * whose bare form is documented as the way to look first).
   */
  unattended?: 'refuse' | 'dry-run';
  writes: number;
  maxChanges: number;
  /** Noun for the --max-changes message (`change`, `rollback`). */
  what?: string;
  question: string;
  declined: string;
}

export type DryRunReason = 'requested' | 'unattended';

export type Consent = { granted: true; prefix: string } | { granted: false; outcome: CommandOutcome };

export async function obtainConsent<D>(request: ConsentRequest<D>): Promise<Consent> {
  const { args, ctx } = request;
  const mode = decideMode({ dryRun: args.dryRun, yes: args.yes, stdinIsTTY: ctx.stdinIsTTY, stderrIsTTY: ctx.stderrIsTTY });
  // Shows the plan now, before a question or a refusal; with --json the early document is the only one.
  const showEarly = (doc: D): void => {
    if (ctx.announce) ctx.announce({ json: doc, text: request.preview });
    else ctx.stderr(request.preview + '\n');
  };
  switch (mode) {
    case ApplyMode.dryRun:
      return { granted: false, outcome: request.dryRun('requested') };
    case ApplyMode.refuse: {
      if (request.unattended === 'dry-run') return { granted: false, outcome: request.dryRun('unattended') };
      const reason = refusalMessage(request.command);
      showEarly(request.document('refused', { refused: { reason, hint: REFUSAL_HINT } }));
      throw new UserError('CONFIRMATION_REQUIRED', reason, REFUSAL_HINT);
    }
    case ApplyMode.confirm:
    case ApplyMode.apply:
      break;
    default: {
      const never: never = mode;
      throw new Error(`unhandled mode ${String(never)}`);
    }
  }
  const tooMany = changeLimitRefusal(request.writes, request.maxChanges, request.what);
  if (tooMany !== undefined) {
    showEarly(request.document('refused', { refused: { reason: tooMany.message, hint: tooMany.hint } }));
    throw tooMany;
  }
  let prefix = `${request.preview}\n`;
  if (mode === ApplyMode.confirm) {
    // The plan goes to the terminal before the question; with --json, stdout keeps its one document.
    if (args.json || !ctx.announce) ctx.stderr(`${request.stderrPreview}\n`);
    else {
      ctx.announce({ json: null, text: request.preview });
      prefix = '';
    }
    if (!(await ctx.confirm(request.question))) {
      return { granted: false, outcome: { exitCode: 1, json: request.document('declined'), text: `${prefix}${request.declined}` } };
    }
  }
  return { granted: true, prefix };
}

/** `--fix`'s consent, for one account or an org: the report and plan as the preview, and the same words around it. */
export function fixConsent<D>(
  request: Pick<ConsentRequest<D>, 'args' | 'ctx' | 'writes' | 'maxChanges' | 'question'> & {
    reportText: string;
    planText: string;
    dryRunExit: 0 | 1;
    /** The command's document in a mode the gate ends in, dry-run included. */
    document: (mode: 'refused' | 'declined' | 'dry-run', extra?: { refused: { reason: string; hint: string } }) => D;
  },
): Promise<Consent> {
  const { reportText, planText, dryRunExit, document } = request;
  return obtainConsent({
    args: request.args,
    ctx: request.ctx,
    command: 'ops check-schedulers --fix',
    preview: `${reportText}\n\n${planText}`,
    stderrPreview: planText,
    document,
    dryRun: () => ({ exitCode: dryRunExit, json: document('dry-run'), text: `${reportText}\n\n${planText}\nDry run: nothing was written. Apply with --yes (or without --dry-run at a terminal).` }),
    writes: request.writes,
    maxChanges: request.maxChanges,
    question: request.question,
    declined: 'Not applied: declined. Nothing was written.',
  });
}
