/**
 * A narrow, typed client for the five Alpaca REST calls the workflow makes, over Node's fetch.
 *
 * Why not the official SDK (@alpacahq/alpaca-trade-api 4.x)? It is typed, ESM, maintained and lets
 * one inject `basePath` and `fetchApi`, but:
 * - its retry policy sleeps on its own timers and cannot take an injected sleep, so tests would wait
 *   for real (or fight fake timers) and the "no timers in src/trading" rule would be bypassed, not kept;
 * - it never retries POST, while here a POST /v2/orders is safe to retry: the client order id turns a
 *   second submission into a 422 the execution step already handles;
 * - its ~775 kB REST bundle and three runtime dependencies (ws, @msgpack/msgpack, lossless-json) would
 *   go into every Lambda for five endpoints, and its generated models mark every field optional, so
 *   we would validate the bodies ourselves anyway.
 * So: fetch + zod at the boundary, retries with an injected sleep, Alpaca's errors mapped to ours.
 *
 * Credentials come from the caller (a later change reads them from Secrets Manager / SSM), live in
 * private fields and appear in no message, detail or log line.
 */
import type * as z from 'zod';
import { FaultError, UserError } from '../../../errors.ts';
import { errorBodySchema } from './schemas.ts';

export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

export const ALPACA_PAPER_TRADING_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_TRADING_URL = 'https://api.alpaca.markets';
export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

export interface AlpacaClientOptions {
  credentials: AlpacaCredentials;
  /** Default: the paper endpoint. Live trading has to be asked for by URL. */
  tradingBaseUrl?: string;
  dataBaseUrl?: string;
  fetch?: typeof fetch;
  /** How to wait before a retry. Injected: src/trading owns no timer (the entry point passes one). */
  sleep: (ms: number) => Promise<void>;
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff after a 5xx or a network error; doubles per attempt (default 500 ms). */
  baseDelayMs?: number;
  /** Backoff ceiling (default 8 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

export const AlpacaApi = { trading: 'trading', data: 'data' } as const;
export type AlpacaApi = (typeof AlpacaApi)[keyof typeof AlpacaApi];

export interface AlpacaRequest<T> {
  api: AlpacaApi;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
  /**
   * 4xx statuses the caller turns into domain answers itself (404 → "no such order", 403/422 on an
   * order → a rejection). They come back as `{ ok: false }`; any other 4xx throws.
   */
  expect?: readonly number[];
}

export type AlpacaOutcome<T> = { ok: true; status: number; value: T } | { ok: false; status: number; code: number | undefined; message: string };

/** A 4xx nobody expected (or a 403 outside the order endpoint). */
export class AlpacaRequestError extends FaultError {
  readonly httpStatus: number;
  readonly alpacaCode: number | undefined;
  readonly endpoint: string;

  constructor(endpoint: string, httpStatus: number, alpacaCode: number | undefined, message: string) {
    super('ALPACA_REQUEST_FAILED', `Alpaca answered ${httpStatus} to ${endpoint}: ${message}`);
    this.httpStatus = httpStatus;
    this.alpacaCode = alpacaCode;
    this.endpoint = endpoint;
  }

  override details(): Record<string, unknown> {
    return { httpStatus: this.httpStatus, alpacaCode: this.alpacaCode, endpoint: this.endpoint };
  }
}

export class AlpacaClient {
  readonly #credentials: AlpacaCredentials;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #baseUrls: Record<AlpacaApi, string>;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #timeoutMs: number;

