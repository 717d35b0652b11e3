/**
 * The status page in a real browser on the incident scenario: `ops status serve` (the CLI, in
 * process) against the sandbox, read by headless Chromium.
 *
 * Virtual time: seeded at 17:52Z on the incident day, fired to 18:33Z (every broken schedule has
 * missed at least one fire, counting flexible windows and 2 minutes' grace: the 6-hourly
 * ticker-discovery's 18:00 fire, with its 30-minute window, is missed from 18:32), repaired with
 * `ops check-schedulers --fix --yes`, fired on to 00:35Z (ticker-discovery's next fire is 00:00, run
 * within its window).
 * The open page refreshes itself in place and shows those runs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/aws/clients.ts';
import { ensureWorkflowTable, DynamoWorkflowStore } from '../../src/aws/workflow-store.ts';
import type { CliContext } from '../../src/entry/cli/context.ts';
import { main } from '../../src/entry/cli/main.ts';
import { runLocalWorkflow, type LocalRunResult } from '../../src/entry/wiring/local-workflow.ts';
import { seededSandbox, type SeededSandbox } from '../e2e/sandbox-harness.ts';
import { runCli } from '../support/cli-harness.ts';
import { axeViolations, launchChromium, screenshot, SCREENSHOT_DIR } from './support/chromium.ts';

const SEEDED_AT = new Date('2026-01-29T17:52:00Z');
const FIRST_LOOK = new Date('2026-01-29T18:33:00Z');
const AFTER_REPAIR = new Date('2026-01-30T00:35:00Z');
const WORKFLOW_TABLE = 'ops-status-workflows';

interface Served {
  url: string;
  stop: () => Promise<number>;
}

describe('the status page in Chromium, on the incident scenario', () => {
  let sb: SeededSandbox;
  let dir: string;
  let browser: Browser;
  let served: Served;
  let page: Page;
  let env: NodeJS.ProcessEnv;
  let broken: string[];
  let workflow: LocalRunResult;
  const files = () => ({ audit: join(dir, 'audit.jsonl'), backups: join(dir, 'backups') });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-status-'));
    sb = await seededSandbox('incident-2026-01-29', SEEDED_AT);
    env = { AWS_ENDPOINT_URL: sb.endpoint, AWS_REGION: sb.scenario.region, AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey, WORKFLOW_TABLE };
    broken = sb.scenario.schedules.filter((s) => s.plantedFault === 'TARGET_CLUSTER_NOT_FOUND').map((s) => `${s.group}/${s.name}`);
    await sb.firer.advanceTo(FIRST_LOOK);
    await ensureWorkflowTable(sb.clients.dynamodb, WORKFLOW_TABLE);
    workflow = await runLocalWorkflow({ clock: { now: () => sb.clock.now() }, store: new DynamoWorkflowStore({ client: sb.clients.dynamodb, tableName: WORKFLOW_TABLE }) });
    served = await serve(['status', 'serve', '--port', '0', '--refresh', '2', '--hours', '8', '--audit-log', files().audit], env, () => sb.clock.now());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', (route) => (route.request().url().startsWith(served.url) ? route.continue() : route.abort()));
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a missed cell and no ran cell for each of the 12 broken schedules after their first fire', async () => {
    expect(broken).toHaveLength(12);
    const rows = await heatmapRows(page);
    for (const id of broken) {
      expect(rows.get(id), id).toBeDefined();
      expect(rows.get(id)?.filter((c) => c === 'missed').length, id).toBeGreaterThan(0);
      expect(rows.get(id)?.includes('ran'), id).toBe(false);
    }
    // The healthy Lambda schedule leaves no run evidence: its fires are unverifiable, never missed.
    const lambda = rows.get('ops-pipeline-market/trade-alert-checker') ?? [];
    expect(lambda.filter((c) => c !== 'not-due').every((c) => c === 'unverifiable') && lambda.includes('unverifiable')).toBe(true);
  });

  it('lists exactly the findings `ops check-schedulers --json` reports at the same instant', async () => {
    const cli = await runCli(['check-schedulers', '--json'], { env, now: () => sb.clock.now() });
    const report = cli.json() as { findings: { code: string; schedule?: { group: string; name: string }; group?: string }[] };
    const expected = report.findings.map((f) => `${f.code} ${f.schedule ? `${f.schedule.group}/${f.schedule.name}` : f.group ? `group ${f.group}` : '(whole check)'}`).sort();
    const shown = await page.$$eval('li.finding', (items) => items.map((li) => `${li.getAttribute('data-code') ?? ''} ${li.getAttribute('data-subject') ?? ''}`));
    expect(shown.sort()).toEqual(expected);
    expect(expected.filter((f) => f.startsWith('TARGET_CLUSTER_NOT_FOUND'))).toHaveLength(12);
    // The runbook is rendered, not linked: its "Fix" heading is on the page.
    expect(await page.locator('#runbook-TARGET_CLUSTER_NOT_FOUND .md h6').allTextContents()).toContain('Fix');
  });

  it('shows the workflow timeline with every event the run published', async () => {
    const ids = new Set(workflow.timeline.map((e) => e.eventId));
    const item = page.locator(`details[data-correlation-id="${workflow.correlationId}"]`);
    await expect.poll(() => item.count()).toBe(1);
    const events = await item.locator('ol.wf-events > li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-id')));
    expect(new Set(events)).toEqual(ids);
    expect(events).toHaveLength(ids.size);
  });

  it('has no serious or critical accessibility violations (axe-core), and fits a 390 px screen', async () => {
    const serious = (await axeViolations(browser, served.url, { width: 1280, height: 900 })).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious).toEqual([]);
    await screenshot(page, 'incident-before-repair-1280');
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await narrow.route('**/*', (route) => (route.request().url().startsWith(served.url) ? route.continue() : route.abort()));
    await narrow.goto(served.url);
    // The heatmap scrolls inside its own box; the page itself never scrolls sideways.
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect((await axeViolations(browser, served.url, { width: 390, height: 844 })).filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await screenshot(narrow, 'incident-before-repair-390');
    await narrow.close();
  });

  it('after `--fix`, refreshes in place to ran cells for all 12 and the repairs with their undo commands', async () => {
    const fix = await runCli(['check-schedulers', '--fix', '--yes', '--audit-log', files().audit, '--backup-dir', files().backups], { env, now: () => sb.clock.now() });
    expect(fix.exitCode, fix.stdout + fix.stderr).toBeLessThanOrEqual(1);
    await sb.firer.advanceTo(AFTER_REPAIR);
    await page.evaluate(() => ((window as unknown as { loadedOnce: string }).loadedOnce = 'still here'));
    const before = Number((await page.evaluate(() => document.documentElement.dataset.refreshes)) ?? 0);
    await page.waitForFunction((n) => Number(document.documentElement.dataset.refreshes ?? 0) > n + 1, before, { timeout: 30_000 });
    // No reload: the marker set on the old page is still there.
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: string }).loadedOnce)).toBe('still here');

    const rows = await heatmapRows(page);
    for (const id of broken) {
      const cells = rows.get(id) ?? [];
      const due = cells.filter((c) => c !== 'not-due');
      const firstRan = due.indexOf('ran');
      // Missed before the repair, and from its first run on every fire ran (or is still in its window).
      expect(firstRan, `${id}: ${cells.join(' ')}`).toBeGreaterThan(0);
      expect(due.slice(0, firstRan).some((c) => c === 'missed' || c === 'partial'), `${id}: ${cells.join(' ')}`).toBe(true);
      expect(due.slice(firstRan).every((c) => c === 'ran' || c === 'pending'), `${id}: ${cells.join(' ')}`).toBe(true);
    }

    const audit = (await readFile(files().audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { entryId: string; phase: string });
    const entryIds = [...new Set(audit.map((e) => e.entryId))].sort();
    const undo = await page.$$eval('#repairs tbody tr', (trs) => trs.map((tr) => tr.querySelector('td.undo code')?.textContent ?? ''));
    expect(undo).toHaveLength(12);
    expect(undo.map((c) => /rollback (\S+)/.exec(c)?.[1]).sort()).toEqual(entryIds);
    await screenshot(page, 'incident-after-repair-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'incident-after-repair-390');
    // The repair history on a phone: each write a stacked card with its undo command.
    await page.locator('#repairs').screenshot({ path: `${SCREENSHOT_DIR}/incident-after-repair-390-repairs.png` });
  });

  it('exports one file that opens with no network and no script', async () => {
    const out = join(dir, 'report.html');
    const exported = await runCli(['status', 'export', '--out', out, '--hours', '8', '--audit-log', files().audit, '--json'], { env, now: () => sb.clock.now() });
    expect(exported.exitCode, exported.stdout + exported.stderr).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    const offline = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    await offline.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url() === pathToFileURL(out).href ? route.continue() : route.abort();
    });
    await offline.goto(pathToFileURL(out).href);
    expect(requests).toEqual([pathToFileURL(out).href]);
    const rows = await heatmapRows(offline);
    for (const id of broken) expect(rows.get(id)?.at(-1) === 'ran' || rows.get(id)?.includes('ran'), id).toBe(true);
    await offline.close();
  });
});

