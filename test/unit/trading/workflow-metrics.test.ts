import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../../src/trading/domain/event-factory.ts';
import { EventType, type WorkflowEvent, type WorkflowParams } from '../../../src/trading/domain/events.ts';
import type { DeliveryOutcome } from '../../../src/trading/domain/gate.ts';
import { deliveryMetrics, sweepMetrics, terminalMetrics } from '../../../src/trading/domain/workflow-metrics.ts';
import { WORKFLOW_ABORTED } from '../../../src/trading/domain/abort.ts';
import { nyse } from '../../../src/market/index.ts';
import type { WorkflowRecord } from '../../../src/trading/ports/workflow-store.ts';

const PARAMS: WorkflowParams = { accountId: 'main', asOf: '2026-11-20', strategy: { kind: 'fixed', weights: [{ symbol: 'SPY', weight: '1' }] }, minTradeNotional: '100' };
// Monday 2026-11-23: 15:00Z is 10:00 in New York (open); 22:00Z is 17:00 (closed).
const OPEN = new Date('2026-11-23T15:00:00.000Z');
const CLOSED = new Date('2026-11-23T22:00:00.000Z');

const started = (at: Date) => makeEvent(EventType.workflowStarted, { correlationId: 'wf-1', causationId: 'wf-1', producer: 'starter', occurredAt: at }, PARAMS);
const completed = (at: Date, durationMs: number) =>
  makeEvent(EventType.workflowCompleted, { correlationId: 'wf-1', causationId: 'x', producer: 'execution', occurredAt: at }, { ordersExecuted: 2, valueTraded: '100', startedAt: new Date(at.getTime() - durationMs).toISOString(), durationMs });
const failed = (at: Date, errorCode: string, durationMs = 1_200) =>
  makeEvent(EventType.workflowFailed, { correlationId: 'wf-1', causationId: 'x', producer: 'portfolio', occurredAt: at }, { step: 'portfolio', reason: 'r', errorCode, startedAt: new Date(at.getTime() - durationMs).toISOString(), durationMs });

const handled = (consumer: string): DeliveryOutcome => ({ status: 'handled', consumer, published: 1, completed: false });
const timing = (event: WorkflowEvent, latencyMs: number, durationMs: number) => {
  const finishedAt = new Date(Date.parse(event.occurredAt) + latencyMs);
  return { receivedAt: new Date(finishedAt.getTime() - durationMs), finishedAt };
};
const values = (data: ReturnType<typeof terminalMetrics>) => data.map((d) => [d.name, d.value, d.unit, d.dimensions ?? {}]);

describe('deliveryMetrics', () => {
  it('measures a handled step from its event’s occurredAt (latency) and from the invocation’s start (duration), by Step', () => {
    const event = started(OPEN);
    expect(values(deliveryMetrics(event, handled('strategy'), timing(event, 1_840, 320)))).toEqual([
      ['StepLatency', 1_840, 'Milliseconds', { Step: 'strategy' }],
      ['StepDuration', 320, 'Milliseconds', { Step: 'strategy' }],
    ]);
  });

  it('clamps a latency below zero (producer clock ahead) to 0', () => {
    const event = started(OPEN);
    const [latency] = deliveryMetrics(event, handled('strategy'), { receivedAt: new Date(OPEN.getTime() - 50), finishedAt: new Date(OPEN.getTime() - 10) });
    expect(latency).toMatchObject({ name: 'StepLatency', value: 0 });
  });

  it.each([
    ['skipped', { status: 'skipped', consumer: 'strategy', reason: 'duplicate', message: 'dup' }],
    ['deferred', { status: 'deferred', consumer: 'strategy', leaseUntil: OPEN }],
    ['failed', { status: 'failed', consumer: 'strategy', errorCode: 'INVALID_STRATEGY', won: true }],
  ] as const)('adds nothing for a %s delivery (a duplicate is not a second run; a failure is counted from WorkflowFailed)', (_name, outcome) => {
    const event = started(OPEN);
    expect(deliveryMetrics(event, outcome as DeliveryOutcome, timing(event, 10, 5))).toEqual([]);
  });

  it('adds the workflow’s terminal metrics when the notification consumer handled its terminal event', () => {
    const event = completed(OPEN, 12_345);
    const names = deliveryMetrics(event, handled('notification'), timing(event, 200, 150)).map((d) => d.name);
    expect(names).toEqual(['StepLatency', 'StepDuration', 'WorkflowsCompleted', 'WorkflowsFailed', 'WorkflowsFailedWhileMarketOpen', 'WorkflowDuration']);
  });

  it('counts a terminal event only at the notification consumer', () => {
    const event = completed(OPEN, 12_345);
    expect(deliveryMetrics(event, handled('audit'), timing(event, 200, 150)).map((d) => d.name)).toEqual(['StepLatency', 'StepDuration']);
  });
});

