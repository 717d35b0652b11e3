import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openerFor, openInBrowser } from '../../../../src/entry/status/open-browser.ts';

const URL_ = 'http://127.0.0.1:8787/';

describe('openerFor', () => {
  it.each([
    ['darwin', 'open', [URL_]],
    // `start` takes its first quoted argument as the window title, so an empty one comes first.
    ['win32', 'cmd', ['/c', 'start', '""', URL_]],
    ['linux', 'xdg-open', [URL_]],
    ['freebsd', 'xdg-open', [URL_]],
  ] as const)('%s → %s', (platform, command, args) => {
    const opener = openerFor(platform);
    expect(opener.command).toBe(command);
    expect(opener.args(URL_)).toEqual(args);
  });
});

describe('openInBrowser', () => {
  let emptyPath = '';
  beforeAll(async () => {
    emptyPath = await mkdtemp(join(tmpdir(), 'ops-open-browser-'));
  });
  afterAll(async () => {
    await rm(emptyPath, { recursive: true, force: true });
  });

  it('without an opener on PATH: resolves not ok, naming xdg-open, and never throws', async () => {
    const result = await openInBrowser(URL_, { platform: 'linux', env: { PATH: emptyPath } });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(/^xdg-open: spawn xdg-open ENOENT$/);
  });
});
