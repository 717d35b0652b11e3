/**
 * What runHealthcheck writes to besides AWS: a metric sink and a structured log. The Lambda backs them
 * with Powertools Metrics (EMF) and Logger (emf-sink.ts, lambda.ts); the CLI with a recorder and
 * stderr; tests with arrays.
 */
import type { MetricDatum } from './metric-contract.ts';

export interface MetricSink {
  add(datum: MetricDatum): void;
}

export type LogFields = Record<string, unknown>;

/** Powertools Logger fits through `powertoolsLog` (emf-sink.ts); messages are short, facts go in fields. */
export interface HealthLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface RecordingSink extends MetricSink {
  readonly data: MetricDatum[];
}

export function recordingSink(): RecordingSink {
  const data: MetricDatum[] = [];
  return { data, add: (datum) => void data.push(datum) };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

export interface RecordingLog extends HealthLog {
  readonly lines: LogLine[];
}

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, fields: LogFields = {}) => void lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLog: HealthLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
