/**
 * Loads and validates sandbox scenarios. Scenarios are data (scenarios/<name>.yaml), validated with
 * zod on load so a typo fails with the field that is wrong instead of a half-seeded sandbox.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { scenarioSchema, type Scenario } from './scenario-schema.ts';

export { generateScenario, type GenerateScenarioOptions } from './scenario-generator.ts';
export { MARKET_CRITICAL_TAG, PlantedFault, scenarioSchema } from './scenario-schema.ts';
export type { Scenario, ScenarioEcsTarget, ScenarioInput, ScenarioSchedule, ScenarioTarget } from './scenario-schema.ts';

/** scenarios/ at the repository root (this file is src/sandbox/scenario.ts). */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export async function listScenarioNames(dir: string = SCENARIOS_DIR): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((file) => extname(file) === '.yaml').map((file) => basename(file, '.yaml')).sort();
}

/**
 * A scenario by name (`incident-2026-01-29` → scenarios/incident-2026-01-29.yaml) or by path to a
 * YAML file (anything with a slash or a .yaml/.yml extension, relative to `cwd`).
 */
export async function loadScenario(nameOrPath: string, options: { cwd?: string; dir?: string } = {}): Promise<Scenario> {
  const dir = options.dir ?? SCENARIOS_DIR;
  const isPath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath);
  const file = isPath ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(options.cwd ?? '.', nameOrPath)) : resolve(dir, `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const known = await listScenarioNames(dir);
    throw new UserError(
      'UNKNOWN_SCENARIO',
      isPath ? `Cannot read scenario file ${file}.` : `There is no scenario "${nameOrPath}".`,
      `Use one of: ${known.join(', ') || '(none found)'}, or a path to a scenario .yaml file.`,
      { cause },
    );
  }
  const scenario = parseScenario(text, file);
  if (!isPath && scenario.name !== nameOrPath) {
    throw new UserError('INVALID_SCENARIO', `Scenario ${file} is named "${scenario.name}", not "${nameOrPath}".`, 'Make the name: field match the file name.');
  }
  return scenario;
}

/** Parses YAML text and validates it; `source` names the file in error messages. */
export function parseScenario(text: string, source: string): Scenario {
  let data: unknown;
  try {
    // merge: YAML 1.1 `<<` keys, so scenario files can share a task definition template.
    data = parseYaml(text, { merge: true });
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos?.[0] ? ` at line ${cause.linePos[0].line}` : '';
    throw new UserError('INVALID_SCENARIO', `Scenario ${source} is not valid YAML${where}: ${(cause as Error).message.split('\n')[0]}`, 'Fix the YAML syntax.', { cause });
  }
  return validateScenario(data, source);
}

/** Validates already-parsed data (YAML, JSON or a generated object). */
export function validateScenario(data: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 20).map((issue) => `  - ${describePath(issue.path, data)}: ${issue.message}`);
  const more = result.error.issues.length > 20 ? [`  … and ${result.error.issues.length - 20} more`] : [];
  throw new UserError(
    'INVALID_SCENARIO',
    `Scenario ${source} is invalid:\n${[...lines, ...more].join('\n')}`,
    'Fix the fields named above; scenarios/README.md describes every field.',
    { cause: result.error },
  );
}

/**
 * `schedules.3.target.cluster` → `schedules[3] "ops-pipeline-dispatcher" target.cluster`: list items
 * are named when they have a name, because "schedule 3" means nothing to the person editing YAML.
 */
export function describePath(path: z.core.$ZodIssue['path'], data: unknown): string {
  if (path.length === 0) return '(scenario)';
  let node: unknown = data;
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      node = Array.isArray(node) ? (node as unknown[])[key] : undefined;
      const label = typeof node === 'object' && node !== null ? ((node as Record<string, unknown>).name ?? (node as Record<string, unknown>).family) : undefined;
      out += `[${key}]${typeof label === 'string' ? ` "${label}"` : ''}`;
    } else {
      const text = String(key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[text] : undefined;
      out += out === '' || out.endsWith('"') ? `${out === '' ? '' : ' '}${text}` : `.${text}`;
    }
  }
  return out;
}
