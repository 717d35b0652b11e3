/**
 * The local Lambda runtime over in-memory queues: Lambda's asynchronous-invocation behaviour (retries
 * with one request id, the on-failure record), the fault-injection knobs, the background loop's stop.
 */
import { describe, expect, it } from 'vitest';
import { createLocalLambdaRuntime, type DeliveryQueues, type LocalFunction, type QueuedMessage } from '../../../src/sandbox/trading/lambda-runtime.ts';
import { seededRandom } from '../../../src/trading/domain/seeded-random.ts';

function memoryQueues() {
  const queues = new Map<string, QueuedMessage[]>();
  let next = 0;
  const port: DeliveryQueues = {
    async receive(url, max) {
      return (queues.get(url) ?? []).slice(0, max);
    },
    async delete(url, messages) {
      const gone = new Set(messages.map((m) => m.receiptHandle));
      queues.set(url, (queues.get(url) ?? []).filter((m) => !gone.has(m.receiptHandle)));
    },
    async send(url, body) {
      next += 1;
      queues.set(url, [...(queues.get(url) ?? []), { messageId: `m${next}`, receiptHandle: `r${next}`, body }]);
    },
  };
  const bodies = (url: string) => (queues.get(url) ?? []).map((m) => JSON.parse(m.body) as unknown);
  return { port, bodies };
}

const event = (id: string, correlationId = 'wf-1') => ({ version: '0', id, 'detail-type': 'WorkflowStarted', source: 'ops.trading.starter', detail: { eventId: id, type: 'WorkflowStarted', correlationId } });

function fn(name: string, handler: LocalFunction<string>['handler']): LocalFunction<string> {
  return { name, functionArn: `arn:aws:lambda:us-west-2:123456789012:function:${name}`, queueUrl: `q/${name}`, handler };
}

