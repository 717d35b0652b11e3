/**
 * `ops status serve`'s HTTP server on 127.0.0.1 with a fake collection and an injected monotonic
 * clock: routes, the CSP's script hash, the Host check, shared and cached collections, failures.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../../src/checks/run-check.ts';
import { startStatusServer, type RunningStatusServer, type StatusServerOptions } from '../../../../src/entry/status/status-server.ts';
import { nyse } from '../../../../src/market/index.ts';
import { collectStatus, STATUS_DEFAULTS } from '../../../../src/status/collect-status.ts';
import { renderStatusPage, renderStatusSections } from '../../../../src/status/page-html.ts';
import type { StatusDocument } from '../../../../src/status/status-document.ts';
import { createFakePorts, scheduleFacts } from '../../../support/check-fixtures.ts';

const NOW = new Date('2026-11-23T15:00:00Z');
const REFRESH_SECONDS = 30;
const LIVE = { refreshSeconds: REFRESH_SECONDS, sectionsPath: 'sections' };

async function documentAt(now: Date): Promise<StatusDocument> {
  return collectStatus(
    {
      check: (at) => runCheck(createFakePorts({ schedules: [scheduleFacts('ecs-a'), scheduleFacts('ecs-b')] }).ports, { now: at, region: 'us-east-1', calendar: nyse, marketCriticalPatterns: [] }),
      audit: { source: { kind: 'file', auditLog: '.ops/audit.jsonl' }, readAll: () => Promise.resolve([]) },
    },
    { now, hours: 1, bucketMinutes: 15, graceMinutes: 2, maxRows: STATUS_DEFAULTS.maxRows, calendar: nyse, concurrency: 2, workflowLimit: 20 },
  );
}

/** A monotonic clock the test moves, which can also wait for the server to have read it `n` times. */
function fakeClock() {
  let ms = 0;
  let reads = 0;
  const waiters: { reads: number; resolve: () => void }[] = [];
  return {
    monotonicMs: () => {
      reads += 1;
      for (const w of waiters.filter((x) => reads >= x.reads)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return ms;
    },
    advance: (by: number) => void (ms += by),
    reads: () => reads,
    untilReads: (n: number) => (reads >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ reads: n, resolve }))),
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, init: { method?: string; path?: string; host?: string; agent?: Agent } = {}): Promise<Reply> {
  const target = new URL(init.path ?? '/', url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: init.method ?? 'GET',
        agent: init.agent ?? false,
        ...(init.host !== undefined ? { headers: { host: init.host } } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const running: RunningStatusServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function serve(over: Partial<StatusServerOptions> & Pick<StatusServerOptions, 'load'>): Promise<RunningStatusServer> {
  const server = await startStatusServer({ host: '127.0.0.1', port: 0, refreshSeconds: REFRESH_SECONDS, monotonicMs: fakeClock().monotonicMs, ...over });
  running.push(server);
  return server;
}

function countingLoad(make: () => Promise<StatusDocument>) {
  let calls = 0;
  return {
    load: () => {
      calls += 1;
      return make();
    },
    calls: () => calls,
  };
}

describe('status server routes', () => {
  it('GET / is the live page, with a CSP allowing exactly its inline script by hash', async () => {
    const doc = await documentAt(NOW);
    const server = await serve({ load: () => Promise.resolve(doc) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const reply = await send(server.url);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toBe(renderStatusPage(doc, { live: LIVE }));
    const scripts = [...reply.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('/sections, /status.json and /healthz', async () => {
    const doc = await documentAt(NOW);
    const server = await serve({ load: () => Promise.resolve(doc) });
    const sections = await send(server.url, { path: '/sections' });
    expect(sections.status).toBe(200);
    expect(sections.body).toBe(renderStatusSections(doc));
    const json = await send(server.url, { path: '/status.json' });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual(JSON.parse(JSON.stringify(doc)));
    const health = await send(server.url, { path: '/healthz' });
    expect([health.status, health.body]).toEqual([200, 'ok']);
  });

  it('unknown path 404, POST 405 with Allow, HEAD has no body', async () => {
    const doc = await documentAt(NOW);
    const server = await serve({ load: () => Promise.resolve(doc) });
    const missing = await send(server.url, { path: '/status.html' });
    expect(missing.status).toBe(404);
    const post = await send(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await send(server.url, { method: 'HEAD', path: '/healthz' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', '2']);
  });

  it('answers only to its own address or localhost: another Host is 421, before any collection', async () => {
    const counted = countingLoad(() => documentAt(NOW));
    const server = await serve({ load: counted.load });
    const port = new URL(server.url).port;
    const evil = await send(server.url, { host: 'evil.example:80' });
    expect(evil.status).toBe(421);
    expect(evil.body).toBe(`This server answers only to 127.0.0.1:${port} or localhost:${port}.`);
    expect((await send(server.url, { host: `evil.example:${port}`, path: '/status.json' })).status).toBe(421);
    expect(counted.calls()).toBe(0);
    expect((await send(server.url, { host: `LOCALHOST:${port}`, path: '/healthz' })).status).toBe(200);
    expect((await send(server.url, { host: `127.0.0.1:${port}`, path: '/healthz' })).status).toBe(200);
  });
});

describe('status server collections', () => {
  it('reuses a collection younger than maxAgeMs and collects again once it is that old', async () => {
    const clock = fakeClock();
    const counted = countingLoad(() => documentAt(NOW));
    const server = await serve({ load: counted.load, monotonicMs: clock.monotonicMs, maxAgeMs: 10_000 });
    await send(server.url, { path: '/status.json' });
    expect(counted.calls()).toBe(1);
    clock.advance(9_999);
    await send(server.url, { path: '/sections' });
    await send(server.url);
    expect(counted.calls()).toBe(1);
    clock.advance(1);
    await send(server.url, { path: '/status.json' });
    expect(counted.calls()).toBe(2);
    expect(server.collections()).toBe(2);
  });

  it('defaults maxAgeMs to half the refresh interval', async () => {
    const clock = fakeClock();
    const counted = countingLoad(() => documentAt(NOW));
    const server = await serve({ load: counted.load, monotonicMs: clock.monotonicMs });
    await send(server.url, { path: '/status.json' });
    clock.advance((REFRESH_SECONDS * 1000) / 2 - 1);
    await send(server.url, { path: '/status.json' });
    expect(counted.calls()).toBe(1);
    clock.advance(1);
    await send(server.url, { path: '/status.json' });
    expect(counted.calls()).toBe(2);
  });

  it('two requests while a collection is in flight share it: one load for both', async () => {
    const clock = fakeClock();
    const first = await documentAt(NOW);
    const second = await documentAt(new Date(NOW.getTime() + 60_000));
    let release: (doc: StatusDocument) => void = () => undefined;
    const loads = [() => Promise.resolve(first), () => new Promise<StatusDocument>((resolve) => (release = resolve))];
    let calls = 0;
    const server = await serve({ load: () => loads[calls++]!(), monotonicMs: clock.monotonicMs, maxAgeMs: 1_000 });
    await send(server.url, { path: '/status.json' });
    expect(calls).toBe(1);
    clock.advance(5_000);
    // Each request reads the clock once to find the cached document stale; the first starts the load.
    const readsBefore = clock.reads();
    const a = send(server.url, { path: '/status.json' });
    const b = send(server.url, { path: '/sections' });
    await clock.untilReads(readsBefore + 2);
    expect(calls).toBe(2);
    release(second);
    const [ja, jb] = await Promise.all([a, b]);
    expect(calls).toBe(2);
    expect(server.collections()).toBe(2);
    expect(JSON.parse(ja.body)).toMatchObject({ generatedAt: second.generatedAt });
    expect(jb.body).toBe(renderStatusSections(second));
  });

  it('a failed collection is 503 on every route, the message escaped in HTML, and is not cached', async () => {
    const clock = fakeClock();
    const errors: unknown[] = [];
    let calls = 0;
    const server = await serve({
      load: () => {
        calls += 1;
        return Promise.reject(new Error('<b>AccessDenied</b> & "scheduler:ListSchedules"'));
      },
      monotonicMs: clock.monotonicMs,
      onError: (error) => errors.push(error),
    });
    const page = await send(server.url);
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<p role="alert">The status could not be collected: &lt;b&gt;AccessDenied&lt;/b&gt; &amp; &quot;scheduler:ListSchedules&quot;</p>');
    expect(page.body).not.toContain('<b>');
    expect(page.body).toContain(`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`);
    const sections = await send(server.url, { path: '/sections' });
    expect([sections.status, sections.headers['content-type'], sections.body]).toEqual([503, 'text/plain; charset=utf-8', 'The status could not be collected: <b>AccessDenied</b> & "scheduler:ListSchedules"']);
    const json = await send(server.url, { path: '/status.json' });
    expect(json.status).toBe(503);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({ ok: false, error: 'The status could not be collected: <b>AccessDenied</b> & "scheduler:ListSchedules"' });
    expect(calls).toBe(3);
    expect(errors).toHaveLength(3);
    expect(server.collections()).toBe(0);
    expect((await send(server.url, { path: '/healthz' })).status).toBe(200);
  });
});

describe('status server close', () => {
  it('resolves with a keep-alive connection still open', async () => {
    const doc = await documentAt(NOW);
    const server = await startStatusServer({ host: '127.0.0.1', port: 0, refreshSeconds: REFRESH_SECONDS, load: () => Promise.resolve(doc), monotonicMs: () => 0 });
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      const reply = await send(server.url, { agent });
      expect(reply.status).toBe(200);
      // The socket went back to the pool, open, rather than being closed.
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
      await expect(server.close()).resolves.toBeUndefined();
      await expect(send(server.url, { path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('resolves with a connection that is half-way through sending a request', async () => {
    const doc = await documentAt(NOW);
    const server = await startStatusServer({ host: '127.0.0.1', port: 0, refreshSeconds: REFRESH_SECONDS, load: () => Promise.resolve(doc), monotonicMs: () => 0 });
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await expect(server.close()).resolves.toBeUndefined();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
