/**
 * The trading bus's EventBridge archive, and replays out of it (`ops workflow replay`).
 *
 * StartReplay takes the archive's ARN as EventSourceArn, a window of event times, and a destination
 * that must be the bus the archive records (optionally only some of its rules: FilterArns). A replay
 * runs asynchronously; DescribeReplay reports STARTING → RUNNING → COMPLETED (or FAILED, CANCELLED).
 * Replay names are unique per account and region, at most 64 characters of [.-_A-Za-z0-9].
 */
import {
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  StartReplayCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { errorMessage, errorName, isAccessDenied } from '../aws-error.ts';
import { FaultError, UserError } from '../errors.ts';

export interface ArchiveInfo {
  name: string;
  arn: string;
  /** The bus it records: the only destination a replay may have. */
  eventSourceArn: string;
  state?: string;
  retentionDays?: number;
  eventCount?: number;
}

export interface ReplayRequest {
  replayName: string;
  archive: ArchiveInfo;
  from: Date;
  to: Date;
  /** Only these rules of the bus receive the replayed events (default: every rule). */
  ruleArns?: readonly string[];
  description?: string;
}

export interface ReplayInfo {
  name: string;
  arn?: string;
  state: string;
  stateReason?: string;
  from?: string;
  to?: string;
  startedAt?: string;
  endedAt?: string;
  lastReplayedEventTime?: string;
}

export class EventArchive {
  private readonly client: EventBridgeClient;

  constructor(options: { client: EventBridgeClient }) {
    this.client = options.client;
  }

  async describe(name: string): Promise<ArchiveInfo> {
    const response = await this.call('DescribeArchive', `archive "${name}"`, () => this.client.send(new DescribeArchiveCommand({ ArchiveName: name })));
    if (response.ArchiveArn === undefined || response.EventSourceArn === undefined) {
      throw new FaultError('EVENT_ARCHIVE_FAILED', `DescribeArchive returned no ARN for archive "${name}".`);
    }
    return {
      name,
      arn: response.ArchiveArn,
      eventSourceArn: response.EventSourceArn,
      ...(response.State !== undefined ? { state: response.State } : {}),
      ...(response.RetentionDays !== undefined ? { retentionDays: response.RetentionDays } : {}),
      ...(response.EventCount !== undefined ? { eventCount: response.EventCount } : {}),
    };
  }

  async startReplay(request: ReplayRequest): Promise<ReplayInfo> {
    const response = await this.call('StartReplay', `archive "${request.archive.name}"`, () =>
      this.client.send(
        new StartReplayCommand({
          ReplayName: request.replayName,
          EventSourceArn: request.archive.arn,
          EventStartTime: request.from,
          EventEndTime: request.to,
          Destination: {
            Arn: request.archive.eventSourceArn,
            ...(request.ruleArns !== undefined && request.ruleArns.length > 0 ? { FilterArns: [...request.ruleArns] } : {}),
          },
          ...(request.description !== undefined ? { Description: request.description.slice(0, 512) } : {}),
        }),
      ),
    );
    return {
      name: request.replayName,
      ...(response.ReplayArn !== undefined ? { arn: response.ReplayArn } : {}),
      state: response.State ?? 'STARTING',
      ...(response.StateReason !== undefined ? { stateReason: response.StateReason } : {}),
      ...(response.ReplayStartTime !== undefined ? { startedAt: response.ReplayStartTime.toISOString() } : {}),
    };
  }

  async describeReplay(name: string): Promise<ReplayInfo> {
    const r = await this.call('DescribeReplay', `replay "${name}"`, () => this.client.send(new DescribeReplayCommand({ ReplayName: name })));
    const iso = (d: Date | undefined) => (d !== undefined ? d.toISOString() : undefined);
    const fields = {
      arn: r.ReplayArn,
      stateReason: r.StateReason,
      from: iso(r.EventStartTime),
      to: iso(r.EventEndTime),
      startedAt: iso(r.ReplayStartTime),
      endedAt: iso(r.ReplayEndTime),
      lastReplayedEventTime: iso(r.EventLastReplayedTime),
    };
    return { name, state: r.State ?? 'UNKNOWN', ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) };
  }

  private async call<T>(operation: string, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw archiveError(operation, what, error);
    }
  }
}

/** Creates the archive unless it exists (the sandbox and e2e tests; on AWS infra creates it). */
export interface EventArchiveOptions {
  eventPattern?: string;
  retentionDays?: number;
  description?: string;
}

/** Creates the archive unless it exists (the sandbox and e2e tests; in AWS the archive comes from infra). Safe to race. */
export async function ensureEventArchive(client: EventBridgeClient, name: string, busArn: string, options: EventArchiveOptions = {}): Promise<{ created: boolean; arn: string | undefined }> {
  try {
    const existing = await client.send(new DescribeArchiveCommand({ ArchiveName: name }));
    return { created: false, arn: existing.ArchiveArn };
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw archiveError('DescribeArchive', `archive "${name}"`, error);
  }
  try {
    const created = await client.send(
      new CreateArchiveCommand({
        ArchiveName: name,
        EventSourceArn: busArn,
        ...(options.eventPattern !== undefined ? { EventPattern: options.eventPattern } : {}),
        ...(options.retentionDays !== undefined ? { RetentionDays: options.retentionDays } : {}),
        ...(options.description !== undefined ? { Description: options.description } : {}),
      }),
    );
    return { created: true, arn: created.ArchiveArn };
  } catch (error) {
    if (errorName(error) === 'ResourceAlreadyExistsException') return { created: false, arn: undefined };
    throw archiveError('CreateArchive', `archive "${name}"`, error);
  }
}

/** A replay name for a workflow: unique per call (the time), within EventBridge's 64 characters. */
export function replayNameFor(correlationId: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
  const safe = correlationId.replace(/[^.\-_A-Za-z0-9]/g, '_');
  const room = 64 - 'wf--'.length - stamp.length;
  return `wf-${safe.slice(0, room)}-${stamp}`;
}

function archiveError(operation: string, what: string, error: unknown): Error {
  const message = errorMessage(error);
  if (isAccessDenied(error)) {
    return new UserError('EVENT_ARCHIVE_ACCESS_DENIED', `EventBridge ${operation} on ${what} was denied (${message}).`, `Grant events:${operation} to the role or user in use.`, { cause: error });
  }
  if (errorName(error) === 'ResourceNotFoundException') {
    return new UserError('EVENT_ARCHIVE_MISSING', `EventBridge has no ${what} (${message}).`, 'Pass --archive <name> or export EVENT_ARCHIVE_NAME (the stack output eventArchiveName), and check the region.', { cause: error });
  }
  if (errorName(error) === 'ValidationException' || errorName(error) === 'InvalidEventPatternException') {
    return new UserError('EVENT_REPLAY_INVALID', `EventBridge refused ${operation} on ${what}: ${message}`, 'Check the archive (its bus must be the trading bus) and the window.', { cause: error });
  }
  return new FaultError('EVENT_ARCHIVE_FAILED', `EventBridge ${operation} on ${what} failed: ${message}`, { cause: error });
}
