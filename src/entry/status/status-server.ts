/**
 * `ops status serve`'s HTTP server: node:http, because four GET routes need no framework (Hono or
 * Fastify would add a dependency and a router for what fits in one switch).
 *
 *   /             the page, with the live-refresh script
 *   /sections     the inside of <main>, which the script swaps in without a reload
 *   /status.json  the StatusDocument itself
 *   /healthz      `ok` (for a supervisor or a test waiting for start-up)
 *
 * Bound to 127.0.0.1 by default. The Host header must name the address it listens on (or
 * `localhost` when that is loopback), so a web page elsewhere cannot read it through DNS rebinding.
 * Concurrent requests share one collection, and a collection younger than `maxAgeMs` is reused, so a
 * dozen open tabs cost AWS what one does.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../aws-error.ts';
import { escapeHtml } from '../../status/heatmap-html.ts';
import { liveRefreshScript } from '../../status/page-live.ts';
import { renderStatusPage, renderStatusSections } from '../../status/page-html.ts';
import type { StatusDocument } from '../../status/status-document.ts';

export interface StatusServerOptions {
  host: string;
  /** 0 for a free port. */
  port: number;
  load: () => Promise<StatusDocument>;
  refreshSeconds: number;
  /** Reuse a collection this young; default half the refresh interval. */
  maxAgeMs?: number;
  /** Monotonic milliseconds, for the cache age. */
  monotonicMs?: () => number;
  /** Called with each failed collection (the CLI prints it on stderr). */
  onError?: (error: unknown) => void;
}

export interface RunningStatusServer {
  url: string;
  /** Collections made so far (each one a full check). */
  collections(): number;
  close(): Promise<void>;
}

/**
 * Inline style; only the one live-refresh script, by its hash, so markup that slipped through
 * escaping could still run nothing; fetches only back to this server; nothing else loads.
 */
function securityHeaders(scriptHash: string): Record<string, string> {
  return {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src '${scriptHash}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  };
}

export async function startStatusServer(options: StatusServerOptions): Promise<RunningStatusServer> {
  const monotonic = options.monotonicMs ?? (() => performance.now());
  const maxAgeMs = options.maxAgeMs ?? (options.refreshSeconds * 1000) / 2;
  const live = { refreshSeconds: options.refreshSeconds, sectionsPath: 'sections' };
  const headers = securityHeaders(`sha256-${createHash('sha256').update(liveRefreshScript(live.refreshSeconds, live.sectionsPath)).digest('base64')}`);
  const send = (response: ServerResponse, status: number, type: string, body: string): void => {
    response.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  };
  let cached: { doc: StatusDocument; at: number } | undefined;
  let inFlight: Promise<StatusDocument> | undefined;
  let collections = 0;

  const current = (): Promise<StatusDocument> => {
    if (cached && monotonic() - cached.at < maxAgeMs) return Promise.resolve(cached.doc);
    inFlight ??= options
      .load()
      .then((doc) => {
        collections += 1;
        cached = { doc, at: monotonic() };
        return doc;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'Internal error; see the terminal running `ops status serve`.');
      else response.end();
    });
  });

  let allowedHosts = new Set<string>();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      send(response, 421, 'text/plain; charset=utf-8', `This server answers only to ${[...allowedHosts].join(' or ')}.`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD.');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://status.invalid').pathname;
    if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok');
    if (path !== '/' && path !== '/sections' && path !== '/status.json') return send(response, 404, 'text/plain; charset=utf-8', 'Not found. Try / or /status.json.');
    let doc: StatusDocument;
    try {
      doc = await current();
    } catch (error) {
      options.onError?.(error);
      const message = `The status could not be collected: ${errorMessage(error)}`;
      if (path === '/status.json') return send(response, 503, 'application/json', JSON.stringify({ ok: false, error: message }));
      if (path === '/sections') return send(response, 503, 'text/plain; charset=utf-8', message);
      return send(response, 503, 'text/html; charset=utf-8', errorPage(message, options.refreshSeconds));
    }
    if (path === '/status.json') return send(response, 200, 'application/json', JSON.stringify(doc));
    if (path === '/sections') return send(response, 200, 'text/html; charset=utf-8', renderStatusSections(doc));
    return send(response, 200, 'text/html; charset=utf-8', renderStatusPage(doc, { live }));
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  allowedHosts = new Set([`${hostForUrl}:${address.port}`, ...(isLoopback(address.address) ? [`localhost:${address.port}`] : [])]);
  return {
    url: `http://${hostForUrl}:${address.port}/`,
    collections: () => collections,
    close: () => closeServer(server),
  };
}

function errorPage(message: string, refreshSeconds: number): string {
  // A full reload is right here: there is no page yet to keep.
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refreshSeconds}"><title>ops status: not available</title></head><body><main><h1>Status not available</h1><p role="alert">${escapeHtml(message)}</p><p>Retrying every ${refreshSeconds} s.</p></main></body></html>`;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    // Browsers keep connections alive; without this, close waits for them to time out.
    server.closeAllConnections();
  });
}
