/**
 * `ops status serve --open`: hands the URL to the desktop's opener (xdg-open, open, start). It never
 * throws: a machine without a desktop gets a warning and the URL to open by hand.
 */
import { spawn } from 'node:child_process';

export type OpenResult = { ok: true } | { ok: false; reason: string };

export function openerFor(platform: NodeJS.Platform): { command: string; args: (url: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: (url) => ['/c', 'start', '""', url] };
  return { command: 'xdg-open', args: (url) => [url] };
}

export function openInBrowser(url: string, options: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv }): Promise<OpenResult> {
  const opener = openerFor(options.platform);
  return new Promise((resolveOpen) => {
    const child = spawn(opener.command, opener.args(url), { env: options.env, stdio: 'ignore', detached: true });
    child.once('error', (error) => resolveOpen({ ok: false, reason: `${opener.command}: ${error.message}` }));
    child.once('exit', (code) => resolveOpen(code === 0 ? { ok: true } : { ok: false, reason: `${opener.command} exited with ${code}` }));
    child.unref();
  });
}
