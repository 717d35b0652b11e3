/**
 * Headless Chromium from the system (Debian's `chromium`), driven by playwright-core, which ships no
 * browser and downloads none. axe-core is injected from node_modules, so no test touches a network.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(`No Chromium found (looked for ${CANDIDATES.join(', ')}). Install Debian's: apt-get install -y chromium (scripts/ensure-chromium.sh does it), or set CHROMIUM_PATH.`);
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * The served page's CSP (rightly) refuses axe's injected script, so axe audits the same URL in its
 * own page with bypassCSP; the pages under test keep their CSP, so the live script's hash is tested.
 */
export async function axeViolations(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<AxeViolation[]> {
  const page = await browser.newPage({ viewport, bypassCSP: true });
  try {
    await page.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));
    await page.goto(url);
    return await audit(page);
  } finally {
    await page.close();
  }
}

async function audit(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** Screenshots go to test-results/ (git-ignored), for a person to look at after the run. */
export const SCREENSHOT_DIR = resolve('test-results/status-page');

/** The whole page as `<name>.png`, and what the first screen shows as `<name>-screen.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = resolve(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}-screen.png`) });
  return path;
}
