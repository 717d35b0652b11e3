/**
 * The direction of dependencies between the folders of src/, from the imports themselves: a new
 * cycle (say src/aws importing src/entry while src/entry imports src/aws) fails here even where the
 * lint patterns in eslint.config.js do not reach (a re-export, an `import()`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const SPECIFIER = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `checks` for src/checks/…, `(neutral)` for the modules directly in src/. */
function folderOf(path: string): string {
  const [first, second] = relative(SRC, path).split('/');
  return second === undefined ? '(neutral)' : (first ?? '(neutral)');
}

/** Folder → the folders it imports, each with one example import for the failure message. */
export function folderGraph(files: readonly string[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = normalize(join(dirname(file), match[1] ?? ''));
      if (!target.startsWith(SRC)) continue;
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  return graph;
}

/** Every cycle as a path of folders, found by depth-first search (the graph has a dozen nodes). */
export function cyclesOf(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const walk = (node: string, path: string[]) => {
    for (const next of graph.get(node)?.keys() ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = [...path.slice(at), next];
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
        continue;
      }
      walk(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) walk(node, [node]);
  return cycles;
}

const graph = folderGraph(sourceFiles(SRC));
const describeCycle = (cycle: string[]) => cycle.map((folder, i) => (i + 1 < cycle.length ? `${folder} (${graph.get(folder)?.get(cycle[i + 1] ?? '') ?? ''})` : folder)).join(' → ');

describe('architecture: src/ folders depend on each other one way', () => {
  it('has no cycle between folders', () => {
    expect(cyclesOf(graph).map(describeCycle)).toEqual([]);
  });

  it.each(['schedule', 'market', 'checks', 'remediate', 'alerts', 'ledger', 'healthcheck', 'trading', 'org'])('domain folder %s imports no adapter, sandbox or entry point', (folder) => {
    const edges = [...(graph.get(folder)?.entries() ?? [])].filter(([to]) => to === 'aws' || to === 'sandbox' || to === 'entry');
    expect(edges).toEqual([]);
  });

  it('the neutral modules in src/*.ts import no folder', () => {
    expect([...(graph.get('(neutral)')?.entries() ?? [])]).toEqual([]);
  });

  it('src/aws imports neither the sandbox nor an entry point', () => {
    expect([...(graph.get('aws')?.keys() ?? [])].filter((to) => to === 'sandbox' || to === 'entry')).toEqual([]);
  });

  it('imports zod as a namespace (`import * as z`), so bundles keep only the zod they use', () => {
    const named = sourceFiles(SRC).filter((file) => /^import \{ z \} from 'zod';$/m.test(readFileSync(file, 'utf8')));
    expect(named.map((file) => relative(SRC, file))).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const withCycle = new Map([
      ['aws', new Map([['trading', 'aws/x.ts → trading/y.ts']])],
      ['trading', new Map([['aws', 'trading/y.ts → aws/x.ts']])],
    ]);
    expect(cyclesOf(withCycle)).toEqual([['aws', 'trading', 'aws']]);
  });
});
