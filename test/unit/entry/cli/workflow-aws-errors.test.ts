/**
 * `ops workflow start|status|list|sweep|setup` when AWS cannot be used: setup problems are exit 2
 * with a hint, real faults stay exit 3. The unreachable endpoint is a real refused connection on
 * 127.0.0.1:9; everything else is aws-sdk-client-mock (no credentials are ever resolved then).
 */
import { DescribeTableCommand, DynamoDBClient, InternalServerError, ProvisionedThroughputExceededException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.ts';

const KEYS = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
const CONFIG = { AWS_REGION: 'us-east-1', WORKFLOW_TABLE: 't', EVENT_BUS_NAME: 'b' };
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const meta = { $metadata: {} };

interface ErrorDoc {
  ok: false;
  error: { kind: string; code: string; message: string; hint?: string };
}
const errorOf = (run: { json: () => unknown }) => (run.json() as ErrorDoc).error;

describe('ops workflow … against an endpoint that does not answer', () => {
  const env = { ...CONFIG, ...KEYS };
  it.each([
    [['workflow', 'status', 'abc'], 'GetItem'],
    [['workflow', 'list'], 'Query'],
    [['workflow', 'start', '--correlation-id', 'wf-x'], 'PutItem'],
    [['workflow', 'sweep'], 'Query'],
    [['workflow', 'setup'], 'DescribeTable'],
  ])('%j exits 2 with ENDPOINT_UNREACHABLE and says which call failed', async (argv, operation) => {
    const run = await runCli([...argv, '--endpoint', 'http://127.0.0.1:9', '--json'], { env });
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    expect(error).toMatchObject({ kind: 'user', code: 'ENDPOINT_UNREACHABLE' });
    expect(error.message).toBe(`Cannot reach the endpoint http://127.0.0.1:9: DynamoDB ${operation} on workflow table "t" failed: connect ECONNREFUSED 127.0.0.1:9`);
    expect(error.hint).toBe('Check --endpoint / AWS_ENDPOINT_URL and your network; for the local sandbox, start it with `ops sandbox up`.');
  }, 20_000);

  it('says it in words without --json', async () => {
    const run = await runCli(['workflow', 'status', 'abc', '--endpoint', 'http://127.0.0.1:9'], { env });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: Cannot reach the endpoint http:\/\/127\.0\.0\.1:9: DynamoDB GetItem/);
    expect(run.stderr).not.toContain('unexpected fault');
  }, 20_000);
});

