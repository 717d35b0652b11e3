/**
 * moto's own control API (`/moto-api/...`): reset, state transitions, model data. It is not an AWS
 * API, so it goes through plain fetch, and only ever to a loopback endpoint.
 */
import { FaultError, UserError } from '../errors.ts';

/** ECS task state machine in moto: RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED. */
export const ECS_TASK_MODEL = 'ecs::task';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The sandbox never talks to anything but this machine; refuse any other host outright. */
export function assertLoopbackEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new UserError('BAD_ENDPOINT', `The sandbox endpoint "${endpoint}" is not a URL.`, 'Pass --endpoint http://127.0.0.1:<port>.', { cause });
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new UserError(
      'SANDBOX_NOT_LOCAL',
      `The sandbox endpoint "${endpoint}" is not a loopback http:// address.`,
      'The moto sandbox only runs on 127.0.0.1; use the endpoint printed by `ops sandbox up`.',
    );
  }
  return url;
}

export interface MotoApiOptions {
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

async function motoRequest(endpoint: string, path: string, init: RequestInit & MotoApiOptions = {}): Promise<Response> {
  const url = new URL(path, assertLoopbackEndpoint(endpoint));
  const { timeoutMs = 10_000, ...rest } = init;
  try {
    return await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new FaultError('MOTO_UNREACHABLE', `moto at ${endpoint} did not answer ${path}.`, { cause });
  }
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const body = await response.text().catch(() => '');
  throw new FaultError('MOTO_API_FAILED', `moto ${what} answered HTTP ${response.status}: ${body.slice(0, 300)}`);
}

/** True when moto answers its control API (used to wait for readiness and by `ops sandbox status`). */
export async function motoAnswers(endpoint: string, options: MotoApiOptions = {}): Promise<boolean> {
  try {
    const response = await motoRequest(endpoint, '/moto-api/config', { method: 'GET', timeoutMs: options.timeoutMs ?? 2_000 });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Drops every resource in every service (moto keeps state transitions and config across a reset). */
export async function resetMoto(endpoint: string, options: MotoApiOptions = {}): Promise<void> {
  await expectOk(await motoRequest(endpoint, '/moto-api/reset', { method: 'POST', ...options }), 'reset');
}

export type MotoTransition =
  | { progression: 'immediate' }
  | { progression: 'manual'; times: number }
  | { progression: 'time'; seconds: number };

/**
 * Overrides how a moto model advances its status. For `ecs::task`, moto's default ("immediate")
 * jumps a task to STOPPED on the first DescribeTasks; `{progression: 'time', seconds: N}` moves it one
 * step per N seconds of moto's clock (virtual when bound, moto-clock.ts), so started tasks stay RUNNING for N seconds.
 */
export async function setMotoTransition(endpoint: string, modelName: string, transition: MotoTransition, options: MotoApiOptions = {}): Promise<void> {
  const response = await motoRequest(endpoint, '/moto-api/state-manager/set-transition', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model_name: modelName, transition }),
    ...options,
  });
  await expectOk(response, 'set-transition');
}

export async function getMotoTransition(endpoint: string, modelName: string, options: MotoApiOptions = {}): Promise<unknown> {
  // moto splits the raw query string without URL-decoding it, so `ecs::task` must go unescaped.
  const response = await motoRequest(endpoint, `/moto-api/state-manager/get-transition?model_name=${modelName}`, {
    method: 'GET',
    ...options,
  });
  await expectOk(response, 'get-transition');
  return response.json();
}

/** service → model name → instances (each a JSON-able view of the model's public attributes). */
export type MotoModelData = Record<string, Record<string, Record<string, unknown>[]>>;

/**
 * moto's dump of every tracked model (`/moto-api/data.json`), e.g. SNS `Topic.sent_notifications`.
 *
 * moto quirk (5.2.1): the dump touches every model attribute, and a Lambda function's `docker_client`
 * property connects to Docker; without a Docker daemon the whole request fails with HTTP 500 as soon
 * as one Lambda function exists. We say so instead of a bare 500. To see SNS messages in a scenario
 * with a Lambda function, read the capture queue the seeder subscribes to every topic instead.
 */
export async function readMotoModelData(endpoint: string, options: MotoApiOptions = {}): Promise<MotoModelData> {
  const response = await motoRequest(endpoint, '/moto-api/data.json', { method: 'GET', ...options });
  if (response.status === 500) {
    await response.arrayBuffer();
    throw new FaultError(
      'MOTO_DATA_UNAVAILABLE',
      'moto could not dump its model data (HTTP 500). moto 5.2.1 fails here whenever a Lambda function exists and no Docker daemon is reachable; read SNS messages from the topic capture queue instead.',
    );
  }
  await expectOk(response, 'data.json');
  return (await response.json()) as MotoModelData;
}

export interface SentSnsNotification {
  topicArn: string;
  messageId: string;
  message: string;
  subject: string | null;
  attributes: Record<string, unknown>;
}

/** SNS messages published so far, per moto's model data (each topic's `sent_notifications`). */
export function sentSnsNotifications(data: MotoModelData): SentSnsNotification[] {
  const topics = data.sns?.Topic ?? [];
  const out: SentSnsNotification[] = [];
  for (const topic of topics) {
    const arn = typeof topic.arn === 'string' ? topic.arn : '';
    const sent = Array.isArray(topic.sent_notifications) ? (topic.sent_notifications as unknown[]) : [];
    for (const entry of sent) {
      // moto stores [message_id, message, subject, message_attributes, group_id].
      if (!Array.isArray(entry)) continue;
      const [messageId, message, subject, attributes] = entry as [unknown, unknown, unknown, unknown];
      out.push({
        topicArn: arn,
        messageId: String(messageId),
        message: String(message),
        subject: typeof subject === 'string' ? subject : null,
        attributes: typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {},
      });
    }
  }
  return out;
}
