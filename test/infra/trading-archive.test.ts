/**
 * The trading bus's event archive (`ops workflow replay` re-delivers from it) and the stack outputs
 * the workflow operations read: eventArchiveName (EVENT_ARCHIVE_NAME) and tradingDeadLetterQueueNames
 * (TRADING_DEAD_LETTER_QUEUES).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_RETENTION_DAYS } from '../../infra/components/trading.ts';
import { DEFAULT_TTL_DAYS } from '../../src/trading/ports/workflow-store.ts';
import { runProgram, type StackUnderTest } from './program.ts';

let stack: StackUnderTest;

beforeAll(async () => {
  stack = await runProgram();
});

describe('the trading event archive', () => {
  it('records every trading event of the trading bus, as long as the workflow records live', () => {
    const bus = stack.one('aws:cloudwatch/eventBus:EventBus');
    const archive = stack.one('aws:cloudwatch/eventArchive:EventArchive');
    expect(archive.inputs).toMatchObject({ name: 'ops-pipeline-trading-archive', eventSourceArn: bus.state.arn, retentionDays: ARCHIVE_RETENTION_DAYS });
    expect(JSON.parse(String(archive.inputs.eventPattern))).toEqual({ source: [{ prefix: 'ops.trading.' }] });
    expect(ARCHIVE_RETENTION_DAYS).toBe(DEFAULT_TTL_DAYS);
    expect(stack.outputs.eventArchiveName).toBe('ops-pipeline-trading-archive');
  });

  it('exports the three trading dead-letter queues for TRADING_DEAD_LETTER_QUEUES', () => {
    expect(stack.outputs.tradingDeadLetterQueueNames).toEqual(['ops-pipeline-trading-rule-dlq', 'ops-pipeline-trading-failed', 'ops-pipeline-trading-sweeper-dlq']);
    for (const name of stack.outputs.tradingDeadLetterQueueNames as string[]) {
      expect(stack.one('aws:sqs/queue:Queue', (q) => q.inputs.name === name).inputs.name).toBe(name);
    }
  });
});
