/**
 * A proxy on 127.0.0.1 in front of moto that fails every call to one AWS service, as a broken IAM
 * policy or a regional outage would, and forwards everything else untouched. The service is read
 * from the SigV4 credential scope (`…/<region>/<service>/aws4_request`), which every SDK request carries.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  endpoint: string;
  /** Requests the proxy failed, by service. */
  failed: Map<string, number>;
  /** Which service fails, and how (REST-JSON error shape: x-amzn-ErrorType header and a JSON body). */
  fail(service: string | undefined, error?: { status: number; type: string; message: string }): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let failing: { service: string; status: number; type: string; message: string } | undefined;
  const failed = new Map<string, number>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const service = /\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '')?.[1];
    if (failing !== undefined && service === failing.service) {
      failed.set(service, (failed.get(service) ?? 0) + 1);
      req.resume();
      res.writeHead(failing.status, { 'content-type': 'application/json', 'x-amzn-errortype': failing.type });
      res.end(JSON.stringify({ Message: failing.message }));
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failed,
    fail(service, error = { status: 403, type: 'AccessDeniedException', message: `User is not authorized to perform this ${service ?? ''} action` }) {
      failing = service === undefined ? undefined : { service, ...error };
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
