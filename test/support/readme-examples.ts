/**
 * The README's console examples, as data the tests run: every fenced block with `$ ` lines is an
 * example. Each `$ command  # comment` is followed by the output it claims, up to the next `$ ` line.
 *
 * How a claim is compared with what the command printed (stdout, then stderr):
 * - lines match in order, one for one, from the first line printed; lines printed after the last
 *   claimed one are allowed (an example may stop early);
 * - a claimed line that is only `…` skips any number of printed lines;
 * - `…` inside a line matches any text there (a port, a seed instant);
 * - ids and timings that differ on every run (`wf-…` workflow ids, `+12 ms`) are normalised on both sides;
 * - `exit N` in the comment is the exit code the command must return.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const README_PATH = resolve(import.meta.dirname, '../../README.md');

export interface ExampleCommand {
  /** 1-based line in the README. */
  line: number;
  /** The command as written, without `$ ` and the comment. */
  command: string;
  comment: string;
  /** Shell words, quotes removed; a `> /dev/null` redirection is dropped. */
  words: string[];
  /** What it claims to print. */
  claimed: string[];
  /** From `exit N` in the comment. */
  exitCode?: number;
}

export interface ExampleBlock {
  line: number;
  commands: ExampleCommand[];
}

export function readmeText(): string {
  return readFileSync(README_PATH, 'utf8');
}

export function readmeExamples(text: string = readmeText()): ExampleBlock[] {
  const lines = text.split('\n');
  const blocks: ExampleBlock[] = [];
  let fence: { line: number; indent: string; body: { text: string; line: number }[] } | undefined;
  lines.forEach((raw, index) => {
    const opening = /^(\s*)```/.exec(raw);
    if (fence === undefined) {
      if (opening) fence = { line: index + 1, indent: opening[1] ?? '', body: [] };
      return;
    }
    if (opening) {
      const block = exampleBlock(fence.line, fence.body);
      if (block) blocks.push(block);
      fence = undefined;
      return;
    }
    fence.body.push({ text: raw.startsWith(fence.indent) ? raw.slice(fence.indent.length) : raw, line: index + 1 });
  });
  return blocks;
}

function exampleBlock(line: number, body: { text: string; line: number }[]): ExampleBlock | undefined {
  const commands: ExampleCommand[] = [];
  for (const { text, line: at } of body) {
    if (text.startsWith('$ ')) {
      const match = /^\$ (.*?)(?:\s{2,}#\s?(.*))?$/.exec(text);
      const command = (match?.[1] ?? '').trim();
      const comment = match?.[2] ?? '';
      const exit = /\bexit (\d)\b/.exec(comment);
      commands.push({ line: at, command, comment, words: shellWords(command), claimed: [], ...(exit ? { exitCode: Number(exit[1]) } : {}) });
    } else if (commands.length > 0) commands.at(-1)?.claimed.push(text);
  }
  if (commands.length === 0) return undefined;
  for (const command of commands) while (command.claimed.length > 0 && command.claimed.at(-1)?.trim() === '') command.claimed.pop();
  return { line, commands };
}

/** `ops schedule explain "cron(0 9 * * MON *)" > /dev/null` → ['ops', 'schedule', 'explain', 'cron(0 9 * * MON *)']. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  for (const char of command) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started || word !== '') words.push(word);
      word = '';
      started = false;
    } else word += char;
  }
  if (quote !== undefined) throw new Error(`unterminated quote in README command: ${command}`);
  if (started || word !== '') words.push(word);
  const redirect = words.findIndex((w) => w === '>' || w.startsWith('>'));
  return redirect < 0 ? words : words.slice(0, redirect);
}

/** Ids and timings that differ on every run. */
export function normalise(line: string): string {
  return line
    .trimEnd()
    .replace(/wf-\d{8}T\d{6}Z-[0-9a-f]{8}/g, 'wf-<id>')
    .replace(/^\s*\+\d+ ms/, '+<t> ms')
    .replace(/· \d+ ms$/, '· <t> ms');
}

function lineMatches(claimed: string, actual: string): boolean {
  const want = normalise(claimed);
  const got = normalise(actual);
  if (!want.includes('…')) return want === got;
  const pattern = want
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(got);
}

/** undefined when `printed` shows what `claimed` says, else what did not match. */
export function compareClaim(claimed: readonly string[], printed: string): string | undefined {
  const actual = printed.replace(/\n$/, '').split('\n');
  if (shows(claimed, actual)) return undefined;
  // Say where it went wrong: the first claimed line the output cannot follow.
  let shown = 0;
  while (shown < claimed.length && shows(claimed.slice(0, shown + 1), actual)) shown++;
  return `README claims (line ${shown + 1} of the example) "${claimed[shown] ?? ''}", which the output does not show there.\n--- printed ---\n${printed}`;
}

/** Whether `actual` starts with what `claimed` says (lines after the claim are allowed). */
function shows(claimed: readonly string[], actual: readonly string[]): boolean {
  // Backtracking over `…` gaps: the claimed line after a gap may match any later printed line.
  const match = (c: number, a: number): boolean => {
    if (c === claimed.length) return true;
    const want = claimed[c] ?? '';
    if (want.trim() === '…') {
      for (let next = a; next <= actual.length; next++) if (match(c + 1, next)) return true;
      return false;
    }
    return a < actual.length && lineMatches(want, actual[a] ?? '') && match(c + 1, a + 1);
  };
  return match(0, 0);
}

/** `npx ops …` → the argv of `ops`; undefined for any other program. */
export function opsArgv(command: ExampleCommand): string[] | undefined {
  const [first, second, ...rest] = command.words;
  if (first === 'npx' && second === 'ops') return rest;
  if (first === 'ops') return [second ?? '', ...rest].filter((w) => w !== '');
  return undefined;
}

/** Blocks that start a sandbox (or talk to AWS) run in the e2e project; the rest in the unit project. */
export function needsSandbox(block: ExampleBlock): boolean {
  return block.commands.some((c) => {
    const argv = opsArgv(c);
    return argv === undefined || (argv[0] === 'sandbox' && argv[1] === 'up');
  });
}
