import 'aws-sdk-client-mock-vitest/extend';
import { DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, ResourceNotFoundException, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventArchive, replayNameFor } from '../../../src/aws/event-archive.ts';
import { FaultError, UserError } from '../../../src/errors.ts';

const ebMock = mockClient(EventBridgeClient);
const client = () => new EventBridgeClient({ region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const ARCHIVE_ARN = 'arn:aws:events:us-west-2:123456789012:archive/ops-trading-archive';
const BUS_ARN = 'arn:aws:events:us-west-2:123456789012:event-bus/ops-trading';
const FROM = new Date('2026-11-23T14:58:00Z');
const TO = new Date('2026-11-23T15:03:00Z');

beforeEach(() => {
  ebMock.reset();
});

describe('EventArchive', () => {
  it('describes the archive, starts a replay of a window onto its bus (optionally some rules), and describes the replay', async () => {
    ebMock.on(DescribeArchiveCommand).resolves({ ArchiveArn: ARCHIVE_ARN, EventSourceArn: BUS_ARN, State: 'ENABLED', RetentionDays: 30, EventCount: 12 });
    ebMock.on(StartReplayCommand).resolves({ ReplayArn: 'arn:aws:events:us-west-2:123456789012:replay/r1', State: 'STARTING', ReplayStartTime: TO });
    ebMock.on(DescribeReplayCommand).resolves({ ReplayName: 'r1', State: 'COMPLETED', EventStartTime: FROM, EventEndTime: TO, ReplayEndTime: TO, StateReason: '' });
    const archives = new EventArchive({ client: client() });
    const archive = await archives.describe('ops-trading-archive');
    expect(archive).toEqual({ name: 'ops-trading-archive', arn: ARCHIVE_ARN, eventSourceArn: BUS_ARN, state: 'ENABLED', retentionDays: 30, eventCount: 12 });
    const started = await archives.startReplay({ replayName: 'r1', archive, from: FROM, to: TO, ruleArns: ['arn:aws:events:us-west-2:123456789012:rule/ops-trading/ops-WorkflowStarted'], description: 'd' });
    expect(started).toEqual({ name: 'r1', arn: 'arn:aws:events:us-west-2:123456789012:replay/r1', state: 'STARTING', startedAt: TO.toISOString() });
    expect(ebMock).toHaveReceivedCommandWith(StartReplayCommand, {
      ReplayName: 'r1',
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: FROM,
      EventEndTime: TO,
      Destination: { Arn: BUS_ARN, FilterArns: ['arn:aws:events:us-west-2:123456789012:rule/ops-trading/ops-WorkflowStarted'] },
      Description: 'd',
    });
    await archives.startReplay({ replayName: 'r2', archive, from: FROM, to: TO });
    expect(ebMock.commandCalls(StartReplayCommand)[1]?.args[0].input.Destination).toEqual({ Arn: BUS_ARN });
    expect(await archives.describeReplay('r1')).toEqual({ name: 'r1', state: 'COMPLETED', from: FROM.toISOString(), to: TO.toISOString(), endedAt: TO.toISOString() });
  });

  it('says what to do about a missing archive or replay, a denied call and a refused replay', async () => {
    ebMock.on(DescribeArchiveCommand).rejects(new ResourceNotFoundException({ message: 'Archive x does not exist.', $metadata: {} }));
    const missing = await new EventArchive({ client: client() }).describe('x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect(missing).toMatchObject({ code: 'EVENT_ARCHIVE_MISSING', message: 'EventBridge has no archive "x" (Archive x does not exist.).' });
    ebMock.on(DescribeReplayCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect(await new EventArchive({ client: client() }).describeReplay('r').catch((e: unknown) => e)).toMatchObject({ code: 'EVENT_ARCHIVE_ACCESS_DENIED', hint: 'Grant events:DescribeReplay to the role or user in use.' });
    ebMock.on(StartReplayCommand).rejects(Object.assign(new Error('Cross event bus replay is not permitted.'), { name: 'ValidationException' }));
    const archive = { name: 'a', arn: ARCHIVE_ARN, eventSourceArn: BUS_ARN };
    expect(await new EventArchive({ client: client() }).startReplay({ replayName: 'r', archive, from: FROM, to: TO }).catch((e: unknown) => e)).toMatchObject({ code: 'EVENT_REPLAY_INVALID' });
    ebMock.on(StartReplayCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalException' }));
    expect(await new EventArchive({ client: client() }).startReplay({ replayName: 'r', archive, from: FROM, to: TO }).catch((e: unknown) => e)).toBeInstanceOf(FaultError);
  });
});

describe('replayNameFor', () => {
  it('is unique per call time, within 64 characters of the allowed alphabet', () => {
    expect(replayNameFor('wf-20261123T150000Z-beef.r2', new Date('2026-11-23T15:04:05.678Z'))).toBe('wf-wf-20261123T150000Z-beef.r2-20261123T150405678Z');
    const long = replayNameFor(`wf:${'x'.repeat(99)}`, new Date('2026-11-23T15:04:05.678Z'));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[.\-_A-Za-z0-9]+$/);
    expect(long.endsWith('-20261123T150405678Z')).toBe(true);
  });
});
