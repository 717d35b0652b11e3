import { FaultError, isOpsError, UserError } from '../../errors.ts';
import { ExitCode } from './context.ts';

export interface ErrorDocument {
  ok: false;
  error: { kind: 'usage' | 'user' | 'fault'; code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

/** Maps any thrown value to the exit code and the JSON/text shown to the user. */
export function describeError(error: unknown): { exitCode: ExitCode; doc: ErrorDocument; text: string } {
  if (error instanceof UserError) {
    return {
      exitCode: ExitCode.usage,
      doc: { ok: false, error: { kind: 'user', code: error.code, message: error.message, hint: error.hint, ...detailsOf(error) } },
      text: `error: ${error.message}\nhint: ${error.hint}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = isOpsError(error) ? error.code : 'UNEXPECTED';
  const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  const details = isOpsError(error) ? error.details() : undefined;
  // An outage with a known remedy says it; anything else is a bug report.
  const hint = error instanceof FaultError ? error.hint : undefined;
  return {
    exitCode: ExitCode.fault,
    doc: { ok: false, error: { kind: 'fault', code, message: message + cause, ...(hint !== undefined ? { hint } : {}), ...(details ? { details } : {}) } },
    text:
      hint !== undefined
        ? `fault [${code}]: ${message}${cause}\nhint: ${hint}`
        : `unexpected fault [${code}]: ${message}${cause}\nThis is a bug or an outage, not your input; please report it with the command you ran.`,
  };
}

export function usageError(message: string): { exitCode: ExitCode; doc: ErrorDocument; text: string } {
  return {
    exitCode: ExitCode.usage,
    doc: { ok: false, error: { kind: 'usage', code: 'USAGE', message, hint: 'Run the command with --help for its options.' } },
    text: `error: ${message}\nhint: run the command with --help for its options.`,
  };
}

function detailsOf(error: UserError): { details?: Record<string, unknown> } {
  const details = error.details();
  return details ? { details } : {};
}
