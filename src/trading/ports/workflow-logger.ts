/**
 * The logging port of the workflow: one structured line per decision (skipped, failed, completed).
 * Powertools' Logger fits it in Lambda (src/entry/lambda/trading/powertools-logger.ts); the CLI writes JSON
 * lines to stderr; tests keep the lines in memory.
 */
export interface WorkflowLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

export class MemoryLogger implements WorkflowLogger {
  readonly lines: LogLine[] = [];

  info(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

export const silentLogger: WorkflowLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** One JSON object per line, e.g. to stderr. `now` stamps each line. */
export function jsonLinesLogger(write: (line: string) => void, now: () => Date): WorkflowLogger {
  const emit = (level: LogLine['level']) => (message: string, fields: Record<string, unknown> = {}) =>
    write(`${JSON.stringify({ level, timestamp: now().toISOString(), message, ...fields })}\n`);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
