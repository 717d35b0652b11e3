/**
 * What `ops sandbox up` prints once ready, pinned without moto: the change queue, the definition-cache
 * table and its export line, in the text and in the one --json document; and the stderr line per change.
 */
import { describe, expect, it } from 'vitest';
import { sandboxReadyDocument, type ReadyInput } from '../../../../src/entry/sandbox/sandbox-ready.ts';
import { changeLines } from '../../../../src/entry/sandbox/sandbox-up-changes.ts';
import { replayDay } from '../../../../src/sandbox/replay-day.ts';
import type { SandboxState } from '../../../../src/sandbox/state-file.ts';

const ENDPOINT = 'http://127.0.0.1:5999';
const QUEUE_URL = `${ENDPOINT}/123456789012/ops-sandbox-schedule-changes`;

function input(overrides: { firing?: boolean } & Partial<Omit<ReadyInput, 'state'>> = {}): ReadyInput {
  const { firing = false, ...rest } = overrides;
  const state: SandboxState = {
    version: 1,
    pids: { ops: 100, moto: 101 },
    port: 5999,
    endpoint: ENDPOINT,
    region: 'us-west-2',
    scenario: 'healthy',
    schedules: 13,
    firing,
    startedAt: '2026-11-23T14:00:00.000Z',
    changeQueueUrl: QUEUE_URL,
    definitionCacheTable: 'ops-schedule-definitions',
  };
  return {
    sandbox: { endpoint: ENDPOINT, region: 'us-west-2', clockStart: new Date('2026-11-23T14:00:00Z'), timings: { readyMs: 900, seedMs: 300 } },
    state,
    statePath: '/tmp/x/.ops/sandbox.json',
    tick: 15,
    changes: {
      ruleName: 'ops-sandbox-schedule-changes',
      queueName: 'ops-sandbox-schedule-changes',
      queueUrl: QUEUE_URL,
      queueArn: 'arn:aws:sqs:us-west-2:123456789012:ops-sandbox-schedule-changes',
      definitionCacheTable: 'ops-schedule-definitions',
    },
    ...rest,
  };
}

describe('the sandbox ready document', () => {
  it('without --fire: names the change queue (off) and the cache table, and exports OPS_DEFINITION_CACHE_TABLE after the AWS lines', () => {
    const { text } = sandboxReadyDocument(input());
    expect(text.split('\n')).toEqual([
      `# ops sandbox: moto on ${ENDPOINT} · scenario healthy (13 schedules) · region us-west-2`,
      '# clock: the wall clock',
      '# firing: off (add --fire to run schedules)',
      `# change events: off (with --fire: CloudTrail-shaped events → default bus → queue ${QUEUE_URL})`,
      '# definition cache: DynamoDB table ops-schedule-definitions (OPS_DEFINITION_CACHE_TABLE below)',
      `export AWS_ENDPOINT_URL=${ENDPOINT}`,
      'export AWS_REGION=us-west-2',
      'export AWS_DEFAULT_REGION=us-west-2',
      'export AWS_ACCESS_KEY_ID=testing',
      'export AWS_SECRET_ACCESS_KEY=testing',
      'export OPS_DEFINITION_CACHE_TABLE=ops-schedule-definitions',
      '# Ctrl-C here, or `ops sandbox down`, stops it.',
    ]);
  });

  it('with --fire: says each tick looks for writes before it fires', () => {
    const { text, json } = sandboxReadyDocument(input({ firing: true }));
    expect(text).toContain(`# change events: each tick looks for writes before it fires; CloudTrail-shaped events (a line on stderr each) → default bus → queue ${QUEUE_URL}\n`);
    expect(json.changeEvents.detecting).toBe(true);
    expect(json.firing).toEqual({ intervalSeconds: 15 });
  });

  it('--json carries the queue, the table and the env line', () => {
    const { json } = sandboxReadyDocument(input());
    expect(json.changeEvents).toEqual({
      detecting: false,
      rule: 'ops-sandbox-schedule-changes',
      queueName: 'ops-sandbox-schedule-changes',
      queueUrl: QUEUE_URL,
      queueArn: 'arn:aws:sqs:us-west-2:123456789012:ops-sandbox-schedule-changes',
    });
    expect(json.definitionCacheTable).toBe('ops-schedule-definitions');
    expect(json.env).toEqual({
      AWS_ENDPOINT_URL: ENDPOINT,
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      OPS_DEFINITION_CACHE_TABLE: 'ops-schedule-definitions',
    });
    expect(json.clock).toEqual({ kind: 'wall' });
  });

  it('with --trading and --day: the trading lines and exports follow, the clock is the day', () => {
    const day = replayDay('2026-11-23');
    const { text, json } = sandboxReadyDocument(input({ day, trading: { text: ['# trading: bus ops-trading'], json: { bus: 'ops-trading' } } }));
    const lines = text.split('\n');
    expect(lines.indexOf('# trading: bus ops-trading')).toBe(lines.indexOf('# definition cache: DynamoDB table ops-schedule-definitions (OPS_DEFINITION_CACHE_TABLE below)') + 1);
    expect(json.env).toMatchObject({ OPS_DEFINITION_CACHE_TABLE: 'ops-schedule-definitions', WORKFLOW_TABLE: 'ops-workflows', EVENT_BUS_NAME: 'ops-trading' });
    expect(json.trading).toEqual({ bus: 'ops-trading' });
    expect(json.clock).toMatchObject({ kind: 'virtual', day: '2026-11-23' });
  });
});

describe('the stderr line per change', () => {
  it('one line per emitted event, at the tick; none for a baseline or a quiet tick', () => {
    const at = new Date('2026-11-23T14:30:15Z');
    expect(
      changeLines({
        at,
        baseline: false,
        emitted: [
          { eventName: 'UpdateSchedule', resource: 'ops-pipeline/x' },
          { eventName: 'DeleteCluster', resource: 'arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline' },
        ],
      }),
    ).toEqual([
      '2026-11-23T14:30:15.000Z change: UpdateSchedule ops-pipeline/x → event on the default bus',
      '2026-11-23T14:30:15.000Z change: DeleteCluster arn:aws:ecs:us-west-2:123456789012:cluster/ops-pipeline → event on the default bus',
    ]);
    expect(changeLines({ at, baseline: true, emitted: [] })).toEqual([]);
  });
});
