/**
 * A request handler for a real SDK client that answers from a script instead of the network.
 * aws-sdk-client-mock replaces `client.send`, which skips the middleware stack (retries, error
 * deserialization, the call counter); tests of those run a real client over this handler instead.
 */

export interface FakeResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeHttpHandler {
  /** Pass as `requestHandler` in the client configuration. */
  readonly handler: { handle(request: unknown): Promise<{ response: unknown }> };
  readonly requests: SeenRequest[];
}

/** Answers request n with `responses[n]`, or with the last response once the script runs out. */
export function fakeHttpHandler(responses: readonly FakeResponse[]): FakeHttpHandler {
  const requests: SeenRequest[] = [];
  const encoder = new TextEncoder();
  return {
    requests,
    handler: {
      handle(request: unknown) {
        const r = request as { method: string; path: string; headers: Record<string, string>; body?: unknown };
        requests.push({ method: r.method, path: r.path, headers: r.headers, body: bodyText(r.body) });
        const answer = responses[Math.min(requests.length - 1, responses.length - 1)];
        if (answer === undefined) throw new Error('fakeHttpHandler: no responses scripted');
        return Promise.resolve({
          response: { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: encoder.encode(answer.body ?? '') },
        });
      },
    },
  };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return '';
}

/** Dummy credentials and region for real clients that never leave the process. */
export const OFFLINE_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
} as const;

/** A REST-JSON / JSON-protocol error response as AWS sends it. */
export function jsonError(statusCode: number, type: string, message: string): FakeResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

export function jsonOk(body: unknown): FakeResponse {
  return { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}
