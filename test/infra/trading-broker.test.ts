/**
 * The broker wiring of the trading stack: paper by default (the paper-broker table for the Lambdas
 * that trade, read-only for the sweeper that reconciles), alpaca with a Secrets Manager secret (created
 * without a value, or given by ARN) that only those three Lambdas may read, each getting exactly
 * secretsmanager:GetSecretValue on exactly that secret.
 */
import { describe, expect, it } from 'vitest';
import { asList, roleNamed, roleStatements, runProgram, type PolicyStatement, type StackUnderTest } from './program.ts';
import type { RecordedResource } from './mocks.ts';

const TRADING = ['strategy', 'portfolio', 'execution', 'notification', 'sweeper'] as const;
const BROKER_USERS = ['portfolio', 'execution', 'sweeper'];
const GIVEN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:desk/alpaca-AbCdEf';

const functionNamed = (stack: StackUnderTest, name: string) => stack.one('aws:lambda/function:Function', (f) => f.inputs.name === `ops-pipeline-trading-${name}`);
const variables = (fn: RecordedResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;
function statementsOf(stack: StackUnderTest, fn: RecordedResource): PolicyStatement[] {
  const role = stack.one('aws:iam/role:Role', (r) => r.state.arn === fn.inputs.role);
  return roleStatements(stack)
    .filter((s) => roleNamed(stack, s.role) === role)
    .map((s) => s.statement);
}
/** Every statement of every role in the stack that names an action of `service`. */
const grantsOf = (stack: StackUnderTest, service: string) => roleStatements(stack).filter((s) => asList(s.statement.Action).some((a) => a.startsWith(`${service}:`)));

describe('broker paper (the default)', () => {
  it('gives the paper-broker table to portfolio, execution and the sweeper (read-only), and no secret anywhere', async () => {
    const stack = await runProgram();
    const table = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === 'ops-pipeline-paper-broker');
    expect(stack.ofType('aws:secretsmanager/secret:Secret')).toEqual([]);
    expect(grantsOf(stack, 'secretsmanager')).toEqual([]);
    expect(stack.outputs.alpacaSecretArn).toBeUndefined();
    for (const name of TRADING) {
      const fn = functionNamed(stack, name);
      const onTable = statementsOf(stack, fn).filter((s) => asList(s.Resource).includes(String(table.state.arn)));
      const env = variables(fn);
      if (!BROKER_USERS.includes(name)) {
        expect(onTable, name).toEqual([]);
        expect(env.PAPER_BROKER_TABLE, name).toBeUndefined();
        expect(env.BROKER, name).toBeUndefined();
        continue;
      }
      expect(env, name).toMatchObject({ BROKER: 'paper', PAPER_BROKER_TABLE: table.state.name });
      expect(env.ALPACA_SECRET_ID, name).toBeUndefined();
      expect(onTable.map((s) => asList(s.Action).sort()), name).toEqual([
        name === 'sweeper' ? ['dynamodb:GetItem'] : name === 'portfolio' ? ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'] : ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      ]);
    }
  });
});

describe('broker alpaca', () => {
  it('creates the secret without a value and lets exactly portfolio, execution and the sweeper read exactly it', async () => {
    const stack = await runProgram({ broker: 'alpaca' });
    const secret = stack.one('aws:secretsmanager/secret:Secret');
    expect(secret.inputs.name).toBe('ops-pipeline/alpaca-keys');
    // The stack never holds the keys: no secret version, no value anywhere in its inputs.
    expect(stack.ofType('aws:secretsmanager/secretVersion:SecretVersion')).toEqual([]);
    expect(JSON.stringify(secret.inputs)).not.toMatch(/secretString|keyId"\s*:\s*"PK/);
    expect(stack.outputs.alpacaSecretArn).toBe(secret.state.arn);

    const readers = grantsOf(stack, 'secretsmanager');
    expect(readers.map((s) => s.statement)).toEqual(BROKER_USERS.map(() => ({ Sid: 'AlpacaKeys', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret.state.arn] })));
    const paperTable = stack.one('aws:dynamodb/table:Table', (t) => t.inputs.name === 'ops-pipeline-paper-broker');
    for (const name of TRADING) {
      const fn = functionNamed(stack, name);
      const statements = statementsOf(stack, fn);
      const env = variables(fn);
      const readsSecret = statements.some((s) => asList(s.Resource).includes(String(secret.state.arn)));
      expect(readsSecret, name).toBe(BROKER_USERS.includes(name));
      // With Alpaca the paper-broker table is nobody's.
      expect(statements.filter((s) => asList(s.Resource).includes(String(paperTable.state.arn))), name).toEqual([]);
      if (BROKER_USERS.includes(name)) {
        expect(env, name).toMatchObject({ BROKER: 'alpaca', ALPACA_SECRET_ID: secret.state.arn });
        expect(env.PAPER_BROKER_TABLE, name).toBeUndefined();
        expect(env.ALPACA_BASE_URL, name).toBeUndefined();
      } else {
        expect([env.BROKER, env.ALPACA_SECRET_ID], name).toEqual([undefined, undefined]);
      }
    }
  });

  it('uses a given secret ARN (no secret created) and the configured base URL', async () => {
    const stack = await runProgram({ broker: 'alpaca', alpacaSecretArn: GIVEN_ARN, alpacaBaseUrl: 'https://api.alpaca.markets' });
    expect(stack.ofType('aws:secretsmanager/secret:Secret')).toEqual([]);
    expect(stack.outputs.alpacaSecretArn).toBe(GIVEN_ARN);
    expect(grantsOf(stack, 'secretsmanager').map((s) => s.statement.Resource)).toEqual(BROKER_USERS.map(() => [GIVEN_ARN]));
    for (const name of BROKER_USERS) expect(variables(functionNamed(stack, name)), name).toMatchObject({ BROKER: 'alpaca', ALPACA_SECRET_ID: GIVEN_ARN, ALPACA_BASE_URL: 'https://api.alpaca.markets' });
  });

  it('refuses an unknown broker, a malformed secret ARN, and Alpaca settings with the paper broker', async () => {
    await expect(runProgram({ broker: 'ibkr' })).rejects.toThrow(/broker/);
    await expect(runProgram({ broker: 'alpaca', alpacaSecretArn: 'desk/alpaca' })).rejects.toThrow(/alpacaSecretArn: a Secrets Manager secret ARN/);
    await expect(runProgram({ alpacaSecretArn: GIVEN_ARN })).rejects.toThrow(/only apply to broker alpaca, not paper/);
  });
});