describe('terminalMetrics', () => {
  it('counts a completed workflow with its duration by State', () => {
    expect(values(terminalMetrics(completed(OPEN, 12_345)))).toEqual([
      ['WorkflowsCompleted', 1, 'Count', {}],
      ['WorkflowsFailed', 0, 'Count', {}],
      ['WorkflowsFailedWhileMarketOpen', 0, 'Count', {}],
      ['WorkflowDuration', 12_345, 'Milliseconds', { State: 'COMPLETED' }],
    ]);
  });

  it('counts a failure in session as paging, with its FailureCode', () => {
    expect(values(terminalMetrics(failed(OPEN, 'STALE_MARKET_DATA', 900)))).toEqual([
      ['WorkflowsCompleted', 0, 'Count', {}],
      ['WorkflowsFailed', 1, 'Count', {}],
      ['WorkflowsFailedWhileMarketOpen', 1, 'Count', {}],
      ['WorkflowDuration', 900, 'Milliseconds', { State: 'FAILED' }],
      ['WorkflowsFailed', 1, 'Count', { FailureCode: 'STALE_MARKET_DATA' }],
    ]);
  });

  it.each([
    ['after the close', CLOSED, 'WORKFLOW_TIMEOUT', 0],
    ['on a Saturday', new Date('2026-11-28T15:00:00Z'), 'WORKFLOW_TIMEOUT', 0],
    ['on Thanksgiving', new Date('2026-11-26T15:00:00Z'), 'HANDLER_ERROR', 0],
    ['at the open', new Date('2026-11-23T14:30:00Z'), 'HANDLER_ERROR', 1],
    ['in session, aborted by an operator', OPEN, WORKFLOW_ABORTED, 0],
  ])('WorkflowsFailedWhileMarketOpen for a failure %s', (_when, at, code, expected) => {
    expect(nyse.isOpen(at)).toBe(expected === 1 || code === WORKFLOW_ABORTED);
    const data = terminalMetrics(failed(at, code));
    expect(data.find((d) => d.name === 'WorkflowsFailedWhileMarketOpen')?.value).toBe(expected);
    expect(data.find((d) => d.dimensions?.FailureCode !== undefined)?.dimensions).toEqual({ FailureCode: code });
  });

  it('maps an undeclared error code to OTHER', () => {
    expect(terminalMetrics(failed(OPEN, 'BRAND_NEW_CODE')).find((d) => d.dimensions?.FailureCode !== undefined)?.dimensions).toEqual({ FailureCode: 'OTHER' });
  });

  it('treats an instant the calendar cannot place as open, so the failure is not missed', () => {
    const calendar = { isOpen: () => { throw new Error('UNSUPPORTED_YEAR'); } };
    expect(terminalMetrics(failed(CLOSED, 'HANDLER_ERROR'), calendar).find((d) => d.name === 'WorkflowsFailedWhileMarketOpen')?.value).toBe(1);
  });
});

describe('sweepMetrics', () => {
  const record = (id: string, startedAt: Date, state: WorkflowRecord['state'] = 'RUNNING') => ({ correlationId: id, state, startedAt }) as WorkflowRecord;
  const report = { checkedRunning: 2, timedOut: [{ correlationId: 'old', step: 'execution', ageMs: 1_000_000 }], lostRaces: [], republished: ['a', 'b'], relayed: [] };

  it('reports how many still run, the oldest one’s age in seconds from the instant before the sweep, and what the sweep did', () => {
    const measuredAt = new Date('2026-11-23T15:20:00.000Z');
    const running = [record('a', new Date('2026-11-23T15:19:00.000Z')), record('b', new Date('2026-11-23T15:12:30.500Z')), record('c', new Date('2026-11-23T15:20:00.200Z'))];
    expect(values(sweepMetrics({ report, running, measuredAt }))).toEqual([
      ['RunningWorkflows', 3, 'Count', {}],
      ['OldestRunningAge', 449, 'Seconds', {}],
      ['WorkflowsTimedOut', 1, 'Count', {}],
      ['TerminalEventsRepublished', 2, 'Count', {}],
    ]);
  });

  it('leaves a workflow waiting for its fills out of the oldest age: it is not stuck', () => {
    const measuredAt = new Date('2026-11-23T18:00:00.000Z');
    const running = [record('alpaca', new Date('2026-11-23T15:00:00.000Z')), record('young', new Date('2026-11-23T17:59:00.000Z'))];
    const data = sweepMetrics({ report: { ...report, waitingForFills: ['alpaca'] }, running, measuredAt });
    expect(data.find((d) => d.name === 'OldestRunningAge')?.value).toBe(60);
    expect(data.find((d) => d.name === 'RunningWorkflows')?.value).toBe(2);
  });

  it('reports zeros when nothing runs, so silence always means the sweeper did not run', () => {
    const data = sweepMetrics({ report: { checkedRunning: 0, timedOut: [], lostRaces: [], republished: [], relayed: [] }, running: [record('done', new Date(0), 'COMPLETED')], measuredAt: OPEN });
    expect(data.map((d) => [d.name, d.value])).toEqual([
      ['RunningWorkflows', 0],
      ['OldestRunningAge', 0],
      ['WorkflowsTimedOut', 0],
      ['TerminalEventsRepublished', 0],
    ]);
  });
});