  constructor(options: AlpacaClientOptions) {
    const { keyId, secretKey } = options.credentials;
    if (keyId.trim() === '' || secretKey.trim() === '') {
      throw new UserError('ALPACA_CREDENTIALS_MISSING', 'The Alpaca key id or secret key is empty.', 'Pass both halves of the API key pair (paper keys for the paper endpoint).');
    }
    this.#credentials = { keyId, secretKey };
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#sleep = options.sleep;
    this.#baseUrls = { trading: options.tradingBaseUrl ?? ALPACA_PAPER_TRADING_URL, data: options.dataBaseUrl ?? ALPACA_DATA_URL };
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 8_000;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The call's value; throws on anything but a 2xx. */
  async get<T>(request: Omit<AlpacaRequest<T>, 'method' | 'expect'>): Promise<T> {
    const outcome = await this.send({ ...request, method: 'GET' });
    if (!outcome.ok) throw new AlpacaRequestError(`GET ${request.path}`, outcome.status, outcome.code, outcome.message);
    return outcome.value;
  }

  /**
   * Sends with bounded retries: 429 waits for Retry-After (seconds), 5xx and network errors back off
   * exponentially. A 401 is a UserError (bad keys); the `expect`ed 4xx come back as `{ ok: false }`.
   */
  async send<T>(request: AlpacaRequest<T>): Promise<AlpacaOutcome<T>> {
    const endpoint = `${request.method} ${request.path}`;
    const url = new URL(request.path, this.#baseUrls[request.api]);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = {
      'APCA-API-KEY-ID': this.#credentials.keyId,
      'APCA-API-SECRET-KEY': this.#credentials.secretKey,
      accept: 'application/json',
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';

    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.#maxAttempts;
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: request.method,
          headers,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(this.#timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        if (last) throw new FaultError('ALPACA_UNAVAILABLE', `${endpoint} failed after ${attempt} attempts: ${describe(error)}`, { cause: error, hint: 'Check https://status.alpaca.markets and retry later.' });
        await this.#sleep(this.backoff(attempt));
        continue;
      }

      const text = await response.text();
      if (response.ok) return { ok: true, status: response.status, value: parseBody(endpoint, text, request.schema) };

      const error = parseError(text);
      if (response.status === 429) {
        const retryAfter = retryAfterMs(response.headers.get('retry-after'));
        const delay = retryAfter ?? this.backoff(attempt);
        if (last || delay > this.#maxRetryAfterMs) {
          throw new FaultError('ALPACA_RATE_LIMITED', `Alpaca rate-limited ${endpoint} (${attempt} attempts${retryAfter === undefined ? '' : `, Retry-After ${retryAfter / 1000} s`}).`, {
            hint: 'Alpaca allows about 200 requests a minute per account; spread the calls or retry later.',
          });
        }
        await this.#sleep(delay);
        continue;
      }
      if (response.status >= 500) {
        if (last) throw new FaultError('ALPACA_UNAVAILABLE', `Alpaca answered ${response.status} to ${endpoint} ${attempt} times: ${error.message}`, { hint: 'Check https://status.alpaca.markets and retry later.' });
        await this.#sleep(this.backoff(attempt));
        continue;
      }
      if (response.status === 401) {
        throw new UserError('ALPACA_UNAUTHORIZED', `Alpaca refused the API key for ${endpoint} (401 ${error.message}).`, 'Check the key id and secret, and that they belong to this environment: paper keys only work against paper-api.alpaca.markets.');
      }
      if (request.expect?.includes(response.status)) return { ok: false, status: response.status, code: error.code, message: error.message };
      throw new AlpacaRequestError(endpoint, response.status, error.code, error.message);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
  }
}

/** `Retry-After: 3` → 3000. The HTTP-date form and garbage give undefined (fall back to backoff). */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header.trim()) * 1000;
}

function parseBody<T>(endpoint: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FaultError('ALPACA_BAD_RESPONSE', `Alpaca's answer to ${endpoint} is not JSON.`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FaultError('ALPACA_BAD_RESPONSE', `Alpaca's answer to ${endpoint} does not have the documented shape: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function parseError(text: string): { code: number | undefined; message: string } {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return { code: parsed.data.code, message: parsed.data.message ?? text.slice(0, 200) };
  } catch {
    // not JSON: use the text
  }
  return { code: undefined, message: text.slice(0, 200) || '(empty body)' };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
