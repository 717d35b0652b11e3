/**
 * The run ledger as deployed: the table the adapter expects, the coverage marker markCoverage would
 * have written, and the ECS event rule for exactly the pipeline cluster.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_LEDGER_TABLE_SCHEMA, RUN_LEDGER_TTL_ATTRIBUTE } from '../../src/aws/run-ledger-store.ts';
import { runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

let stack: StackUnderTest;
let table: RecordedResource;

beforeAll(async () => {
  stack = await runProgram();
  table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.runLedgerTableName);
});

describe('the run-ledger table', () => {
  it('has the key schema and billing mode of RUN_LEDGER_TABLE_SCHEMA', () => {
    expect(table.inputs.attributes).toEqual(RUN_LEDGER_TABLE_SCHEMA.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })));
    expect(table.inputs.hashKey).toBe('pk');
    expect(table.inputs.rangeKey).toBe('sk');
    expect(table.inputs.billingMode).toBe(RUN_LEDGER_TABLE_SCHEMA.BillingMode);
  });

  it('expires history items by TTL on expiresAt', () => {
    expect(table.inputs.ttl).toEqual({ attributeName: RUN_LEDGER_TTL_ATTRIBUTE, enabled: true });
    expect(RUN_LEDGER_TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('starts with the coverage marker, stamped with the deployment time', () => {
    const item = stack.one('aws:dynamodb/tableItem:TableItem');
    expect(item.inputs.tableName).toBe(table.state.name);
    const attributes = JSON.parse(String(item.inputs.item)) as Record<string, { S?: string; N?: string }>;
    expect(attributes.pk).toEqual({ S: 'LEDGER' });
    expect(attributes.sk).toEqual({ S: 'COVERAGE' });
    const since = Number(attributes.coversSince?.N);
    expect(since).toBeGreaterThanOrEqual(stack.startedAt.getTime());
    expect(since).toBeLessThanOrEqual(stack.finishedAt.getTime());
    expect(attributes.coversSinceIso).toEqual({ S: new Date(since).toISOString() });
  });
});

describe('ECS task state changes', () => {
  it('of the pipeline cluster only go to the ledger Lambda', () => {
    const rule = stack.one('aws:cloudwatch/eventRule:EventRule', (r) => String(r.inputs.eventPattern).includes('ECS Task State Change'));
    expect(JSON.parse(String(rule.inputs.eventPattern))).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: [stack.outputs.clusterArn] },
    });
    expect(rule.inputs.eventBusName).toBeUndefined();
    const target = stack.one('aws:cloudwatch/eventTarget:EventTarget', (t) => t.inputs.rule === rule.state.name);
    const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === 'ops-pipeline-run-ledger');
    expect(target.inputs.arn).toBe(fn.state.arn);
    expect(Object.values(target.inputs.retryPolicy as Record<string, unknown>).map((v) => typeof v)).toEqual(['number', 'number']);
    expect(stack.ofType('aws:sqs/queue:Queue').map((q) => q.state.arn)).toContain((target.inputs.deadLetterConfig as { arn: string }).arn);
    const permission = stack.one('aws:lambda/permission:Permission', (p) => p.inputs.sourceArn === rule.state.arn);
    expect(permission.inputs).toMatchObject({ principal: 'events.amazonaws.com', action: 'lambda:InvokeFunction', function: fn.state.name });
  });

  it('are recorded into the ledger table the Lambda is told about', () => {
    const fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === 'ops-pipeline-run-ledger');
    expect((fn.inputs.environment as { variables: Record<string, string> }).variables.RUN_LEDGER_TABLE).toBe(table.state.name);
  });
});
