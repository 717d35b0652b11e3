/**
 * The trading workflow as deployed: every event a step consumes has a rule that delivers it to that
 * step's Lambda, every failure path ends in a queue, and the store and the dispatcher are wired to
 * the same table and bus.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lambda-bundles.ts';
import { tradingConsumers, unroutedEventTypes } from '../../infra/trading-routes.ts';
import { PAPER_BROKER_TABLE_SCHEMA } from '../../src/aws/paper-broker-store.ts';
import { WORKFLOW_TABLE_SCHEMA, WORKFLOW_TTL_ATTRIBUTE } from '../../src/aws/workflow-store.ts';
import { EVENT_TYPES, EventType } from '../../src/trading/domain/events.ts';
import { TASKS } from '../../src/entry/task/trading-task.ts';
import { asList, roleNamed, roleStatements, runProgram, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

let stack: StackUnderTest;
let bus: RecordedResource;
const functionNamed = (name: string) => stack.one('aws:lambda/function:Function', (f) => f.inputs.name === name);
const variables = (fn: RecordedResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;
const actionsOf = (fn: RecordedResource) => {
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  return roleStatements(stack).filter((s) => roleNamed(stack, s.role) === role).map((s) => s.statement);
};

beforeAll(async () => {
  stack = await runProgram({ tradingEmails: ['desk@example.com'] });
  bus = stack.one('aws:cloudwatch/eventBus:EventBus');
});

describe('event routing', () => {
  it('routes every event type a step consumes; only TradeExecuted has no consumer (completion is counted in the store)', () => {
    const consumers = tradingConsumers();
    expect(unroutedEventTypes(consumers)).toEqual([EventType.tradeExecuted]);
    const rules = stack.ofType('aws:cloudwatch/eventRule:EventRule').filter((r) => r.inputs.eventBusName === bus.state.name);
    expect(rules).toHaveLength(EVENT_TYPES.length - 1);
    for (const consumer of consumers) {
      const fn = functionNamed(`ops-pipeline-trading-${consumer.name}`);
      for (const type of consumer.consumes) {
        const rule = rules.find((r) => (JSON.parse(String(r.inputs.eventPattern)) as { 'detail-type': string[] })['detail-type'][0] === type);
        expect(rule, type).toBeDefined();
        expect(JSON.parse(String(rule!.inputs.eventPattern))).toEqual({ source: [{ prefix: 'ops.trading.' }], 'detail-type': [type] });
        const targets = stack.ofType('aws:cloudwatch/eventTarget:EventTarget').filter((t) => t.inputs.rule === rule!.state.name);
        expect(targets.map((t) => t.inputs.arn), type).toEqual([fn.state.arn]);
        expect(targets[0]!.inputs.eventBusName).toBe(bus.state.name);
        const permission = stack.one('aws:lambda/permission:Permission', (p) => p.inputs.sourceArn === rule!.state.arn);
        expect(permission.inputs.function).toBe(fn.state.name);
      }
    }
  });

  it('sends events a rule could not deliver to the rule dead-letter queue, which allows exactly those rules', () => {
    const queue = stack.one('aws:sqs/queue:Queue', (q) => q.inputs.name === 'ops-pipeline-trading-rule-dlq');
    const ruleArns = stack
      .ofType('aws:cloudwatch/eventRule:EventRule')
      .filter((r) => r.inputs.eventBusName === bus.state.name)
      .map((r) => r.state.arn);
    for (const target of stack.ofType('aws:cloudwatch/eventTarget:EventTarget').filter((t) => t.inputs.eventBusName === bus.state.name)) {
      expect(target.inputs.deadLetterConfig).toEqual({ arn: queue.state.arn });
      expect(Object.values(target.inputs.retryPolicy as Record<string, unknown>).map((v) => typeof v)).toEqual(['number', 'number']);
    }
    const policy = stack.one('aws:sqs/queuePolicy:QueuePolicy', (p) => p.inputs.queueUrl === queue.state.url);
    const statement = (JSON.parse(String(policy.inputs.policy)) as { Statement: { Principal: unknown; Condition: { ArnEquals: { 'aws:SourceArn': string[] } } }[] }).Statement[0]!;
    expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(statement.Condition.ArnEquals['aws:SourceArn'].sort()).toEqual(ruleArns.sort());
  });

  it('keeps events a step Lambda failed on in the failed-invocations queue (on-failure destination)', () => {
    const failed = stack.one('aws:sqs/queue:Queue', (q) => q.inputs.name === 'ops-pipeline-trading-failed');
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const fn = functionNamed(`ops-pipeline-trading-${name}`);
      const config = stack.one('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig', (c) => c.inputs.functionName === fn.state.name);
      expect(config.inputs.destinationConfig, name).toEqual({ onFailure: { destination: failed.state.arn } });
      const send = actionsOf(fn).filter((s) => asList(s.Action).includes('sqs:SendMessage'));
      expect(send.map((s) => s.Resource), name).toEqual([[failed.state.arn]]);
    }
  });
});

describe('the step Lambdas', () => {
  it('get the bus, the table, the topic and the market data source the runtime reads (synthetic by default)', () => {
    const table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.workflowTableName);
    const topic = stack.one('aws:sns/topic:Topic', (t) => t.inputs.name === 'ops-pipeline-trading-notifications');
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const fn = functionNamed(`ops-pipeline-trading-${name}`);
      expect(variables(fn), name).toMatchObject({
        EVENT_BUS_NAME: bus.state.name,
        WORKFLOW_TABLE: table.state.name,
        NOTIFICATION_TOPIC_ARN: topic.state.arn,
        MARKET_DATA_SOURCE: 'synthetic',
      });
      expect(variables(fn), name).not.toHaveProperty('MARKET_DATA_DIR');
      expect(variables(fn), name).not.toHaveProperty('MARKET_DATA_SEED');
    }
  });

  it('ship no market data files with the synthetic source (it computes its closes)', async () => {
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const directory = await (functionNamed(`ops-pipeline-trading-${name}`).inputs.code as { path: Promise<string> }).path;
      expect(directory.endsWith(`trading-${name}`), directory).toBe(true);
      expect(existsSync(join(directory, 'market-data')), name).toBe(false);
      // The bundle, its lazily loaded chunks (the SDK's unused credential providers) and their maps: nothing else.
      expect(readdirSync(directory).sort(), name).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
      for (const chunk of readdirSync(join(directory, 'chunks'))) expect(chunk, name).toMatch(/\.mjs(\.map)?$/);
    }
  });

  it('may publish to the bus and use the workflow table; only the notification step may email', () => {
    const table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.workflowTableName);
    const topic = stack.one('aws:sns/topic:Topic', (t) => t.inputs.name === 'ops-pipeline-trading-notifications');
    // The paper-broker table's grants are checked in "the paper-broker table" below.
    const brokerArn = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === 'ops-pipeline-paper-broker').state.arn;
    for (const consumer of tradingConsumers()) {
      const statements = actionsOf(functionNamed(`ops-pipeline-trading-${consumer.name}`)).filter((s) => !asList(s.Resource).includes(String(brokerArn)));
      const on = (action: string) => statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource));
      expect(on('events:PutEvents')).toEqual([bus.state.arn]);
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) expect(on(action), action).toEqual([table.state.arn]);
      // Claims live in the workflow item: nothing deletes an item, so nothing may.
      expect(on('dynamodb:DeleteItem')).toEqual([]);
      expect(on('dynamodb:Query').sort()).toEqual([table.state.arn, `${String(table.state.arn)}/index/byState`].sort());
      expect(on('sns:Publish'), consumer.name).toEqual(consumer.name === 'notification' ? [topic.state.arn] : []);
    }
  });
});

describe('the notification topic', () => {
  it('emails the configured trading addresses, not the on-call ones', () => {
    const topic = stack.one('aws:sns/topic:Topic', (t) => t.inputs.name === 'ops-pipeline-trading-notifications');
    const subscriptions = stack.ofType('aws:sns/topicSubscription:TopicSubscription').filter((s) => s.inputs.topic === topic.state.arn);
    expect(subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([['email', 'desk@example.com']]);
  });
});

describe('the workflow table', () => {
  it('has the keys and index of WORKFLOW_TABLE_SCHEMA, TTL and point-in-time recovery', () => {
    const table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === stack.outputs.workflowTableName);
    expect(table.inputs).toMatchObject({ hashKey: 'pk', rangeKey: 'sk', billingMode: WORKFLOW_TABLE_SCHEMA.BillingMode });
    expect(table.inputs.attributes).toEqual(WORKFLOW_TABLE_SCHEMA.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })));
    expect(table.inputs.globalSecondaryIndexes).toEqual([
      { name: 'byState', keySchemas: [{ attributeName: 'workflowState', keyType: 'HASH' }, { attributeName: 'startedAt', keyType: 'RANGE' }], projectionType: 'ALL' },
    ]);
    expect(table.inputs.ttl).toEqual({ attributeName: WORKFLOW_TTL_ATTRIBUTE, enabled: true });
    expect(table.inputs.pointInTimeRecovery).toEqual({ enabled: true });
  });
});

describe('the paper-broker table', () => {
  const brokerTable = () => stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === 'ops-pipeline-paper-broker');

  it('has the pk/sk keys of PAPER_BROKER_TABLE_SCHEMA and point-in-time recovery (it is the record of the paper trades), no TTL', () => {
    const table = brokerTable();
    expect(table.inputs).toMatchObject({ hashKey: 'pk', rangeKey: 'sk', billingMode: PAPER_BROKER_TABLE_SCHEMA.BillingMode });
    expect(table.inputs.attributes).toEqual(PAPER_BROKER_TABLE_SCHEMA.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })));
    expect(table.inputs.pointInTimeRecovery).toEqual({ enabled: true });
    expect(table.inputs.ttl).toBeUndefined();
  });

  it('reaches only the steps that trade and the sweeper: portfolio reads and seeds the account, execution also fills orders, the sweeper reads orders', () => {
    const table = brokerTable();
    const expected: Record<string, string[]> = {
      portfolio: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      execution: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      // It reconciles open orders: a look-up by client order id.
      sweeper: ['dynamodb:GetItem'],
    };
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const fn = functionNamed(`ops-pipeline-trading-${name}`);
      const onBroker = actionsOf(fn).filter((s) => asList(s.Resource).includes(String(table.state.arn)));
      if (expected[name] === undefined) {
        expect(variables(fn), name).not.toHaveProperty('PAPER_BROKER_TABLE');
        expect(onBroker, name).toEqual([]);
        continue;
      }
      expect(variables(fn).PAPER_BROKER_TABLE, name).toBe(table.state.name);
      expect(onBroker.map((s) => asList(s.Resource)), name).toEqual([[table.state.arn]]);
      expect(onBroker.flatMap((s) => asList(s.Action)).sort(), name).toEqual(expected[name]);
    }
  });
});

describe('the dispatcher task', () => {
  it('runs `ops-task dispatcher` with the bus and table of the stack, for each account', () => {
    expect(TASKS).toContain('dispatcher');
    for (const [family, account] of [
      ['ops-pipeline-dispatcher', 'main'],
      ['ops-pipeline-dispatcher-tiny', 'tiny'],
    ] as const) {
      const td = stack.one('aws:ecs/taskDefinition:TaskDefinition', (t) => t.inputs.family === family);
      const [container] = JSON.parse(String(td.inputs.containerDefinitions)) as { command: string[]; environment: { name: string; value: string }[] }[];
      expect(container!.command).toEqual(['dispatcher']);
      const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ ACCOUNT: account, EVENT_BUS_NAME: bus.state.name, WORKFLOW_TABLE: stack.outputs.workflowTableName });
    }
  });

  it('may start workflows: publish to the bus and write the table, through the task role', () => {
    const td = stack.one('aws:ecs/taskDefinition:TaskDefinition', (t) => t.inputs.family === 'ops-pipeline-dispatcher');
    const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === td.inputs.taskRoleArn);
    const actions = roleStatements(stack)
      .filter((s) => roleNamed(stack, s.role) === role)
      .flatMap((s) => asList(s.statement.Action));
    expect(actions).toEqual(expect.arrayContaining(['events:PutEvents', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']));
  });
});

describe('the sweeper', () => {
  it('runs every 5 minutes from the trading schedule group', () => {
    const fn = functionNamed('ops-pipeline-trading-sweeper');
    const schedule = stack.one('aws:scheduler/schedule:Schedule', (s) => s.inputs.name === 'ops-pipeline-trading-sweeper');
    expect(schedule.inputs).toMatchObject({ scheduleExpression: 'rate(5 minutes)', groupName: 'ops-pipeline-trading' });
    expect((schedule.inputs.target as { arn: string }).arn).toBe(fn.state.arn);
  });
});

describe('the fixture market data (config marketDataSource: fixtures)', () => {
  let fixtures: StackUnderTest;
  const fixtureFunction = (name: string) => fixtures.one('aws:lambda/function:Function', (f) => f.inputs.name === name);

  beforeAll(async () => {
    fixtures = await runProgram({ tradingEmails: ['desk@example.com'], marketDataSource: 'fixtures' });
  });

  it('points every trading Lambda at the CSVs and ships them inside its own archive', async () => {
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const fn = fixtureFunction(`ops-pipeline-trading-${name}`);
      expect(variables(fn), name).toMatchObject({ MARKET_DATA_SOURCE: 'fixtures', MARKET_DATA_DIR: '/var/task/market-data' });
      const directory = await (fn.inputs.code as { path: Promise<string> }).path;
      // Its own bundle directory, so a synthetic build never removes the files under it.
      expect(directory.endsWith(`trading-${name}-fixtures`), directory).toBe(true);
      expect(readdirSync(join(directory, 'market-data')).sort()).toEqual(readdirSync(join(REPO_ROOT, 'fixtures', 'market-data')).sort());
    }
  });
});

describe('the synthetic market seed (config marketDataSeed)', () => {
  it('reaches every trading Lambda as MARKET_DATA_SEED', async () => {
    const seeded = await runProgram({ marketDataSeed: 7 });
    for (const name of [...tradingConsumers().map((c) => c.name), 'sweeper']) {
      const fn = seeded.one('aws:lambda/function:Function', (f) => f.inputs.name === `ops-pipeline-trading-${name}`);
      expect((fn.inputs.environment as { variables: Record<string, string> }).variables, name).toMatchObject({ MARKET_DATA_SOURCE: 'synthetic', MARKET_DATA_SEED: '7' });
    }
  });
});
