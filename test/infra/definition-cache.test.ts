/**
 * The schedule-definition cache as deployed: the table the adapter reads and writes (key, TTL, on
 * demand), the healthcheck told its name in a form its config loader accepts, and a role that may do
 * exactly BatchGetItem and BatchWriteItem on that table and nothing more.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_DEFINITION_TABLE_SCHEMA, SCHEDULE_DEFINITION_TTL_ATTRIBUTE } from '../../src/aws/schedule-definition-store.ts';
import { loadHealthcheckConfig } from '../../src/healthcheck/config.ts';
import { REGION } from './mocks.ts';
import type { RecordedResource } from './mocks.ts';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';

let stack: StackUnderTest;
let table: RecordedResource;
let fn: RecordedResource;
let statements: PolicyStatement[];

beforeAll(async () => {
  stack = await runProgram();
  table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.definitionCacheTableName);
  fn = stack.one('aws:lambda/function:Function', (f) => f.inputs.name === stack.outputs.healthcheckFunctionName);
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  statements = roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
});

describe('the schedule-definition cache table', () => {
  it('is named from the stack prefix and keyed by the schedule ARN, on demand', () => {
    expect(table.inputs.name).toBe('ops-pipeline-schedule-definitions');
    expect(table.inputs.hashKey).toBe('arn');
    expect(table.inputs.rangeKey).toBeUndefined();
    expect(table.inputs.attributes).toEqual([{ name: 'arn', type: 'S' }]);
    expect(table.inputs.billingMode).toBe('PAY_PER_REQUEST');
    expect(SCHEDULE_DEFINITION_TABLE_SCHEMA.KeySchema).toEqual([{ AttributeName: 'arn', KeyType: 'HASH' }]);
  });

  it('expires items by TTL on the attribute the adapter writes', () => {
    expect(table.inputs.ttl).toEqual({ attributeName: SCHEDULE_DEFINITION_TTL_ATTRIBUTE, enabled: true });
    expect(SCHEDULE_DEFINITION_TTL_ATTRIBUTE).toBe('expiresAt');
  });
});

describe('the healthcheck Lambda', () => {
  it('is told the table name, in a form its config loader accepts', () => {
    const environment = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    expect(environment.DEFINITION_CACHE_TABLE).toBe(table.state.name);
    expect(loadHealthcheckConfig({ ...environment, AWS_REGION: REGION }).definitionCacheTable).toBe('ops-pipeline-schedule-definitions');
  });

  it('may BatchGetItem and BatchWriteItem on that table, by its own ARN, and nothing else there', () => {
    const cache = statements.filter((s) => asList(s.Resource).includes(String(table.state.arn)));
    expect(cache).toHaveLength(1);
    expect(cache[0]).toMatchObject({ Sid: 'DefinitionCache', Effect: 'Allow' });
    expect(asList(cache[0]!.Action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(asList(cache[0]!.Resource)).toEqual([table.state.arn]);
    expect(cache[0]!.Condition).toBeUndefined();
  });

  it('writes to no other table in batches', () => {
    const batchWrites = statements.filter((s) => asList(s.Action).includes('dynamodb:BatchWriteItem'));
    expect(batchWrites.flatMap((s) => asList(s.Resource))).toEqual([table.state.arn]);
  });
});