describe('ops workflow … with the SDK mocked', () => {
  let doc: AwsClientStub<DynamoDBDocumentClient>;
  let ddb: AwsClientStub<DynamoDBClient>;
  let events: AwsClientStub<EventBridgeClient>;
  beforeEach(() => {
    doc = mockClient(DynamoDBDocumentClient);
    ddb = mockClient(DynamoDBClient);
    events = mockClient(EventBridgeClient);
  });
  afterEach(() => {
    doc.restore();
    ddb.restore();
    events.restore();
  });

  it('list without credentials: exit 2 NO_CREDENTIALS with the same hint as check-schedulers', async () => {
    doc.on(QueryCommand).rejects(named('CredentialsProviderError', 'Could not load credentials from any providers'));
    const run = await runCli(['workflow', 'list', '--json'], { env: CONFIG });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toEqual({
      kind: 'user',
      code: 'NO_CREDENTIALS',
      message: 'AWS rejected or could not find credentials: DynamoDB Query on workflow table "t" failed: Could not load credentials from any providers',
      hint: 'Set AWS_PROFILE (or pass --profile), or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; to try ops without AWS, run `ops sandbox up` and export what it prints.',
    });
  });

  it.each([
    ['status', ['workflow', 'status', 'abc']],
    ['start', ['workflow', 'start', '--correlation-id', 'wf-x']],
  ])('%s with keys AWS does not know: exit 2 NO_CREDENTIALS', async (_label, argv) => {
    doc.rejects(named('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    const run = await runCli([...argv, '--json'], { env: { ...CONFIG, ...KEYS } });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).code).toBe('NO_CREDENTIALS');
  });

  it('a table that does not exist: exit 2, pointing at the stack output and --table', async () => {
    doc.on(GetCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', ...meta }));
    const run = await runCli(['workflow', 'status', 'abc', '--json'], { env: { ...CONFIG, ...KEYS } });
    expect(run.exitCode).toBe(2);
    const error = errorOf(run);
    expect(error.code).toBe('WORKFLOW_TABLE_MISSING');
    expect(error.hint).toContain('--table <name>');
    expect(error.hint).toContain('workflowTableName');
  });

  it('access denied: exit 2 naming the IAM action', async () => {
    doc.on(QueryCommand).rejects(named('AccessDeniedException', 'User x is not authorized to perform: dynamodb:Query'));
    const run = await runCli(['workflow', 'list', '--json'], { env: { ...CONFIG, ...KEYS } });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'WORKFLOW_STORE_ACCESS_DENIED', hint: 'Grant dynamodb:Query on the table to the role or user in use.' });
  });

  it.each([
    ['a 5xx', new InternalServerError({ message: 'Internal server error', ...meta }), 'WORKFLOW_STORE_FAILED'],
    ['throttling after the retries', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', ...meta }), 'WORKFLOW_STORE_THROTTLED'],
  ])('%s stays an unexpected fault (exit 3)', async (_label, thrown, code) => {
    doc.on(QueryCommand).rejects(thrown);
    const run = await runCli(['workflow', 'list', '--json'], { env: { ...CONFIG, ...KEYS } });
    expect(run.exitCode).toBe(3);
    expect(errorOf(run)).toMatchObject({ kind: 'fault', code });
  });

  it('setup on the sandbox without credentials: exit 2 NO_CREDENTIALS', async () => {
    ddb.on(DescribeTableCommand).rejects(named('CredentialsProviderError', 'Could not load credentials from any providers'));
    const run = await runCli(['workflow', 'setup', '--endpoint', 'http://127.0.0.1:4566', '--json'], { env: CONFIG });
    expect(run.exitCode).toBe(2);
    expect(errorOf(run).code).toBe('NO_CREDENTIALS');
  });

  describe('start, when the record is written but the bus refuses the event', () => {
    beforeEach(() => {
      doc.on(PutCommand).resolves({});
    });

    it('a bus EventBridge does not know (per entry): exit 2 EVENT_BUS_MISSING, with the id to re-run', async () => {
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus b does not exist.' }] });
      const run = await runCli(['workflow', 'start', '--correlation-id', 'wf-bus', '--json'], { env: { ...CONFIG, ...KEYS } });
      expect(run.exitCode).toBe(2);
      const error = errorOf(run);
      expect(error.code).toBe('EVENT_BUS_MISSING');
      expect(error.message).toBe('EventBridge bus "b" does not exist. Workflow wf-bus is recorded (RUNNING) but WorkflowStarted was not published.');
      expect(error.hint).toContain('the stack output eventBusName');
      expect(error.hint).toContain('`ops workflow start --correlation-id wf-bus`');
    });

    it('a generated id is the one the hint names', async () => {
      events.on(PutEventsCommand).rejects(named('ResourceNotFoundException', 'Event bus b does not exist.'));
      const run = await runCli(['workflow', 'start', '--json'], { env: { ...CONFIG, ...KEYS } });
      expect(run.exitCode).toBe(2);
      const written = doc.commandCalls(PutCommand)[0]!.args[0].input.Item as { correlationId: string };
      expect(errorOf(run).hint).toContain(`--correlation-id ${written.correlationId}\``);
    });

    it('PutEvents denied: exit 2 EVENT_BUS_ACCESS_DENIED', async () => {
      events.on(PutEventsCommand).rejects(named('AccessDeniedException', 'not authorized to perform: events:PutEvents'));
      const run = await runCli(['workflow', 'start', '--correlation-id', 'wf-bus', '--json'], { env: { ...CONFIG, ...KEYS } });
      expect(run.exitCode).toBe(2);
      expect(errorOf(run)).toMatchObject({ code: 'EVENT_BUS_ACCESS_DENIED', hint: expect.stringContaining('Grant events:PutEvents') as unknown });
    });

    it('entries that ran out of attempts stay a fault (exit 3)', async () => {
      events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
      const run = await runCli(['workflow', 'start', '--correlation-id', 'wf-bus', '--json'], { env: { ...CONFIG, ...KEYS } });
      expect(run.exitCode).toBe(3);
      expect(errorOf(run).code).toBe('EVENT_PUBLISH_FAILED');
    }, 20_000);
  });
});
