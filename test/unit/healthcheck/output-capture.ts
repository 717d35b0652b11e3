/**
 * Captures what Powertools writes (EMF documents and JSON log lines) and parses it. Powertools builds
 * its own Console over process.stdout and process.stderr (warnings and errors go to stderr), so
 * spying on both streams' write sees it all, in order.
 */
import { vi, type MockInstance } from 'vitest';

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

export interface OutputCapture {
  lines(): Record<string, unknown>[];
  emf(): EmfDocument[];
  logs(): Record<string, unknown>[];
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies: MockInstance[] = [vi.spyOn(process.stdout, 'write').mockImplementation(record), vi.spyOn(process.stderr, 'write').mockImplementation(record)];
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    emf: () => lines().filter((l): l is EmfDocument => typeof l._aws === 'object'),
    logs: () => lines().filter((l) => typeof l._aws !== 'object'),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** metric name → [value, dimension names, namespace] over every EMF document. */
export function emfMetrics(docs: readonly EmfDocument[]): { name: string; value: unknown; dimensions: Record<string, string>; dimensionNames: string[][]; namespace: string; unit: string }[] {
  return docs.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((m) => ({
        name: m.Name,
        unit: m.Unit,
        value: doc[m.Name],
        namespace: directive.Namespace,
        dimensionNames: directive.Dimensions,
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((d) => [d, typeof doc[d] === 'string' ? doc[d] : JSON.stringify(doc[d])])),
      })),
    ),
  );
}
