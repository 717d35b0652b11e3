/**
 * The README stays true (issue 12, row 9): its console examples that need no sandbox print what they
 * claim, its links stay inside the repository, and its account of the incident matches the scenario.
 * The examples that need a sandbox run in test/e2e/readme-examples.test.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sandbox/scenario.ts';
import { runCli } from '../support/cli-harness.ts';
import { compareClaim, needsSandbox, opsArgv, README_PATH, readmeExamples, readmeText, shellWords } from '../support/readme-examples.ts';

const REPO = dirname(README_PATH);
const offline = readmeExamples().filter((block) => !needsSandbox(block));

describe('the README examples helper', () => {
  it('reads commands, comments, claimed lines and exit codes from a block', () => {
    const text = ['text', '```', '$ npx ops market-hours --at 2026-11-23T18:50:00Z   # exit 0', 'OPEN · closes 16:00 ET (in 2h 10m)', '', '$ npx ops schedule explain "cron(0 9 * * MON *)" > /dev/null', '```'].join('\n');
    expect(readmeExamples(text)).toEqual([
      {
        line: 2,
        commands: [
          { line: 3, command: 'npx ops market-hours --at 2026-11-23T18:50:00Z', comment: 'exit 0', words: ['npx', 'ops', 'market-hours', '--at', '2026-11-23T18:50:00Z'], claimed: ['OPEN · closes 16:00 ET (in 2h 10m)'], exitCode: 0 },
          { line: 6, command: 'npx ops schedule explain "cron(0 9 * * MON *)" > /dev/null', comment: '', words: ['npx', 'ops', 'schedule', 'explain', 'cron(0 9 * * MON *)'], claimed: [] },
        ],
      },
    ]);
    expect(shellWords(`ops x 'a b' "" c >/dev/null`)).toEqual(['ops', 'x', 'a b', '', 'c']);
  });

  it('compares claims: exact lines, … gaps, … inside a line, volatile ids and timings', () => {
    const printed = 'CRITICAL (12)\n  a\n  b\n  c\nRun evidence from: ecs 12.\n13 schedules · 12 critical · market OPEN\n';
    expect(compareClaim(['CRITICAL (12)', '  a', '  …', 'Run evidence from: ecs 12.', '13 schedules · 12 critical · …'], printed)).toBeUndefined();
    // The counts are compared exactly: a README that claims 17 fails.
    expect(compareClaim(['CRITICAL (17)', '…'], printed)).toMatch(/README claims \(line 1 of the example\) "CRITICAL \(17\)"/);
    expect(compareClaim(['CRITICAL (12)', '  b'], printed)).toMatch(/line 2/);
    expect(compareClaim(['…', 'Run evidence from: ledger 12.'], printed)).toBeDefined();
    expect(compareClaim(['Workflow wf-20261123T150000Z-1a2b3c4d (local)', '      +2 ms  Signal'], 'Workflow wf-20261204T193308Z-e0d35075 (local)\n     +11 ms  Signal\n')).toBeUndefined();
  });
});

describe('README examples that need no sandbox print what they claim', () => {
  it('there are some, and every command in them is an ops command', () => {
    expect(offline.length).toBeGreaterThanOrEqual(3);
    for (const block of offline) for (const command of block.commands) expect(opsArgv(command), `README line ${command.line}`).toBeDefined();
  });

  it.each(offline.flatMap((block) => block.commands.map((command) => [`line ${command.line}: ${command.command}`, command] as const)))('%s', async (_name, command) => {
    const run = await runCli(opsArgv(command) ?? [], { now: () => new Date() });
    expect(compareClaim(command.claimed, run.stdout + run.stderr), `README line ${command.line}`).toBeUndefined();
    if (command.exitCode !== undefined) expect(run.exitCode, `README line ${command.line}`).toBe(command.exitCode);
  });
});

describe('README links and facts', () => {
  it('every relative link and every backticked path that leaves the directory points inside the repository at a file that exists', () => {
    const text = readmeText();
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? '').filter((t) => !/^[a-z]+:/.test(t));
    const upward = [...text.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1] ?? '');
    for (const target of [...targets, ...upward]) {
      const path = resolve(REPO, target);
      expect(relative(REPO, path).startsWith('..'), `${target} leaves the repository`).toBe(false);
      expect(existsSync(path), `${target} does not exist`).toBe(true);
    }
    // In-page anchors name a heading that exists.
    const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[`]/g, '').replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const [, anchor] of text.matchAll(/\]\(#([^)]+)\)/g)) expect(headings.has(anchor ?? ''), `#${anchor}`).toBe(true);
  });

  it('the intro counts the incident the way the scenario seeds it: 12 ECS schedules on the missing cluster, 13 in all', async () => {
    const scenario = await loadScenario('incident-2026-01-29');
    const onMissing = scenario.schedules.filter((s) => s.target.kind === 'ecs' && s.target.cluster === 'ops-pipeline');
    expect(onMissing).toHaveLength(12);
    expect(scenario.schedules).toHaveLength(13);
    const intro = readmeText().split('\n## ')[0] ?? '';
    expect(intro.replace(/\s+/g, ' ')).toContain('twelve of the system\'s thirteen EventBridge Scheduler schedules, every one that starts an ECS task, pointed at an ECS cluster that did not exist');
    const lambda = scenario.schedules.filter((s) => s.target.kind !== 'ecs').map((s) => s.name);
    expect(lambda).toEqual(['trade-alert-checker']);
    expect(intro).toContain('`trade-alert-checker`');
  });
});