/** Each heatmap row's cell states, by schedule id (row header). */
async function heatmapRows(page: Page): Promise<Map<string, string[]>> {
  const rows = await page.$$eval('table.heatmap tbody tr', (trs) =>
    trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', Array.from(tr.querySelectorAll('td.cell'), (td) => td.classList.item(1) ?? '')] as const),
  );
  return new Map(rows.map(([id, cells]) => [id, [...cells]]));
}

/** `ops <argv>` in process until stopped; resolves once the URL is announced. */
async function serve(argv: string[], env: NodeJS.ProcessEnv, now: () => Date): Promise<Served> {
  let stdout = '';
  let stderr = '';
  let stop: (signal: string) => void = () => undefined;
  const interrupted = new Promise<string>((resolveStop) => (stop = resolveStop));
  let announced: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolveUrl) => (announced = resolveUrl));
  const ctx: CliContext = {
    stdout: (text) => {
      stdout += text;
      const match = /Status page: (\S+)/.exec(stdout);
      if (match?.[1]) announced(match[1]);
    },
    stderr: (text) => void (stderr += text),
    env,
    now,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    cwd: process.cwd(),
    confirm: () => Promise.resolve(false),
    interrupted: () => interrupted,
  };
  const exited = main(argv, ctx);
  const first = await Promise.race([url, exited.then((code) => Promise.reject(new Error(`ops status serve exited ${code}: ${stdout}${stderr}`)))]);
  return {
    url: first,
    stop: async () => {
      stop('SIGTERM');
      return exited;
    },
  };
}