describe('the local Lambda runtime', () => {
  it('invokes each delivery with the EventBridge event, records what the handler returned, and deletes the message', async () => {
    const { port, bodies } = memoryQueues();
    const seen: unknown[] = [];
    const runtime = createLocalLambdaRuntime({ queues: port, failedQueueUrl: 'q/failed', functions: [fn('ops-trading-strategy', async (e) => (seen.push(e), 'handled'))] });
    await port.send('q/ops-trading-strategy', JSON.stringify(event('e1')));
    expect(await runtime.drainUntilIdle()).toEqual({ rounds: 2, invocations: 1 });
    expect(seen).toEqual([event('e1')]);
    expect(runtime.invocations()).toEqual([
      { functionName: 'ops-trading-strategy', requestId: expect.any(String) as unknown, attempt: 1, eventId: 'e1', eventType: 'WorkflowStarted', correlationId: 'wf-1', outcome: 'returned', result: 'handled', sentToFailedQueue: false },
    ]);
    expect(bodies('q/ops-trading-strategy')).toEqual([]);
    expect(runtime.stats()).toEqual({ invocations: 1, returned: 1, threw: 0, sentToFailedQueue: 0 });
  });

  it('retries a throwing handler twice with the same request id, then sends the on-failure record', async () => {
    const { port, bodies } = memoryQueues();
    let calls = 0;
    const runtime = createLocalLambdaRuntime({
      queues: port,
      failedQueueUrl: 'q/failed',
      functions: [fn('ops-trading-portfolio', async () => { calls += 1; throw new RangeError(`boom ${calls}`); })],
      now: () => new Date('2026-11-23T15:00:00Z'),
      newRequestId: () => 'req-1',
    });
    await port.send('q/ops-trading-portfolio', JSON.stringify(event('e2')));
    await runtime.drainUntilIdle();
    expect(calls).toBe(3);
    expect(runtime.invocations().map((r) => [r.attempt, r.requestId, r.outcome, r.sentToFailedQueue])).toEqual([
      [1, 'req-1', 'threw', false],
      [2, 'req-1', 'threw', false],
      [3, 'req-1', 'threw', true],
    ]);
    expect(bodies('q/failed')).toEqual([
      {
        version: '1.0',
        timestamp: '2026-11-23T15:00:00.000Z',
        requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:ops-trading-portfolio:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        requestPayload: event('e2'),
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'RangeError', errorMessage: 'boom 3' },
      },
    ]);
  });

  it('a handler that succeeds on a retry is not dead-lettered; maxRetries 0 dead-letters at once', async () => {
    const { port, bodies } = memoryQueues();
    let calls = 0;
    const flaky = createLocalLambdaRuntime({ queues: port, failedQueueUrl: 'q/failed', functions: [fn('f', async () => (++calls === 1 ? Promise.reject(new Error('once')) : 'ok'))] });
    await port.send('q/f', JSON.stringify(event('e3')));
    await flaky.drainUntilIdle();
    expect(flaky.invocations().map((r) => r.outcome)).toEqual(['threw', 'returned']);
    expect(bodies('q/failed')).toEqual([]);

    const strict = createLocalLambdaRuntime({ queues: port, failedQueueUrl: 'q/failed', maxRetries: 0, functions: [fn('g', () => Promise.reject(new Error('no')))] });
    await port.send('q/g', JSON.stringify(event('e4')));
    await strict.drainUntilIdle();
    expect(strict.stats()).toEqual({ invocations: 1, returned: 0, threw: 1, sentToFailedQueue: 1 });
  });

  it('duplicates every delivery, shuffles each round reproducibly, and lets an interceptor throw in a handler\'s place', async () => {
    const order = async (seed: number) => {
      const { port } = memoryQueues();
      const ran: string[] = [];
      const runtime = createLocalLambdaRuntime({
        queues: port,
        failedQueueUrl: 'q/failed',
        duplicates: 3,
        shuffle: true,
        random: seededRandom(seed),
        concurrency: 1,
        maxRetries: 0,
        intercept: (call) => {
          if ((call.event as ReturnType<typeof event>).id === 'x') throw new Error('intercepted');
        },
        functions: [fn('f', async (e) => (ran.push((e as ReturnType<typeof event>).id), 'ok'))],
      });
      for (const id of ['a', 'b', 'x']) await port.send('q/f', JSON.stringify(event(id)));
      await runtime.drainUntilIdle();
      return { ran, stats: runtime.stats() };
    };
    const first = await order(1);
    expect([...first.ran].sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(first.stats).toEqual({ invocations: 9, returned: 6, threw: 3, sentToFailedQueue: 3 });
    expect((await order(1)).ran).toEqual(first.ran);
    const orders = await Promise.all([2, 3, 4, 5].map(async (seed) => (await order(seed)).ran.join('')));
    expect(new Set([first.ran.join(''), ...orders]).size).toBeGreaterThan(1);
  });

  it('runs the scheduled functions on demand; one that throws goes to the failed queue with no retry', async () => {
    const { port, bodies } = memoryQueues();
    let sweeps = 0;
    const runtime = createLocalLambdaRuntime({
      queues: port,
      failedQueueUrl: 'q/failed',
      functions: [],
      scheduled: [
        { name: 'ops-trading-sweeper', functionArn: 'arn:aws:lambda:us-west-2:1:function:ops-trading-sweeper', everyMs: 60_000, handler: async () => (sweeps += 1) },
        { name: 'broken', functionArn: 'arn:aws:lambda:us-west-2:1:function:broken', everyMs: 60_000, handler: () => Promise.reject(new Error('down')) },
      ],
    });
    await runtime.runScheduled('ops-trading-sweeper');
    expect(sweeps).toBe(1);
    await runtime.runScheduled();
    expect(sweeps).toBe(2);
    expect(bodies('q/failed')).toMatchObject([{ requestContext: { functionArn: 'arn:aws:lambda:us-west-2:1:function:broken:$LATEST', approximateInvokeCount: 1 }, responsePayload: { errorMessage: 'down' } }]);
  });

  it('the background loop handles deliveries until stop(); a retry still waiting goes back to its queue', async () => {
    const { port, bodies } = memoryQueues();
    let handled!: () => void;
    const done = new Promise<void>((resolve) => (handled = resolve));
    const runtime = createLocalLambdaRuntime({
      queues: port,
      failedQueueUrl: 'q/failed',
      retryDelaysMs: [3_600_000],
      functions: [
        fn('ok', async () => (handled(), 'ok')),
        fn('fails', () => Promise.reject(new Error('later'))),
      ],
    });
    await port.send('q/fails', JSON.stringify(event('f1')));
    await port.send('q/ok', JSON.stringify(event('o1')));
    runtime.start({ pollIntervalMs: 5 });
    await expect(runtime.drainUntilIdle()).rejects.toThrow(/background loop/);
    await done;
    await runtime.stop();
    expect(runtime.invocations().map((r) => `${r.functionName}:${r.outcome}`).sort()).toEqual(['fails:threw', 'ok:returned']);
    // Its retry was due in an hour: handed back to SQS, not lost.
    expect(bodies('q/fails')).toEqual([event('f1')]);
    expect(bodies('q/failed')).toEqual([]);
  });
});
